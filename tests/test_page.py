"""Tests for helper/web/page.py: the plain conversions from results to what the page shows."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import gradio as gr
import pytest

import helper.web.page as ui
from helper.config import MAX_DRAFT_CHARS, MAX_QUESTION_CHARS, MAX_TOPIC_CHARS, REPO_ROOT
from helper.errors import ConfigError, InputError
from helper.results import (
    Alternative,
    AskResult,
    Citation,
    Finding,
    Opener,
    OpenersResult,
    RewriteResult,
    Safety,
)
from helper.retrieval.citations import read_doc
from helper.retrieval.corpus import Document, load_document

from .fakes import FunctionsEngine

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
SPARK = "corpus/spark-back-in-a-broken-relationship.md"


def finding(text: str, part: str, kind: str = "criticism", why: str = "It blames.") -> Finding:
    start = text.index(part)
    return Finding(kind, part, start, start + len(part), why)


def citation_of(doc: str, quote: str, n: int = 1) -> Citation:
    text = read_doc(doc)
    start = text.index(quote)
    return Citation(
        n, doc, "How To Get The Spark Back", "Talking", quote, start, start + len(quote)
    )


def sentence_of(doc: str) -> str:
    """A sentence of the file's body that occurs exactly once, to cite."""
    text = read_doc(doc)
    for line in text.splitlines():
        line = line.strip()
        if len(line) > 60 and not line.startswith(("#", "-", "title", "source")):
            quote = line.split(". ")[0]
            if text.count(quote) == 1:
                return quote
    raise AssertionError(f"no citable sentence in {doc}")


def no_live_markup(fragment: str) -> None:
    assert "<script" not in fragment and "<img" not in fragment
    assert "&lt;script&gt;" in fragment or "&lt;img" in fragment


# -- findings ---------------------------------------------------------------------------


def test_highlight_spans_cover_the_draft_in_order():
    text = "You never help with the dishes. You're so lazy."
    spans = ui.highlight_spans(
        text, [finding(text, "You're so lazy", "contempt"), finding(text, "You never", "absolute")]
    )
    assert "".join(piece for piece, _ in spans) == text
    assert spans[0] == ("You never", "absolute")
    assert ("You're so lazy", "contempt") in spans
    assert spans[-1] == (".", None)


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        pytest.param([], [("Stop it", None)], id="no-findings"),
        pytest.param([(0, 4), (2, 7)], [("Stop it", "demand")], id="overlap-same-kind"),
        pytest.param([(5, 99)], [("Stop ", None), ("it", "demand")], id="past-the-end"),
        pytest.param([(3, 3)], [("Stop it", None)], id="empty-span"),
    ],
)
def test_highlight_spans_edge_cases(spans, expected):
    text = "Stop it"
    found = [Finding("demand", text[a:b], a, b, "") for a, b in spans]
    result = ui.highlight_spans(text, found)
    assert "".join(piece for piece, _ in result) == text
    assert result == expected


def test_a_short_finding_inside_a_long_one_stays_visible():
    text = "You're so lazy, you never help."
    found = [
        Finding("criticism", text[:30], 0, 30, ""),
        Finding("absolute", "you never", 16, 25, ""),
    ]
    assert ui.highlight_spans(text, found) == [
        ("You're so lazy, ", "criticism"),
        ("you never", "criticism + absolute"),
        (" help", "criticism"),
        (".", None),
    ]


def test_loaded_question_kind_reads_as_words():
    text = "Why can't you ever listen?"
    assert ui.highlight_spans(text, [finding(text, "Why can't you", "loaded_question")])[0] == (
        "Why can't you",
        "loaded question",
    )


def test_findings_html_explains_each_and_escapes():
    text = f"You never listen {SCRIPT}"
    html = ui.findings_html(
        [
            finding(text, "You never", "absolute", "Never is <b>never</b> true."),
            finding(text, SCRIPT, "contempt"),
        ]
    )
    assert html.count("<li>") == 2
    assert "&lt;b&gt;never&lt;/b&gt;" in html
    no_live_markup(html)
    assert ui.findings_html([]) == ""


# -- rewrite panels ---------------------------------------------------------------------


def test_alternative_slots_fill_then_hide():
    slots = ui.alternative_slots([Alternative("gentle", "a"), Alternative("brief", "b")], 4)
    assert [s["visible"] for s in slots] == [True, True, False, False]
    assert slots[0] == {"label": "Gentle version", "text": "a", "visible": True}
    many = ui.alternative_slots([Alternative("x", str(i)) for i in range(9)], 4)
    assert len(many) == 4 and all(s["visible"] for s in many)


