"""The chat-model engine: prompts (package data), structured replies, checks, fallback."""

from helper.llm.engine import LLMEngine, call_deadline, make_chat_model

__all__ = ["LLMEngine", "call_deadline", "make_chat_model"]
