"""Every mistake in tests/data/bad/ is one clear line, exit status 2, and touches no output.

Each case is a small project file named for its mistake; expected.yaml gives the field
path and a fragment of the message. Most cases run through `motifgen.cli.main` in this
process; a handful (the YAML bomb, non-UTF-8 bytes, huge values) run the real command
in a subprocess with a timeout. A bug is exit status 1 with a hint to rerun with --debug.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from motifgen import cli
from motifgen.cli import main
from tests.conftest import EXAMPLE, ROOT

BAD = Path(__file__).parent / "data" / "bad"
EXPECTED: dict[str, dict] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
#: run as a separate process: the ones most likely to hang, eat memory or trip the decoder
IN_SUBPROCESS = {"yaml-billion-laughs", "yaml-recursive-alias", "not-utf8", "thousand-hits",
                 "scene-10000-bars", "too-many-notes", "corrupt-midi", "hits-too-close"}
SENTINEL = b"MThd yesterday's sketch"


def test_the_corpus_is_complete():
    cases = {p.stem for p in BAD.glob("*.yaml")} - {"expected"}
    assert cases == set(EXPECTED)
    assert len(cases) >= 40


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """An output folder holding yesterday's sketch."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "scene.mid").write_bytes(SENTINEL)
    return out


def _run(args: list[str], subprocess_: bool, capsys) -> tuple[int, str, str]:
    if not subprocess_:
        status = main(args)
        captured = capsys.readouterr()
        return status, captured.out, captured.err
    run = subprocess.run([sys.executable, "-m", "motifgen", *args], capture_output=True,
                         text=True, timeout=10, cwd=ROOT)
    return run.returncode, run.stdout, run.stderr


def _assert_one_line(err: str, path: Path, case: dict) -> None:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    prefix = f"motifgen: {path}: {case['field']}"
    assert lines[0].startswith(prefix), (lines[0], prefix)
    assert case["message"] in lines[0], lines[0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_is_one_line_and_exit_2(name, output, capsys):
    case, path = EXPECTED[name], BAD / f"{name}.yaml"
    in_subprocess = name in IN_SUBPROCESS
    started = time.monotonic()
    status, out, err = _run(["compose", str(path), "-o", str(output), "-q"], in_subprocess,
                            capsys)
    assert time.monotonic() - started < 10
    assert status == 2, err
    _assert_one_line(err, path, case)
    assert out == ""
    assert [p.name for p in output.iterdir()] == ["scene.mid"]
    assert (output / "scene.mid").read_bytes() == SENTINEL

    status, out, err = _run(["validate", str(path)], in_subprocess, capsys)
    assert status == 2 and out == ""
    _assert_one_line(err, path, case)


@pytest.mark.parametrize("what", ["a folder", "a missing file"])
def test_a_project_that_is_not_a_file(tmp_path, capsys, what):
    path = tmp_path if what == "a folder" else tmp_path / "nope.yaml"
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"motifgen: {path}: cannot read project file") and err.count("\n") == 1


def test_an_output_folder_that_is_a_file(tmp_path, capsys):
    out = tmp_path / "out"
    out.write_bytes(SENTINEL)
    assert main(["compose", str(EXAMPLE), "-o", str(out), "-q", "--scene", "1M2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"motifgen: {out}: cannot write the output folder")
    assert out.read_bytes() == SENTINEL


@pytest.mark.parametrize("name", ["motif-file-escapes", "motif-file-symlink-out"])
def test_allow_path_lets_a_motif_file_come_from_outside(name, capsys):
    path = BAD / f"{name}.yaml"
    assert main(["validate", str(path)]) == 2
    assert main(["validate", str(path), "--allow-path", str(EXAMPLE.parent)]) == 0
    assert "ok" in capsys.readouterr().out


def test_a_motif_file_inside_the_project_folder_needs_no_permission(tmp_path):
    from motifgen.io.motif_files import motif_path

    (tmp_path / "motifs").mkdir()
    (tmp_path / "motifs" / "a.mid").write_bytes(b"")
    assert motif_path("motifs/../motifs/a.mid", tmp_path) == tmp_path / "motifs/../motifs/a.mid"


def _boom(*args, **kwargs):
    raise ZeroDivisionError("an internal mistake")


def test_a_bug_is_exit_1_with_a_hint(monkeypatch, capsys):
    monkeypatch.setattr("motifgen.project.load", _boom)
    assert main(["validate", str(EXAMPLE)]) == 1
    err = capsys.readouterr().err
    assert err == ("motifgen: internal error: ZeroDivisionError: an internal mistake "
                   "(rerun with --debug for the traceback)\n")


@pytest.mark.parametrize("args", [["--debug", "validate", "{}"], ["validate", "{}", "--debug"]])
def test_debug_prints_the_traceback(monkeypatch, capsys, args):
    monkeypatch.setattr("motifgen.project.load", _boom)
    assert main([a.format(EXAMPLE) for a in args]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "_boom" in err
    assert err.splitlines()[-1] == ("motifgen: internal error: ZeroDivisionError: "
                                    "an internal mistake")


def test_interrupted_is_exit_130(monkeypatch, capsys):
    def interrupt(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "validate", interrupt)
    assert main(["validate", str(EXAMPLE)]) == 130
    assert capsys.readouterr().err == "motifgen: interrupted\n"


def test_a_bug_in_a_subprocess_is_one_line_too(tmp_path):
    """The real command: a bug (injected through sitecustomize) is one line and exit 1."""
    (tmp_path / "sitecustomize.py").write_text(
        "import motifgen.project\n"
        "def load(*a, **k):\n    raise RuntimeError('injected')\n"
        "motifgen.project.load = load\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    run = subprocess.run([sys.executable, "-m", "motifgen", "validate", str(EXAMPLE)],
                         capture_output=True, text=True, timeout=20, env=env, cwd=ROOT)
    assert run.returncode == 1
    assert run.stderr == ("motifgen: internal error: RuntimeError: injected "
                          "(rerun with --debug for the traceback)\n")
