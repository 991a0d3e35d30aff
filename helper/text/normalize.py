"""The one normalizer: straight quotes and lower case, every character kept at its offset."""

from __future__ import annotations

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


def fold(text: str) -> str:
    """Lower case with straight quotes, every character kept at its offset."""
    text = text.translate(QUOTES)
    low = text.lower()
    if len(low) == len(text):
        return low
    # a few characters change length when lowered (U+0130); keep those as they are
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
