"""The studio's gate: every request is checked before any route sees it.

* **Host** (against DNS rebinding): the Host header must name the studio's port
  and a host no other site can point at it: ``localhost``, an IP literal, or the
  name given with ``--host``. A page from evil.example rebound to 127.0.0.1
  still sends ``Host: evil.example`` and is refused.
* **State-changing requests** (anything but GET and HEAD) must carry the
  server's token (``X-Motifgen-Token``, made afresh at every start and given
  only to the studio's own page) and an ``Origin`` that is the studio's own.
* Every answer says ``Cross-Origin-Resource-Policy: same-origin``, no sniffing,
  and a content policy that loads nothing from elsewhere.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

SAFE_METHODS = frozenset({"GET", "HEAD"})
TOKEN_HEADER = "x-motifgen-token"
SECURITY_HEADERS = [
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; font-src 'self' data:; "
     b"style-src 'self' 'unsafe-inline'; "
     b"frame-ancestors 'none'"),
]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def split_host(value: str) -> tuple[str, int | None]:
    """('127.0.0.1', 8765) from a Host header; a port of None when there is none or it is
    not a number.

    >>> split_host("[::1]:8765"), split_host("localhost:80"), split_host("example.org")
    (('::1', 8765), ('localhost', 80), ('example.org', None))
    """
    name, _, port = value.rpartition(":") if not value.endswith("]") else (value, "", "")
    if not name or (":" in name and not name.startswith("[")):  # no port, or bare IPv6
        name, port = value, ""
    name = name.strip("[]").lower()
    return name, int(port) if port.isdigit() else None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Guard:
    """ASGI middleware applying the checks in the module notes to `app`."""

    def __init__(self, app: Callable[..., Awaitable[None]], token: str, port: int,
                 host: str = "127.0.0.1") -> None:
        self.app, self.token, self.port, self.host = app, token, port, host.lower()

    def host_allowed(self, value: str) -> bool:
        name, port = split_host(value)
        return port == self.port and (name in ("localhost", self.host) or _is_ip(name))

    def refusal(self, scope: dict[str, Any]) -> tuple[int, str] | None:
        """(status, reason) when the request must be refused, else None."""
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if not self.host_allowed(host):
            return 421, f"host {host[:80]!r} is not this studio's address"
        if scope["method"] in SAFE_METHODS:
            return None
        if not secrets.compare_digest(headers.get(TOKEN_HEADER, "").encode(),
                                      self.token.encode()):
            return 403, "this request changes the studio's state and needs its token"
        if headers.get("origin") != f"http://{host}":
            return 403, "this request must come from the studio's own page (same origin)"
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":  # the studio has none: never opened
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self.refusal(scope)
        if refused is not None:
            status, reason = refused
            body = f"motifgen studio: {reason}\n".encode()
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode()),
                                    *SECURITY_HEADERS]})
            await send({"type": "http.response.body", "body": body})
            return

        async def secured(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, secured)
