"""The one interface the CLI, the page, the evals and the benchmarks call.

The offline engine needs no key and no network. The model engine wraps it: every model
output goes through the same checks, and a failing one is replaced by the offline result.
`FUNCTIONS` is the one table of the three capabilities: the input each reads, how messages
name it, and its length limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from helper.config import MAX_DRAFT_CHARS, MAX_QUESTION_CHARS, MAX_TOPIC_CHARS
from helper.results import AskResult, OpenersResult, Passage, RewriteResult


class Engine(Protocol):
    name: str

    def rewrite(self, text: str, proceed: bool = False) -> RewriteResult: ...

    def openers(self, topic: str) -> OpenersResult: ...

    def ask(self, question: str) -> AskResult: ...

    def retrieve(self, query: str, k: int = 6) -> list[Passage]: ...

    def warm(self) -> None: ...

    def indexed(self) -> bool: ...


@dataclass(frozen=True)
class Function:
    name: str  # the engine method, and the CLI/API name: rewrite, openers, ask
    field: str  # the JSON input field (batch files, the page API)
    what: str  # how a message to the person names the input
    limit: int  # most characters accepted

    def __call__(self, engine: Engine, value: object):
        return getattr(engine, self.name)(value)


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function("rewrite", "text", "draft", MAX_DRAFT_CHARS),
        Function("openers", "topic", "topic", MAX_TOPIC_CHARS),
        Function("ask", "question", "question", MAX_QUESTION_CHARS),
    )
}
