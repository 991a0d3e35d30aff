"""The one template syntax, for lexicon phrasings and prompt files alike.

`{name}` is replaced by its value; `{name|default}` by the default when the value is empty;
`[kept|else]`, around at least one `{name}`, keeps `kept` when every name inside it has a
value and `else` (or nothing) otherwise, so the names inside it are optional. A name outside
such a part that the caller does not supply is an error that names the template, so a
misspelled slot fails loudly instead of vanishing. Brackets
with no `{name}` inside, such as a "[n]" marker in a prompt, are plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_SLOT = re.compile(r"\{(\w+)(?:\|([^{}]*))?\}")
_OPTIONAL = re.compile(r"\[((?:[^\[\]{}]|\{[^{}]*\})*\{[^{}]*\}(?:[^\[\]{}]|\{[^{}]*\})*)\]")


class TemplateError(KeyError):
    """A template names a variable that was not given; the message names both."""

    def __str__(self) -> str:
        return str(self.args[0])


def names(template: str) -> set[str]:
    """The variable names a template uses."""
    return {m.group(1) for m in _SLOT.finditer(template)}


def required(template: str) -> set[str]:
    """The variable names a template cannot do without: those outside every optional [part]."""
    return names(_OPTIONAL.sub("", template))


def check(template: str, *, where: str = "template") -> None:
    """Raise TemplateError when a brace in `template` is not part of a `{name}`."""
    if re.search(r"[{}]", _SLOT.sub("", template)):
        raise TemplateError(f"{where} {template!r} has a brace that is not part of a {{name}}")


def render(template: str, values: Mapping[str, object], *, where: str = "template") -> str:
    """`template` filled from `values`; raises TemplateError when a variable is missing."""
    check(template, where=where)
    missing = sorted(required(template) - values.keys())
    if missing:
        raise TemplateError(
            f"{where} {template!r} needs {', '.join(missing)}, which were not given"
        )

    def optional(m: re.Match) -> str:
        kept, _, other = _split_bar(m.group(1))
        return kept if all(values.get(n) for n in names(kept)) else other

    text = _OPTIONAL.sub(optional, template)
    return _SLOT.sub(lambda m: str(values.get(m.group(1)) or m.group(2) or ""), text)


def _split_bar(text: str) -> tuple[str, str, str]:
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "|" and depth == 0:
            return text[:i], "|", text[i + 1 :]
    return text, "", ""
