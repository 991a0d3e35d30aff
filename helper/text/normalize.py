"""The one normalizer: straight quotes and lower case, every character kept at its offset."""

from __future__ import annotations

import unicodedata

# Curly and look-alike quotes people's keyboards produce, each one character to one character,
# so offsets into the folded text are offsets into the original.
QUOTES = str.maketrans(
    {
        "\u2019": "'",  # ’
        "\u2018": "'",  # ‘
        "\u02bc": "'",  # ʼ
        "\u2032": "'",  # ′
        "`": "'",
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
    }
)


def straight_quotes(text: str) -> str:
    """`text` with curly quotes made straight; the same length."""
    return text.translate(QUOTES)


def one_line(text: str) -> str:
    """`text` with every run of whitespace made one space (YAML folded text, say)."""
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower case with straight quotes, every character kept at its offset."""
    text = text.translate(QUOTES)
    low = text.lower()
    if len(low) == len(text):
        return low
    # a few characters change length when lowered (U+0130); keep those as they are
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# Letters of other scripts that look like Latin ones, as typed to slip past a word check
# ("kіll" with a Cyrillic і). Only look-alikes of lower-case Latin letters, mapped one to one.
CONFUSABLES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I",
        "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x", "Ο": "O", "Α": "A", "Ε": "E", "Ι": "I", "Κ": "K", "Ν": "N",
        "Ρ": "P", "Τ": "T", "Χ": "X",
    }
)  # fmt: skip

_KEPT_CONTROLS = {"\n", "\t", "\r"}


def _hidden(ch: str) -> bool:
    # Zero-width and other format characters, controls (NUL included) and lone surrogates.
    return ch not in _KEPT_CONTROLS and unicodedata.category(ch) in {"Cf", "Cc", "Cs"}


def clean_with_positions(text: str) -> tuple[str, list[int]]:
    """`text` as the checks read it: NFKC, invisible characters removed, look-alike letters
    made Latin. `positions[i]` is the index in `text` of the character `clean[i]` came from,
    so spans found in the clean text map back onto what the person typed."""
    out: list[str] = []
    positions: list[int] = []
    for i, ch in enumerate(text):
        if _hidden(ch):
            continue
        for piece in unicodedata.normalize("NFKC", ch).translate(CONFUSABLES):
            out.append(piece)
            positions.append(i)
    return "".join(out), positions


def clean(text: str) -> str:
    """`text` as the checks read it (see clean_with_positions)."""
    return clean_with_positions(text)[0]
