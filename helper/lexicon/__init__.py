"""The lexicons: data files, each validated by its schema (schemas.py) when first loaded."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml
from pydantic import ValidationError

from helper.errors import LexiconError
from helper.lexicon.schemas import SCHEMAS

# Files whose patterns may use @name macros defined in their own `macros` table.
_MACRO_FILES = {"patterns.yaml", "safety.yaml"}
_MACRO = re.compile(r"@(\w+)")


@cache
def load(name: str) -> dict:
    """One lexicon file, parsed and validated once; raises LexiconError naming file and key."""
    if name not in SCHEMAS:
        raise LexiconError(f"{name}: no such lexicon (known: {', '.join(sorted(SCHEMAS))})")
    text = resources.files("helper.lexicon").joinpath(name).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LexiconError(f"{name}: not valid YAML ({exc})") from exc
    validate(name, data)
    return data


def validate(name: str, data: object) -> None:
    """Check `data` against the schema of lexicon file `name`."""
    try:
        SCHEMAS[name].model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        raise LexiconError(f"{name}: {problems}") from exc
    if name in _MACRO_FILES:
        _check_macros(name, data)


def _check_macros(name: str, data: dict) -> None:
    macros = data.get("macros", {})
    for path, value in _strings(data):
        if path[0] == "macros" or "@" not in value:
            continue
        unknown = sorted(set(_MACRO.findall(value)) - macros.keys())
        if unknown:
            where = ".".join(str(p) for p in path)
            raise LexiconError(f"{name}: {where} uses unknown macro(s) @{', @'.join(unknown)}")


def _strings(node, path=()):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, i))
