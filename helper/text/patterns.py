"""The one macro syntax of lexicon patterns: `@name` stands for the pattern `macros[name]`."""

from __future__ import annotations

import re

_MACRO = re.compile(r"@([a-z_]+)")
MAX_DEPTH = 5


def expand_macros(pattern: str, macros: dict[str, str], *, where: str = "pattern") -> str:
    """`pattern` with each @name written out as a group; an unknown name raises KeyError."""

    def expand(text: str, depth: int) -> str:
        if depth > MAX_DEPTH:
            raise ValueError(f"{where}: macros nest too deeply in {pattern!r}")

        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in macros:
                raise KeyError(f"{where}: unknown macro @{name} in {pattern!r}")
            return "(?:" + expand(macros[name], depth + 1) + ")"

        return _MACRO.sub(sub, text)

    return expand(pattern, 0)
