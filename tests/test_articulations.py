"""Articulation maps: the message of the map before every note where the arranger's
articulation changes (read back with mido), built-in gm leaving the files as they were."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from functools import cache

import mido
import numpy as np
import pytest

from motifgen.arrange import compose_scene
from motifgen.articulations import ARTICULATIONS, BUILTIN, builtin, choose, load_map
from motifgen.errors import MotifgenError
from motifgen.io.midi import score_to_bytes
from motifgen.project import load
from motifgen.template import dress, film_template, fit
from tests.conftest import EXAMPLE, MINIMAL


@cache
def _film():
    project = load(EXAMPLE)
    scores = [compose_scene(project, s) for s in project.scenes]
    template = film_template(scores, articulations=builtin("uacc"))
    return template, [fit(s, template) for s in scores]


def _timeline(track, control=32):
    now, out = 0, []
    for m in track:
        now += m.time
        if m.type == "control_change" and m.control == control:
            out.append((now, m.value))
    return out


def test_uacc_values_sound_wherever_the_arranger_chose_their_articulation():
    template, scores = _film()
    uacc = builtin("uacc")
    chosen: set[str] = set()
    for score in scores:
        mid = mido.MidiFile(file=io.BytesIO(score_to_bytes(dress(score, template))))
        tracks = {t.name: t for t in mid.tracks[1:]}
        for part in score.parts:
            arts = choose(part)
            if not arts:
                continue
            states = _timeline(tracks[part.name])
            ticks = [t for t, _ in states]
            first: dict[int, str] = {}
            for onset, art in zip(part.notes.onset.tolist(), arts):
                first.setdefault(round(onset * mid.ticks_per_beat), art)
            for tick, art in first.items():
                value = states[int(np.searchsorted(ticks, tick, side="right")) - 1][1]
                assert value == uacc.message(part.instrument, art).value, (score.id, part.name)
            chosen |= set(arts)
    assert {"legato", "long", "marcato", "staccato", "pizzicato", "tremolo"} <= chosen


def test_the_played_length_carries_the_articulation_too():
    """A staccato note sounds for part of the time to the next note; a legato one for
    all of it."""
    _, scores = _film()
    share: dict[str, list[float]] = {}
    for score in scores:
        for part in score.parts:
            onsets = np.unique(part.notes.onset)
            for t, d, art in zip(part.notes.onset.tolist(), part.notes.duration.tolist(),
                                 choose(part)):
                later = onsets[onsets > t + 1e-9]
                if len(later):
                    share.setdefault(art, []).append(d / (later[0] - t))
    assert np.median(share["staccato"]) <= 0.75 < 0.95 <= np.median(share["legato"])


def test_gm_sends_no_articulation_messages():
    template, scores = _film()
    gm = film_template(scores, articulations=builtin("gm"))
    none = film_template(scores)
    for score in scores:
        assert score_to_bytes(dress(score, gm)) == score_to_bytes(dress(score, none))


def test_percussion_and_the_guide_get_no_articulation():
    _, scores = _film()
    for part in (p for s in scores for p in s.parts if p.role == "percussion"):
        assert choose(part) == []


def test_a_user_map_sends_keyswitches_ahead_of_the_note_and_program_changes(tmp_path):
    (tmp_path / "library.yaml").write_text(
        "name: my template\ninstruments:\n"
        "  horn:\n    legato: {keyswitch: 24, lead: 0.25, velocity: 1}\n"
        "    long: {keyswitch: 25}\n"
        "  default:\n    legato: {program: 49}\n    long: {cc: 58, value: 3}\n")
    (tmp_path / "film.yaml").write_text(MINIMAL.replace("  hero:\n", "  hero:\n"
                                        "    instrument: horn\n") + "articulations: library.yaml\n")
    project = load(tmp_path / "film.yaml")
    assert project.articulations.name == "my template"
    assert tmp_path / "library.yaml" in project.sources
    scores = [compose_scene(project, s) for s in project.scenes]
    template = film_template(scores, articulations=project.articulations)
    score = fit(scores[0], template)
    mid = mido.MidiFile(file=io.BytesIO(score_to_bytes(dress(score, template))))
    horn = next(p for p in score.parts if p.instrument == "horn" and p.role == "melody")
    track = next(t for t in mid.tracks if t.name == horn.name)
    now, switches, first_note = 0, [], None
    for m in track:
        now += m.time
        if m.type == "note_on" and m.velocity > 0:
            if m.note in (24, 25):
                switches.append((now, m.note, m.velocity))
            elif first_note is None:
                first_note = now
    assert switches[0] == (first_note - 240, 24, 1)  # a quarter beat early
    others = [p for p in score.parts if p.instrument != "horn" and choose(p)]
    assert others
    for part in others:
        track = next(t for t in mid.tracks if t.name == part.name)
        programs = [m.program for m in track if m.type == "program_change"]
        assert set(programs[1:]) <= {49} and (49 in programs[1:] or _timeline(track, 58))


@pytest.mark.parametrize("text, expected", [
    ("instruments: {horn: {legato: {cc: 32}}}", "instruments.horn.legato.value: expected a whole"),
    ("instruments: {horn: {legato: {cc: 32, value: 1, program: 3}}}", "expected one of {cc"),
    ("instruments: {horn: {growl: {cc: 32, value: 1}}}", "instruments.horn.growl: expected an "
     "articulation"),
    ("instruments: {hron: {long: {cc: 32, value: 1}}}", "instruments.hron: expected default"),
    ("instruments: {horn: {long: {keyswitch: 24, lead: -1}}}", "lead: expected beats"),
    ("[1, 2]", "(top): expected a mapping"),
    ("instruments: {horn: [", "cannot read the articulation map"),
])
def test_a_bad_map_is_one_line_naming_the_file_and_field(tmp_path, text, expected):
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(MotifgenError, match=re.escape(expected)):
        load_map(tmp_path / "bad.yaml")
    (tmp_path / "film.yaml").write_text(MINIMAL + "articulations: bad.yaml\n")
    done = subprocess.run([sys.executable, "-m", "motifgen", "compose", str(tmp_path / "film.yaml"),
                           "-o", str(tmp_path / "out"), "-q"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert f"{tmp_path / 'bad.yaml'}: " in done.stderr and not (tmp_path / "out").exists()


def test_the_built_in_maps_load_and_uacc_selects_every_articulation():
    assert [builtin(n).name for n in BUILTIN] == ["gm", "uacc"]
    uacc = builtin("uacc")
    for instrument in ("strings_vln1", "cello", "horn", "flute"):
        values = [uacc.message(instrument, a).value for a in ARTICULATIONS]
        assert len(set(values)) == len(values) and all(0 < v < 128 for v in values)
    assert builtin("gm").message("horn", "legato") is None


def test_uacc_gives_strings_the_values_spitfire_strings_answer():
    """Spitfire's string patches have no 40 and play 52 as a one-second short note:
    strings take 50 (short 0.5) for staccato and 9 (long marcato) for marcato, the
    winds and brass 40 and 52; everything else is shared."""
    uacc = builtin("uacc")
    for strings in ("violin", "strings_vla", "contrabass", "tremolo_strings"):
        assert (uacc.message(strings, "staccato").value,
                uacc.message(strings, "marcato").value) == (50, 9)
    for wind in ("flute", "horn", "brass_trombones"):
        assert (uacc.message(wind, "staccato").value,
                uacc.message(wind, "marcato").value) == (40, 52)
    assert uacc.message("cello", "spiccato") == uacc.message("horn", "spiccato")


def test_a_map_entry_may_name_a_family_between_instrument_and_default(tmp_path):
    (tmp_path / "m.yaml").write_text(
        "instruments:\n  default: {long: {cc: 32, value: 1}}\n"
        "  brass: {long: {cc: 32, value: 2}}\n  trumpet: {long: {cc: 32, value: 3}}\n")
    amap = load_map(tmp_path / "m.yaml")
    assert [amap.message(i, "long").value for i in ("flute", "horn", "trumpet")] == [1, 2, 3]
    (tmp_path / "bad.yaml").write_text("instruments:\n  brasses: {long: {cc: 32, value: 2}}\n")
    with pytest.raises(MotifgenError, match=r"instruments\.brasses: expected default, a family "
                       r"\(brass, keyboard"):
        load_map(tmp_path / "bad.yaml")


def test_the_readme_lists_the_uacc_values_the_map_sends():
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = readme[readme.index("Universal Articulation Controller Chart on CC32"):]
    listed = listed[listed.index("(") + 1:listed.index(";")]
    uacc = builtin("uacc")
    pairs = [p.split(" ", 1) for p in " ".join(listed.split()).split(", ")]
    assert len(pairs) == len(ARTICULATIONS)
    for value, name in pairs:
        assert uacc.message("horn", name.replace(" ", "_")).value == int(value)
