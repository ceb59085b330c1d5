"""A run that fails half way leaves yesterday's files as they were and nothing else behind."""

from __future__ import annotations

from pathlib import Path

import pytest

import motifgen.io.cuesheet
import motifgen.io.midi
from motifgen.cli import main
from motifgen.compose import compose_film
from motifgen.errors import MotifgenError
from tests.conftest import EXAMPLE

SCENES = ["1M2", "1M3"]


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in `folder` (hidden ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def yesterday(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("yesterday")
    compose_film(EXAMPLE, out, scene_ids=SCENES, progress=False)
    return _snapshot(out)


@pytest.fixture
def output(tmp_path: Path, yesterday: dict[str, bytes]) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    for name, data in yesterday.items():
        (out / name).write_bytes(data)
    return out


def _fail_on_call(n: int, real, error: BaseException):
    """`real`, except that its n-th call raises `error` (after the file was begun)."""
    calls = []

    def writer(score, path, *args, **kwargs):
        calls.append(path)
        if len(calls) == n:
            Path(path).write_bytes(b"half a file")
            raise error
        return real(score, path, *args, **kwargs)

    return writer


@pytest.mark.parametrize("error", [RuntimeError("disk on fire"), KeyboardInterrupt()],
                         ids=["error", "interrupt"])
def test_a_writer_failing_after_other_files_were_written(output, yesterday, monkeypatch, error):
    # the second MIDI file: 1M2.mid and 1M2.json of the new run are written by then
    monkeypatch.setattr(motifgen.io.midi, "write_midi",
                        _fail_on_call(2, motifgen.io.midi.write_midi, error))
    with pytest.raises(type(error)):
        compose_film(EXAMPLE, output, scene_ids=SCENES, seed=5, progress=False)
    assert _snapshot(output) == yesterday


def test_the_cue_sheet_failing_after_every_scene_was_written(output, yesterday, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device", "cue_sheet.csv")

    monkeypatch.setattr(motifgen.io.cuesheet, "write_cue_sheet", fail)
    with pytest.raises(MotifgenError, match="cannot write cue_sheet.csv: No space left on device"):
        compose_film(EXAMPLE, output, scene_ids=SCENES, seed=5, progress=False)
    assert _snapshot(output) == yesterday


def test_the_command_line_reports_the_failure_and_keeps_the_files(output, yesterday, monkeypatch,
                                                                  capsys):
    monkeypatch.setattr(motifgen.io.midi, "write_midi",
                        _fail_on_call(2, motifgen.io.midi.write_midi, RuntimeError("boom")))
    args = ["compose", str(EXAMPLE), "-o", str(output), "-q", "--seed", "5"]
    assert main(args + [a for s in SCENES for a in ("--scene", s)]) == 1
    assert capsys.readouterr().err.startswith("motifgen: internal error: RuntimeError: boom")
    assert _snapshot(output) == yesterday


def test_a_successful_run_replaces_the_files_and_leaves_no_staging_folder(output, yesterday):
    compose_film(EXAMPLE, output, scene_ids=SCENES, seed=5, progress=False)
    now = _snapshot(output)
    assert sorted(now) == sorted(yesterday)
    assert now["1M2.mid"] != yesterday["1M2.mid"]
