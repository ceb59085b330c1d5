"""The studio's server: its gate (Host, token, same origin), the draft and its undo,
keep (the file changes as said, `compose` then gives the MIDI heard, a failed write
changes nothing), live reload, and the command that starts and stops it."""

from __future__ import annotations

import difflib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

pytest.importorskip("starlette")

from starlette.testclient import TestClient  # noqa: E402

from motifgen.cli import main  # noqa: E402
from motifgen.studio.app import create_app  # noqa: E402
from motifgen.studio.draft import Edit  # noqa: E402
from motifgen.studio.guard import split_host  # noqa: E402
from motifgen.studio.session import Session  # noqa: E402

TOKEN = "t0ken"
PORT = 8765
ORIGIN = f"http://127.0.0.1:{PORT}"
SIGNED = {"x-motifgen-token": TOKEN, "origin": ORIGIN}
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "motifs" / "cartographer.yaml"
SCENE = "1M3"  # 40 s, two hits (one on any beat), one character


@pytest.fixture
def film(tmp_path: Path) -> Path:
    """A copy of the example film the studio may write into."""
    for name in ("cartographer.yaml", "compass.mid"):
        shutil.copy(EXAMPLE.parent / name, tmp_path / name)
    return tmp_path / "cartographer.yaml"


@pytest.fixture
def client(film: Path):
    session = Session(film)
    with TestClient(create_app(session, TOKEN, PORT), base_url=ORIGIN) as c:
        c.session = session
        yield c


def compose_from_disk(path: Path, scene: str) -> bytes:
    """What `motifgen compose --scene` writes as MIDI for `scene` of the file on disk."""
    import tempfile

    from motifgen.compose import compose_film

    with tempfile.TemporaryDirectory() as out:
        compose_film(path, out, scene_ids=[scene], formats=("mid",), progress=False)
        return (Path(out) / f"{scene}.mid").read_bytes()


# -- the gate ------------------------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example:8765", "127.0.0.1:9999", "127.0.0.1",
                                  "localhost.evil.example:8765", ""])
def test_a_foreign_host_header_is_refused_before_any_route(client, host):
    response = client.get("/api/state", headers={"host": host})
    assert response.status_code == 421
    assert "not this studio's address" in response.text


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765",
                                  "LOCALHOST:8765"])
def test_loopback_names_and_ip_literals_are_served(client, host):
    assert client.get("/api/state", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"origin": ORIGIN},
                                     {"x-motifgen-token": "wrong", "origin": ORIGIN},
                                     {"x-motifgen-token": TOKEN},
                                     {"x-motifgen-token": TOKEN, "origin": "http://evil.example"},
                                     {"x-motifgen-token": TOKEN, "origin": "null"}])
@pytest.mark.parametrize("path", ["/api/edit", "/api/keep", "/api/undo", "/api/preview"])
def test_a_write_without_the_token_and_the_studios_origin_is_refused(client, film, headers,
                                                                      path):
    before = film.read_bytes()
    client.session.change(Edit("seed", 3))
    response = client.post(path, json={"field": "seed", "value": 5}, headers=headers)
    assert response.status_code == 403
    assert film.read_bytes() == before
    assert client.session.edits == (Edit("seed", 3),)


def test_the_page_carries_the_token_and_every_answer_the_security_headers(client):
    page = client.get("/")
    assert f'content="{TOKEN}"' in page.text
    for response in (page, client.get("/api/state"), client.get("/nowhere")):
        assert response.headers["cross-origin-resource-policy"] == "same-origin"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd",
                                  "/static/index.html/../../../pyproject.toml",
                                  "/take/x/..%2f..%2fpyproject.toml", "/api/scene/..%2f..",
                                  "/take/../cartographer.yaml", "/cartographer.yaml",
                                  "/static/session.py"])
