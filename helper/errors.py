"""Every error the helper raises on purpose; each message says what is wrong in plain words."""

from __future__ import annotations

from pathlib import Path


class HelperError(Exception):
    """Base of the helper's own errors."""


class InputError(HelperError, ValueError):
    """A person's input that cannot be processed; the message says why in plain words."""


class ConfigError(HelperError, RuntimeError):
    """Configuration that cannot work; the message names the variable to set."""


class CorpusFileError(HelperError):
    """A corpus file that cannot be used; says which file and what is wrong with it."""

    def __init__(self, path: Path, problem: str):
        from helper.retrieval.corpus import doc_name  # the name a citation would give it

        self.path = Path(path)
        self.doc = doc_name(self.path)
        self.problem = problem
        super().__init__(f"{self.doc}: {problem}")


class IndexUnavailable(HelperError, RuntimeError):
    """The index cannot be built or read; the message says why and what to do."""


class PromptError(HelperError, ValueError):
    """A prompt file and the variables given to it do not match; the message names them."""


class LexiconError(HelperError, ValueError):
    """A lexicon data file that does not match its schema; names the file and the key."""


class ModelFault(HelperError):
    """The model's server or reply could not be used; the message says why, for the note."""
