"""The advice a rewrite applied, quoted from the guidance.

A rewrite turns blame into an I-statement, contempt into plain words, a demand into one
request: each is advice the guidance gives. The search for it is the same for both engines:
the draft's main finding picks what to look for (lexicon/advice.yaml), the index finds the
passages, and the sentence nearest the search inside them is cited verbatim. The model
engine gives the model those passages and checks the quote it says it applied.
"""

from __future__ import annotations

from helper.lexicon import load
from helper.results import Citation, Finding, Passage
from helper.retrieval.citations import cite
from helper.retrieval.index import Index

PASSAGES_K = 3


def advice_query(findings: list[Finding]) -> str:
    data = load("advice.yaml")
    for finding in findings:
        if finding.kind in data["kinds"]:
            return data["kinds"][finding.kind]
    return data["default"]


def advice_passages(index: Index, findings: list[Finding]) -> list[Passage]:
    """The passages on the way of speaking the draft needs (memoized per index generation)."""
    query = advice_query(findings)
    found = index.memo(f"advice:{query}", lambda ix: ix.retrieve(query, k=PASSAGES_K))
    return found.passages


def advice_citation(index: Index, findings: list[Finding]) -> Citation | None:
    """The one sentence of the guidance that the rewrite applies, cited verbatim."""
    query = advice_query(findings)

    def nearest(ix: Index) -> Citation | None:
        found = ix.retrieve(query, k=PASSAGES_K)
        by_id = {p.id: p for p in found.passages}
        for sentence, _ in ix.sentences(found, n=5, chunk_ids=list(by_id)):
            if len(sentence.text.split()) >= 5:
                citation = cite(1, by_id[sentence.chunk], sentence.text.strip())
                if citation is not None:
                    return citation
        return None

    return index.memo(f"advice-citation:{query}", nearest)