def test_no_path_from_a_request_reaches_the_file_system(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"motifgen:" not in response.content or b"no scene" in response.content
    assert b"root:" not in response.content and b"[project]" not in response.content


def test_a_take_serves_only_its_own_files(client):
    take = client.get(f"/api/scene/{SCENE}").json()
    assert client.get(take["files"]["mid"]).content[:4] == b"MThd"
    assert client.get(f"/take/{take['take']}/other.mid").status_code == 404
    assert client.get(f"/take/{take['take']}/{SCENE}.yaml").status_code == 404
    assert client.get(f"/take/{'0' * 20}/{SCENE}.mid").status_code == 404


def test_a_take_is_named_by_its_content_and_its_midi_is_the_file_compose_writes(film):
    import copy

    import numpy as np

    from motifgen.io.midi import score_to_bytes
    from motifgen.motif import Notes
    from motifgen.studio.session import Take

    session = Session(film)
    take = session.compose(SCENE)
    score = take.dressed
    # the same content with no object shared between its parts: the same take
    assert Take.of(copy.deepcopy(take.score), copy.deepcopy(score)).id == take.id
    part = next(p for p in score.parts if len(p.notes))
    n = part.notes
    softer = Notes(n.onset, n.duration, n.pitch, np.maximum(n.velocity - 1, 1))
    other = Take.of(take.score, replace(score, parts=tuple(
        replace(p, notes=softer) if p is part else p for p in score.parts)))
    assert other.id != take.id
    assert take.midi == score_to_bytes(score) == compose_from_disk(film, SCENE)


def test_a_take_composes_only_its_scene_when_the_cache_knows_the_others(film, tmp_path,
                                                                       monkeypatch,
                                                                       composed_scenes):
    """The film's template needs what every scene plays: after `motifgen compose` of the
    film, a session composes only the scene it plays (a long film's first take is one
    scene's time), and the take is still the file compose writes; an edit to another scene
    composes that one for the template."""
    from motifgen.cache import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    main(["compose", str(film), "-q", "-o", str(tmp_path / "out"), "--format", "mid"])
    composed = composed_scenes
    composed.clear()
    session = Session(film)
    take = session.compose(SCENE)
    assert composed == [SCENE]
    assert take.midi == (tmp_path / "out" / f"{SCENE}.mid").read_bytes()
    session.change(Edit("mood", "action", scene="1M1"))
    session.compose(SCENE)
    assert composed[1:] == ["1M1"]  # 1M3's own score is the one composed before


def test_split_host_reads_names_ports_and_ipv6():
    assert split_host("[::1]:80") == ("::1", 80)
    assert split_host("a.b:x") == ("a.b", None)


# -- the draft ------------------------------------------------------------------
def test_edits_recompose_and_undo_steps_back(client):
    first = client.get(f"/api/scene/{SCENE}").json()
    state = client.post("/api/edit", json={"field": "seed", "value": 12}, headers=SIGNED).json()
    assert state["seed"] == 12 and state["edits"] == ["seed = 12"] and state["undo"] == 1
    second = client.get(f"/api/scene/{SCENE}").json()
    assert second["take"] != first["take"] and second["seed"] == 12
    client.post("/api/edit", json={"scene": SCENE, "field": "hits.0.downbeat", "value": True},
                headers=SIGNED)
    assert client.post("/api/undo", json={}, headers=SIGNED).json()["edits"] == ["seed = 12"]
    assert client.post("/api/undo", json={}, headers=SIGNED).json()["seed"] == 11
    assert client.get(f"/api/scene/{SCENE}").json()["take"] == first["take"]


_STEPS = [Edit("seed", 3), Edit("seed", 5), Edit("transform.warden", "invert", scene=SCENE),
          Edit("transform.warden", "retrograde", scene=SCENE),
          Edit("transform.warden", None, scene=SCENE), Edit("mood", "tender", scene=SCENE),
          Edit("hits.0.downbeat", True, scene=SCENE), Edit("hits.0.downbeat", False, scene=SCENE),
          Edit("mood", "menacing", scene="2M2"), Edit("transform.mara", "invert", scene="2M2"),
          Edit("transform.mara", None, scene="2M2"),  # 2M2 has a transform in the file
          Edit("transform.mara", "retrograde", scene="2M2"),
          Edit("sections.0.mood", "heroic", scene="2M3"), Edit("mood", "wonder", scene="2M3")]


@pytest.fixture(scope="module")
def read_only_film(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("film")
    for name in ("cartographer.yaml", "compass.mid"):
        shutil.copy(EXAMPLE.parent / name, folder / name)
    return folder / "cartographer.yaml"


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.sampled_from(_STEPS), max_size=6))
def test_a_draft_edited_from_the_last_one_is_the_file_with_every_edit_made(read_only_film,
                                                                             steps):
    """The session makes a draft from the one before it where it can (no copy of the
    file): the bytes are those of a fresh copy with every edit made in turn."""
    from motifgen.studio.draft import edited

    session = Session(read_only_film)
    for edit in steps:
        edits = tuple(e for e in session.edits if e.target != edit.target) + (edit,)
        assert session.draft(edits) == edited(session.base(), edits).encoded()
        session.history.append(edits)
    assert session.draft() == edited(session.base(), session.edits).encoded()


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.sampled_from(_STEPS), max_size=6))
def test_a_draft_plays_as_the_loader_reads_its_file(read_only_film, steps):
    """A scene edit is set on the loaded data and only its scene read again: the project
    heard is the one the loader reads from the draft's bytes, moods in the same order."""
    from motifgen.project import load

    session = Session(read_only_film)
    for edit in steps:
        session.history.append(
            tuple(e for e in session.edits if e.target != edit.target) + (edit,))
        heard = session.project()
        assert heard == load(read_only_film, raw=session.draft())
        assert list(heard.moods) == list(load(read_only_film, raw=session.draft()).moods)


