"""The model engine's prompts; installed as package data `helper.prompts`."""
