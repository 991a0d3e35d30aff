"""Markdown source as plain text to read: what a quote of the guidance looks like to a person
(the page and the command line), with no raw markers."""

from __future__ import annotations

import re

_HEADING_MARK = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE)
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def plain(text: str) -> str:
    """Headings and emphasis without their markers, list items with a bullet, links as their
    words. Not escaped: the page escapes what it shows."""
    text = _MD_LINK.sub(r"\1", text)
    text = _HEADING_MARK.sub("", text)
    text = _LIST_MARK.sub("• ", text)
    return _EMPHASIS.sub(r"\2", text)


def line_number(text: str, offset: int) -> int:
    """The 1-based line of `text` that holds character `offset`."""
    return text.count("\n", 0, max(0, offset)) + 1
