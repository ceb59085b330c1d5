"""The MusicXML of the example film and the benchmark films read back as an
orchestrator reads it, and rendered by MuseScore 3 with the condensed scores.

Measured per film (xml.etree, independent of the writer): misspelled diatonic
notes, redundant accidentals, tuplets the music does not have, rests and
dotted values created by articulation, dynamics at entries and marks in
marcato/staccato moods, ledger lines, chordal parts on one treble staff, and a
rehearsal mark with bar and timecode at every hit. Every full and condensed score
validates against the 4.0 schema, and MuseScore 3 (when installed) converts each
to PDF without a word about the file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

import pytest

from motifgen.compose import compose_film
from motifgen.io.musicxml import validate_musicxml
from motifgen.io.spelling import NATURAL, ledger_lines, staff_step
from motifgen.moods import PRESETS
from motifgen.project import load
from motifgen.theory import Key
from tests.conftest import EXAMPLE, ROOT

FILMS = [EXAMPLE, *sorted((ROOT / "benchmarks" / "films").glob("*.yaml"))]
HAVE_MSCORE = shutil.which("mscore3") is not None

STEPS = "CDEFGAB"
FIFTHS = "FCGDAEB"


@pytest.fixture(scope="module", params=FILMS, ids=[f.stem for f in FILMS])
def film(request, tmp_path_factory) -> tuple[Path, Path]:
    """(the project file, the folder its cues were written to)."""
    out = tmp_path_factory.mktemp(request.param.stem)
    compose_film(request.param, out, formats=["json", "musicxml"], progress=False,
                 condensed=True)
    return request.param, out


def _signature_alters(fifths: int) -> dict[str, int]:
    out = {}
    for q in range(fifths - 1, fifths + 6):
        out[FIFTHS[(q + 1) % 7]] = (q + 1) // 7
    return out


def _notes(path: Path):
    """Per part: (staff count, clefs, notes) with every note as a dict of what it shows."""
    root = ET.parse(path).getroot()
    parts = {}
    names = {sp.get("id"): sp.findtext("part-name") for sp in root.iter("score-part")}
    for part in root.iter("part"):
        divisions, fifths, staves, clefs = 1, 0, 1, {}
        notes = []
        shifts = []  # (time, staff, octaves the display moves), in document order
        bar_start = Fraction(0)
        for number, measure in enumerate(part.iter("measure")):
            time = Fraction(0)
            last_start = Fraction(0)
            bar_end = Fraction(0)
            for el in measure:
                bar_end = max(bar_end, time)
                shift = el.find("direction-type/octave-shift") if el.tag == "direction" \
                    else None
                if shift is not None:
                    kind = shift.get("type")
                    shifts.append((bar_start + time, int(el.findtext("staff") or 1),
                                   {"up": 1, "down": -1}.get(kind, 0)))
                if el.tag == "attributes":
                    divisions = int(el.findtext("divisions") or divisions)
                    if el.find("key/fifths") is not None:
                        fifths = int(el.findtext("key/fifths"))
                    staves = int(el.findtext("staves") or staves)
                    for c in el.iter("clef"):
                        clefs[int(c.get("number", "1"))] = (c.findtext("sign"),
                                                            c.findtext("line"))
                elif el.tag == "backup":
                    time -= Fraction(int(el.findtext("duration")), divisions)
                elif el.tag == "forward":
                    time += Fraction(int(el.findtext("duration")), divisions)
                elif el.tag == "note":
                    dur = Fraction(int(el.findtext("duration") or 0), divisions)
                    chord = el.find("chord") is not None
                    start = last_start if chord else time
                    n = {"bar": number, "start": start, "dur": dur, "chord": chord,
                         "at": bar_start + start,
                         "rest": el.find("rest") is not None,
                         "hidden": el.get("print-object") == "no",
                         "voice": el.findtext("voice") or "1",
                         "staff": int(el.findtext("staff") or 1), "fifths": fifths,
                         "dots": len(el.findall("dot")), "type": el.findtext("type"),
                         "tuplet": el.find("time-modification") is not None,
                         "tied_in": any(t.get("type") == "stop" for t in el.findall("tie")),
                         "accidental": el.findtext("accidental"),
                         "marks": {a.tag for a in el.iterfind("notations/articulations/*")},
                         "clef": dict(clefs)}
                    p = el.find("pitch")
                    if p is not None:
                        n["step"] = p.findtext("step")
                        n["alter"] = int(float(p.findtext("alter") or 0))
                        n["octave"] = int(p.findtext("octave"))
                    notes.append(n)
                    if not chord:
                        last_start = time
                        time += dur
            bar_start += max(bar_end, time)
        for n in notes:  # the octave a note is shown in under an 8va/8vb line
            active = [d for at, staff, d in shifts if staff == n["staff"] and at <= n["at"]]
            n["shown_octave"] = n.get("octave", 0) + (active[-1] if active else 0)
        parts[names.get(part.get("id"), part.get("id"))] = (staves, clefs, notes, part)
    return root, parts


def _scenes(project: Path) -> list[str]:
    return [s.id for s in load(project).scenes]


def _pc(n) -> int:
    return (NATURAL[n["step"]] + n["alter"]) % 12


def _written_key(key: Key, fifths: int) -> set[tuple[str, int]]:
    return set(_signature_alters(fifths).items())


def measure(project: Path, film: Path) -> dict[str, float]:
    """The table's figures over every cue of `project`, written into the folder `film`."""
    totals = defaultdict(float)
    for sid in _scenes(project):
        plan = json.loads((film / f"{sid}.json").read_text(encoding="utf-8"))
        root, parts = _notes(film / f"{sid}.musicxml")
        modes = {s["key"].split()[-1] for s in plan["sections"]}
        for _name, (staves, clefs, notes, xml) in parts.items():
            pitched = [n for n in notes if not n["rest"] and "step" in n]
            if not pitched:
                continue
            # spelling: a note whose pitch class is in the written key's scale must use
            # the letter the signature gives it (the modes are heptatonic here)
            if all(len(Key.parse("C " + m).scale) == 7 for m in modes):
                for n in pitched:
                    totals["notes"] += 1
                    sig = _signature_alters(n["fifths"])
                    diatonic = {(NATURAL[s] + a) % 12: s for s, a in sig.items()}
                    if _pc(n) in diatonic and diatonic[_pc(n)] != n["step"]:
                        totals["misspelled"] += 1
            # accidentals by the per-bar rule, per staff
            state: dict = {}
            for n in sorted(pitched, key=lambda n: (n["staff"], n["bar"], n["start"])):
                k = (n["staff"], n["bar"])
                bar = state.setdefault(k, {})
                here = (n["step"], n["octave"])
                implied = bar.get(here, _signature_alters(n["fifths"]).get(n["step"], 0))
                same_moment = bar.get(("at",) + here) == n["start"]  # another voice's note
                if n["accidental"]:
                    totals["accidentals"] += 1
                    if n["alter"] == implied and not n["tied_in"] and not same_moment:
                        totals["redundant"] += 1
                elif n["alter"] != implied and not n["tied_in"]:
                    totals["missing_accidental"] += 1
                if not n["tied_in"]:
                    bar[here] = n["alter"]
                    bar[("at",) + here] = n["start"]
            # tuplets: only triplets (3 in the time of 2)
            for el in xml.iter("time-modification"):
                if (el.findtext("actual-notes"), el.findtext("normal-notes")) != ("3", "2"):
                    totals["odd_tuplets"] += 1
            # rests and dots created by shortening: a rest shorter than the note before
            # it in the same voice, inside one beat; any double dot
            by_voice = defaultdict(list)
            for n in notes:
                if not n["chord"] and not n["hidden"]:
                    by_voice[(n["staff"], n["voice"])].append(n)
            for seq in by_voice.values():
                for a, b in zip(seq, seq[1:]):
                    if (b["rest"] and not a["rest"] and a["bar"] == b["bar"]
                            and b["dur"] < a["dur"] and (a["dur"] + b["dur"]) in (
                                Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(2))
                            and b["dur"] <= Fraction(1, 4) and a["dots"]):
                        totals["shortening_rests"] += 1
            totals["double_dots"] += sum(1 for n in notes if n["dots"] >= 2)
            totals["sounding_notes"] += sum(1 for n in pitched if not n["tied_in"])
            # ledger lines against each note's own staff clef
            for n in pitched:
                sign, line = n["clef"].get(n["staff"], ("G", "2"))
                clef = {("G", "2"): "treble", ("F", "4"): "bass", ("C", "3"): "alto",
                        ("C", "4"): "tenor"}.get((sign, line), "treble")
                totals["ledger_notes"] += 1
                if ledger_lines(staff_step(n["step"], n["shown_octave"]), clef) >= 3:
                    totals["ledger3"] += 1
            # chordal parts: a wide chordal part on one treble staff
            starts = defaultdict(set)
            for n in pitched:
                starts[(n["bar"], n["start"])].add(staff_step(n["step"], n["octave"]))
            chordal = sum(1 for s in starts.values() if len(s) > 1) >= 0.2 * len(starts)
            steps = [staff_step(n["step"], n["octave"]) for n in pitched]
            if chordal and staves == 1 and clefs.get(1, ("G", "2")) == ("G", "2") and (
                    max(steps) - min(steps) > 15):
                totals["wide_chordal_on_treble"] += 1
            # marks in marcato/staccato moods
            section_moods = [(s["bar"], s["mood"]) for s in plan["sections"]]
            plucked = any((w.text or "") == "pizz." for w in xml.iter("words"))
            for n in pitched:
                if n["tied_in"] or n["chord"]:
                    continue
                mood = [m for b, m in section_moods if b - 1 <= n["bar"]][-1]
                art = PRESETS[mood].articulation if mood in PRESETS else None
                if art in ("marcato", "staccato") and not plucked:
                    totals["marked_mood_notes"] += 1
                    if n["marks"] & {"staccato", "accent", "strong-accent", "staccatissimo"}:
                        totals["marked"] += 1
            # divisi: at most two voices on a staff
            voices = defaultdict(set)
            for n in notes:
                voices[n["staff"]].add(n["voice"])
            totals["staves_over_two_voices"] += sum(1 for v in voices.values() if len(v) > 2)
            # slurs: every one that starts stops; notes of legato moods' lines under one
            starts = sum(1 for sl in xml.iter("slur") if sl.get("type") == "start")
            totals["slur_starts"] += starts
            totals["slur_stops"] += sum(1 for sl in xml.iter("slur") if sl.get("type") == "stop")
            # every entry (first note, or after a bar or more of rest) has a dynamic
            totals.update(_entries(xml, totals))
        # rehearsal marks at every hit with bar and timecode
        marks = [r.text or "" for r in root.iter("rehearsal")]
        for hit in plan["hits"]:
            totals["hits"] += 1
            if any(re.search(rf"\bbar {hit['bar']}\s+{re.escape(hit['timecode'])}", m)
                   for m in marks):
                totals["hits_marked"] += 1
    return dict(totals)