def test_safety_panel_only_when_flagged_and_escaped():
    assert ui.safety_html(Safety()) == ""
    panel = ui.safety_html(Safety(True, "violence", f"Call for help. {IMG}"))
    assert 'role="alert"' in panel and "Call for help." in panel
    no_live_markup(panel)


def test_engine_line_names_engine_and_note():
    line = ui.engine_line("llm", "Model output failed a check <x>")
    assert "the chat model" in line and "&lt;x&gt;" in line
    assert "offline engine" in ui.engine_line("offline", "")


def test_unchanged_message_is_explained():
    kind = RewriteResult("Thank you for dinner.", "Thank you for dinner.", changed=False)
    assert "Nothing in this message reads as hostile" in ui.rewrite_status(kind)
    changed = RewriteResult("You never listen.", "I'd like to be heard.", changed=True)
    assert ui.rewrite_status(changed) == ""


# -- answers and citations --------------------------------------------------------------


def test_answer_markers_are_set_off_and_text_escaped():
    result = AskResult("q", f"Pick a calm moment. [1] Then talk {SCRIPT} [2]", refused=False)
    html = ui.answer_html(result)
    assert html.count('class="cite-marker"') == 2
    no_live_markup(html)


def test_refused_answer_is_a_plain_notice():
    html = ui.answer_html(AskResult("q", "The guidance does not cover that. [1]", refused=True))
    assert "notice" in html and "cite-marker" not in html


def test_passage_around_keeps_the_quote_inside_its_paragraph():
    text = "Heading\n\nFirst sentence here. The quoted part. Last sentence here.\n\nNext one."
    start = text.index("The quoted part.")
    before, quote, after = ui.passage_around(text, start, start + len("The quoted part."))
    assert quote == "The quoted part."
    assert before.endswith("First sentence here. ")
    assert after.startswith(" Last sentence here.")


def test_passage_around_a_whole_paragraph_brings_its_neighbours():
    text = "Before paragraph.\n\nThe quote is all of this paragraph.\n\nAfter paragraph."
    start = text.index("The quote")
    end = text.index("\n\nAfter")
    before, quote, after = ui.passage_around(text, start, end)
    assert before.startswith("Before paragraph.")
    assert after.endswith("After paragraph.")
    assert before + quote + after == text


def test_passage_around_cuts_a_long_paragraph_to_a_window():
    words = " ".join(f"word{i}" for i in range(2000))
    text = f"{words} QUOTE {words}"
    start = text.index("QUOTE")
    before, quote, after = ui.passage_around(text, start, start + 5, limit=400)
    assert quote == "QUOTE"
    assert before.startswith("…") and after.endswith("…")
    assert len(before) + len(after) < 500


def test_passage_around_real_corpus_quote():
    quote = sentence_of(SPARK)
    text = read_doc(SPARK)
    start = text.index(quote)
    before, got, after = ui.passage_around(text, start, start + len(quote))
    assert got == quote
    assert (before + got + after).strip("…") in text


def test_citation_shows_title_section_quote_and_marked_passage():
    quote = sentence_of(SPARK)
    html = ui.citation_html(citation_of(SPARK, quote, n=3))
    assert html.startswith('<details class="citation"')
    summary = html[html.index("<summary>") : html.index("</summary>")]
    assert "[3] How To Get The Spark Back" in summary and "Talking" in summary
    assert ui.esc(quote) in summary
    marked = re.search(r"<mark>(.*?)</mark>", html, re.DOTALL)
    assert marked and marked.group(1) == ui.esc(quote)


def test_citation_whose_offsets_disagree_with_the_file_shows_the_quote_only():
    quote = sentence_of(SPARK)
    wrong = citation_of(SPARK, quote)
    wrong.start += 1
    html = ui.citation_context_html(wrong)
    assert "<mark>" not in html and "could not be found" in html
    missing = Citation(1, "corpus/no-such-file.md", "T", "S", "q", 0, 1)
    assert "could not be found" in ui.citation_context_html(missing)


def test_citations_escape_everything():
    evil = Citation(1, "corpus/no-such-file.md", f"Title {SCRIPT}", IMG, f"quote {SCRIPT}", 0, 5)
    html = ui.citations_html([evil])
    no_live_markup(html)
    assert ui.citations_html([]) == ""


