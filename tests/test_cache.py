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


def _film(tmp_path, example, replace: tuple[str, str] = ("", "")):
    """A copy of the example film (its motif files too), with one piece of text replaced."""
    import shutil

    folder = tmp_path / "film"
    shutil.copytree(example.parent, folder, dirs_exist_ok=True)
    path = folder / example.name
    text = path.read_text(encoding="utf-8")
    assert replace[0] in text
    path.write_text(text.replace(*replace), encoding="utf-8")
    return path


def test_one_scene_after_the_film_composes_only_that_scene(example, folder, tmp_path,
                                                         composed_scenes):
    """The film's template needs what every cue plays; a cue composed before from the same
    inputs is read from the cache, so `--scene` composes the scenes asked for alone and
    writes what composing the whole film writes."""
    whole = _compose(example, tmp_path / "whole")
    assert len(list(folder.glob("cue-*.json"))) == 10
    composed = composed_scenes
    composed.clear()
    one = _compose(example, tmp_path / "one", "--scene", "2M2", "--template", "used")
    assert composed == ["2M2"]
    assert one["2M2.mid"] == whole["2M2.mid"] and one["2M2.json"] == whole["2M2.json"]
    full = _compose(example, tmp_path / "full", "--scene", "3M1", "--template", "full")
    fresh = _compose(example, tmp_path / "fresh", "--scene", "3M1", "--template", "full",
                     "--no-cache")
    assert full == fresh
    assert composed[1:] == ["3M1"] + [s.id for s in motifgen.load(example).scenes]


def test_a_changed_scene_is_composed_again(example, folder, tmp_path, composed_scenes):
    """A scene whose inputs changed (here its mood, and with it its orchestra) is composed
    again: its old tracks are never counted in."""
    _compose(example, tmp_path / "before")
    changed = _film(tmp_path, example, ("    mood: wonder\n    featuring: [map]",
                                        "    mood: action\n    featuring: [map]"))
    composed = composed_scenes
    composed.clear()
    cached = _compose(changed, tmp_path / "cached", "--scene", "2M2")
    assert composed == ["1M2", "2M2"]  # 1M2 changed; the others are as before
    assert cached == _compose(changed, tmp_path / "fresh", "--scene", "2M2", "--no-cache")


def test_a_corrupt_cue_entry_is_composed_again(example, folder, tmp_path, composed_scenes):
    from motifgen.compose import PlayedCache

    whole = _compose(example, tmp_path / "whole")
    project = motifgen.load(example)
    bad = {"1M1": b"{not json", "1M2": b'[["harp", "harmony", 1, 100, 46, "harmony"]]',
           "2M1": b'[["harp", "harmony", "1", 100, 46, "harmony", false]]', "2M3": b""}
    for scene_id, text in bad.items():
        PlayedCache(project, None).entry(project.scene(scene_id)).write_bytes(text)
    composed = composed_scenes
    composed.clear()
    one = _compose(example, tmp_path / "one", "--scene", "3M4")
    assert composed == [*bad, "3M4"]
    assert one["3M4.mid"] == whole["3M4.mid"]


def test_a_film_the_cache_cannot_name_is_composed_whole(example, folder, tmp_path,
                                                        monkeypatch, composed_scenes):
    """An input with no canonical form (a set, say) names no entry: every scene is composed
    and the files are those of a run without the cache."""
    from msgspec.structs import replace

    from motifgen import compose

    project = motifgen.load(example)
    odd = replace(project, title={"not", "a title"})
    assert compose.PlayedCache(odd, None).entry(project.scenes[0]) is None
    assert compose.PlayedCache(project, None).entry(project.scenes[0]) is not None
    whole = _compose(example, tmp_path / "whole")

    def nameless(value):
        raise TypeError("no canonical form")

    monkeypatch.setattr(cache, "canonical", nameless)
    composed = composed_scenes
    composed.clear()
    one = _compose(example, tmp_path / "one", "--scene", "2M2")
    assert len(composed) == 10 and one["2M2.mid"] == whole["2M2.mid"]
