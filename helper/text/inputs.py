"""Checks on what a person typed, before any engine sees it.

The text is validated, never altered, so that finding offsets stay offsets into the input.
"""

from __future__ import annotations

import unicodedata

from helper.errors import InputError
from helper.text.normalize import clean


def _is_noise(ch: str) -> bool:
    if ch in "\n\r\t":
        return False
    return ch == "\ufffd" or unicodedata.category(ch) in {"Cc", "Cs", "Co", "Cn"}


def check_text(text: object, *, what: str, limit: int) -> str:
    """Return `text` unchanged if an engine can work on it; raise InputError saying why not."""
    if text is None:
        raise InputError(f"The {what} is empty: type or paste some text.")
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"The {what} is not readable text (it is not valid UTF-8). Paste it as plain text."
            ) from exc
    if not isinstance(text, str):
        raise InputError(f"The {what} must be text, not {type(text).__name__}.")
    if not text.strip():
        raise InputError(f"The {what} is empty: type or paste some text.")
    if len(text) > limit:
        raise InputError(
            f"The {what} is {len(text):,} characters long; the limit is {limit:,}. "
            f"Shorten it, or split it into parts."
        )
    noise = sum(1 for ch in text if _is_noise(ch))
    if noise > max(2, len(text) // 20):
        raise InputError(
            f"The {what} looks like binary data rather than text. Paste it as plain text."
        )
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        raise InputError(
            f"The {what} contains a broken character (half of an emoji or symbol). "
            "Copy it again, or retype that part."
        )
    # Zero-width and control characters only: nothing a person could read.
    if all(ch.isspace() or _is_noise(ch) for ch in text) or not clean(text).strip():
        raise InputError(f"The {what} is empty: type or paste some text.")
    return text
