"""The studio's web application: the page, a JSON API over a `Session`, the takes'
files, and a stream of server-sent events that tells the page when to redraw.

No route takes a file name: scenes, characters and takes are looked up by id in
the session, the page's own files come from a fixed table of package data, and
every composed file is served from memory. The only file ever written is the
project file, by `Session.keep`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ..errors import MotifgenError
from . import render
from .draft import Edit
from .guard import Guard
from .session import Session, Take, error_line

#: The page's files: URL name -> (package file, media type).
PAGE_FILES = {"studio.js": "text/javascript", "studio.css": "text/css"}
#: A take's downloads: suffix -> (media type, how it is made from the score).
DOWNLOADS: dict[str, tuple[str, Callable[[Any], bytes] | None]] = {
    "mid": ("audio/midi", None),
    "musicxml": ("application/vnd.recordare.musicxml+xml", render.musicxml_bytes),
    "wav": ("audio/wav", render.wav_bytes),
}
#: Seconds between looks at the project file on disk, and between event-stream checks.
WATCH_SECONDS = 0.3


def _static(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


def _fail(e: Exception, status: int = 400) -> JSONResponse:
    """A user's mistake as the command line's one line."""
    line = error_line(e) if isinstance(e, MotifgenError) else f"motifgen: {e}"
    return JSONResponse({"error": line}, status_code=status)


def _state(session: Session) -> dict[str, Any]:
    """The film for the timeline: scenes at their timecode with moods, characters and
    hits, the motifs, the unsaved edits, the error of the file on disk if any."""
    from ..moods import PRESETS

    project = session.project()
    data = session.draft_file().data
    scenes = []
    for s in project.scenes:
        scenes.append({
            "id": s.id, "title": s.title, "start": float(s.start), "end": float(s.end),
            "start_timecode": s.start_timecode, "end_timecode": s.end_timecode,
            "moods": list(s.moods), "featuring": list(s.featuring),
            "transform": dict(s.transform), "ending": s.ending,
            "hits": [{"label": h.label, "timecode": h.timecode, "seconds": float(h.seconds),
                      "downbeat": h.downbeat, "kind": h.kind, "field": f"hits.{i}.downbeat"}
                     for i, h in _file_positions(data, s, "hits", s.hits)],
            "sections": [{"label": x.label, "mood": x.mood, "timecode": x.timecode,
                          "field": f"sections.{i}.mood"}
                         for i, x in _file_positions(data, s, "sections", s.sections)]})
    return {
        "title": project.title, "file": session.path.name, "seed": project.seed,
        "version": session.version, "error": session.error, "notice": session.notice,
        "scenes": scenes, "moods": sorted(set(PRESETS) | set(project.custom_moods)),
        "motifs": {n: {"kind": m.kind, "generated": m.generated,
                       "suggestable": bool(m.archetype or m.traits), "notes": m.motif.spell()}
                   for n, m in project.motifs.items()},
        "edits": [e.describe() for e in session.edits], "undo": len(session.history) - 1,
    }


def _file_positions(data: Any, scene: Any, field: str, items: Any) -> list[tuple[int, Any]]:
    """Each of the scene's hits or sections with its position in the file's list (the
    loader sorts them by time; edits name the file's position). `data`: the draft's YAML."""
    from .draft import scene_index

    written = [str(h.get("at")) for h in
               data["scenes"][scene_index(data, scene.id)].get(field) or []]
    out: list[tuple[int, Any]] = []
    for item in items:
        i = next(j for j, at in enumerate(written)
                 if at == item.timecode and j not in {k for k, _ in out})
        out.append((i, item))
    return out


def _take_json(session: Session, take: Take) -> dict[str, Any]:
    plan = take.score.plan
    tmap = take.score.tempo_map
    secs = tmap.seconds_at
    return {
        "take": take.id, "scene": take.scene, "title": take.score.title,
        "seed": plan.seed, "roll": render.roll(take.score),
        "statements": [{**r.as_json(), "start": round(secs(r.start_beat), 3),
                        "end": round(secs(r.end_beat), 3)}
                       for r in plan.statements],
        "sections": [{"label": s.label, "mood": s.mood, "key": s.key,
                      "start": round(secs(s.start_beat), 3),
                      "chords": [{"symbol": c.symbol, "kind": c.kind,
                                  "start": round(secs(c.beat), 3)} for c in s.chords]}
                     for s in plan.sections],
        "hits": [h.as_json() for h in plan.hits],
        "tempi": sorted({round(b, 1) for b in tmap.bpms}),
        "files": {kind: _file_url(take, kind) for kind in DOWNLOADS},
    }


def _with_wav(session: Session, item: dict[str, Any]) -> dict[str, Any]:
    """A variation or candidate with the address of its take's WAV."""
    return {**item, "wav": _file_url(session.take(item["take"]), "wav")}


def _file_name(take: Take) -> str:
    return take.score.id


def _file_url(take: Take, kind: str) -> str:
    """Where the page gets a take's file (a scene id may hold any character a URL
    path must escape)."""
    return f"/take/{take.id}/{quote(_file_name(take), safe='')}.{kind}"


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as e:
        raise MotifgenError("expected a JSON object", "request") from e
    if not isinstance(body, dict):
        raise MotifgenError("expected a JSON object", "request")
    return body


def _edit_of(body: dict[str, Any]) -> Edit:
    """The edit a request's JSON body asks for."""
    return Edit(field=str(body.get("field", "")), value=body.get("value"),
                scene=body.get("scene"), name=body.get("name"), key=body.get("key"))


async def _call(fn: Callable[..., Any], *args: Any) -> Any:
    return await run_in_threadpool(fn, *args)


class _Studio:
    """The routes' handlers over one session (the page's token, the server's stop flag)."""

    def __init__(self, session: Session, token: str, stopping: Callable[[], bool]) -> None:
        self.session = session
        self.token = token
        self.stopping = stopping

    async def index(self, request: Request) -> Response:
        page = _static("index.html").decode("utf-8").replace("{{TOKEN}}", self.token)
        return Response(page, media_type="text/html; charset=utf-8",
                        headers={"cache-control": "no-store"})

    async def page_file(self, request: Request) -> Response:
        name = request.url.path.rsplit("/", 1)[-1]
        return Response(_static(name), media_type=PAGE_FILES[name])

    async def state(self, request: Request) -> Response:
        try:
            return JSONResponse(await _call(_state, self.session))
        except MotifgenError as e:
            return _fail(e)

    async def scene(self, request: Request) -> Response:
        try:
            take = await _call(self.session.compose, request.path_params["scene"])
        except MotifgenError as e:
            return _fail(e, 404 if "no scene" in e.message else 400)
        return JSONResponse(_take_json(self.session, take))

    async def take_file(self, request: Request) -> Response:
        try:
            take = self.session.take(request.path_params["take"])
        except KeyError:
            return PlainTextResponse("no such take in this session", status_code=404)
        name, _, kind = request.path_params["file"].rpartition(".")
        if kind not in DOWNLOADS or name != _file_name(take):
            return PlainTextResponse("no such file", status_code=404)
        media, make = DOWNLOADS[kind]
        try:
            data = (take.midi if make is None
                    else await _call(self.session.render, take, kind, make))
        except MotifgenError as e:
            return _fail(e, 503)
        disposition = "attachment" if "download" in request.query_params else "inline"
        return Response(data, media_type=media, headers={
            "content-disposition": f"{disposition}; filename*=UTF-8''{quote(name)}.{kind}",
            "cache-control": "private, max-age=3600"})

    async def notation(self, request: Request) -> Response:
        session = self.session
        try:
            take = session.take(request.path_params["take"])
        except KeyError:
            return PlainTextResponse("no such take in this session", status_code=404)

        def pages(score: Any) -> bytes:
            xml = session.render(take, "musicxml", render.musicxml_bytes)
            return json.dumps(render.notation_pages(xml)).encode()

        try:
            svgs = json.loads(await _call(session.render, take, "svg", pages))
        except MotifgenError as e:
            return _fail(e, 503)
        return JSONResponse({"pages": svgs})

    async def edit(self, request: Request) -> Response:
        try:
            body = await _json_body(request)
            await _call(self.session.change, _edit_of(body))
            return JSONResponse(await _call(_state, self.session))
        except MotifgenError as e:
            return _fail(e)

    async def undo(self, request: Request) -> Response:
        await _call(self.session.undo)
        return JSONResponse(await _call(_state, self.session))

    async def keep(self, request: Request) -> Response:
        try:
            kept = await _call(self.session.keep)
        except MotifgenError as e:
            return _fail(e, 409)
        return JSONResponse({"kept": kept, "state": await _call(_state, self.session)})

    async def preview(self, request: Request) -> Response:
        """A scene with one more edit, composed but not added to the draft (A/B)."""
        from .draft import check_edit

        try:
            body = await _json_body(request)
            change = check_edit(_edit_of(body))
            take = await _call(self.session.compose, str(body.get("scene")),
                               self.session.edits + (change,))
        except MotifgenError as e:
            return _fail(e)
        return JSONResponse(_take_json(self.session, take))

    async def variations(self, request: Request) -> Response:
        p = request.path_params
        try:
            found = await _call(self.session.variations, p["scene"], p["name"], 6)
        except MotifgenError as e:
            return _fail(e)
        return JSONResponse({"variations": [_with_wav(self.session, v) for v in found]})

    async def candidates(self, request: Request) -> Response:
        try:
            found = await _call(self.session.candidates, request.path_params["name"], 5)
        except MotifgenError as e:
            return _fail(e)
        return JSONResponse({"candidates": [_with_wav(self.session, c) for c in found]})

    async def events(self, request: Request) -> Response:
        """Server-sent events: `state` with the session's version whenever it changes."""
        session = self.session

        async def stream() -> Any:
            seen = None
            while not self.stopping() and not await request.is_disconnected():
                await run_in_threadpool(session.refresh)
                if session.version != seen:
                    seen = session.version
                    data = json.dumps({"version": seen, "error": session.error})
                    yield f"event: state\ndata: {data}\n\n"
                await asyncio.sleep(WATCH_SECONDS)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"cache-control": "no-store"})

    def routes(self) -> list[Route]:
        return [
            Route("/", self.index),
            *(Route(f"/static/{name}", self.page_file) for name in PAGE_FILES),
            Route("/api/state", self.state),
            Route("/api/scene/{scene}", self.scene),
            Route("/api/scene/{scene}/variations/{name}", self.variations),
            Route("/api/motif/{name}/candidates", self.candidates),
            Route("/api/edit", self.edit, methods=["POST"]),
            Route("/api/preview", self.preview, methods=["POST"]),
            Route("/api/undo", self.undo, methods=["POST"]),
            Route("/api/keep", self.keep, methods=["POST"]),
            Route("/api/events", self.events),
            Route("/take/{take}/notation", self.notation),
            Route("/take/{take}/{file}", self.take_file),
        ]


def create_app(session: Session, token: str, port: int, host: str = "127.0.0.1",
               stopping: Callable[[], bool] = lambda: False) -> Any:
    """The studio as an ASGI application behind its `Guard`."""
    routes = _Studio(session, token, stopping).routes()
    return Guard(Starlette(routes=routes), token, port, host)