@pytest.mark.parametrize("edit, fragment", [
    ({"scene": SCENE, "field": "mood", "value": "menacng"}, "did you mean 'menacing'?"),
    ({"scene": SCENE, "field": "transform.warden", "value": "invrt"}, "unknown transform"),
    ({"scene": SCENE, "field": "transform.mara", "value": "invert"}, "not featured"),
    ({"scene": SCENE, "field": "title", "value": "x"}, "cannot change 'title'"),
    ({"field": "seed", "value": -1}, "expected a whole number"),
    ({"scene": "9Z9", "field": "mood", "value": "tender"}, "no scene '9Z9'"),
    ({"scene": SCENE, "field": "hits.0.downbeat", "value": "yes"}, "expected true or false"),
])
def test_a_bad_edit_is_the_command_lines_one_line_and_changes_nothing(client, edit, fragment):
    response = client.post("/api/edit", json=edit, headers=SIGNED)
    assert response.status_code == 400
    line = response.json()["error"]
    assert line.startswith("motifgen: ") and fragment in line and "\n" not in line
    assert client.session.edits == ()


# -- keep -----------------------------------------------------------------------
def test_keep_writes_what_the_page_listed_and_compose_gives_the_midi_heard(client, film):
    before = film.read_text(encoding="utf-8")
    variation = client.get(f"/api/scene/{SCENE}/variations/warden").json()["variations"][1]
    edit = {"scene": SCENE, "field": "transform.warden", "value": variation["chain"]}
    heard = client.post("/api/preview", json=edit, headers=SIGNED).json()
    state = client.post("/api/edit", json=edit, headers=SIGNED).json()
    assert state["edits"] == [f"{SCENE} transform.warden = {variation['chain']!r}"]
    played = client.get(client.get(f"/api/scene/{SCENE}").json()["files"]["mid"]).content
    assert client.get(heard["files"]["mid"]).content == played
    assert film.read_text(encoding="utf-8") == before  # nothing written before keep
    kept = client.post("/api/keep", headers=SIGNED).json()
    assert kept["kept"] == state["edits"] and kept["state"]["edits"] == []
    changed = [line for line in difflib.ndiff(before.splitlines(),
                                              film.read_text(encoding="utf-8").splitlines())
               if line[:1] in "+-"]
    assert changed == ["+     transform:", f'+       warden: "{variation["chain"]}"']
    assert compose_from_disk(film, SCENE) == played


