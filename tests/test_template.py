"""One orchestral template per film: every cue's MIDI has the film's tracks in score order
with the same names, channels, pan and CC7 (read back with mido, not our writer)."""

from __future__ import annotations

import io
import re
from functools import cache

import mido
import pytest

from motifgen.arrange import compose_scene
from motifgen.io.midi import score_to_bytes
from motifgen.orchestra import INSTRUMENTS, ORDER, SECTION_OF
from motifgen.project import load
from motifgen.score import ChordRow
from motifgen.template import (
    GUIDE_NAME,
    JOBS,
    PAN,
    desk_of,
    dress,
    film_template,
    fit,
    guide_notes,
)
from tests.conftest import EXAMPLE, ROOT

FILMS = [EXAMPLE, *sorted((ROOT / "benchmarks" / "films").glob("*.yaml"))]


@cache
def _scores(path):
    project = load(path)
    return tuple(compose_scene(project, s) for s in project.scenes)


def _tracks(data: bytes) -> list[tuple]:
    """(name, channel, CC7, CC10, has channel messages) of every track after the conductor."""
    mid = mido.MidiFile(file=io.BytesIO(data))
    out = []
    for track in mid.tracks[1:]:
        cc = {m.control: m.value for m in track if m.type == "control_change"}
        chan = [m.channel for m in track if hasattr(m, "channel")]
        out.append((track.name, chan[0] if chan else None, cc.get(7), cc.get(10),
                    any(m.type != "channel_prefix" for m in track if hasattr(m, "channel"))))
    return out


def test_every_catalogue_instrument_has_a_place_a_section_and_a_seat():
    assert set(ORDER) == set(INSTRUMENTS) == set(PAN) == set(SECTION_OF)
    assert len(ORDER) == len(set(ORDER))


@pytest.mark.parametrize("path", FILMS, ids=lambda p: p.stem)
def test_with_a_full_template_every_cue_has_the_same_tracks(path):
    scores = _scores(path)
    template = film_template(scores, full=True)
    cues = [_tracks(score_to_bytes(dress(fit(s, template), template))) for s in scores]
    lists = [[t[:2] for t in tracks] for tracks in cues]
    assert all(tracks == lists[0] for tracks in lists), "cues differ in their tracks"
    for k, _ in enumerate(lists[0]):  # CC7 and pan wherever a track sends them
        assert len({t[k][2:4] for t in cues if t[k][2] is not None}) == 1
    names = [t[0] for t in lists[0]]
    assert len(names) == len(set(names)), "two tracks share a name"
    assert names[-1] == GUIDE_NAME
    assert [t[0] for t in lists[0][:-1]] == [t.name for t in template.tracks]
    sections = [ORDER.index(t.slot[0]) for t in template.tracks]
    assert sections == sorted(sections), "tracks are not in score order"


@pytest.mark.parametrize("path", FILMS, ids=lambda p: p.stem)
def test_each_cue_plays_the_template_tracks_it_uses_in_template_order(path):
    scores = _scores(path)
    template = film_template(scores)
    full = [(t.name, 9 if t.is_drum else t.channel, t.volume, t.pan) for t in template.tracks]
    for score in scores:
        tracks = _tracks(score_to_bytes(dress(fit(score, template), template)))
        assert tracks[-1][0] == GUIDE_NAME
        tracks = [t[:4] for t in tracks[:-1]]
        assert tracks == [t for t in full if t in tracks], score.id  # in template order
        assert len(tracks) == len(score.parts)
        channels = [c for _, c, _, _ in tracks if c != 9]
        assert len(channels) == len(set(channels)), f"{score.id}: two parts share a channel"


def test_a_silent_track_sharing_a_channel_sends_nothing_on_it():
    scores = _scores(EXAMPLE)
    template = film_template(scores, full=True)
    checked = 0
    for score in (fit(s, template) for s in scores):
        playing = {p.channel for p in score.parts}
        for name, channel, _, _, sends in _tracks(score_to_bytes(dress(score, template))):
            track = next((t for t in template.tracks if t.name == name), None)
            if track is None or any(p.name == name for p in score.parts):
                continue
            shared = channel in playing and not track.is_drum
            assert sends != shared, (score.id, name)
            checked += shared
    assert checked, "the example film never shares a channel"


def test_tracks_are_named_by_desk_and_section():
    template = film_template(_scores(EXAMPLE))
    by_slot = {t.slot: t.name for t in template.tracks}
    assert by_slot[("horn", "melody", 1)] == "Hn 1"
    assert by_slot[("horn", "counter", 1)] == "Hn 2"
    assert by_slot[("brass_horns", "harmony", 1)] == "Hn 3-4"
    assert by_slot[("cello", "bass", 1)] == "Vc (bass)"
    assert by_slot[("violin", "doubling", 1)] == "Vln I"
    assert by_slot[("strings_vln2", "harmony", 1)] == "Vln II"


