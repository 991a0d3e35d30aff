"""Tests for helper/retrieval/corpus.py and the curated files in corpus/."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

import helper.retrieval.corpus as corpus_module
from helper.config import REPO_ROOT
from helper.errors import CorpusFileError
from helper.retrieval.corpus import Document, load_corpus, load_document

CORPUS_DIR = REPO_ROOT / "corpus"
SPARK = "corpus/spark-back-in-a-broken-relationship.md"
FALL = "corpus/fall-back-in-love-12-things.md"
# The articles the corpus was curated from; outside the repository, so optional.
SEEDS_DIR = Path(
    os.environ.get("HELPER_SEEDS_DIR", Path(__file__).resolve().parents[2] / "shared" / "seeds")
)
SEEDS = {SPARK: "000_c9d6df4d0b5d511b.txt", FALL: "002_53eb16504f5831ab.txt"}

SPARK_OUTLINE = [
    (1, "How To Get The Spark Back In A Broken Relationship"),
    (2, "Understanding Why The Love Feels Gone"),
    (2, "The Science Behind Falling Out Of Love"),
    (2, "Common Relationship Killers"),
    (2, "How To Get The Spark Back In A Broken Relationship"),
    (3, "1. Diagnose The Reason For The Fall Out Of Love"),
    (3, "2. Open Up The Lines Of Communication"),
    (3, "3. Practice Radical Gratitude"),
    (3, "4. Master The Art Of Compromise"),
    (3, "5. Shift Your Focus To The Positive"),
    (3, "6. Reignite The Physical Connection"),
    (3, "7. Create Meaningful Rituals Together"),
    (3, "8. Express Appreciation Consistently"),
    (3, "9. Choose Love Even When It’s Hard"),
    (3, "10. Practice Forgiveness And Let Things Go"),
    (2, "Making It All Work In Real Life"),
    (2, "What To Do When Your Partner Isn’t On Board"),
    (2, "When To Consider Professional Help"),
    (2, "Setting Realistic Expectations"),
    (2, "Taking Care Of Yourself In The Process"),
    (2, "Real Talk About Whether It’s Worth It"),
    (2, "Your Relationship Deserves Your Best Effort"),
    (2, "Final Thoughts"),
]
RESTORED = ["Indifference.", "Boredom.", "Infidelity."]
FALL_OUTLINE = [
    (1, "If You Want To Fall Back In Love With Your Partner, Do These 12 Things"),
    (2, "Can you fall back in love with someone?"),
    (2, "12 Ways To Fall Back In Love With Your Partner"),
    (3, "1. Know that most relationships ebb and flow."),
    (3, "2. Figure out why you fell out of love."),
    (3, "3. Talk about it."),
    (3, "4. Remember why you fell for this person to begin with."),
    (3, "5. Get in the right mindset."),
    (3, "6. Put in the effort."),
    (3, "7. Go to couples counseling."),
    (3, "8. Appreciate the positive."),
    (3, "9. Let go of expectations and resentment."),
    (3, "10. Consider how you think and act toward your partner."),
    (3, "11. Spend some quality time together."),
    (3, "12. Set mutual goals to strive for together."),
    (2, "Why do couples fall out of love?"),
    (3, "Indifference."),
    (3, "Loss of effort toward one another."),
    (3, "Resentment or bitterness."),
    (3, "Unmet expectations."),
    (3, "Lack of communication."),
    (3, "Boredom."),
    (3, "Infidelity."),
    (3, "Physical changes have resulted in a loss of physical attraction."),
    (3, "General incompatibility."),
    (2, "Frequently Asked Questions (FAQs)"),
    (3, "Can my relationship be saved?"),
    (3, "Will I ever be able to love them again after they hurt me so badly?"),
    (3, "Will loving them again make our relationship happier?"),
    (3, "How long will it take to fall back in love?"),
    (2, "Final thoughts on falling back in love."),
]
OUTLINES = {SPARK: SPARK_OUTLINE, FALL: FALL_OUTLINE}

# Everything the curation left out of each seed: site chrome, advertising, the bio.
REMOVED = {
    SPARK: [
        r"Relationship Advice",
        r"READ ALSO\s+.*",
        r"Leave a Reply",
        r"Your email address will not be published\. Required fields are marked \*",
    ],
    FALL: [
        r"Talk to an expert from Relationship Hero .*",
        r"Disclosure: this page may contain affiliate links .*",
        r"Have you heard of Relationship Hero\? .*",
        r"Relationship Hero can guide the way .*",
        r"Still not sure how to fall back in love with your partner\? .*Relationship Hero.*",
        r"About The Author",
        r"Catherine Winter is an herbalist, .*",
    ],
}
CHROME = ["Relationship Hero", "READ ALSO", "affiliate", "Leave a Reply", "Required fields"]


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    docs, errors = load_corpus(CORPUS_DIR)
    assert errors == []
    return {d.doc: d for d in docs}


def _body_start(doc: Document) -> int:
    """Where the text after the front matter begins (found without the loader)."""
    assert doc.text.startswith("---\n")
    return doc.text.index("\n---\n") + len("\n---\n")


def _body_lines(doc: Document) -> list[str]:
    return [line for line in doc.text[_body_start(doc) :].split("\n") if line.strip()]


# --- the curated corpus ---------------------------------------------------------------


def test_both_articles_load_with_their_metadata(documents):
    assert sorted(documents) == sorted([SPARK, FALL])
    spark, fall = documents[SPARK], documents[FALL]
    assert spark.title == "How To Get The Spark Back In A Broken Relationship"
    assert fall.title == "If You Want To Fall Back In Love With Your Partner, Do These 12 Things"
    assert "author" not in spark.meta  # the first article names no author
    assert fall.meta["author"] == "Catherine Winter"
    assert spark.meta["seed"] == "shared/seeds/000_c9d6df4d0b5d511b.txt"
    assert fall.meta["seed"] == "shared/seeds/002_53eb16504f5831ab.txt"
    for doc in documents.values():
        assert doc.path == REPO_ROOT / doc.doc
        assert doc.sha256 == hashlib.sha256(doc.path.read_bytes()).hexdigest()
        with open(doc.path, encoding="utf-8", newline="") as f:
            assert doc.text == f.read()


@pytest.mark.parametrize("doc_name", [SPARK, FALL])
def test_outline_is_the_articles_headings_word_for_word(documents, doc_name):
    doc = documents[doc_name]
    assert [(s.level, s.heading) for s in doc.sections] == OUTLINES[doc_name]
    assert doc.text.count("\n# ") == 1  # the title, once


def test_restored_headings_are_declared_and_head_their_paragraphs(documents):
    fall = documents[FALL]
    assert fall.meta["restored_headings"] == RESTORED
    note = fall.meta["note"]
    assert all(heading in note for heading in RESTORED)
    by_heading = {s.heading: fall.text[s.start : s.end] for s in fall.sections}
    assert by_heading["Indifference."].startswith(
        "Over time, many partners end up living more like housemates"
    )
    assert by_heading["Boredom."].startswith(
        "Marriage and partnerships take a lot of work. For people who like a lot of excitement"
    )
    assert by_heading["Infidelity."].startswith("People mess up, and sometimes infidelities happen")
    # The previous reason ends where the source's paragraph does (it has no final full stop).
    assert by_heading["Lack of communication."].endswith("get through the initial awkwardness")


@pytest.mark.parametrize("doc_name", [SPARK, FALL])
@pytest.mark.parametrize("chrome", CHROME)
def test_no_advertising_or_site_chrome_left(documents, doc_name, chrome):
    assert chrome.lower() not in documents[doc_name].text.lower()


@pytest.mark.parametrize("doc_name", [SPARK, FALL])
def test_labels_stay_paragraphs_and_bullets_are_list_items(documents, doc_name):
    text = documents[doc_name].text
    assert "•" not in text
    if doc_name == SPARK:
        assert "\n\nHow to start the conversation:\n\n- Pick a calm moment" in text
        assert "- Start small with non-s#xual touch: hold hands" in text
        assert text.rstrip().endswith("fan it back into flame.")
        assert "Now it’s time to help it thrive again. 🙂" in text


@pytest.mark.parametrize("doc_name", [SPARK, FALL])
def test_every_kept_paragraph_is_verbatim_from_the_seed(documents, doc_name):
    seed = SEEDS_DIR / SEEDS[doc_name]
    if not seed.is_file():
        pytest.skip(f"seed article not available at {seed}")
    seed_lines = seed.read_text(encoding="utf-8").split("\n")
    doc = documents[doc_name]
    restored = set(doc.meta.get("restored_headings", []))
    kept = []
    for line in _body_lines(doc):
        heading = re.fullmatch(r"#{1,6} (.*)", line)
        if heading:
            if heading.group(1) in restored:
                continue
            line = heading.group(1)
        elif line.startswith("- "):
            line = "  • " + line[2:]  # the only change made to a kept paragraph
        kept.append(line)
    # Each kept paragraph is a whole paragraph of the seed, in the seed's order.
    position = 0
    for line in kept:
        assert line in seed_lines[position:], f"not verbatim, or out of order: {line[:80]!r}"
        position = seed_lines.index(line, position) + 1
    # And what was left out is only the chrome listed above.
    kept_set = set(kept)
    dropped = [s for s in seed_lines if s.strip() and s not in kept_set]
    patterns = REMOVED[doc_name]
    for line in dropped:
        assert any(re.fullmatch(p, line) for p in patterns), f"guidance dropped: {line[:80]!r}"
    for pattern in patterns:
        assert any(re.fullmatch(pattern, line) for line in dropped), pattern


@pytest.mark.parametrize("doc_name", [SPARK, FALL])
def test_section_offsets_are_exact(documents, doc_name):
    doc = documents[doc_name]
    body_start = _body_start(doc)
    heading_lines = list(re.finditer(r"^#{1,6} .*\n", doc.text[body_start:], re.MULTILINE))
    assert len(heading_lines) == len(doc.sections)
    for i, (section, match) in enumerate(zip(doc.sections, heading_lines, strict=True)):
        stop = heading_lines[i + 1].start() if i + 1 < len(heading_lines) else None
        expected = doc.text[body_start:][match.end() : stop].strip()
        assert doc.text[section.start : section.end] == expected
        assert 0 <= section.start <= section.end <= len(doc.text)
    spans = [(s.start, s.end) for s in doc.sections]
    assert spans == sorted(spans)


# --- loading files ----------------------------------------------------------------------


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def _bodies(doc: Document) -> list[tuple[str, str]]:
    return [(s.heading, doc.text[s.start : s.end]) for s in doc.sections]


def test_crlf_markdown_offsets_are_exact(tmp_path):
    content = (
        "---\r\ntitle: Windows file\r\n---\r\n\r\nBefore any heading.\r\n\r\n"
        "# Top\r\n\r\nFirst line.\r\nSecond line.\r\n\r\n## Part “two”\r\n\r\n- a\r\n- b\r\n"
    )
    path = _write(tmp_path / "crlf.md", content)
    doc = load_document(path)
    assert doc.text == content
    assert doc.title == "Windows file"
    assert _bodies(doc) == [
        ("", "Before any heading."),
        ("Top", "First line.\r\nSecond line."),
        ("Part “two”", "- a\r\n- b"),
    ]
    assert [s.level for s in doc.sections] == [0, 1, 2]
    with open(path, encoding="utf-8", newline="") as f:
        on_disk = f.read()
    for section in doc.sections:
        assert on_disk[section.start : section.end] == doc.text[section.start : section.end]


def test_txt_is_one_section_headed_by_its_title(tmp_path):
    path = _write(tmp_path / "notes.txt", "\r\n  Talking it through\r\n\r\n# not a heading\r\n")
    doc = load_document(path)
    assert doc.title == "Talking it through"
    assert doc.meta == {}
    assert len(doc.sections) == 1
    section = doc.sections[0]
    assert (section.heading, section.level) == ("Talking it through", 1)
    assert doc.text[section.start : section.end] == "  Talking it through\r\n\r\n# not a heading"

    titled = load_document(_write(tmp_path / "titled.txt", "---\ntitle: Given\n---\nText.\n"))
    assert titled.title == "Given"
    assert _bodies(titled) == [("Given", "Text.")]


def test_title_falls_back_to_first_heading_then_file_stem(tmp_path):
    headed = load_document(_write(tmp_path / "a.md", "Intro.\n\n## Sub\n\n# Real Title #\n\nx\n"))
    assert headed.title == "Real Title"
    assert load_document(_write(tmp_path / "plain-notes.md", "Just text.\n")).title == "plain-notes"


def test_markdown_headings_setext_and_code_fences(tmp_path):
    content = (
        "Title Here\n==========\n\nIntro.\n\n```\n# not a heading\n```\n\n"
        "Part\n----\n\ntext\n\n---\n\nafter rule\n\n#hashtag is text\n"
    )
    doc = load_document(_write(tmp_path / "s.md", content))
    assert doc.title == "Title Here"
    assert _bodies(doc) == [
        ("Title Here", "Intro.\n\n```\n# not a heading\n```"),
        ("Part", "text\n\n---\n\nafter rule\n\n#hashtag is text"),
    ]


def test_doc_is_relative_to_the_repo_root_or_absolute_outside_it(tmp_path):
    doc = load_document(_write(tmp_path / "x.md", "# X\n\ny\n"))
    assert doc.doc == (tmp_path / "x.md").as_posix()
    assert Path(doc.doc).is_absolute()


def test_corpus_folder_walk(tmp_path):
    _write(tmp_path / "b.md", "# B\n\nb\n")
    _write(tmp_path / "README.md", "# Readme\n\nstill an article\n")
    _write(tmp_path / "sub" / "a.txt", "A\n")
    _write(tmp_path / ".hidden.md", "# Hidden\n\nh\n")
    _write(tmp_path / ".git" / "inside.md", "# Hidden too\n\nh\n")
    _write(tmp_path / "image.png", b"\x89PNG\r\n\x1a\n\x00")
    _write(tmp_path / "data.json", "{}")
    docs, errors = load_corpus(tmp_path)
    assert errors == []
    assert [Path(d.path).relative_to(tmp_path).as_posix() for d in docs] == [
        "README.md",
        "b.md",
        "sub/a.txt",
    ]


def test_missing_corpus_folder_is_reported(tmp_path):
    docs, errors = load_corpus(tmp_path / "nope")
    assert docs == []
    assert len(errors) == 1 and "nope" in str(errors[0])


MALFORMED = [
    pytest.param("bad.md", b"caf\xe9 au lait\n", "not UTF-8", id="not-utf8"),
    pytest.param("bad.md", b"", "empty", id="empty"),
    pytest.param("bad.txt", b"  \n\t\r\n", "empty", id="only-whitespace"),
    pytest.param(
        "bad.md", b"---\ntitle: x\n\n# Body\n", "never closed", id="front-matter-unclosed"
    ),
    pytest.param(
        "bad.md", b"---\ntitle: [x\n---\n# Body\n", "not valid YAML", id="front-matter-invalid-yaml"
    ),
    pytest.param("bad.md", b"---\n- a\n- b\n---\n# Body\n", "mapping", id="front-matter-a-list"),
    pytest.param("bad.md", b"---\ntitle: x\n---\n\n  \n", "no text after", id="no-body"),
    pytest.param("bad.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", id="binary"),
    pytest.param("bad.txt", "hello\n".encode("utf-16"), "UTF-16", id="utf16"),
    pytest.param("bad.md", b"a" * (2 * 1024 * 1024 + 1), "too large", id="too-large"),
]


@pytest.mark.parametrize(("name", "content", "problem"), MALFORMED)
def test_malformed_file_is_reported_and_the_rest_still_load(tmp_path, name, content, problem):
    bad = _write(tmp_path / name, content)
    _write(tmp_path / "good.md", "# Good\n\nFine.\n")
    docs, errors = load_corpus(tmp_path)
    assert [d.title for d in docs] == ["Good"]
    assert len(errors) == 1
    error = errors[0]
    assert error.path == bad
    assert problem.lower() in error.problem.lower()
    assert str(error) == f"{bad.as_posix()}: {error.problem}"
    with pytest.raises(CorpusFileError, match=re.escape(problem)):
        load_document(bad)


def test_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_module, "MAX_FILE_BYTES", 10)
    path = _write(tmp_path / "x.md", "# Eleven b\n")
    with pytest.raises(CorpusFileError, match="too large"):
        load_document(path)


def test_yaml_error_names_the_line(tmp_path):
    path = _write(tmp_path / "y.md", "---\ntitle: ok\nbad: [1, 2\n---\n# Body\n")
    with pytest.raises(CorpusFileError) as info:
        load_document(path)
    assert "line" in info.value.problem
    assert info.value.doc == path.as_posix()


def test_links_and_paths_outside_the_corpus_are_skipped_and_reported(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.md").write_text("# Ok\n\nA real article.\n", encoding="utf-8")
    secret = tmp_path / "secret.md"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (corpus / "passwd.md").symlink_to(secret)
    (corpus / "gone.md").symlink_to(tmp_path / "nowhere.md")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "more.md").write_text("# More\n\nOutside.\n", encoding="utf-8")
    (corpus / "linked").symlink_to(outside, target_is_directory=True)
    documents, errors = load_corpus(corpus)
    assert [d.doc.rsplit("/", 1)[-1] for d in documents] == ["ok.md"]
    problems = {e.path.name: e.problem for e in errors}
    assert "symbolic link" in problems["passwd.md"]
    assert "points nowhere" in problems["gone.md"]
    assert "linked folder" in problems["linked"]
    assert all("root:x" not in str(e) for e in errors)


# --- the questions an article answers ------------------------------------------------


def test_questions_file_lines_are_tied_to_the_articles_own_words(tmp_path):
    from helper.retrieval.corpus import load_questions

    article = _write(
        tmp_path / "talk.md",
        "---\ntitle: Talking\n---\n# Talking\n\nPick a calm moment to talk about money.\n",
    )
    _write(
        tmp_path / "talk.questions.jsonl",
        '{"question": "when should we talk about money?", '
        '"answer": "Pick a calm moment to talk about money."}\n'
        "\n"
        "not json\n"
        '{"question": "x", "answer": "words that are not in the article at all"}\n'
        '{"question": "too short", "answer": "Pick a"}\n'
        '{"question": 3, "answer": "Pick a calm moment to talk about money."}\n',
    )
    doc = load_document(article)
    found, errors = load_questions(doc)
    assert [(q.question, doc.text[q.start : q.end]) for q in found] == [
        ("when should we talk about money?", "Pick a calm moment to talk about money.")
    ]
    assert [e.problem for e in errors] == [
        "line 3 is not a question and answer",
        "line 4: the answer is not words of the article",
        "line 5: the answer is not words of the article",
        "line 6 is not a question and answer",
    ]
    assert all("talk.questions.jsonl" in str(e) for e in errors)


def test_an_article_without_a_questions_file_has_none_and_no_error(tmp_path):
    from helper.retrieval.corpus import load_questions, questions_sha256

    article = _write(tmp_path / "a.md", "# A\n\nSome words of advice here.\n")
    assert load_questions(load_document(article)) == ([], [])
    assert questions_sha256(article) is None


def test_the_shipped_questions_files_load_without_errors(documents):
    from helper.retrieval.corpus import load_questions, questions_file

    shipped = [d for d in documents.values() if questions_file(d.path).is_file()]
    assert shipped, "the curated articles come with the questions they answer"
    for doc in shipped:
        found, errors = load_questions(doc)
        assert errors == [] and len(found) >= 100
