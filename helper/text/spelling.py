"""A question's misspelt and texting words read as the words the guidance uses, before it is
searched: "how do i get the sparc back in the bedrom" is searched as "... spark back in the
bedroom". Embeddings and word matches both miss a word spelt another way.

Pure logic: the vocabulary (the guidance's words and its stored questions', with their
counts) and the shorthand (phrasings.yaml's `typos`: "u", "shud", "bc") are given. A word is
left as typed when the English word lists or the vocabulary know it, so only words that are
no word at all are corrected, and only to a word of the guidance one edit away (two for words
of six letters or more); of several, the nearest, then the commonest in the guidance.

Candidates are found by deletions (the symmetric-delete method): every word of the vocabulary
is filed under the strings left by deleting up to two of its letters, and a typed word looks
up its own deletions. Generating every insertion and substitution instead took 0.8 s for one
long unknown word.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations

from lemminflect import getAllLemmas

from helper.text.normalize import fold

_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_WITHOUT = re.compile(r"\bw/o\b", re.IGNORECASE)  # split into "w", "o" it became "with/o"
MIN_LENGTH = 4  # shorter unknown words are names or shorthand, not misspellings
TWO_EDITS_FROM = 6
MAX_WORD = 20  # longer strings are not misspelt words (a URL, a key mashed)
MAX_CORRECTED = 30  # words corrected in one text; the rest are left as typed


def vocabulary(texts: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_WORD.findall(fold(text)))
    return counts


def _deletions(word: str, most: int) -> set[str]:
    out = {word}
    for n in range(1, min(most, len(word) - 1) + 1):
        for cut in combinations(range(len(word)), n):
            out.add("".join(ch for i, ch in enumerate(word) if i not in cut))
    return out


def distance(a: str, b: str) -> int:
    """Edits from a to b: insertions, deletions, substitutions and swaps of neighbours."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            best = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, rows[-2][j - 2] + 1)
            row.append(best)
        rows.append(row)
    return rows[-1][-1]


class Speller:
    def __init__(self, counts: Counter[str], shorthand: dict[str, str]) -> None:
        self.counts = counts
        self.shorthand = {k.lower(): v for k, v in shorthand.items()}
        self.filed: dict[str, set[str]] = defaultdict(set)
        for word in counts:
            if len(word) >= MIN_LENGTH - 1:
                for deleted in _deletions(word, 2):
                    self.filed[deleted].add(word)
        self.word = lru_cache(maxsize=4096)(self._word)

    def known(self, word: str) -> bool:
        return self.counts[word] > 0 or bool(getAllLemmas(word))

    def _word(self, word: str) -> str:
        """The word the guidance would use for `word`, or `word` itself."""
        low = word.lower()
        if low in self.shorthand:
            return self.shorthand[low]
        if not MIN_LENGTH <= len(low) <= MAX_WORD or self.known(low):
            return word
        most = 2 if len(low) >= TWO_EDITS_FROM else 1
        near = {w for d in _deletions(low, most) for w in self.filed.get(d, ())}
        scored = [(distance(low, w), -self.counts[w], w) for w in near]
        scored = [s for s in scored if s[0] <= most]
        return min(scored)[2] if scored else word

    def correct(self, text: str) -> str:
        text = _WITHOUT.sub("without", text)
        seen = 0

        def one(m: re.Match) -> str:
            nonlocal seen
            seen += 1
            if seen > MAX_CORRECTED or (m.start() > 0 and m.group()[0].isupper()):
                return m.group()  # a capital inside the text is a name ("Dave", not "have")
            return self.word(m.group())

        return _WORD.sub(one, text)
