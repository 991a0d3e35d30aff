"""Loading corpus files: front matter, title, sections, exact character offsets.

Offsets are into `Document.text`, the whole file read as UTF-8 with newlines kept
as they are (`\\r\\n` stays two characters), so a citation's `text[start:end]`
matches the file on disk.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from helper.config import REPO_ROOT
from helper.errors import CorpusFileError

SUFFIXES = {".md", ".txt"}
MARKDOWN_SUFFIXES = {".md"}
# Far beyond any guidance article; a file this big is a mistake, not an article.
MAX_FILE_BYTES = 2 * 1024 * 1024

_FRONT_OPEN = re.compile(r"\ufeff?---[ \t]*\r?\n")
_FRONT_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.MULTILINE)
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*")
_ATX_CLOSING = re.compile(r"(?:^|[ \t]+)#+$")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# A line that starts a block of its own cannot be the text of a setext heading.
_NOT_PARAGRAPH = re.compile(r" {4}|\t| {0,3}(?:[-*+>]|\d{1,9}[.)])(?:[ \t]|$)| {0,3}#")
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t\f\v]*\r?\n)*")


@dataclass
class Section:
    heading: str  # innermost heading text without the #'s ("" for text before the first heading)
    level: int  # 1..6, 0 before the first heading
    start: int  # offsets into Document.text of the section's body (after the heading line)
    end: int


@dataclass
class Document:
    path: Path  # absolute
    doc: str  # as cited: relative to the repository root (posix), else the absolute path
    title: str
    text: str  # the whole file as read, newlines untouched
    meta: dict  # front matter
    # Covering the body in order. Text before the first heading is a level-0 section when it
    # is not blank; a heading followed at once by another keeps its empty section (start == end).
    sections: list[Section]
    sha256: str  # of the file bytes
    body_start: int = 0  # where the text after the front matter begins

    @property
    def body(self) -> str:
        return self.text[self.body_start :]


def doc_name(path: Path) -> str:
    """The file as cited: relative to the repository root, or absolute if outside it."""
    path = _absolute(path)
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def load_document(path: Path) -> Document:
    """Read one corpus file; raises CorpusFileError when it cannot be used."""
    path = _absolute(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusFileError(
                path, f"is too large ({size} bytes; the limit is {MAX_FILE_BYTES} bytes)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusFileError(path, f"cannot be read ({exc.strerror or exc})") from exc

    text = _decode(path, data)
    if not text.strip().lstrip("\ufeff"):
        raise CorpusFileError(path, "is empty (no text, or only whitespace)")

    meta, body_start = _front_matter(path, text)
    if not text[body_start:].strip():
        raise CorpusFileError(path, "has no text after the front matter")

    markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    sections = _markdown_sections(text, body_start) if markdown else []
    title = _title(path, meta, text, body_start, sections, markdown)
    if not markdown:
        # Plain text has no heading syntax: the whole body is one section, headed by the title.
        start, end = _trim(text, body_start, len(text))
        sections = [Section(heading=title, level=1, start=start, end=end)]

    return Document(
        path=path,
        doc=doc_name(path),
        title=title,
        text=text,
        meta=meta,
        sections=sections,
        sha256=hashlib.sha256(data).hexdigest(),
        body_start=body_start,
    )


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The article files under `corpus_dir`, sorted by path; hidden files and folders skipped,
    and so are symbolic links (see `unsafe_files`)."""
    return _scan(Path(corpus_dir))[0]


def unsafe_files(corpus_dir: Path) -> list[CorpusFileError]:
    """Article names under `corpus_dir` that are not read: links (one could lead anywhere,
    /etc/passwd included), dangling links, and paths that resolve outside the folder."""
    return _scan(Path(corpus_dir))[1]


