"""The one interface the CLI, the page and the evals call: rewrite, openers, ask.

The offline engine needs no key and no network. The model engine wraps it: every model
output goes through the same checks, and a failing one is replaced by the offline result.
"""

from __future__ import annotations

from typing import Protocol

from .results import AskResult, OpenersResult, RewriteResult


class Engine(Protocol):
    name: str

    def rewrite(self, text: str) -> RewriteResult: ...

    def openers(self, topic: str) -> OpenersResult: ...

    def ask(self, question: str) -> AskResult: ...
