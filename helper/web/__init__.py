"""The Gradio page: only converts between the engine's results and the page."""
