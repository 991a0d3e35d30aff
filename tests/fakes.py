"""The shared fakes of the test suite, each with real structure.

QueuedChatModel answers like a tool-calling chat model; FakeOffline is the offline engine's
interface with canned, well-formed results; FakeEngine writes I-statements from a draft's own
words and cites a tiny corpus; FunctionsEngine turns plain functions into an engine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from helper.engine import FUNCTIONS
from helper.errors import InputError
from helper.offline.findings import analyze
from helper.results import (
    Alternative,
    AskResult,
    Citation,
    Opener,
    OpenersResult,
    Passage,
    RewriteResult,
    Safety,
)
from helper.text.inputs import check_text

# --- a chat model and an offline engine, for the model engine ------------------------------


class QueuedChatModel(BaseChatModel):
    """A chat model whose replies are queued.

    A dict is returned as a call of the tool the caller bound (as a tool-calling model
    does), a str as plain text, an AIMessage as is, and an exception is raised.
    """

    replies: list[Any] = Field(default_factory=list)
    received: list[list[BaseMessage]] = Field(default_factory=list)
    model_name: str = "queued-fake"

    @property
    def _llm_type(self) -> str:
        return "queued-fake"

    def bind_tools(self, tools, *, tool_choice=None, **kwargs):
        names = [convert_to_openai_tool(t)["function"]["name"] for t in tools]
        return self.bind(tool_names=names, tool_choice=tool_choice, **kwargs)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.received.append(list(messages))
        if not self.replies:
            raise AssertionError("the fake chat model was called more often than expected")
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, dict):
            name = kwargs["tool_names"][0]
            reply = AIMessage(content="", tool_calls=[{"name": name, "args": reply, "id": "c1"}])
        elif isinstance(reply, str):
            reply = AIMessage(content=reply)
        return ChatResult(generations=[ChatGeneration(message=reply)])


# A small document, sliced into passages with offsets the way the index does it.
DOC = "corpus/guide.md"
DOC_TEXT = (
    "# Talking it through\n\n"
    "## Pick your moment\n\n"
    "Choose a calm moment to talk, when neither of you is tired or rushed. "
    "Starting with appreciation helps your partner feel safe.\n\n"
    "## Speak for yourself\n\n"
    "Use “I” statements to describe how you feel instead of criticizing your partner. "
    "Say what you need, and make one request that’s concrete and doable.\n\n"
    "## Listen\n\n"
    "Ask open-ended questions and listen to the answers without planning your reply.\n"
)


def _passage(section: str, first_words: str) -> Passage:
    start = DOC_TEXT.index(first_words)
    end = DOC_TEXT.index("\n\n", start) if "\n\n" in DOC_TEXT[start:] else len(DOC_TEXT)
    return Passage(
        id=f"p{start}",
        text=DOC_TEXT[start:end],
        doc=DOC,
        title="Talking it through",
        section=section,
        start=start,
        end=end,
    )


PASSAGES = [
    _passage("Pick your moment", "Choose a calm moment"),
    _passage("Speak for yourself", "Use “I” statements"),
    _passage("Listen", "Ask open-ended questions"),
]

BLAMING = "You never help with the dishes. I'm sick of doing everything myself."
KIND = "Thank you for making dinner tonight, it was lovely."
OFFLINE_REWRITE = "I feel worn out when the dishes pile up. Could we take turns this week?"


class FakeOffline:
    """The offline engine's interface with canned, well-formed results."""

    name = "offline"

    def __init__(self, flagged: frozenset[str] = frozenset()):
        self.flagged = flagged

    def retrieve(self, query: str, k: int = 6) -> list[Passage]:
        return PASSAGES[:k]

    def question_passages(self, question: str, k: int = 6) -> list[Passage]:
        return PASSAGES[:k]

    def advice_passages(self, findings) -> list[Passage]:
        return PASSAGES[:2]

    def rewrite(self, text: str, proceed: bool = False) -> RewriteResult:
        if text in self.flagged:
            safety = Safety(flagged=True, category="violence", message="Please reach out.")
            return RewriteResult(input=text, rewrite="", changed=False, safety=safety)
        findings = analyze(text)
        if not findings:
            return RewriteResult(input=text, rewrite=text, changed=False)
        return RewriteResult(
            input=text,
            rewrite=OFFLINE_REWRITE,
            changed=True,
            alternatives=[Alternative("gentle", "I'd like more help with the dishes.")],
            findings=findings,
        )

    def ask(self, question: str) -> AskResult:
        if "weather" in question:
            return AskResult(
                question=question, answer="The guidance doesn't cover that.", refused=True
            )
        p = PASSAGES[2]
        quote = "Ask open-ended questions"
        start = p.start + p.text.index(quote)
        citation = Citation(1, p.doc, p.title, p.section, quote, start, start + len(quote))
        answer = f"{quote}. [1]"
        return AskResult(question=question, answer=answer, refused=False, citations=[citation])

    def openers(self, topic: str) -> OpenersResult:
        openers = [Opener(f"I'd like to talk about {topic} {i}.") for i in range(3)]
        return OpenersResult(topic=topic, openers=openers, tips=[Opener("Pick a calm moment.")])