def test_after_one_scenes_edit_every_scene_plays_as_compose_writes_it(client, film):
    """Another scene's score is reused from before the edit, but it still plays on the
    draft's template: a new mood for one scene can change every cue's tracks."""
    edit = {"scene": SCENE, "field": "mood", "value": "triumphant"}
    assert client.post("/api/edit", json=edit, headers=SIGNED).status_code == 200
    other = "2M2"
    played = client.get(client.get(f"/api/scene/{other}").json()["files"]["mid"]).content
    client.post("/api/keep", headers=SIGNED)
    assert compose_from_disk(film, other) == played


def test_keep_a_suggested_motif_keeps_comments_and_the_rest(client, film):
    before = film.read_text(encoding="utf-8")
    candidate = client.get("/api/motif/finch/candidates").json()["candidates"][2]
    edit = {"field": "motif", "name": "finch", "value": candidate["tiny"],
            "key": candidate["key"]}
    client.post("/api/edit", json=edit, headers=SIGNED)
    played = client.get(client.get("/api/scene/2M1").json()["files"]["mid"]).content
    client.post("/api/keep", headers=SIGNED)
    after = film.read_text(encoding="utf-8")
    assert f'    motif: "{candidate["tiny"]}"' in after.splitlines()
    assert all(line in after for line in before.splitlines() if line.lstrip().startswith("#"))
    assert compose_from_disk(film, "2M1") == played


def test_a_read_only_project_file_is_left_as_it_was(client, film):
    before = film.read_bytes()
    film.chmod(0o444)
    client.post("/api/edit", json={"field": "seed", "value": 4}, headers=SIGNED)
    response = client.post("/api/keep", headers=SIGNED)
    assert response.status_code == 409 and "read-only" in response.json()["error"]
    assert film.read_bytes() == before and (film.stat().st_mode & 0o777) == 0o444
    assert sorted(p.name for p in film.parent.iterdir()) == ["cartographer.yaml", "compass.mid"]
    assert client.session.edits == (Edit("seed", 4),)  # still there to keep later


def test_keep_refuses_when_the_file_changed_on_disk_unseen(client, film):
    client.post("/api/edit", json={"field": "seed", "value": 4}, headers=SIGNED)
    edited = film.read_text(encoding="utf-8").replace("title: The Cartographer's Daughter",
                                                      "title: Another title")
    film.write_text(edited, encoding="utf-8")
    response = client.post("/api/keep", headers=SIGNED)
    assert response.status_code == 409 and "changed on disk" in response.json()["error"]
    assert film.read_text(encoding="utf-8") == edited
    state = client.get("/api/state").json()  # reloaded, the edit made again on the new file
    assert state["title"] == "Another title" and state["edits"] == ["seed = 4"]


def test_keep_with_nothing_to_keep_writes_nothing(client, film):
    stamp = film.stat().st_mtime_ns
    assert client.post("/api/keep", headers=SIGNED).status_code == 409
    assert film.stat().st_mtime_ns == stamp


# -- live reload ------------------------------------------------------------------
def test_an_invalid_file_on_disk_is_the_cli_line_and_the_last_good_state_plays(client, film,
                                                                               capsys):
    take = client.get(f"/api/scene/{SCENE}").json()
    film.write_text(film.read_text(encoding="utf-8").replace("mood: suspense", "mood: suspens"),
                    encoding="utf-8")
    assert client.session.refresh()
    state = client.get("/api/state").json()
    assert main(["validate", str(film)]) == 2
    assert state["error"] == capsys.readouterr().err.strip()
    assert state["scenes"][2]["moods"] == ["suspense"]  # the last good file
    assert client.get(f"/api/scene/{SCENE}").json()["take"] == take["take"]
    assert client.post("/api/keep", headers=SIGNED).status_code == 409


def test_a_fixed_file_clears_the_error_and_drops_edits_that_no_longer_apply(client, film):
    client.post("/api/edit", json={"scene": SCENE, "field": "transform.warden",
                                   "value": "invert"}, headers=SIGNED)
    text = film.read_text(encoding="utf-8")
    film.write_text(text.replace("featuring: [warden]", "featuring: [mara]"), encoding="utf-8")
    assert client.session.refresh()
    state = client.get("/api/state").json()
    assert state["error"] is None and state["edits"] == []
    assert "no longer apply" in state["notice"]
    assert client.get("/api/state").json()["scenes"][2]["featuring"] == ["mara"]