def _scan(corpus_dir: Path) -> tuple[list[Path], list[CorpusFileError]]:
    found, skipped = [], []
    root = corpus_dir.resolve()
    # os.walk does not follow links to folders, so nothing outside the folder is entered.
    for folder, dirs, files in os.walk(corpus_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            path = Path(folder, name)
            if name.startswith(".") or path.suffix.lower() not in SUFFIXES:
                continue
            if path.is_symlink():
                problem = "is a symbolic link, not read" + (
                    "" if path.exists() else " (it points nowhere)"
                )
                skipped.append(CorpusFileError(path, problem))
            elif not path.resolve().is_relative_to(root):
                skipped.append(CorpusFileError(path, "resolves outside the corpus folder"))
            elif path.is_file():
                found.append(path)
        for name in dirs:
            if Path(folder, name).is_symlink():
                skipped.append(CorpusFileError(Path(folder, name), "is a linked folder, not read"))
    key = lambda p: p.relative_to(corpus_dir).as_posix()  # noqa: E731
    return sorted(found, key=key), sorted(skipped, key=lambda e: key(e.path))


def _absolute(path: Path) -> Path:
    # normpath, not resolve(): a symlinked corpus file is still cited where it is found.
    return Path(os.path.normpath(Path(path).absolute()))


def load_corpus(corpus_dir: Path) -> tuple[list[Document], list[CorpusFileError]]:
    """Load every article in `corpus_dir`; a bad file is reported and the rest still load."""
    corpus_dir = _absolute(corpus_dir)
    if not corpus_dir.is_dir():
        problem = "is not a folder" if corpus_dir.exists() else "no such corpus folder"
        return [], [CorpusFileError(corpus_dir, problem)]
    documents: list[Document] = []
    errors = unsafe_files(corpus_dir)
    for path in corpus_files(corpus_dir):
        try:
            documents.append(load_document(path))
        except CorpusFileError as exc:
            errors.append(exc)
    return documents, errors


def _decode(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorpusFileError(path, "is UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise CorpusFileError(path, "is a binary file, not text (it contains NUL bytes)")
    try:
        # Same result as open(..., encoding="utf-8", newline=""): no newline translation.
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusFileError(
            path, f"is not UTF-8 text (invalid byte {data[exc.start]:#04x} at byte {exc.start})"
        ) from exc


def _front_matter(path: Path, text: str) -> tuple[dict, int]:
    """The front matter mapping and the offset where the body starts."""
    opening = _FRONT_OPEN.match(text)
    if not opening:
        return {}, 0
    closing = _FRONT_CLOSE.search(text, opening.end())
    if not closing:
        raise CorpusFileError(path, "front matter opened with '---' is never closed with '---'")
    source = text[opening.end() : closing.start()]
    try:
        meta = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise CorpusFileError(
            path, f"front matter is not valid YAML ({_yaml_problem(exc)})"
        ) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise CorpusFileError(
            path,
            f"front matter must be a mapping of keys to values, not a {type(meta).__name__}",
        )
    return meta, closing.end()


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return problem
    return f"{problem}, line {mark.line + 2} of the file"  # +1 for 1-based, +1 for the '---'


def _title(
    path: Path, meta: dict, text: str, body_start: int, sections: list[Section], markdown: bool
) -> str:
    value = meta.get("title")
    if isinstance(value, (dict, list)):
        raise CorpusFileError(path, "front matter 'title' must be text")
    if value is not None and str(value).strip():
        return str(value).strip()
    if markdown:
        for section in sections:
            if section.level == 1 and section.heading:
                return section.heading
    else:
        for line_start, line_end, _ in _lines(text, body_start, len(text)):
            line = text[line_start:line_end].strip().lstrip("\ufeff").strip()
            if line:
                return line
    return path.stem


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """(line start, line end without the newline, next line start) for each line."""
    pos = start
    while pos < end:
        newline = text.find("\n", pos, end)
        following = end if newline == -1 else newline + 1
        line_end = end if newline == -1 else newline
        if line_end > pos and text[line_end - 1] == "\r":
            line_end -= 1
        yield pos, line_end, following
        pos = following


def _markdown_sections(text: str, body_start: int) -> list[Section]:
    # Each heading as (level, text, where its line starts, where its body starts).
    headings: list[tuple[int, str, int, int]] = []
    fence: str | None = None
    # The previous line, when it is a one-line paragraph that an underline can turn into a
    # setext heading; and whether the previous line ended a block (blank, heading, start).
    candidate: tuple[int, int] | None = None
    after_boundary = True
    for line_start, line_end, following in _lines(text, body_start, len(text)):
        line = text[line_start:line_end]
        previous, candidate = candidate, None
        boundary, after_boundary = after_boundary, False
        if fence is not None:
            marker = _FENCE.match(line)
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                if not line[marker.end() :].strip():
                    fence = None
            continue
        marker = _FENCE.match(line)
        if marker:
            fence = marker.group(1)
            continue
        if not line.strip():
            after_boundary = True
            continue
        atx = _ATX.fullmatch(line)
        if atx:
            content = _ATX_CLOSING.sub("", atx.group(2) or "").strip()
            headings.append((len(atx.group(1)), content, line_start, following))
            after_boundary = True
            continue
        if setext := _SETEXT.fullmatch(line):
            # An underline under a one-line paragraph makes it a heading; alone, it is a rule.
            if previous is not None:
                level = 1 if setext.group(1)[0] == "=" else 2
                heading_start, heading_end = previous
                heading = text[heading_start:heading_end].strip()
                headings.append((level, heading, heading_start, following))
            after_boundary = True
            continue
        if boundary and not _NOT_PARAGRAPH.match(line):
            candidate = (line_start, line_end)
    sections: list[Section] = []
    first_heading_at = headings[0][2] if headings else len(text)
    start, end = _trim(text, body_start, first_heading_at)
    if start < end:
        sections.append(Section(heading="", level=0, start=start, end=end))
    for i, (level, heading, _, body) in enumerate(headings):
        next_heading_at = headings[i + 1][2] if i + 1 < len(headings) else len(text)
        start, end = _trim(text, body, next_heading_at)
        sections.append(Section(heading=heading, level=level, start=start, end=end))
    return sections


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow [start, end) to leave out leading blank lines and trailing whitespace."""
    blank_lines = _LEADING_BLANK_LINES.match(text, start, end)
    if blank_lines:  # always matches, possibly nothing
        start = blank_lines.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Questions an article answers, each tied to the words of it that answer (issue: answers that
# answer the question). People ask in their own words ("how do i stop resenting him lol"),
# and a question is nearer in meaning to another question than to the passage that answers
# it; so an article may come with `<name>.questions.jsonl` beside it, one
# {"question": ..., "answer": <words copied exactly from the article>} per line. The index
# embeds the questions; Ask's ranker reads how near the person's question is to them.
QUESTIONS_SUFFIX = ".questions.jsonl"
MAX_QUESTION_FILE_BYTES = 2 * 1024 * 1024
MIN_ANSWER_CHARS = 20  # shorter "answers" ("Talk.") are found all over an article


@dataclass
class AnsweredQuestion:
    question: str
    start: int  # offsets into Document.text of the words that answer it
    end: int


def questions_file(article: Path) -> Path:
    return article.with_name(article.stem + QUESTIONS_SUFFIX)


def questions_sha256(article: Path) -> str | None:
    """The hash of the article's questions file, or None when it has none."""
    try:
        return hashlib.sha256(questions_file(article).read_bytes()).hexdigest()
    except OSError:
        return None


def load_questions(document: Document) -> tuple[list[AnsweredQuestion], list[CorpusFileError]]:
    """The questions of `document`'s questions file, each with the span of the article that
    answers it; a line that is not valid, or whose answer is not the article's own words, is
    reported and left out (the others still load). No file: no questions, no error."""
    import json

    path = questions_file(document.path)
    if not path.is_file() or path.is_symlink():
        return [], []
    try:
        if path.stat().st_size > MAX_QUESTION_FILE_BYTES:
            return [], [CorpusFileError(path, "is too large to be the article's questions")]
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [CorpusFileError(path, f"cannot be read ({exc})")]
    found, errors = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question, answer = row["question"], row["answer"]
            if not (isinstance(question, str) and isinstance(answer, str) and question.strip()):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            errors.append(CorpusFileError(path, f"line {number} is not a question and answer"))
            continue
        start = document.text.find(answer, document.body_start)
        if len(answer.strip()) < MIN_ANSWER_CHARS or start < 0:
            errors.append(
                CorpusFileError(path, f"line {number}: the answer is not words of the article")
            )
            continue
        found.append(AnsweredQuestion(question.strip(), start, start + len(answer)))
    return found, errors
