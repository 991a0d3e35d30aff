"""What Gradio's login leaves open, closed in front of it (an ASGI middleware).

- Failed logins are limited per client address: after `free` failures within `window`
  seconds that address gets 429 until the window has passed, before its password is even
  compared. (ThrottledLogin in page.py adds the per-name and overall limits; Gradio hands the
  password check no address.)
- The session heartbeat stream needs a login like every other route: Gradio serves it to
  anyone who knows the path.

The client address is the connection's own; a proxy's X-Forwarded-For is not trusted, since
anyone can send one.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

_LOGIN = re.compile(r"(?:^|/)login/?$")
_HEARTBEAT = re.compile(r"(?:^|/)heartbeat/[^/]+/?$")


class FailureLimit:
    """Failures per key within a sliding window; a clock may be given for tests."""

    def __init__(self, free: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.free, self.window, self.clock = free, window, clock
        self._times: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        times = [t for t in self._times.get(key, []) if now - t < self.window]
        if times:
            self._times[key] = times
        else:
            self._times.pop(key, None)
        return times

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key, self.clock())) >= self.free

    def failed(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(key, now)
            self._times.setdefault(key, []).append(now)
            if len(self._times) > 100_000:  # a flood of addresses must not grow it for ever
                oldest = min(self._times, key=lambda k: self._times[k][-1])
                self._times.pop(oldest)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._times.pop(key, None)


class LoginGuard:
    """ASGI middleware for the Gradio app; `scope["app"]` is that app (Starlette sets it)."""

    def __init__(self, app, free: int = 5, window: float = 60.0, clock=time.monotonic):
        self.app = app
        self.limit = FailureLimit(free, window, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        gradio_app = scope.get("app")
        if getattr(gradio_app, "auth", None) is None:  # no login configured: nothing to guard
            return await self.app(scope, receive, send)
        if _HEARTBEAT.search(path) and not _logged_in(scope, gradio_app):
            return await _plain(send, 401, "Log in first.")
        if scope.get("method") == "POST" and _LOGIN.search(path):
            return await self._login(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = (scope.get("client") or ("unknown", 0))[0]
        if self.limit.blocked(client):
            return await _plain(send, 429, "Too many failed logins from here: wait a minute.")
        status: list[int] = []

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] == 200:
            self.limit.succeeded(client)
        elif status and 400 <= status[0] < 500:
            self.limit.failed(client)


def _logged_in(scope: Scope, gradio_app) -> bool:
    cookies = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                cookies.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no login
                return False
    cookie_id = getattr(gradio_app, "cookie_id", "")
    tokens = getattr(gradio_app, "tokens", {})
    for key in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
        morsel = cookies.get(key)
        if morsel is not None and morsel.value in tokens:
            return True
    return False


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
