"""A communication helper for couples: soften a draft, open a hard conversation, ask the guidance.

from helper import rewrite, openers, ask
rewrite("You never help with the dishes").rewrite
"""

from __future__ import annotations

import os

# onnxruntime (the embeddings) queues telemetry events, a device id and an events database
# under ~/.cache/Microsoft, as soon as it is imported, unless this is set first. Every entry
# point (the CLI, the page, the Python API) imports this package before onnxruntime.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

from functools import lru_cache  # noqa: E402

from helper.config import Settings, settings  # noqa: E402
from helper.engine import FUNCTIONS, Engine  # noqa: E402
from helper.errors import ConfigError, InputError  # noqa: E402
from helper.results import (  # noqa: E402
    AskResult,
    Citation,
    Finding,
    Opener,
    OpenersResult,
    RewriteResult,
    Safety,
)
from helper.retrieval.index import Index, IndexReport, Progress  # noqa: E402

__all__ = [
    "FUNCTIONS",
    "AskResult",
    "Citation",
    "ConfigError",
    "Engine",
    "Finding",
    "Index",
    "IndexReport",
    "InputError",
    "Opener",
    "OpenersResult",
    "RewriteResult",
    "Safety",
    "Settings",
    "ask",
    "build_index",
    "get_engine",
    "openers",
    "rewrite",
    "settings",
]


@lru_cache(maxsize=4)
def get_engine(config: Settings | None = None) -> Engine:
    """The engine the settings ask for: the model engine when one is configured, else offline."""
    from helper.offline import OfflineEngine

    config = config or settings()
    offline = OfflineEngine(Index(config))
    if not config.use_llm:
        return offline
    if not config.llm_configured:
        raise ConfigError(
            "HELPER_ENGINE=llm needs a model: set OPENAI_BASE_URL (a local server such as "
            "Ollama or llama.cpp) or OPENAI_API_KEY, and HELPER_CHAT_MODEL."
        )
    from helper.llm import LLMEngine, call_deadline, make_chat_model

    return LLMEngine(offline, make_chat_model(config), deadline=call_deadline(config))


def rewrite(text: str, proceed: bool = False) -> RewriteResult:
    """A calm first-person version of an angry draft, with findings and alternatives.

    `proceed=True` goes on past a safety response where its category allows (docs/safety.md)."""
    return get_engine().rewrite(text, proceed=proceed)


def openers(topic: str) -> OpenersResult:
    """Three to five ways to open a conversation about `topic`, grounded in the guidance."""
    return get_engine().openers(topic)


def ask(question: str) -> AskResult:
    """An answer from the guidance, every sentence cited verbatim; off-topic questions declined."""
    return get_engine().ask(question)


def build_index(rebuild: bool = False, progress: Progress | None = None) -> IndexReport:
    """Index the corpus; only what changed is embedded again."""
    return Index(settings()).build(rebuild=rebuild, progress=progress)
