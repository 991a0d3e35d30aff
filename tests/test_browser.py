"""The page in a real browser: Playwright driving Debian's chromium against `python app.py`.

Outside CI these tests skip, saying why, when playwright or chromium is missing; in CI
(`CI` set) they fail instead, so a green run always means the page was driven.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from helper.config import MAX_DRAFT_CHARS, REPO_ROOT
from helper.web.page import EXAMPLE_DRAFT
from tests.test_app_api import running_app

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = os.environ.get("HELPER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("HELPER_REPORTS_DIR") or REPO_ROOT / "reports") / "browser"
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
RESULT_TIMEOUT = 60_000  # ms; the engine is warm, this is for a slow CI machine


def missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    problem = missing_browser()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def app(browser, tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("browser-app")) as served:
        yield served


@pytest.fixture
def page(browser, app) -> Iterator:
    """A fresh tab on the app; fails the test if it reached for anything off this machine."""
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    tab = context.new_page()
    outside: list[str] = []
    tab.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlparse(r.url).hostname not in {"127.0.0.1", "localhost", None}
            and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    tab.goto(app.url)
    tab.get_by_role("button", name="Soften it").wait_for()
    yield tab
    context.close()
    assert outside == [], f"the page fetched from outside this machine: {outside}"


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def textarea(page, elem_id: str):
    return page.locator(f"#{elem_id} textarea, #{elem_id} input").first


def soften(page, draft: str | None = None):
    if draft is not None:
        textarea(page, "draft").fill(draft)
    page.get_by_role("button", name="Soften it").click()


def wait_for_rewrite(page) -> str:
    """The rewrite once it shows; fails at once with the page's words if an error shows."""
    box, error = textarea(page, "rewrite"), page.locator("#soften-status .notice.error")
    page.wait_for_function(
        """() => document.querySelector('#rewrite textarea')?.value
               || document.querySelector('#soften-status .notice.error')""",
        timeout=RESULT_TIMEOUT,
    )
    if error.count():
        pytest.fail(f"the page showed an error: {error.inner_text()}")
    return box.input_value()


def test_soften_the_example_in_one_click(page):
    from playwright.sync_api import expect

    assert textarea(page, "draft").input_value() == EXAMPLE_DRAFT
    soften(page)
    rewritten = wait_for_rewrite(page)
    assert rewritten.strip() and rewritten != EXAMPLE_DRAFT
    expect(page.locator("#findings-highlight")).to_contain_text("dishes")
    expect(page.locator("#soften-engine")).to_contain_text("Answered by")
    assert textarea(page, "draft").input_value() == EXAMPLE_DRAFT
    shot(page, "soften")


def test_a_typed_draft_is_softened_and_stays_in_its_box(page):
    draft = "You're so selfish, you only think about yourself."
    soften(page, draft)
    rewritten = wait_for_rewrite(page)
    assert rewritten.strip() and rewritten != draft
    assert textarea(page, "draft").input_value() == draft


def test_markup_in_a_draft_is_shown_as_text_never_run(page):
    from playwright.sync_api import expect

    draft = f"You never listen to me. {SCRIPT} {IMG}"
    soften(page, draft)
    wait_for_rewrite(page)
    highlight = page.locator("#findings-highlight")
    expect(highlight).to_contain_text(SCRIPT)
    expect(highlight).to_contain_text(IMG)
    page.wait_for_timeout(500)  # an injected <img> would have failed to load by now
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#findings-highlight img, #findings img, #rewrite img").count() == 0
    assert textarea(page, "draft").input_value() == draft
    shot(page, "markup-as-text")


def test_markup_in_a_topic_and_a_question_is_not_run(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Start a talk").click()
    textarea(page, "topic").fill(f"money {SCRIPT} {IMG}")
    page.get_by_role("button", name="Find ways to open").click()
    page.locator("#openers li, #openers-status .notice").first.wait_for(timeout=RESULT_TIMEOUT)
    page.get_by_role("tab", name="Ask", exact=True).click()
    textarea(page, "question").fill(f"How do we talk? {IMG}")
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.locator("#answer")).not_to_be_empty(timeout=RESULT_TIMEOUT)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#openers img, #openers script, #answer img, #citations img").count() == 0


def test_a_threat_gets_the_safety_panel_not_a_polished_rewrite(page):
    from playwright.sync_api import expect

    draft = "If you leave me I will hurt you."
    soften(page, draft)
    panel = page.locator("#safety-panel .notice.safety")
    expect(panel).to_be_visible(timeout=RESULT_TIMEOUT)
    assert panel.inner_text().strip()
    assert textarea(page, "draft").input_value() == draft
    shot(page, "safety")


