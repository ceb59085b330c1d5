"""Generated motifs are cached on disk; the files composed are the same either way."""

from __future__ import annotations

import json

import pytest

import motifgen
from motifgen import cache
from motifgen.cli import main


@pytest.fixture
def folder(tmp_path, monkeypatch):
    path = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(path))
    return path


def _compose(example, out, *extra):
    args = ["compose", str(example), "-q", "-o", str(out), "--format", "mid,json", *extra]
    assert main(args) == 0
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_a_second_load_reads_the_generated_motifs_from_the_cache(example, folder, monkeypatch):
    first = motifgen.load(example)
    entries = sorted(folder.glob("motif-*.json"))
    generated = [m for m in first.motifs.values() if m.generated]
    assert len(entries) == len(generated) >= 2

    import motifgen.generate.sampler as gen

    def refuse(*a, **k):
        raise AssertionError("generated again although cached")

    monkeypatch.setattr(gen, "generate_motif", refuse)
    second = motifgen.load(example)
    for name, m in first.motifs.items():
        again = second.motifs[name]
        assert again.motif == m.motif and again.motif.name == m.motif.name
        assert again.key == m.key and again.motif.key == m.motif.key


def test_files_are_byte_identical_with_and_without_the_cache(example, folder, tmp_path):
    cold = _compose(example, tmp_path / "cold")          # fills the cache
    warm = _compose(example, tmp_path / "warm")          # reads it
    off = _compose(example, tmp_path / "off", "--no-cache")
    assert cold == warm == off
    assert len(list(folder.glob("motif-*.json"))) >= 2


def test_no_cache_writes_no_entry(example, folder, tmp_path):
    _compose(example, tmp_path / "out", "--no-cache")
    assert not folder.exists() or not list(folder.iterdir())
    assert cache.folder() == folder  # the setting is back after the command


def test_a_corrupt_entry_is_ignored_and_written_anew(example, folder):
    motifgen.load(example)
    entries = sorted(folder.glob("motif-*.json"))
    for bad, path in zip([b"{not json", b'{"rows": 3}', b""], entries):
        path.write_bytes(bad)
    fresh = motifgen.load(example)
    assert all(m.motif is not None for m in fresh.motifs.values())
    for path in entries:
        json.loads(path.read_text())  # rewritten whole


def test_another_version_of_the_code_reads_no_old_entry(example, folder, monkeypatch):
    motifgen.load(example)
    before = set(folder.glob("motif-*.json"))
    monkeypatch.setattr(cache, "code_digest", lambda: "another build")
    motifgen.load(example)
    after = set(folder.glob("motif-*.json"))
    assert len(after) == 2 * len(before)


def test_an_unwritable_cache_folder_only_costs_time(example, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    assert motifgen.load(example).motifs
