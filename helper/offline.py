"""The offline engine: no key, no network; the default, and the fallback of the model engine."""

from __future__ import annotations

from .index import Index
from .qa import answer_offline
from .results import AskResult, OpenersResult, Passage, RewriteResult


class OfflineEngine:
    name = "offline"

    def __init__(self, index: Index) -> None:
        self.index = index

    def retrieve(self, query: str, k: int = 6) -> list[Passage]:
        self.index.ensure()
        return self.index.search(query, k)

    def rewrite(self, text: str) -> RewriteResult:
        from .rewrite import rewrite_offline

        return rewrite_offline(text)

    def ask(self, question: str) -> AskResult:
        self.index.ensure()
        return answer_offline(question, self.index)

    def openers(self, topic: str) -> OpenersResult:
        from .openers import openers_offline

        self.index.ensure()
        return openers_offline(topic, self.index)