def test_errors_show_in_the_page_and_the_draft_stays(page):
    from playwright.sync_api import expect

    status = page.locator("#soften-status")
    soften(page, "   ")
    expect(status).to_contain_text("empty", timeout=RESULT_TIMEOUT)
    long_draft = "You never listen. " * (MAX_DRAFT_CHARS // 18 + 5)
    soften(page, long_draft)
    expect(status).to_contain_text(f"the limit is {MAX_DRAFT_CHARS:,}", timeout=RESULT_TIMEOUT)
    assert textarea(page, "draft").input_value() == long_draft
    assert "Traceback" not in status.inner_text()
    shot(page, "error")


def test_ask_and_read_a_citation_in_its_passage(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Ask", exact=True).click()
    question = "How do I start a hard conversation with my partner?"
    textarea(page, "question").fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()
    first = page.locator("#citations details.citation").first
    expect(first).to_be_visible(timeout=RESULT_TIMEOUT)
    expect(page.locator("#answer")).to_contain_text(re.compile(r"\[1\]"))
    quote = first.locator("summary .quote").inner_text().strip().strip("“”")
    passage = first.locator(".passage")
    expect(passage).to_be_hidden()
    first.locator("summary").click()
    expect(passage).to_be_visible()
    # The same words; the passage keeps the article's paragraph breaks, the summary a space.
    marked = first.locator(".passage mark").inner_text()
    assert marked.split() == quote.split()
    assert textarea(page, "question").input_value() == question
    shot(page, "ask")


def test_openers_show_with_their_sources(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Start a talk").click()
    textarea(page, "topic").fill("sharing the housework")
    page.get_by_role("button", name="Find ways to open").click()
    expect(page.locator("#openers ol li").first).to_be_visible(timeout=RESULT_TIMEOUT)
    shot(page, "openers")


def test_sources_tab_shows_the_articles(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Sources").click()
    expect(page.locator("#article h1").first).to_be_visible()
    shot(page, "sources")


# --- on a phone, and for a first-time visitor -------------------------------------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TABS = ["Soften", "Start a talk", "Ask", "Sources"]
AXE = REPO_ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
DOC_SHOTS = REPO_ROOT / "docs" / "screenshots"


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def sized(request, browser, app) -> Iterator:
    context = browser.new_context(viewport=request.param)
    tab = context.new_page()
    tab.goto(app.url)
    tab.get_by_role("button", name="Soften it").wait_for()
    tab.size = "phone" if request.param is PHONE else "desktop"
    yield tab
    context.close()


# Whether the first shown element matching the selector has its top on the screen.
IN_VIEW = """(sel) => { const el = [...document.querySelectorAll(sel)]
                          .find(e => e.offsetParent !== null);
                        if (!el) return false;
                        const r = el.getBoundingClientRect();
                        return r.top >= -2 && r.top < window.innerHeight; }"""


def in_view(page, selector: str) -> bool:
    """Whether the element's top is on the screen now."""
    return page.evaluate(IN_VIEW, selector)


def wait_until_in_view(page, selector: str) -> None:
    page.wait_for_function(IN_VIEW, arg=selector, timeout=RESULT_TIMEOUT)


def test_every_tab_is_one_tap_away(sized):
    from playwright.sync_api import expect

    tabs = sized.get_by_role("tab")
    assert [t.inner_text().strip() for t in tabs.all() if t.is_visible()] == TABS
    assert sized.locator("button[aria-label='More tabs']").is_visible() is False
    for name, box in (("Start a talk", "topic"), ("Ask", "question"), ("Soften", "draft")):
        sized.get_by_role("tab", name=name, exact=True).click()
        expect(textarea(sized, box)).to_be_visible()
    sized.get_by_role("tab", name="Sources").click()
    expect(sized.locator("#article h1").first).to_be_visible()


def test_one_tap_on_an_example_softens_it_and_brings_the_result_into_view(sized):
    from playwright.sync_api import expect

    sized.get_by_text("Why do you always forget my birthday").first.click()
    rewritten = wait_for_rewrite(sized)
    assert rewritten and "birthday" in rewritten.lower()
    expect(textarea(sized, "draft")).to_have_value(re.compile("birthday"))
    wait_until_in_view(sized, "#soften-results")
    path = shot(sized, f"{sized.size}-example")
    if os.environ.get("HELPER_SCREENSHOTS") == "docs":  # the README's pictures
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        sized.screenshot(path=str(DOC_SHOTS / f"{sized.size}.png"))
    assert path.exists()


def test_an_answer_comes_into_view_and_its_markers_link_to_readable_sources(sized):
    from playwright.sync_api import expect

    sized.get_by_role("tab", name="Ask", exact=True).click()
    textarea(sized, "question").fill("How do I start a hard conversation with my partner?")
    sized.get_by_role("button", name="Ask", exact=True).click()
    marker = sized.locator("#answer a.cite-marker").first
    expect(marker).to_be_visible(timeout=RESULT_TIMEOUT)
    wait_until_in_view(sized, "#answer")
    marker.click()
    target = marker.get_attribute("href")
    assert target == "#citation-1"
    assert in_view(sized, target)
    citation = sized.locator(target)
    citation.locator("summary").click()
    passage = citation.locator(".passage").inner_text()
    assert "###" not in passage and not re.search(r"^\s*- ", passage, re.M)
    assert not re.search(r"characters \d+", citation.inner_text())
    assert "””" not in citation.inner_text() and "““" not in citation.inner_text()
    shot(sized, f"{sized.size}-ask")


def test_a_live_count_sits_under_each_box_with_a_limit(page):
    from playwright.sync_api import expect

    box = textarea(page, "draft")
    box.fill("")
    box.type("You never")
    count = page.locator("#draft .char-count")
    expect(count).to_have_text(f"9 / {MAX_DRAFT_CHARS:,} characters")
    page.get_by_role("tab", name="Ask", exact=True).click()
    textarea(page, "question").type("How?")
    expect(page.locator("#question .char-count")).to_contain_text("4 / ")


def test_overlapping_findings_are_all_visible(page):
    from playwright.sync_api import expect

    # A loaded question with an insult inside it: both stay marked.
    soften(page, "Why are you such an idiot about money?")
    highlight = page.locator("#findings-highlight")
    expect(highlight).to_contain_text("loaded question + contempt", timeout=RESULT_TIMEOUT)
    expect(highlight).to_contain_text("such an idiot")


def test_the_marked_draft_breaks_lines_between_words_on_a_phone(browser, app):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tab.goto(app.url)
    tab.get_by_role("button", name="Soften it").wait_for()
    soften(tab, "You never help with the dishes. But you always find time for the gym, you slob.")
    highlight = tab.locator("#findings-highlight .textfield").first
    expect(highlight).to_be_visible(timeout=RESULT_TIMEOUT)
    # Gradio's own style is word-break: break-all ("B" / "ut" across two lines at 390 px).
    assert highlight.evaluate("e => getComputedStyle(e).wordBreak") == "normal"
    context.close()


def test_the_guide_builder_rechecks_as_the_person_types(page):
    from playwright.sync_api import expect

    soften(page, "Good to know I am the only adult in this house")
    builder = page.locator("#guide-builder").first
    expect(builder).to_be_visible(timeout=RESULT_TIMEOUT)
    message = page.locator("#guide-message textarea").first
    expect(message).to_have_value(re.compile(r"___"))
    page.locator("#guide-situation textarea, #guide-situation input").first.fill(
        "I'm the one doing the school run every day"
    )
    expect(message).to_have_value(re.compile("school run every day"), timeout=RESULT_TIMEOUT)
    expect(page.locator("#guide-check")).to_contain_text("Nothing in this reads as blame")
    page.locator("#guide-situation textarea, #guide-situation input").first.fill(
        "you never lift a finger, you lazy slob"
    )
    expect(page.locator("#guide-check")).to_contain_text("may still land badly")
    shot(page, "guide-builder")


def tab_until(page, focused_js: str, most: int, what: str) -> None:
    """Press Tab until `focused_js` is true of the focused element, at most `most` times."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return {focused_js}; }})()"
        ):
            return
    pytest.fail(f"Tab never reached {what}")


def test_keyboard_alone_softens_a_draft(page):
    page.locator("body").click(position={"x": 5, "y": 5})
    tab_until(page, "el?.closest('#draft') !== null", 40, "the draft box")
    page.keyboard.press("Control+A")
    page.keyboard.type("Stop interrupting me!")
    tab_until(page, "el?.id === 'soften-button'", 10, "the Soften button")
    page.keyboard.press("Enter")
    assert wait_for_rewrite(page).strip()


def axe_violations(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_serious_or_critical_accessibility_violations_on_any_tab(sized):
    if not AXE.exists():
        message = f"{AXE} is missing (make setup-test installs axe-core from npm)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    found = {}
    soften(sized)
    wait_for_rewrite(sized)
    found["Soften"] = axe_violations(sized)
    for name in TABS[1:]:
        sized.get_by_role("tab", name=name, exact=True).click()
        sized.wait_for_timeout(300)
        found[name] = axe_violations(sized)
    assert all(not v for v in found.values()), found
