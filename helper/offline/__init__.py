"""The offline engine's logic: findings, the safety screen, rewriting, openers, answers."""

from helper.offline.engine import OfflineEngine

__all__ = ["OfflineEngine"]
