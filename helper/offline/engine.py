"""The offline engine: no key, no network; the default, and the fallback of the model engine."""

from __future__ import annotations

import logging

from helper.errors import IndexUnavailable
from helper.offline.advice import advice_citation, advice_passages
from helper.offline.answering import answer_offline, spelled
from helper.offline.opening import openers_offline
from helper.offline.rewriting import rewrite_offline
from helper.results import AskResult, Citation, OpenersResult, Passage, RewriteResult
from helper.retrieval.index import Index

log = logging.getLogger(__name__)

# One small call of each kind loads the models and data, so the first real request is fast.
WARM_UP = {
    "ask": "How can we talk calmly about a problem?",
    "rewrite": "You never listen to me.",
    "openers": "spending time together",
}


class OfflineEngine:
    name = "offline"

    def __init__(self, index: Index) -> None:
        self.index = index

    def retrieve(self, query: str, k: int = 6) -> list[Passage]:
        self.index.ensure()
        return self.index.search(query, k)

    def rewrite(self, text: str, proceed: bool = False) -> RewriteResult:
        result = rewrite_offline(text, proceed=proceed)
        if result.changed or result.guide is not None:
            result.advice = self.advice(result.findings)
        return result

    def advice(self, findings) -> list[Citation]:
        """The guidance a rewrite applies, cited; none before the guidance is indexed (a
        rewrite never waits for the index to be built)."""
        if not self.index.exists():
            return []
        try:
            citation = advice_citation(self.index, findings)
        except IndexUnavailable:
            return []
        return [citation] if citation else []

    def advice_passages(self, findings) -> list[Passage]:
        if not self.index.exists():
            return []
        try:
            return advice_passages(self.index, findings)
        except IndexUnavailable:
            return []

    def ask(self, question: str) -> AskResult:
        self.index.ensure()
        return answer_offline(question, self.index)

    def question_passages(self, question: str, k: int = 6) -> list[Passage]:
        """The passages searched for a question, its misspelt words read as the guidance's."""
        self.index.ensure()
        return self.index.search(spelled(self.index, question), k)

    def openers(self, topic: str) -> OpenersResult:
        self.index.ensure()
        return openers_offline(topic, self.index)

    def indexed(self) -> bool:
        """Whether the guidance has been indexed (a first question builds the index)."""
        return self.index.exists()

    def warm(self) -> None:
        """Build the index if it is missing and load the models."""
        if not self.indexed():
            print("Building the guidance index (first run only)…", flush=True)
        for kind, sample in WARM_UP.items():
            try:
                getattr(self, kind)(sample)
            except Exception as exc:  # the page still serves; that tab shows a plain error
                log.warning("warming %s failed: %s", kind, type(exc).__name__)
