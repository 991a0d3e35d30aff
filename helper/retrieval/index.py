"""The guidance index: Chroma (dense) + BM25 (lexical), fused by reciprocal rank.

Three Chroma collections hold the corpus: chunks, which are retrieved; the sentences inside
them, which answers quote; and the questions an article's questions file says it answers
(corpus.load_questions), which Ask's ranker compares the person's question with. Ids are
content hashes, so building again embeds only what is new. A manifest beside the store keeps
the chunk texts for BM25 and records which embedder and chunker built the store.

Each build that changes anything writes a new generation: a fresh set of collections, with
the vectors of unchanged chunks copied over and only new ones embedded, counted, and only
then named in the manifest (written atomically). A build that dies part-way leaves the last
complete generation in service. The collections a running process reads are never changed
under it: it notices the new manifest on its next call and moves over, and the previous
generation is kept until the build after, for the calls still using it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from helper.config import Settings
from helper.errors import IndexUnavailable
from helper.results import Passage
from helper.retrieval.chunking import (
    CHUNKER_VERSION,
    LIST_MARKER,
    Chunk,
    chunk_document,
    sentence_spans,
)
from helper.retrieval.corpus import (
    corpus_files,
    doc_name,
    load_corpus,
    load_questions,
    questions_sha256,
)
from helper.retrieval.embeddings import Embedder, get_embedder
from helper.text.tokens import search_terms

MANIFEST_VERSION = 3  # 2: generations of collections; 3: the questions grain
GRAINS = ("chunks", "sentences", "questions")
MANIFEST_ID = "manifest"
GENERATION_ID = "generation"  # on a Chroma server, a small record naming the current one
SERVER_CHECK_S = 1.0  # how often a process asks a Chroma server whether a new index is out
RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of the very top ranks
EMBED_BATCH = 32

Progress = Callable[[str, int, int], None]


@dataclass
class IndexReport:
    files: int = 0
    chunks: int = 0
    sentences: int = 0
    embedded_chunks: int = 0
    embedded_sentences: int = 0
    deleted_chunks: int = 0
    deleted_sentences: int = 0
    questions: int = 0
    errors: list[str] = field(default_factory=list)
    rebuilt_because: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Sentence:
    id: str
    chunk: str
    doc: str
    title: str
    section: str
    start: int
    end: int
    text: str
    item: bool = False  # a list item: in this guidance, lists hold the concrete advice


@dataclass
class Question:
    """A question an article says it answers, and where in the article the answer is."""

    id: str
    question: str
    doc: str
    chunk: str  # the chunk the answer starts in
    start: int
    end: int


def _questions(doc, chunks: list[Chunk]) -> tuple[list[Question], list[str]]:
    found, problems = load_questions(doc)
    out = []
    for q in found:
        home = next((c for c in chunks if c.start <= q.start < c.end), None)
        if home is None:  # the words are in a heading or the front matter, not in a chunk
            problems.append(f"{doc.doc}: the answer to “{q.question[:60]}” is in no passage")
            continue
        qid = hashlib.sha256(f"{doc.doc}\0{q.start}\0{q.end}\0{q.question}".encode()).hexdigest()
        out.append(Question(qid[:24], q.question, doc.doc, home.id, q.start, q.end))
    return out, [str(p) for p in problems]


@dataclass
class Retrieval:
    """What a search found: passages in fused order, and the raw signals behind the order."""

    query: str
    vector: np.ndarray
    passages: list[Passage]
    similarity: dict[str, float]  # chunk id -> cosine similarity to the query
    lexical: dict[str, float]  # chunk id -> BM25 score
    state: dict | None = field(default=None, repr=False, compare=False)  # its generation

    @property
    def best_similarity(self) -> float:
        return max(self.similarity.values(), default=0.0)


def _sentence_id(chunk_id: str, start: int, text: str) -> str:
    return hashlib.sha256(f"{chunk_id}\0{start}\0{text}".encode()).hexdigest()[:24]


def split_sentences(chunk: Chunk, doc_text: str) -> list[Sentence]:
    return [
        Sentence(
            id=_sentence_id(chunk.id, a, doc_text[a:b]),
            chunk=chunk.id,
            doc=chunk.doc,
            title=chunk.title,
            section=chunk.section,
            start=a,
            end=b,
            text=doc_text[a:b],
            item=_starts_list_item(doc_text, a),
        )
        for a, b in sentence_spans(doc_text, chunk.start, chunk.end)
    ]


def _starts_list_item(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return bool(LIST_MARKER.fullmatch(text[line_start:start]))


def embed_text(section: str, text: str) -> str:
    # The heading carries the topic ("Practice Radical Gratitude") that a paragraph may not name.
    return f"{section}\n{text}"


_ANAPHORA = re.compile(r"(?:in the beginning, )?(?:it|they|this|that|these|those|he|she)\b", re.I)


def sentence_context(sentences: list[Sentence], i: int) -> str:
    """What a sentence is embedded as. Most stand alone; a list's label ("Ways to show
    appreciation:") is embedded with its first items, and a sentence that leans on the one
    before ("In the beginning, it pumps you full of dopamine") with that sentence."""
    s = sentences[i]
    # A list may start in the next chunk: neighbours count within the same section.
    same = [x for x in sentences[max(0, i - 1) : i + 5] if (x.doc, x.section) == (s.doc, s.section)]
    if s.text.rstrip().endswith(":"):
        return " ".join([s.text] + [x.text for x in same if x.start > s.start][:4])
    before = [x for x in same if x.start < s.start]
    if before and _ANAPHORA.match(s.text):
        return f"{before[-1].text} {s.text}"
    return s.text


class Index:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self.data_dir = Path(settings.data_dir)
        self.manifest_path = self.data_dir / "manifest.json"
        self._ready = False  # ensure() has found or built a sound index in this process
        self._state: dict | None = None  # the generation this process serves (see _current)
        self._state_lock = threading.Lock()
        self._checked_at = 0.0

    # -- storage ----------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings)
        return self._embedder

    @cached_property
    def client(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_host:
            where = f"{self.settings.chroma_host}:{self.settings.chroma_port}"
            try:
                return chromadb.HttpClient(
                    host=self.settings.chroma_host,
                    port=self.settings.chroma_port,
                    settings=chroma_settings,
                )
            except Exception as exc:  # noqa: BLE001 - chromadb raises ValueError, httpx errors
                raise IndexUnavailable(
                    f"Could not reach the Chroma server at {where} (CHROMA_HOST, CHROMA_PORT): "
                    "is `chroma run` running there?"
                ) from exc
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(
            path=str(self.data_dir / "chroma"), settings=chroma_settings
        )

    def _name(self, generation: str, grain: str) -> str:
        return f"{self.settings.collection}-{generation}-{grain}"

    def _collection(self, generation: str, grain: str, create: bool = False):
        name = self._name(generation, grain)
        if create:
            return self.client.create_collection(
                name,
                metadata={"hnsw:space": "cosine", "embedder": self.embedder.name},
                embedding_function=None,
            )
        return self.client.get_collection(name, embedding_function=None)

    def _generations(self) -> dict[str, list[str]]:
        """generation -> names of its collections, for every generation in the store."""
        shape = re.compile(
            rf"{re.escape(self.settings.collection)}-(?:([0-9a-f]{{8}})-)?"
            r"(?:chunks|sentences|questions)"
        )
        found: dict[str, list[str]] = {}
        for collection in self.client.list_collections():
            name = getattr(collection, "name", collection)
            m = shape.fullmatch(name)
            if m:  # a version-1 store's collections have no generation: ""
                found.setdefault(m.group(1) or "", []).append(name)
        return found

    def _drop_generations(self, keep: set[str]) -> None:
        for generation, names in self._generations().items():
            if generation not in keep:
                for name in names:
                    try:
                        self.client.delete_collection(name)
                    except Exception:  # noqa: BLE001 - another build dropped it first
                        pass
        if not self.settings.chroma_host:
            self._sweep_segment_folders()

    def _sweep_segment_folders(self) -> None:
        """Remove the vector folders of dropped collections, which embedded Chroma leaves on
        disk: without this every edit of the corpus would leave a copy of the index behind.
        A folder is named by its segment's id; those still listed in Chroma's own database
        are kept. Any surprise in that layout leaves everything as it is."""
        import sqlite3

        store = self.data_dir / "chroma"
        try:
            with sqlite3.connect(f"file:{store / 'chroma.sqlite3'}?mode=ro", uri=True) as db:
                live = {row[0] for row in db.execute("SELECT id FROM segments")}
        except sqlite3.Error:
            return
        if not live:
            return
        shape = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        for folder in store.iterdir():
            if folder.is_dir() and shape.fullmatch(folder.name) and folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        # Two `helper index` runs at once would each write a generation; one waits for the other.
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "index.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # With a Chroma server the manifest is kept on the server beside the vectors, so page
    # processes that share the server serve the same index without sharing a disk: each
    # rebuilds its lexical (BM25) index from the chunks the manifest lists.
    @cached_property
    def _manifest_collection(self):
        return self.client.get_or_create_collection(
            f"{self.settings.collection}-manifest", embedding_function=None
        )

    def _manifest_text(self) -> str | None:
        if self.settings.chroma_host:
            found = self._manifest_collection.get(ids=[MANIFEST_ID], include=["documents"])
            return found["documents"][0] if found["ids"] else None
        try:
            return self.manifest_path.read_text(encoding="utf-8")
        except OSError:
            return None

    def exists(self) -> bool:
        if self.settings.chroma_host:
            return bool(self._manifest_collection.get(ids=[MANIFEST_ID], include=[])["ids"])
        return self.manifest_path.exists()

    def _read_manifest(self) -> dict | None:
        try:
            manifest = json.loads(self._manifest_text() or "")
        except ValueError:
            return None
        if not isinstance(manifest, dict) or manifest.get("version") != MANIFEST_VERSION:
            return None
        return manifest

    def _write_manifest(self, manifest: dict) -> None:
        text = json.dumps(manifest, ensure_ascii=False)
        if self.settings.chroma_host:
            # One record, replaced in one call; the embedding is a placeholder Chroma requires.
            # The small generation record beside it is what running processes poll.
            self._manifest_collection.upsert(
                ids=[MANIFEST_ID, GENERATION_ID],
                embeddings=[[0.0], [0.0]],
                documents=[text, manifest["generation"]],
            )
            return
        # Written to a temporary file and renamed, so a crash never leaves half a manifest.
        tmp = self.manifest_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.manifest_path)

    def _delete_manifest(self) -> None:
        if self.settings.chroma_host:
            self._manifest_collection.delete(ids=[MANIFEST_ID, GENERATION_ID])
        self.manifest_path.unlink(missing_ok=True)

    def _reset_local_store(self) -> None:
        # A corrupted embedded store cannot be repaired through its own API: remove its folder,
        # and drop Chroma's per-process cache of open stores so the next client opens a new one.
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
        self.__dict__.pop("client", None)
        self.__dict__.pop("_manifest_collection", None)
        shutil.rmtree(self.data_dir / "chroma", ignore_errors=True)
        self.manifest_path.unlink(missing_ok=True)
        self._forget()

    # -- building ---------------------------------------------------------

    def build(self, rebuild: bool = False, progress: Progress | None = None) -> IndexReport:
        """Bring the store in line with the corpus; embeds only chunks it does not hold yet."""
        report = IndexReport()
        with self._lock():
            report.rebuilt_because = self._reason_to_rebuild(rebuild)
            existing = self._read_manifest() if self.exists() else None
            current = None if report.rebuilt_because else existing
            docs, errors = load_corpus(Path(self.settings.corpus_dir))
            report.errors = [str(e) for e in errors]
            report.files = len(docs)
            chunks: list[Chunk] = []
            sentences: list[Sentence] = []
            questions: list[Question] = []
            for doc in docs:
                doc_chunks = list(chunk_document(doc))
                for chunk in doc_chunks:
                    chunks.append(chunk)
                    sentences.extend(split_sentences(chunk, doc.text))
                asked, problems = _questions(doc, doc_chunks)
                questions.extend(asked)
                report.errors.extend(problems)
            report.chunks, report.sentences = len(chunks), len(sentences)
            report.questions = len(questions)
            manifest = {
                "version": MANIFEST_VERSION,
                "embedder": self.embedder.name,
                "chunker": CHUNKER_VERSION,
                "corpus_dir": str(self.settings.corpus_dir),
                "docs": {
                    d.doc: {
                        "title": d.title,
                        "sha256": d.sha256,
                        "questions_sha256": questions_sha256(d.path),
                    }
                    for d in docs
                },
                "chunks": [asdict(c) for c in chunks],
                "sentences": [asdict(s) for s in sentences],
                "questions": [asdict(q) for q in questions],
            }
            if current and all(current.get(k) == manifest[k] for k in manifest):
                return report  # nothing changed: the generation in service stays
            try:
                generation = self._write_generation(
                    report, current, chunks, sentences, questions, progress
                )
            except IndexUnavailable:
                raise
            except Exception as exc:  # noqa: BLE001 - a damaged embedded store: start it afresh
                if self.settings.chroma_host:
                    raise IndexUnavailable(f"Could not write to the Chroma server: {exc}") from exc
                report.rebuilt_because = f"the vector store was damaged ({type(exc).__name__})"
                self._reset_local_store()
                current = None
                generation = self._write_generation(
                    report, None, chunks, sentences, questions, progress
                )
            self._write_manifest({**manifest, "generation": generation})
            # The generation before stays for calls still reading it; older ones go.
            previous = (existing or {}).get("generation")
            self._drop_generations({generation, previous} - {None})
        return report

    def _write_generation(
        self,
        report: IndexReport,
        current: dict | None,
        chunks: list[Chunk],
        sentences: list[Sentence],
        questions: list[Question],
        progress: Progress | None,
    ) -> str:
        """A new, complete, counted set of collections; returns its generation."""
        generation = secrets.token_hex(4)
        old = current.get("generation") if current else None
        items = {
            "chunks": [(c.id, embed_text(c.section, c.text), c.text, c.metadata()) for c in chunks],
            "sentences": [
                (s.id, sentence_context(sentences, i), s.text, {**_meta(s), "chunk": s.chunk})
                for i, s in enumerate(sentences)
            ],
            "questions": [
                (q.id, q.question, q.question, {"doc": q.doc, "chunk": q.chunk}) for q in questions
            ],
        }
        before = {grain: {row["id"] for row in (current or {}).get(grain, [])} for grain in GRAINS}
        for grain, rows in items.items():
            target = self._collection(generation, grain, create=True)
            source = self._collection(old, grain) if old else None
            embedded = self._fill(target, source, rows, grain, progress)
            if target.count() != len(rows):
                raise RuntimeError(
                    f"the new {grain} collection holds {target.count()} of {len(rows)}"
                )
            wanted = {row[0] for row in rows}
            if grain == "chunks":
                report.embedded_chunks = embedded
                report.deleted_chunks = len(before[grain] - wanted)
            elif grain == "sentences":
                report.embedded_sentences = embedded
                report.deleted_sentences = len(before[grain] - wanted)
        return generation

    def _fill(self, target, source, rows, label: str, progress: Progress | None) -> int:
        """Add `rows` to `target`, copying the vectors `source` already holds; returns how
        many had to be embedded."""
        vectors: dict[str, list[float]] = {}
        if source is not None:
            ids = [row[0] for row in rows]
            for i in range(0, len(ids), 256):
                got = source.get(ids=ids[i : i + 256], include=["embeddings"])
                vectors.update(zip(got["ids"], (list(v) for v in got["embeddings"]), strict=True))
        new = [row for row in rows if row[0] not in vectors]
        for i in range(0, len(new), EMBED_BATCH):
            batch = new[i : i + EMBED_BATCH]
            for row, vector in zip(batch, self.embedder.embed([r[1] for r in batch]), strict=True):
                vectors[row[0]] = vector.tolist()
            if progress:
                progress(f"embedding {label}", min(i + EMBED_BATCH, len(new)), len(new))
        for i in range(0, len(rows), 256):
            batch = rows[i : i + 256]
            target.add(
                ids=[row[0] for row in batch],
                embeddings=[vectors[row[0]] for row in batch],
                documents=[row[2] for row in batch],
                metadatas=[row[3] for row in batch],
            )
        return len(new)

    def _reason_to_rebuild(self, asked: bool) -> str:
        if asked:
            return "asked (--rebuild)"
        if not self.exists():
            return ""
        manifest = self._read_manifest()
        if manifest is None:
            return "the manifest was unreadable or from another version"
        if manifest.get("embedder") != self.embedder.name:
            return f"the embedder changed to {self.embedder.name}"
        if manifest.get("chunker") != CHUNKER_VERSION:
            return "the chunking rules changed"
        try:
            counts = {
                grain: self._collection(manifest["generation"], grain).count() for grain in GRAINS
            }
        except Exception as exc:  # noqa: BLE001 - any failure here means a damaged store
            return f"the vector store could not be read ({type(exc).__name__})"
        if counts != {g: len(manifest.get(g, [])) for g in GRAINS}:
            return "the vector store and the manifest disagree (a half-written index)"
        return ""

    def _up_to_date(self) -> bool:
        return self.exists() and not self._reason_to_rebuild(False) and not self._corpus_changed()

    def _corpus_changed(self) -> bool:
        """Whether the corpus folder holds other files, or other contents, than the index
        was built from: a process that starts after an edit indexes the change first.

        A folder with no articles is no evidence: a page may serve an index another process
        built on a Chroma server it shares."""
        paths = (
            corpus_files(Path(self.settings.corpus_dir))
            if Path(self.settings.corpus_dir).is_dir()
            else []
        )
        if not paths:
            return False
        manifest = self._read_manifest() or {}
        built = {
            doc: (info.get("sha256"), info.get("questions_sha256"))
            for doc, info in manifest.get("docs", {}).items()
        }
        try:
            now = {
                doc_name(p): (hashlib.sha256(p.read_bytes()).hexdigest(), questions_sha256(p))
                for p in paths
            }
        except OSError:
            return True
        return now != built

    # -- the generation in service ----------------------------------------

    def _stamp(self) -> object:
        """What changes when a new manifest is written: cheap enough to ask on every call."""
        if self.settings.chroma_host:
            found = self._manifest_collection.get(ids=[GENERATION_ID], include=["documents"])
            return found["documents"][0] if found["ids"] else None
        try:
            st = self.manifest_path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _forget(self) -> None:
        with self._state_lock:
            self._state = None

    def _current(self) -> dict:
        """The loaded generation, moving to a newer one when another process wrote it.

        A call holds on to the state it started with, so its chunk and sentence searches
        read one generation even while the next is being loaded."""
        state = self._state
        now = time.monotonic()
        if state is not None and self.settings.chroma_host and now - self._checked_at < 1.0:
            return state
        stamp = self._stamp()
        self._checked_at = now
        if state is not None and state["stamp"] == stamp:
            return state
        with self._state_lock:
            if self._state is None or self._state["stamp"] != stamp:
                self._state = self._load(stamp)
            return self._state

    def _load(self, stamp: object) -> dict:
        manifest = self._read_manifest()
        if manifest is None:
            raise IndexUnavailable("The index is missing or unreadable: run `helper index`.")
        import bm25s

        chunks = [Chunk(**c) for c in manifest["chunks"]]
        bm25 = bm25s.BM25()
        if chunks:
            bm25.index(
                [search_terms(embed_text(c.section, c.text)) or ["_"] for c in chunks],
                show_progress=False,
            )
        sentences = [Sentence(**s) for s in manifest["sentences"]]  # in reading order
        generation = manifest["generation"]
        try:
            collections = {g: self._collection(generation, g) for g in GRAINS}
        except Exception as exc:  # noqa: BLE001 - the manifest names collections not there
            raise IndexUnavailable(
                "The index is incomplete (its collections are missing): run `helper index`."
            ) from exc
        return {
            "stamp": stamp,
            "generation": generation,
            **collections,
            "chunks_list": chunks,
            "by_id": {c.id: c for c in chunks},
            "bm25": bm25,
            "sentences_by_id": {s.id: s for s in sentences},
            "order": sentences,
            "position": {s.id: i for i, s in enumerate(sentences)},
            "questions_by_id": {q["id"]: Question(**q) for q in manifest.get("questions", [])},
            "memo_lock": threading.RLock(),  # re-entrant: one memo's build may use another
        }

    @property
    def generation(self) -> str:
        return self._current()["generation"]

    def ensure(self, progress: Progress | None = None) -> IndexReport | None:
        """Build the index if there is none yet (or it is damaged); otherwise do nothing.

        Checked once per process: the check reads the manifest and asks the store for a count,
        too slow to repeat on every question. Later builds by other processes are picked up
        by _current()."""
        if self._ready:
            return None
        if self._up_to_date():
            self._ready = True
            return None
        # Another process may be writing the index right now: wait for it, then look again.
        with self._lock():
            if self._up_to_date():
                self._ready = True
                return None
        report = self.build(progress=progress)
        self._ready = True
        return report

    def memo(self, name: str, build: Callable[[Index], object]):
        """A value derived from the loaded generation, worked out once per generation."""
        state = self._current()
        if name not in state:
            # One build per generation: the calls that arrive meanwhile wait for it rather
            # than each doing the same work at once.
            with state["memo_lock"]:
                if name not in state:
                    state[name] = build(self)
        return state[name]

    # -- searching --------------------------------------------------------

    @property
    def chunks(self) -> list[Chunk]:
        return self._current()["chunks_list"]

    @property
    def all_sentences(self) -> list[Sentence]:
        return self._current()["order"]

    @property
    def stored_questions(self) -> list[Question]:
        """The questions the articles say they answer (corpus/<article>.questions.jsonl)."""
        return list(self._current()["questions_by_id"].values())

    def sentences_after(self, sentence: Sentence, n: int) -> list[Sentence]:
        """The next `n` sentences of the same file, in reading order."""
        state = self._current()
        i = state["position"].get(sentence.id)
        if i is None:  # a sentence of the generation before
            return []
        return [s for s in state["order"][i + 1 : i + 1 + n] if s.doc == sentence.doc]

    def _query(self, grain: str, state: dict, **kwargs) -> tuple[dict, dict]:
        """A query of the state's collection; if the store moved on under it (the collection
        was dropped), once more against the generation in service now."""
        try:
            return state[grain].query(**kwargs), state
        except Exception:  # noqa: BLE001 - chromadb's NotFoundError and internal errors
            self._forget()
            fresh = self._current()
            if fresh is state:
                raise
            return fresh[grain].query(**kwargs), fresh

    def retrieve(self, query: str, k: int = 6, pool: int = 20) -> Retrieval:
        state = self._current()
        vector = self.embedder.embed([query])[0]
        if not state["chunks_list"]:
            return Retrieval(query, vector, [], {}, {}, state)
        n = min(pool, len(state["chunks_list"]))
        hits, state = self._query(
            "chunks", state, query_embeddings=[vector.tolist()], n_results=n, include=["distances"]
        )
        chunks: list[Chunk] = state["chunks_list"]
        dense_ids = [i for i in hits["ids"][0] if i in state["by_id"]]
        similarity = {
            i: 1.0 - float(d) for i, d in zip(hits["ids"][0], hits["distances"][0], strict=True)
        }
        tokens = search_terms(query)
        scores = state["bm25"].get_scores(tokens) if tokens else np.zeros(len(chunks))
        order = np.argsort(-scores)[:n]
        lexical = {chunks[i].id: float(scores[i]) for i in order if scores[i] > 0}
        fused: dict[str, float] = {}
        for rank, cid in enumerate(dense_ids):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, cid in enumerate(lexical):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=lambda cid: -fused[cid])[:k]
        passages = [_passage(state["by_id"][cid], fused[cid]) for cid in best]
        return Retrieval(query, vector, passages, similarity, lexical, state)

    def search(self, query: str, k: int = 6) -> list[Passage]:
        return self.retrieve(query, k).passages

    def sentences(
        self, retrieval: Retrieval, n: int = 30, chunk_ids: list[str] | None = None
    ) -> list[tuple[Sentence, float]]:
        """The sentences nearest the query (within `chunk_ids` if given), with their cosine,
        from the same generation as the retrieval."""
        if chunk_ids is not None and not chunk_ids:
            return []
        state = retrieval.state if retrieval.state is not None else self._current()
        hits, state = self._query(
            "sentences",
            state,
            query_embeddings=[retrieval.vector.tolist()],
            n_results=n,
            where={"chunk": {"$in": list(chunk_ids)}} if chunk_ids else None,
            include=["distances"],
        )
        known = state["sentences_by_id"]
        return [
            (known[i], 1.0 - float(d))
            for i, d in zip(hits["ids"][0], hits["distances"][0], strict=True)
            if i in known
        ]

    def questions(self, retrieval: Retrieval, n: int = 20) -> list[tuple[Question, float]]:
        """The stored questions nearest the query, with their cosine, from the same
        generation as the retrieval; none when no article has a questions file."""
        state = retrieval.state if retrieval.state is not None else self._current()
        known = state["questions_by_id"]
        if not known:
            return []
        hits, state = self._query(
            "questions",
            state,
            query_embeddings=[retrieval.vector.tolist()],
            n_results=min(n, len(known)),
            include=["distances"],
        )
        known = state["questions_by_id"]
        return [
            (known[i], 1.0 - float(d))
            for i, d in zip(hits["ids"][0], hits["distances"][0], strict=True)
            if i in known
        ]


def _meta(s: Sentence) -> dict:
    return {"doc": s.doc, "title": s.title, "section": s.section, "start": s.start, "end": s.end}


def _passage(chunk: Chunk, score: float) -> Passage:
    return Passage(
        id=chunk.id,
        text=chunk.text,
        doc=chunk.doc,
        title=chunk.title,
        section=chunk.section,
        start=chunk.start,
        end=chunk.end,
        score=score,
    )