# --- engines for the evals and the page ---------------------------------------------------

# A tiny corpus with the quirks of the real one: curly apostrophes and a CRLF line end,
# so offsets only hold when the file is read with newline="".
GUIDE = (
    "# Talking\r\n\r\n"
    "Choose a calm moment to talk about the chores. Start with appreciation for what "
    "your partner already does.\n\n"
    "Use an I-statement: say how you feel and what you need. Ask open-ended questions "
    "and listen to the answer.\n\n"
    "When money is tight, plan the budget together and don’t keep score.\n"
)


_BLAME_WORDS = {"never", "always", "so", "lazy", "selfish", "stupid", "why", "stop", "you're"}
_RUDE_WORDS = _BLAME_WORDS | {"fuck", "ass", "shit", "idiot"}


class FakeEngine:
    """Builds an I-statement from the draft's own topic words and cites the tiny corpus."""

    name = "fake"

    def __init__(self, root: Path | None = None):
        del root  # the fixture's corpus holds GUIDE
        self.doc = "corpus/guide.md"
        self.text = GUIDE  # the same text tiny() writes to corpus/guide.md

    def _topic(self, text: str) -> str:
        words = [w for w in re.findall(r"[A-Za-z$0-9']+", text) if len(w) > 3]
        keep = [w.lower() for w in words if w.lower() not in _BLAME_WORDS]
        return " ".join(keep[-3:]) or "this"

    def rewrite(self, text: str) -> RewriteResult:
        if not text.strip():
            raise InputError("Please paste a message to rewrite.")
        if re.search(r"\b(hurt you|kill|end it all)\b", text, re.I):
            return RewriteResult(text, "", False, safety=Safety(True, "violence", "Get help."))
        if not re.search(r"\byou\b", text, re.I) or re.search(r"\bthank", text, re.I):
            return RewriteResult(text, text, False)
        topic = self._topic(text)
        calm = f"I feel hurt about {topic}. Could we talk about {topic} tonight?"
        # The light edit: the fake's own few rude words dropped, the rest kept as written.
        gentle = " ".join(w for w in text.split() if w.lower() not in _RUDE_WORDS)
        return RewriteResult(text, calm, True, [Alternative("gentle", gentle)], engine=self.name)

    def _cite(self, n: int, phrase: str) -> Citation:
        start = self.text.index(phrase)
        return Citation(n, self.doc, "Talking", "Talking", phrase, start, start + len(phrase))

    def _danger(self, text: str) -> Safety | None:
        if re.search(r"\b(hurt you|kill|end it all)\b", text, re.I):
            return Safety(True, "violence", "Get help.")
        return None

    def ask(self, question: str) -> AskResult:
        if danger := self._danger(question):
            return AskResult(question, "", True, safety=danger)
        if not re.search(r"partner|talk|money|chores|question", question, re.I):
            return AskResult(question, "The guidance does not cover that.", True)
        cite = self._cite(1, "Ask open-ended questions")
        return AskResult(question, "Ask open-ended questions [1].", False, [cite])

    def openers(self, topic: str) -> OpenersResult:
        if danger := self._danger(topic):
            return OpenersResult(topic, safety=danger)
        cite = self._cite(1, "Choose a calm moment")
        words = topic.lower()
        texts = [
            f"Is now a good time to talk about {words}?",
            f"I appreciate you, and I'd like us to talk about {words}.",
            f"I've been thinking about {words}; how do you see it?",
        ]
        return OpenersResult(topic, [Opener(t, [cite]) for t in texts], engine=self.name)


class UnchangedEngine(FakeEngine):
    """A broken rewrite: hands the draft back as it came."""

    def rewrite(self, text: str) -> RewriteResult:
        return RewriteResult(text, text, True)


class BlamingEngine(FakeEngine):
    """A broken rewrite: a fine I-statement with an accusation added."""

    def rewrite(self, text: str) -> RewriteResult:
        good = super().rewrite(text)
        good.rewrite = "You never listen. " + good.rewrite
        return good


class ErrorEngine(FakeEngine):
    def rewrite(self, text: str) -> RewriteResult:
        raise InputError("That message is too long.")


class FunctionsEngine:
    """An engine made of plain functions: what a page test needs to script each tab.

    Like the real engines it checks each input first, so an unusable one never reaches the
    scripted function."""

    name = "offline"

    def __init__(self, **functions):
        self.functions = functions

    def __getattr__(self, kind: str):
        functions = self.__dict__["functions"]
        if kind not in functions:
            raise AttributeError(kind)
        spec = FUNCTIONS[kind]
        return lambda value, **options: functions[kind](
            check_text(value, what=spec.what, limit=spec.limit), **options
        )

    def warm(self) -> None:
        pass

    def indexed(self) -> bool:
        return True