def test_openers_html_lists_openers_and_tips_with_citations():
    quote = sentence_of(SPARK)
    cite = citation_of(SPARK, quote)
    result = OpenersResult(
        "money",
        openers=[Opener(f"Could we talk about money? {SCRIPT}", [cite]), Opener("Another.", [])],
        tips=[Opener("Pick a calm moment.", [cite])],
    )
    html = ui.openers_html(result)
    assert "<h3>Ways to open</h3>" in html and "<h3>Tips</h3>" in html
    assert html.count('<details class="citation"') == 2
    assert html.count("<li>") == 3
    no_live_markup(html)
    assert "No openers" in ui.openers_html(OpenersResult("money"))


@pytest.mark.parametrize(
    "name, credit",
    [
        ("spark-back-in-a-broken-relationship.md", "(author not named)"),
        ("fall-back-in-love-12-things.md", "by Catherine Winter"),
    ],
)
def test_article_markdown_drops_front_matter_and_credits_title_and_author(name, credit):
    doc = load_document(ui.settings().corpus_dir / name)
    md = ui.article_markdown(doc)
    assert md.startswith("# ") and "title:" not in md
    footer = md.split("---")[-1]
    assert doc.title in footer and credit in footer
    assert "corpus/" not in footer and ".md" not in footer and "seeds" not in footer


# -- errors and input limits ------------------------------------------------------------


def test_input_errors_are_shown_in_their_own_words():
    assert (
        ui.friendly_error("ask", InputError("The question is empty.")) == "The question is empty."
    )


def test_unexpected_errors_become_a_plain_sentence():
    message = ui.friendly_error("rewrite", RuntimeError("Traceback: secret draft text"))
    assert "softening your message" in message
    assert "Traceback" not in message and "secret" not in message


@pytest.fixture
def calls(monkeypatch):
    """The engine functions replaced by fakes that record what they were given."""
    seen: list[tuple[str, str]] = []

    def fake_rewrite(text):
        seen.append(("rewrite", text))
        if "boom" in text:
            raise RuntimeError(f"engine broke on {text}")
        return RewriteResult(
            text,
            "I'd like more help with the dishes.",
            True,
            alternatives=[Alternative("gentle", "More help, please.")],
            findings=[finding(text, text.split()[0], "criticism", "It blames.")],
            safety=Safety(True, "violence", "Please stay safe.") if "hurt" in text else Safety(),
            engine="offline",
            note="placeholder",
        )

    def fake_ask(question):
        seen.append(("ask", question))
        return AskResult(question, "Pick a calm moment. [1]", False, [], "offline", "")

    def fake_openers(topic):
        seen.append(("openers", topic))
        return OpenersResult(topic, [Opener(f"Can we talk about {topic}?", [])])

    engine = FunctionsEngine(rewrite=fake_rewrite, ask=fake_ask, openers=fake_openers)
    monkeypatch.setattr(ui, "get_engine", lambda: engine)
    return seen


@pytest.mark.parametrize(
    ("kind", "limit"),
    [("rewrite", MAX_DRAFT_CHARS), ("openers", MAX_TOPIC_CHARS), ("ask", MAX_QUESTION_CHARS)],
)
def test_over_long_input_is_refused_with_the_limit_before_the_engine(calls, kind, limit):
    with pytest.raises(InputError, match=f"limit is {limit:,}"):
        ui.run(kind, "a" * (limit + 1))
    assert calls == []
    ui.run(kind, "a" * limit)
    assert calls == [(kind, "a" * limit)]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("   \n", id="blank"),
        pytest.param("\x00\x01\x02\x03\x04\x05\x06", id="binary"),
    ],
)
def test_unusable_input_never_reaches_the_engine(calls, value):
    with pytest.raises(InputError):
        ui.run("rewrite", value)
    assert calls == []


def test_rewrite_view_fills_every_panel(calls):
    draft = "Lazy again, you never help."
    status, results, safety, rewritten, spans, findings, engine, *slots, continue_button = (
        ui.rewrite_view(draft)
    )
    assert status == "" and rewritten["value"] == "I'd like more help with the dishes."
    assert results["visible"] is True and safety["visible"] is False
    assert spans["visible"] and spans["value"][0] == ("Lazy", "criticism")
    assert "It blames." in findings and "placeholder" in engine
    assert len(slots) == ui.ALTERNATIVE_SLOTS
    assert slots[0]["visible"] and slots[0]["value"] == "More help, please."
    assert not slots[1]["visible"]