def _entries(xml, totals) -> dict[str, float]:
    """Count entries and entries with a dynamic in one part."""
    out = {"entries": totals["entries"], "entries_marked": totals["entries_marked"]}
    pending_dynamic = False
    rest_run = Fraction(0)
    first = True
    divisions = 1
    bar_len = None
    for measure in xml.iter("measure"):
        for el in measure:
            if el.tag == "attributes":
                divisions = int(el.findtext("divisions") or divisions)
                beats = el.findtext("time/beats")
                if beats:
                    bar_len = Fraction(int(beats) * 4, int(el.findtext("time/beat-type")))
            elif el.tag == "direction" and el.find("direction-type/dynamics") is not None:
                pending_dynamic = True
            elif el.tag == "note" and el.find("rest") is None and el.findtext("staff", "1") != "1":
                rest_run = Fraction(0)  # the other staff of a grand staff plays on
            elif el.tag == "note" and el.findtext("voice", "1") == "1" and el.find(
                    "chord") is None and el.findtext("staff", "1") == "1":
                dur = Fraction(int(el.findtext("duration") or 0), divisions)
                if el.find("rest") is not None:
                    rest_run += dur
                    continue
                tied = any(t.get("type") == "stop" for t in el.findall("tie"))
                if not tied and (first or (bar_len and rest_run >= bar_len)):
                    out["entries"] += 1
                    out["entries_marked"] += 1 if pending_dynamic else 0
                first = False
                rest_run = Fraction(0)
                pending_dynamic = False
    return out


