"""The Python API: `from helper import rewrite, openers, ask` keeps working call after call."""

import helper
from helper.results import Citation
from helper.retrieval.citations import is_verbatim


def test_api_functions_survive_repeated_calls(index):
    for _ in range(2):
        assert isinstance(helper.rewrite("You never help with the dishes."), helper.RewriteResult)
        assert isinstance(helper.openers("we keep arguing about money"), helper.OpenersResult)
        assert isinstance(helper.ask("Can my relationship be saved?"), helper.AskResult)


def test_results_serialise_to_the_json_contract(index):
    r = helper.rewrite("You're so selfish, you only think about yourself.").to_dict()
    assert set(r) == {
        "input",
        "rewrite",
        "changed",
        "alternatives",
        "findings",
        "safety",
        "engine",
        "note",
        "guide",
        "advice",
    }
    assert r["advice"], "a rewritten draft cites the advice it applied"
    for c in r["advice"]:
        assert set(c) == {"n", "doc", "title", "section", "quote", "start", "end"}
        assert is_verbatim(Citation(**c))
    a = helper.ask("How can we set the mood for more intimacy?").to_dict()
    assert set(a) == {"question", "answer", "refused", "citations", "engine", "note", "safety"}
    assert set(a["citations"][0]) == {"n", "doc", "title", "section", "quote", "start", "end"}
    o = helper.openers("we keep arguing about money").to_dict()
    assert {"topic", "openers", "engine", "note", "safety"} <= set(o)