def test_rewrite_view_shows_the_safety_panel(calls):
    _, _, safety, *_ = ui.rewrite_view("I will hurt you")
    assert safety["visible"] is True and "Please stay safe." in safety["value"]


def test_a_flagged_draft_that_was_not_rewritten_says_so(monkeypatch):
    message = "Words about hurting someone. Call 112 if anyone is in danger."
    flagged = RewriteResult(
        "I will hurt you",
        "",
        False,
        safety=Safety(True, "violence", message),
        note=f"I didn't rewrite this draft because: {message}",
    )
    engine = FunctionsEngine(rewrite=lambda text: flagged)
    monkeypatch.setattr(ui, "get_engine", lambda: engine)
    status, results, safety, rewritten, spans, findings, engine, *slots, continue_button = (
        ui.rewrite_view("x")
    )
    assert status == ""  # the safety panel says it, once
    assert results["visible"] and safety["visible"] and message in safety["value"]
    assert rewritten["visible"] is False and spans["visible"] is False
    assert message not in engine and "offline engine" in engine
    assert not any(slot["visible"] for slot in slots)


def test_rewrite_view_errors_are_plain_and_never_echo_the_draft(calls):
    status, results, safety, rewritten, spans, *_ = ui.rewrite_view("boom " + SCRIPT)
    assert "Something went wrong" in status and 'role="alert"' in status
    assert "boom" not in status and "<script" not in status
    assert results["visible"] is False and rewritten["value"] == "" and spans["value"] is None
    status, *_ = ui.rewrite_view("a" * (MAX_DRAFT_CHARS + 1))
    assert f"{MAX_DRAFT_CHARS:,}" in status


def test_ask_and_openers_views(calls):
    status, answer, cites, engine = ui.ask_view("How do we talk?")
    assert status == "" and "cite-marker" in answer and "offline engine" in engine
    status, *_ = ui.ask_view("")
    assert "empty" in status
    status, openers, _ = ui.openers_view(f"money {SCRIPT}")
    assert status == "" and "Can we talk about money" in openers
    no_live_markup(openers)


def test_a_flagged_question_or_topic_shows_the_safety_panel_first_and_nothing_else(monkeypatch):
    flagged = Safety(True, "abuse", "That is not okay. Call your local emergency number.")
    engine = FunctionsEngine(
        ask=lambda q: AskResult(q, "", True, [], "offline", "Not quoted here.", flagged),
        openers=lambda t: OpenersResult(t, note="No openers here.", safety=flagged),
    )
    monkeypatch.setattr(ui, "get_engine", lambda: engine)
    status, answer, cites, engine_note = ui.ask_view("he hits me")
    assert "Before anything else" in status and flagged.message in status
    assert answer == "" and cites == "" and flagged.message not in engine_note
    status, openers, engine_note = ui.openers_view("he hits me")
    assert "Before anything else" in status and flagged.message in status
    assert openers == "" and flagged.message not in engine_note


def test_a_report_of_being_hurt_may_continue_to_a_rewrite(monkeypatch):
    flagged = Safety(True, "abuse", "That is not okay.", may_continue=True)
    seen = []

    def rewrite(text, proceed=False):
        seen.append(proceed)
        if proceed:
            return RewriteResult(text, "I felt scared last night.", True, safety=flagged)
        return RewriteResult(text, "", False, safety=flagged, note="Not rewritten.")

    engine = FunctionsEngine(rewrite=rewrite)
    monkeypatch.setattr(ui, "get_engine", lambda: engine)
    *_, continue_button = ui.rewrite_view("You pushed me")
    assert continue_button["visible"] is True
    outputs = ui.rewrite_anyway_view("You pushed me")
    safety, rewritten, continue_button = outputs[2], outputs[3], outputs[-1]
    assert seen == [False, True]
    assert safety["visible"] and rewritten["value"] == "I felt scared last night."
    assert continue_button["visible"] is False


def test_api_returns_the_contract_dict_or_a_gradio_error(calls):
    assert ui.api_rewrite("You never help.")["rewrite"] == "I'd like more help with the dishes."
    assert set(ui.api_ask("How?")) == {
        "question",
        "answer",
        "refused",
        "citations",
        "engine",
        "note",
        "safety",
    }
    with pytest.raises(gr.Error, match="limit is"):
        ui.api_openers("a" * (MAX_TOPIC_CHARS + 1))
    with pytest.raises(gr.Error, match="Something went wrong") as raised:
        ui.api_rewrite("boom")
    assert "boom" not in str(raised.value)