@pytest.fixture(scope="module")
def figures(film) -> dict[str, float]:
    return measure(*film)


def test_no_diatonic_note_is_misspelled(figures):
    assert figures["notes"] > 800
    assert figures.get("misspelled", 0) == 0


def test_accidentals_follow_the_per_bar_rule(figures):
    assert figures.get("redundant", 0) <= 0.05 * max(1, figures.get("accidentals", 0))
    assert figures.get("missing_accidental", 0) == 0


def test_no_tuplets_but_triplets(figures):
    assert figures.get("odd_tuplets", 0) == 0


def test_no_rests_or_dots_created_by_articulation(figures):
    assert figures.get("shortening_rests", 0) == 0
    assert figures.get("double_dots", 0) == 0


def test_every_entry_has_a_dynamic(figures):
    assert figures["entries"] > 20
    assert figures["entries_marked"] == figures["entries"]


def test_marcato_and_staccato_moods_carry_their_marks(figures):
    assert figures["marked_mood_notes"] > 100
    assert figures["marked"] >= 0.8 * figures["marked_mood_notes"]


def test_divisi_is_at_most_two_voices_on_a_staff(figures):
    assert figures.get("staves_over_two_voices", 0) == 0


def test_legato_lines_are_slurred(figures):
    assert figures["slur_starts"] >= 5  # a film with two legato moods of its five has nine
    assert figures["slur_stops"] == figures["slur_starts"]


