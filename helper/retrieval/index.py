"""The guidance index: Chroma (dense) + BM25 (lexical), fused by reciprocal rank.

Two Chroma collections hold the same corpus at two grains: chunks, which are retrieved, and
the sentences inside them, which answers quote. Ids are content hashes, so building again
embeds only what is new and deletes only what is gone. A manifest beside the store keeps
the chunk texts for BM25 and records which embedder and chunker built the store.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
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
from helper.retrieval.corpus import corpus_files, doc_name, load_corpus
from helper.retrieval.embeddings import Embedder, get_embedder
from helper.text.tokens import search_terms

MANIFEST_VERSION = 1
MANIFEST_ID = "manifest"
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
class Retrieval:
    """What a search found: passages in fused order, and the raw signals behind the order."""

    query: str
    vector: np.ndarray
    passages: list[Passage]
    similarity: dict[str, float]  # chunk id -> cosine similarity to the query
    lexical: dict[str, float]  # chunk id -> BM25 score

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

    def _collection(self, grain: str):
        return self.client.get_or_create_collection(
            f"{self.settings.collection}-{grain}",
            metadata={"hnsw:space": "cosine", "embedder": self.embedder.name},
            embedding_function=None,
        )

    @cached_property
    def chunks_collection(self):
        return self._collection("chunks")

    @cached_property
    def sentences_collection(self):
        return self._collection("sentences")

    @contextmanager
    def _lock(self) -> Iterator[None]:
        # Two `helper index` runs at once would each add and delete ids; one waits for the other.
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
            self._manifest_collection.upsert(
                ids=[MANIFEST_ID], embeddings=[[0.0]], documents=[text]
            )
            return
        # Written to a temporary file and renamed, so a crash never leaves half a manifest.
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.manifest_path)

    def _delete_manifest(self) -> None:
        if self.settings.chroma_host:
            self._manifest_collection.delete(ids=[MANIFEST_ID])
        self.manifest_path.unlink(missing_ok=True)

    def _reset(self) -> None:
        """Drop the store and the manifest, so the next build starts fresh."""
        for grain in ("chunks", "sentences"):
            try:
                self.client.delete_collection(f"{self.settings.collection}-{grain}")
            except Exception:  # noqa: BLE001 - absent collections are what we want
                pass
        self.__dict__.pop("chunks_collection", None)
        self.__dict__.pop("sentences_collection", None)
        self._delete_manifest()
        self.__dict__.pop("_loaded", None)

    def _reset_local_store(self) -> None:
        # A corrupted embedded store cannot be repaired through its own API: remove its folder,
        # and drop Chroma's per-process cache of open stores so the next client opens a new one.
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
        self.__dict__.pop("client", None)
        self.__dict__.pop("chunks_collection", None)
        self.__dict__.pop("sentences_collection", None)
        shutil.rmtree(self.data_dir / "chroma", ignore_errors=True)
        self.manifest_path.unlink(missing_ok=True)

    # -- building ---------------------------------------------------------

    def build(self, rebuild: bool = False, progress: Progress | None = None) -> IndexReport:
        """Bring the store in line with the corpus; embeds only chunks it does not hold yet."""
        report = IndexReport()
        with self._lock():
            report.rebuilt_because = self._reason_to_rebuild(rebuild)
            if report.rebuilt_because:
                try:
                    self._reset()
                except Exception:  # noqa: BLE001 - the store itself is unreadable
                    self._reset_local_store()
            docs, errors = load_corpus(Path(self.settings.corpus_dir))
            report.errors = [str(e) for e in errors]
            report.files = len(docs)
            chunks: list[Chunk] = []
            sentences: list[Sentence] = []
            texts = {}
            for doc in docs:
                texts[doc.doc] = doc.text
                for chunk in chunk_document(doc):
                    chunks.append(chunk)
                    sentences.extend(split_sentences(chunk, doc.text))
            report.chunks, report.sentences = len(chunks), len(sentences)
            try:
                self._sync_all(report, chunks, sentences, progress)
            except Exception as exc:  # noqa: BLE001 - a damaged embedded store: start it afresh
                if self.settings.chroma_host:
                    raise IndexUnavailable(f"Could not write to the Chroma server: {exc}") from exc
                report.rebuilt_because = f"the vector store was damaged ({type(exc).__name__})"
                self._reset_local_store()
                self._sync_all(report, chunks, sentences, progress)
            self._write_manifest(
                {
                    "version": MANIFEST_VERSION,
                    "embedder": self.embedder.name,
                    "chunker": CHUNKER_VERSION,
                    "corpus_dir": str(self.settings.corpus_dir),
                    "docs": {d.doc: {"title": d.title, "sha256": d.sha256} for d in docs},
                    "chunks": [asdict(c) for c in chunks],
                    "sentences": [asdict(s) for s in sentences],
                }
            )
            self.__dict__.pop("_loaded", None)
        return report

    def _sync_all(
        self,
        report: IndexReport,
        chunks: list[Chunk],
        sentences: list[Sentence],
        progress: Progress | None,
    ) -> None:
        report.deleted_chunks, report.embedded_chunks = self._sync(
            self.chunks_collection,
            [(c.id, embed_text(c.section, c.text), c.text, c.metadata()) for c in chunks],
            "chunks",
            progress,
        )
        report.deleted_sentences, report.embedded_sentences = self._sync(
            self.sentences_collection,
            [
                (s.id, sentence_context(sentences, i), s.text, {**_meta(s), "chunk": s.chunk})
                for i, s in enumerate(sentences)
            ],
            "sentences",
            progress,
        )

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
            count = self.chunks_collection.count()
        except Exception as exc:  # noqa: BLE001 - any failure here means a damaged store
            return f"the vector store could not be read ({type(exc).__name__})"
        if count != len(manifest.get("chunks", [])):
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
        built = {doc: info.get("sha256") for doc, info in manifest.get("docs", {}).items()}
        try:
            now = {doc_name(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
        except OSError:
            return True
        return now != built

    def _sync(self, collection, items, label: str, progress: Progress | None) -> tuple[int, int]:
        existing = set(collection.get(include=[])["ids"])
        wanted = {item[0] for item in items}
        stale = sorted(existing - wanted)
        if stale:
            collection.delete(ids=stale)
        new = [item for item in items if item[0] not in existing]
        for i in range(0, len(new), EMBED_BATCH):
            batch = new[i : i + EMBED_BATCH]
            vectors = self.embedder.embed([item[1] for item in batch])
            collection.add(
                ids=[item[0] for item in batch],
                embeddings=vectors.tolist(),
                documents=[item[2] for item in batch],
                metadatas=[item[3] for item in batch],
            )
            if progress:
                progress(f"embedding {label}", min(i + EMBED_BATCH, len(new)), len(new))
        return len(stale), len(new)

    # -- searching --------------------------------------------------------

    @cached_property
    def _loaded(self) -> dict:
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
        return {
            "chunks": chunks,
            "by_id": {c.id: c for c in chunks},
            "bm25": bm25,
            "sentences": {s.id: s for s in sentences},
            "order": sentences,
            "position": {s.id: i for i, s in enumerate(sentences)},
        }

    def ensure(self, progress: Progress | None = None) -> IndexReport | None:
        """Build the index if there is none yet (or it is damaged); otherwise do nothing.

        Checked once per process: the check reads the manifest and asks the store for a count,
        too slow to repeat on every question."""
        if self._ready:
            return None
        if self._up_to_date():
            self._ready = True
            return None
        # Another process may be writing the index right now: wait for it, then look again.
        with self._lock():
            if self._up_to_date():
                self.__dict__.pop("_loaded", None)  # read the manifest it wrote
                self._ready = True
                return None
        report = self.build(progress=progress)
        self._ready = True
        return report

    def memo(self, name: str, build: Callable[[Index], object]):
        """A value derived from the loaded index, worked out once per load: a rebuild,
        which loads afresh, drops it with the rest."""
        loaded = self._loaded
        if name not in loaded:
            loaded[name] = build(self)
        return loaded[name]

    @property
    def chunks(self) -> list[Chunk]:
        return self._loaded["chunks"]

    @property
    def all_sentences(self) -> list[Sentence]:
        return self._loaded["order"]

    def sentences_after(self, sentence: Sentence, n: int) -> list[Sentence]:
        """The next `n` sentences of the same file, in reading order."""
        i = self._loaded["position"][sentence.id]
        return [s for s in self._loaded["order"][i + 1 : i + 1 + n] if s.doc == sentence.doc]

    def retrieve(self, query: str, k: int = 6, pool: int = 20) -> Retrieval:
        loaded = self._loaded
        chunks: list[Chunk] = loaded["chunks"]
        vector = self.embedder.embed([query])[0]
        if not chunks:
            return Retrieval(query, vector, [], {}, {})
        n = min(pool, len(chunks))
        hits = self.chunks_collection.query(
            query_embeddings=[vector.tolist()], n_results=n, include=["distances"]
        )
        dense_ids = [i for i in hits["ids"][0] if i in loaded["by_id"]]
        similarity = {
            i: 1.0 - float(d) for i, d in zip(hits["ids"][0], hits["distances"][0], strict=True)
        }
        tokens = search_terms(query)
        scores = loaded["bm25"].get_scores(tokens) if tokens else np.zeros(len(chunks))
        order = np.argsort(-scores)[:n]
        lexical = {chunks[i].id: float(scores[i]) for i in order if scores[i] > 0}
        fused: dict[str, float] = {}
        for rank, cid in enumerate(dense_ids):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, cid in enumerate(lexical):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=lambda cid: -fused[cid])[:k]
        passages = [_passage(loaded["by_id"][cid], fused[cid]) for cid in best]
        return Retrieval(query, vector, passages, similarity, lexical)

    def search(self, query: str, k: int = 6) -> list[Passage]:
        return self.retrieve(query, k).passages

    def sentences(
        self, retrieval: Retrieval, n: int = 30, chunk_ids: list[str] | None = None
    ) -> list[tuple[Sentence, float]]:
        """The sentences nearest the query (within `chunk_ids` if given), with their cosine."""
        if chunk_ids is not None and not chunk_ids:
            return []
        hits = self.sentences_collection.query(
            query_embeddings=[retrieval.vector.tolist()],
            n_results=n,
            where={"chunk": {"$in": list(chunk_ids)}} if chunk_ids else None,
            include=["distances"],
        )
        known = self._loaded["sentences"]
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