@pytest.mark.parametrize("film", FILMS, ids=lambda p: p.stem)
def test_every_films_tracks_have_one_desk_name_each(film):
    """Names are unique, start with the instrument's (or its section's) abbreviation, and
    number an instrument's players without gaps or overlaps through the film."""
    template = film_template(_scores(film))
    names = [t.name for t in template.tracks]
    assert len(set(names)) == len(names), names
    players: dict[str, list[int]] = {}
    for t in template.tracks:
        base = desk_of(t.slot[0]).name
        assert t.name.startswith(base), (t.slot, t.name)
        numbers = re.fullmatch(rf"{re.escape(base)} (\d+)(?:-(\d+))?", t.name)
        if numbers:
            low = int(numbers.group(1))
            players.setdefault(base, []).extend(range(low, int(numbers.group(2) or low) + 1))
        assert t.slot[1] in JOBS
    for base, seats in players.items():
        assert seats == list(range(1, len(seats) + 1)), (base, seats)


def test_the_score_names_a_track_as_its_desk_in_full():
    from motifgen.io.musicxml import abbreviation, full_name

    scores = _scores(EXAMPLE)
    template = film_template(scores)
    seen = {}
    for score in scores:
        for part in fit(score, template).parts:
            seen[part.name] = (full_name(part), abbreviation(part))
    assert seen["Hn 3-4"] == ("Horn in F 3-4", "Hn. 3-4")
    assert seen["Vln II"] == ("Violins II", "Vln. II")
    assert seen["Vc (bass)"] == ("Cellos (bass)", "Vc. (bass)")
    assert seen["Tba"] == ("Tuba", "Tba.")


def test_the_guide_track_holds_the_plans_chords_as_block_chords():
    scores = _scores(EXAMPLE)
    template = film_template(scores)
    score = scores[0]
    mid = mido.MidiFile(file=io.BytesIO(score_to_bytes(dress(fit(score, template), template))))
    guide = next(t for t in mid.tracks if t.name == GUIDE_NAME)
    now, struck = 0, {}
    for m in guide:
        now += m.time
        if m.type == "note_on" and m.velocity > 0:
            struck.setdefault(now, set()).add(m.note)
    chords = [c for s in score.plan.sections for c in s.chords]
    assert len(struck) == len({c.beat for c in chords})
    for c in chords:
        notes = struck[round(c.beat * mid.ticks_per_beat)]
        assert {n % 12 for n in notes} == set(c.pitch_classes)
        assert max(notes) - min(notes) < 12 + 12  # close position
    cc7 = [m.value for m in guide if m.type == "control_change" and m.control == 7]
    assert cc7 == [0]


def test_guide_chords_stack_upwards_from_the_root():
    notes = guide_notes([ChordRow(0, 4, "V7", (7, 11, 2, 5), "diatonic"),
                         ChordRow(4, 4, "I", (0, 4, 7), "diatonic")])
    assert notes.rows() == [(0.0, 4.0, 55, 64), (0.0, 4.0, 59, 64), (0.0, 4.0, 62, 64),
                            (0.0, 4.0, 65, 64), (4.0, 4.0, 48, 64), (4.0, 4.0, 52, 64),
                            (4.0, 4.0, 55, 64)]


def test_compose_template_full_writes_one_track_list_for_every_cue(tmp_path):
    from motifgen.cli import main

    assert main(["compose", str(EXAMPLE), "-o", str(tmp_path), "-q", "--template", "full",
                 "--scene", "1M1", "--scene", "3M3"]) == 0
    lists = [[t.name for t in mido.MidiFile(str(tmp_path / f"{i}.mid")).tracks[1:]]
             for i in ("1M1", "3M3")]
    assert lists[0] == lists[1] and len(lists[0]) > 20


def test_the_readme_shows_the_example_films_template_as_it_is():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The film's template"):readme.index("### Articulation")]
    rows = [tuple(c.strip() for c in line.strip("|").split("|"))
            for line in section.splitlines() if re.match(r"\| [A-Z]", line)][1:]
    template = film_template(_scores(EXAMPLE))
    actual = [(t.name, t.section, str(t.channel + 1), str(t.pan), str(t.volume))
              for t in template.tracks]
    actual.append((GUIDE_NAME, "", str(template.guide_channel + 1), "64", "0"))
    assert rows and [r for r in actual if r in rows] == rows