# -- binding ----------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_needs_no_login(host):
    assert ui.check_bind(host, None) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "::", "my-laptop.local"])
def test_other_addresses_refuse_to_start_without_helper_auth(host):
    with pytest.raises(ConfigError, match="HELPER_AUTH"):
        ui.check_bind(host, None)
    assert ui.check_bind(host, "ann:s3cret:x") == ("ann", "s3cret:x")


@pytest.mark.parametrize("auth", ["nocolon", ":pw", "user:"])
def test_malformed_helper_auth_is_refused(auth):
    with pytest.raises(ConfigError, match="user:password"):
        ui.check_bind("127.0.0.1", auth)


def test_launch_refuses_before_binding_or_warming(monkeypatch):
    monkeypatch.setattr(ui, "warm_up", lambda: pytest.fail("warmed up before refusing"))
    with pytest.raises(ConfigError, match="HELPER_AUTH"):
        ui.launch(host="0.0.0.0", port=1)


# -- the page ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page():
    return ui.build_page()


def test_page_has_analytics_off(page):
    assert page.analytics_enabled is False


def test_importing_the_page_switches_gradio_analytics_off_by_itself():
    # In a process whose environment says nothing, as a user's would: conftest sets it here.
    env = {k: v for k, v in os.environ.items() if k != "GRADIO_ANALYTICS_ENABLED"}
    code = "import os, helper.web.page; print(os.environ['GRADIO_ANALYTICS_ENABLED'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_page_exposes_the_three_functions_by_name(page):
    public = {fn.api_name for fn in page.fns.values() if fn.api_visibility == "public"}
    assert public == {"rewrite", "openers", "ask"}


def test_no_handler_writes_into_an_input_box(page):
    boxes = {"draft", "topic", "question"}
    for fn in page.fns.values():
        if fn.name is None or fn.name.startswith("load_example"):
            continue  # clicking an example is the person choosing to replace the text
        written = {getattr(c, "elem_id", None) for c in fn.outputs}
        assert not written & boxes, f"{fn.name} writes into {written & boxes}"


def test_soften_tab_comes_first_with_a_draft_ready(page):
    tabs = [b for b in page.blocks.values() if isinstance(b, gr.Tab)]
    # Short labels: all four fit in one row on a 390-pixel phone (tests/test_browser.py).
    assert [t.label for t in tabs] == ["Soften", "Start a talk", "Ask", "Sources"]
    draft = next(b for b in page.blocks.values() if getattr(b, "elem_id", None) == "draft")
    assert draft.value == ui.EXAMPLE_DRAFT


def test_importing_app_starts_nothing(monkeypatch):
    monkeypatch.setattr(ui, "launch", lambda *a, **k: pytest.fail("app.py launched on import"))
    namespace = runpy.run_path(str(REPO_ROOT / "app.py"), run_name="app")
    assert callable(namespace["launch"])


def test_an_article_cannot_make_the_browser_fetch_anything():
    doc = Document(
        path=Path("/x/a.md"),
        doc="corpus/a.md",
        title="A",
        text='# A\n\n<img src="http://example.invalid/x.png"> ![cat](http://example.invalid/c.png)\n',
        meta={},
        sections=[],
        sha256="",
    )
    md = ui.article_markdown(doc)
    assert "<img" not in md and "](http" not in md and "cat" in md


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_failed_logins_are_throttled_per_name_and_overall():
    clock = Clock()
    check = ui.ThrottledLogin("ann", "correct horse", free=5, overall=8, window=60, clock=clock)
    assert check("ann", "correct horse")
    assert [check("ann", f"guess {i}") for i in range(5)] == [False] * 5
    assert not check("ann", "correct horse")  # locked out for the window, right or wrong
    assert [check(f"user{i}", "x") for i in range(3)] == [False] * 3
    assert not check("bob", "anything")  # 8 failures overall: every name waits
    clock.now += 61
    assert check("ann", "correct horse")


def test_two_hundred_wrong_passwords_take_no_more_than_the_free_attempts():
    check = ui.ThrottledLogin("ann", "correct horse", clock=Clock())
    results = [check("ann", f"guess {i}") for i in range(200)]
    assert not any(results)
    assert len(check._failures["ann"]) == 5  # the rest were refused without being compared


