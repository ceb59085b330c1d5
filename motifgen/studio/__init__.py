"""`motifgen studio`: a local web page over a project to hear, compare, regenerate
and keep.

`session` holds the draft (unsaved edits of the project file, see `draft`) and
the takes composed from it, `render` turns a take into sound, notation and
piano-roll data, `app` is the Starlette application and `guard` the checks every
request passes (Host, token, same origin). `serve` runs it all under Uvicorn.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_PORT = 8765


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); port 0 takes a free one. One line when the
    address cannot be had."""
    from ..errors import MotifgenError

    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(info[0], socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[4])
        sock.listen(64)
    except OSError as e:
        raise MotifgenError(f"cannot listen on {host}:{port}: {e.strerror or e}; choose "
                            "another --port", "--port") from e
    return sock


def address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(project: str | Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          open_browser: bool = False, allow: Sequence[str | Path] = ()) -> None:
    """Load `project`, print the studio's address and serve until Ctrl-C."""
    from ..errors import ToolMissingError

    try:
        import starlette  # noqa: F401
        import uvicorn
        import verovio  # noqa: F401
    except ImportError as e:
        raise ToolMissingError(f"the studio needs {e.name}: pip install 'motifgen[studio]'",
                               "studio") from e

    from .app import create_app
    from .guard import new_token
    from .session import Session

    session = Session(project, allow)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    app = create_app(session, new_token(), port, host, stopping=lambda: server.should_exit)
    config = uvicorn.Config(app, log_level="warning", proxy_headers=False,
                            server_header=False, timeout_graceful_shutdown=2, lifespan="off")
    server = uvicorn.Server(config)
    url = address(host, port)
    print(f"motifgen studio: {session.path} at {url} (Ctrl-C stops)", flush=True)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(0.5, webbrowser.open, (url,)).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    print("motifgen studio: stopped", file=sys.stderr, flush=True)