def test_few_notes_need_three_ledger_lines(figures):
    assert figures.get("ledger3", 0) <= 0.02 * figures["ledger_notes"]


def test_no_wide_chordal_part_on_one_treble_staff(figures):
    assert figures.get("wide_chordal_on_treble", 0) == 0


def test_every_hit_has_a_rehearsal_mark_with_bar_and_timecode(figures):
    assert figures["hits"] >= 3
    assert figures["hits_marked"] == figures["hits"]


def test_the_header_names_film_cue_title_start_and_frame_rate(film):
    project, folder = film
    loaded = load(project)
    for scene in loaded.scenes:
        root = ET.parse(folder / f"{scene.id}.musicxml").getroot()
        credits = {c.findtext("credit-type"): c.findtext("credit-words")
                   for c in root.iter("credit")}
        assert credits["title"] == (scene.title or scene.id)
        assert credits["subtitle"] == loaded.title
        plan = json.loads((folder / f"{scene.id}.json").read_text(encoding="utf-8"))["scene"]
        assert credits["rights"] == f"Cue {scene.id} · start {plan['start']} · {plan['fps']} fps"
        assert root.findtext("movement-number") == scene.id
        assert root.findtext("work/work-title") == loaded.title


def _score_files(project: Path) -> list[str]:
    """Every cue's full and condensed score."""
    return [name for sid in _scenes(project) for name in (f"{sid}.musicxml",
                                                           f"{sid}.condensed.musicxml")]


def test_every_score_validates_against_the_musicxml_4_schema(film):
    project, folder = film
    for name in _score_files(project):
        assert validate_musicxml(folder / name) == [], name


#: What MuseScore 3 prints about its own start-up and the conversion, not the file.
_MSCORE_CHATTER = re.compile(r"^(QStandardPaths:|convert <|\s*to <|\.\.\. success)")


def musescore_complaints(log: str) -> list[str]:
    """The lines of a MuseScore conversion log that say something about the file."""
    return [line for line in log.splitlines() if line.strip() and not _MSCORE_CHATTER.match(line)]


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_MSCORE, reason="MuseScore 3 is not installed (apt-get install "
                                            "musescore3)")
def test_musescore_converts_every_score_without_a_warning(film, tmp_path):
    project, folder = film
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for name in _score_files(project):
        pdf = tmp_path / name.replace(".musicxml", ".pdf")
        run = subprocess.run(["mscore3", "-o", str(pdf), str(folder / name)],
                             env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"{name}: {run.stderr[-400:]}"
        assert musescore_complaints(run.stdout + run.stderr) == [], name
        assert pdf.read_bytes()[:5] == b"%PDF-"


if __name__ == "__main__":  # python -m tests.test_score_notation PROJECT DIR: a folder's figures
    import sys

    for k, v in sorted(measure(Path(sys.argv[1]), Path(sys.argv[2])).items()):
        print(f"{k:24s} {v:g}")