def test_the_per_client_failure_limit_lifts_after_its_window():
    from helper.web.guard import FailureLimit

    now = [0.0]
    limit = FailureLimit(free=2, window=60.0, clock=lambda: now[0])
    limit.failed("10.0.0.1")
    assert not limit.blocked("10.0.0.1")
    limit.failed("10.0.0.1")
    assert limit.blocked("10.0.0.1") and not limit.blocked("10.0.0.2")
    now[0] = 61.0
    assert not limit.blocked("10.0.0.1")
    limit.failed("10.0.0.1")
    limit.succeeded("10.0.0.1")
    assert not limit.blocked("10.0.0.1")


class _ModelEngine(FunctionsEngine):
    """The model engine's shape: an `offline` engine inside, and a rewrite of its own."""

    def __init__(self, offline, rewrite):
        super().__init__(rewrite=rewrite)
        self.offline = offline


def _offline_rewrite(text, proceed=False):
    return RewriteResult(text, "I feel worn out. Could we share the dishes?", True, note="Ours.")


@pytest.mark.parametrize("outcome", ["model", "falls-back", "fails"])
def test_soften_shows_the_offline_rewrite_first_then_the_models_in_its_place(monkeypatch, outcome):
    def model_rewrite(text, proceed=False):
        if outcome == "fails":
            raise RuntimeError("a bug of ours")
        if outcome == "falls-back":
            return RewriteResult(
                text, "I feel worn out. Could we share the dishes?", True, note="Timed out."
            )
        return RewriteResult(
            text, "I've been tired of the dishes. Would you take turns?", True, engine="llm"
        )

    engine = _ModelEngine(FunctionsEngine(rewrite=_offline_rewrite), model_rewrite)
    monkeypatch.setattr(ui, "get_engine", lambda: engine)
    steps = list(ui.rewrite_steps("You never help with the dishes."))
    assert len(steps) == 2
    first, last = steps
    assert first[3]["value"] == "I feel worn out. Could we share the dishes?"
    assert "chat model is writing its own" in first[6]
    shown = last[3]["value"]
    assert shown  # never blanked
    if outcome == "model":
        assert shown.startswith("I've been tired") and "the chat model" in last[6]
    else:
        assert shown == "I feel worn out. Could we share the dishes?"
        assert ("failed" if outcome == "fails" else "Timed out.") in last[6]


def test_soften_without_a_model_is_one_step(monkeypatch):
    monkeypatch.setattr(ui, "get_engine", lambda: FunctionsEngine(rewrite=_offline_rewrite))
    steps = list(ui.rewrite_steps("You never help with the dishes."))
    assert len(steps) == 1 and steps[0][3]["value"].startswith("I feel worn out")


def test_the_guide_builder_fills_from_the_guide_and_rechecks_what_is_typed(monkeypatch):
    from helper.results import Guide

    guide = Guide(
        why="I couldn't write a version I'd trust you to send.",
        template="I feel {feeling} when {situation}, because I need {need}. Could we {request}?",
        situation="",
        feelings=["hurt", "worn out"],
        needs=["to feel heard"],
        requests=["talk about it tonight", "Could you text me when you're late"],
    )
    guided = RewriteResult("Good to know I'm the only adult here.", "", False, guide=guide)
    engine = FunctionsEngine(rewrite=lambda text: guided)
    monkeypatch.setattr(ui, "get_engine", lambda: engine)
    group, feeling, situation, need, request, message, check = ui.guide_view("x")
    assert group["visible"] and feeling["choices"] == ["hurt", "worn out"]
    assert (
        message
        == "I feel hurt when ___, because I need to feel heard. Could we talk about it tonight?"
    )
    assert "Fill in each blank" in check
    message, check = ui.compose_view(
        "worn out", "the dishes wait for me", "help", guide.requests[1]
    )
    assert message == (
        "I feel worn out when the dishes wait for me, because I need help. "
        "Could you text me when you're late?"
    )
    assert "Nothing in this reads as blame" in check
    message, check = ui.compose_view("angry", "you never help, you lazy slob", "help", "talk")
    assert "may still land badly" in check and "slob" in check


def test_no_guide_hides_the_builder(monkeypatch):
    engine = FunctionsEngine(rewrite=_offline_rewrite)
    monkeypatch.setattr(ui, "get_engine", lambda: engine)
    assert ui.guide_view("You never help.")[0]["visible"] is False
