"""Settings, read once from the environment, with defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from helper.errors import ConfigError

# Citations name corpus files relative to this folder: the checkout (corpus/x.md), or, for an
# installed package, site-packages (helper/guidance/x.md). Both read back with read_doc().
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
# The default guidance ships in the wheel as helper/guidance/ (pyproject.toml maps corpus/ there).
IN_CHECKOUT = (REPO_ROOT / "pyproject.toml").is_file()

# Input limits: long enough for any real message, short enough to keep every call fast.
MAX_DRAFT_CHARS = 4000
MAX_QUESTION_CHARS = 1000
MAX_TOPIC_CHARS = 500


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    data_dir: Path
    engine: str  # auto, offline, llm
    embeddings: str  # local, openai
    openai_api_key: str | None
    openai_base_url: str | None
    chat_model: str
    embedding_model: str
    llm_timeout: float
    llm_retries: int
    chroma_host: str | None
    chroma_port: int
    collection: str
    host: str
    port: int
    auth: str | None
    region: str = "general"  # whose help lines a safety response gives: general, US, UK

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def use_llm(self) -> bool:
        if self.engine == "offline":
            return False
        if self.engine == "llm":
            return True
        return self.llm_configured


def from_env(env: dict[str, str] | None = None) -> Settings:
    """Build settings from `env` (default: os.environ)."""
    e = os.environ if env is None else env
    engine = e.get("HELPER_ENGINE", "auto").strip().lower() or "auto"
    if engine not in {"auto", "offline", "llm"}:
        raise ConfigError(f"HELPER_ENGINE must be auto, offline or llm, not {engine!r}")
    embeddings = e.get("HELPER_EMBEDDINGS", "local").strip().lower() or "local"
    if embeddings not in {"local", "openai"}:
        raise ConfigError(f"HELPER_EMBEDDINGS must be local or openai, not {embeddings!r}")
    if embeddings == "openai" and not e.get("OPENAI_API_KEY"):
        raise ConfigError("HELPER_EMBEDDINGS=openai needs OPENAI_API_KEY to be set")
    try:
        chroma_port = int(e.get("CHROMA_PORT", "8000"))
        port = int(e.get("HELPER_PORT", "7860"))
        timeout = float(e.get("HELPER_LLM_TIMEOUT", "20"))
        retries = int(e.get("HELPER_LLM_RETRIES", "1"))
    except ValueError as exc:
        raise ConfigError(
            "CHROMA_PORT, HELPER_PORT, HELPER_LLM_TIMEOUT and HELPER_LLM_RETRIES must be numbers"
        ) from exc
    corpus_default = REPO_ROOT / "corpus" if IN_CHECKOUT else PACKAGE_DIR / "guidance"
    data_default = REPO_ROOT / ".helper" if IN_CHECKOUT else _user_data_dir(e)
    return Settings(
        corpus_dir=_path_from(e, "HELPER_CORPUS_DIR", corpus_default),
        data_dir=_path_from(e, "HELPER_DATA_DIR", data_default),
        engine=engine,
        embeddings=embeddings,
        openai_api_key=e.get("OPENAI_API_KEY") or None,
        openai_base_url=e.get("OPENAI_BASE_URL") or None,
        chat_model=e.get("HELPER_CHAT_MODEL", "gpt-4o-mini"),
        embedding_model=e.get("HELPER_EMBEDDING_MODEL", "text-embedding-3-small"),
        llm_timeout=timeout,
        llm_retries=retries,
        chroma_host=e.get("CHROMA_HOST") or None,
        chroma_port=chroma_port,
        collection=e.get("HELPER_COLLECTION", "guidance"),
        host=e.get("HELPER_HOST", "127.0.0.1"),
        port=port,
        auth=e.get("HELPER_AUTH") or None,
        region=_region(e.get("HELPER_REGION", "")),
    )


def _region(value: str) -> str:
    from helper.lexicon import load

    regions = {name.upper(): name for name in load("resources.yaml")["regions"]}
    value = value.strip()
    if not value or value.lower() == "general":
        return "general"
    if value.upper() not in regions:
        known = ", ".join(["general", *regions.values()])
        raise ConfigError(f"HELPER_REGION must be one of {known}, not {value!r}")
    return regions[value.upper()]


def _user_data_dir(env) -> Path:
    # An installed package must not write into site-packages: the index goes with user data.
    base = env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "couples-helper"


def _path_from(env, name: str, default: Path) -> Path:
    value = env.get(name)
    path = Path(value).expanduser().resolve() if value else default
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{name} is {path}, which is a file: set it to a folder")
    return path


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings, read once."""
    return from_env()
