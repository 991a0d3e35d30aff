"""Citations are verbatim: a quote plus character offsets into its corpus file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from helper.config import REPO_ROOT
from helper.results import Citation, Passage


def cite(n: int, passage: Passage, quote: str) -> Citation | None:
    """A citation of `quote` if it occurs verbatim in the passage, else None."""
    if not quote or not quote.strip():
        return None
    i = passage.text.find(quote)
    if i < 0:
        return None
    start = passage.start + i
    return Citation(
        n, passage.doc, passage.title, passage.section, quote, start, start + len(quote)
    )


def doc_path(doc: str) -> Path:
    path = Path(doc)
    return path if path.is_absolute() else REPO_ROOT / path


@lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int) -> str:
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def read_doc(doc: str) -> str:
    """A corpus file's text exactly as offsets count it (UTF-8, line endings kept)."""
    path = doc_path(doc)
    return _read(str(path), path.stat().st_mtime_ns)


def is_verbatim(citation: Citation) -> bool:
    """True when the file's text at the citation's offsets is exactly its quote."""
    try:
        text = read_doc(citation.doc)
    except OSError:
        return False
    return text[citation.start : citation.end] == citation.quote
