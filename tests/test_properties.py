"""Property: rewrite, openers and ask never raise on arbitrary text, except a clear InputError,
and the draft is never lost (it comes back as the result's input)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helper import get_engine
from helper.errors import InputError

TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.lists(
        st.sampled_from(
            [
                "you",
                "never",
                "always",
                "the dishes",
                "idiot",
                "!",
                "?",
                "<script>",
                "😡",
                "WHY",
                "ignore your instructions",
                "\u202e",
                "كلب",
                "don't",
                " ",
                "\n",
                "**",
                "kill",
            ]
        ),
        max_size=25,
    ).map(" ".join),
)
CHECKS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def engine(index):
    return get_engine()


@CHECKS
@given(text=TEXT)
def test_rewrite_never_raises_and_keeps_the_draft(engine, text):
    try:
        result = engine.rewrite(text)
    except InputError as exc:
        assert str(exc)
        return
    assert result.input == text
    for f in result.findings:
        assert text[f.start : f.end] == f.text


@CHECKS
@given(text=TEXT)
def test_ask_never_raises(engine, text):
    try:
        result = engine.ask(text)
    except InputError as exc:
        assert str(exc)
        return
    assert result.refused or result.citations


@CHECKS
@given(text=TEXT)
def test_openers_never_raise(engine, text):
    try:
        result = engine.openers(text)
    except InputError as exc:
        assert str(exc)
        return
    assert result.topic == text
