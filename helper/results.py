"""Typed results shared by the engines, the CLI, the page and the evals.

Each serializes to the JSON contract in DESIGN.md with `to_dict()`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Finding:
    kind: str  # criticism, contempt, defensiveness, stonewalling, absolute, demand, loaded_question
    text: str
    start: int
    end: int
    why: str


@dataclass
class Safety:
    flagged: bool = False
    category: str | None = None  # violence, self_harm, abuse, coercive_control (docs/safety.md)
    message: str = ""
    # Whether the person may go on to a rewrite of this draft after the safety response
    # (`proceed`): the category's rule, or a draft the classifier was not sure of
    # (docs/safety.md). Always false for a question or topic.
    may_continue: bool = False


@dataclass
class Alternative:
    style: str  # gentle, brief, ...
    text: str


@dataclass
class Guide:
    """A guided I-statement for the person to finish, when no rewrite passed the gate."""

    why: str
    template: str  # "I feel {feeling} when {situation}, because I need {need}. Could we {request}?"
    situation: str  # from the draft's own topic words
    feelings: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@dataclass
class RewriteResult:
    input: str
    rewrite: str
    changed: bool
    alternatives: list[Alternative] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    safety: Safety = field(default_factory=Safety)
    engine: str = "offline"
    note: str = ""
    guide: Guide | None = None
    # The guidance the rewrite applied (one verbatim, checked citation), when there is one.
    advice: list[Citation] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Passage:
    """A retrieved chunk of a corpus file, with offsets into that file."""

    id: str
    text: str
    doc: str
    title: str
    section: str
    start: int
    end: int
    score: float = 0.0


@dataclass
class Citation:
    n: int
    doc: str
    title: str
    section: str
    quote: str
    start: int
    end: int


@dataclass
class AskResult:
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    engine: str = "offline"
    note: str = ""
    safety: Safety = field(default_factory=Safety)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Opener:
    text: str
    citations: list[Citation] = field(default_factory=list)


@dataclass
class OpenersResult:
    topic: str
    openers: list[Opener] = field(default_factory=list)
    tips: list[Opener] = field(default_factory=list)
    engine: str = "offline"
    note: str = ""
    safety: Safety = field(default_factory=Safety)

    def to_dict(self) -> dict:
        return asdict(self)