def test_the_event_stream_announces_a_change_on_disk(film):
    import threading

    session = Session(film)
    app = create_app(session, TOKEN, PORT)
    seen: list[str] = []
    with TestClient(app, base_url=ORIGIN) as c:
        def touch() -> None:
            time.sleep(0.8)
            film.write_text(film.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")

        threading.Thread(target=touch).start()
        with c.stream("GET", "/api/events") as events:
            for line in events.iter_lines():
                if line.startswith("data:"):
                    seen.append(line)
                if len(seen) == 2:
                    break
    assert '"version": 0' in seen[0] and '"version": 1' in seen[1]


# -- the command ----------------------------------------------------------------------
def test_studio_binds_loopback_prints_its_address_and_ctrl_c_stops_it(film):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "motifgen", "studio", str(film),
                                "--port", "0"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith(f"motifgen studio: {film} at http://127.0.0.1:")
        url = line.split(" at ")[1].split()[0]
        for _ in range(50):
            try:
                page = urllib.request.urlopen(url, timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "motifgen-token" in page
        process.send_signal(signal.SIGINT)
        status = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert status == 130
    assert process.stderr.read().strip().splitlines()[-1] == "motifgen: interrupted"


def test_a_port_in_use_is_one_line(film, capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["studio", str(film), "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"motifgen: --port: cannot listen on 127.0.0.1:{port}")


def test_a_section_mood_and_a_hit_moved_onto_the_downbeat_recompose(client):
    before = client.get("/api/scene/2M3").json()
    client.post("/api/edit", json={"scene": "2M3", "field": "sections.0.mood",
                                   "value": "heroic"}, headers=SIGNED)
    after = client.get("/api/scene/2M3").json()
    moods = [s["mood"] for s in after["sections"]]
    assert moods[0] == "menacing" and moods[-1] == "heroic" and "tragic" not in moods
    assert after["take"] != before["take"]
    knock = client.get(f"/api/scene/{SCENE}").json()["hits"][0]
    assert knock["label"] == "Knock" and not knock["downbeat"]
    state = client.post("/api/edit", json={"scene": SCENE, "field": "hits.0.downbeat",
                                           "value": True}, headers=SIGNED).json()
    assert state["scenes"][2]["hits"][0]["downbeat"] is True
    hit = client.get(f"/api/scene/{SCENE}").json()["hits"][0]
    assert hit["downbeat"] and hit["on_bar_line"]


def test_without_fluidsynth_the_audio_is_one_clear_line(client, monkeypatch):
    import motifgen.io.audio

    monkeypatch.setattr(motifgen.io.audio.shutil, "which", lambda name: None)
    take = client.get(f"/api/scene/{SCENE}").json()
    response = client.get(take["files"]["wav"])
    assert response.status_code == 503
    line = response.json()["error"]
    assert line.startswith("motifgen: wav: the 'fluidsynth' program is not installed")
    assert client.get(take["files"]["mid"]).status_code == 200  # the rest still works


def test_a_project_that_does_not_load_is_one_line_and_no_server(tmp_path, capsys):
    bad = tmp_path / "film.yaml"
    bad.write_text("motifgen: 1\nscenes: []\n", encoding="utf-8")
    assert main(["studio", str(bad), "--port", "0"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"motifgen: {bad}: scenes: expected a list of at least one scene")


def test_a_scene_id_of_any_letters_downloads_under_its_own_name(film):
    text = film.read_text(encoding="utf-8").replace("id: 1M3", 'id: "夜 1M3 (+)"')
    film.write_text(text, encoding="utf-8")
    with TestClient(create_app(Session(film), TOKEN, PORT), base_url=ORIGIN) as c:
        take = c.get("/api/scene/" + quote("夜 1M3 (+)", safe="")).json()
        response = c.get(take["files"]["mid"] + "?download")
    assert response.status_code == 200 and response.content[:4] == b"MThd"
    assert response.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''%E5%A4%9C%201M3%20%28%2B%29.mid")
