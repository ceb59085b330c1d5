"""The condensed score: the short score orchestrators receive beside the full one.

Five staves at concert pitch, each the union of the full score's parts of one
role: the melody (the lead and whoever answers it; doublings left out), the
counter-line, the harmony on a grand staff, the bass (one line: its octave
doublings are the full score's business), the timpani and the percussion. A role
no part plays is left out. Written as ``<id>.condensed.musicxml`` (and
``<id>.condensed.pdf``) by `compose --score condensed`.
"""

from __future__ import annotations

from collections.abc import Mapping

from msgspec.structs import replace

from ..motif import Notes
from ..score import DRUM_CHANNEL, Engraving, Part, Score

#: (role, staff name, abbreviation, instrument the staff is written as) in score order.
#: The harmony is written as a piano (a grand staff), the bass as a cello (one staff in
#: bass clef, tenor clef above it).
STAVES: tuple[tuple[str, str, str, str], ...] = (
    ("melody", "Melody", "Mel.", ""),
    ("counter", "Counter-line", "Ctr.", ""),
    ("harmony", "Harmony", "Harm.", "piano"),
    ("bass", "Bass", "Bass", "cello"),
    ("tuned", "Timpani", "Timp.", "timpani"),
    ("percussion", "Percussion", "Perc.", "drums"),
)
#: The instruments the staves are written as: whose engravings `condense` is given.
STAFF_INSTRUMENTS: tuple[str, ...] = tuple(i for *_, i in STAVES if i)
#: Abbreviation of each condensed staff by its name.
ABBREVIATIONS = {name: short for _, name, short, _ in STAVES}
#: The formats a condensed score is written in.
SCORE_FORMATS = ("musicxml", "pdf")


def condensed_name(scene_id: str, fmt: str) -> str:
    """The file name of a scene's condensed score.

    >>> condensed_name("1M1", "pdf")
    '1M1.condensed.pdf'
    """
    return f"{scene_id}.condensed.{fmt}"


def staff_role(part: Part) -> str:
    """The condensed staff a full-score part goes to: its role, but tuned percussion
    (timpani) apart from the drums."""
    if part.is_drum:
        return "percussion"
    return "tuned" if part.role == "percussion" else part.role


def merged(parts: list[Part], octaves: bool = True) -> Notes:
    """The notes of `parts` together; a pitch struck twice at one onset kept once, at its
    longest length and loudest velocity; without `octaves`, a note doubling a lower one
    at the octave is left out too.

    >>> a = Notes([0.0, 1.0], [1.0, 1.0], [60, 62], [80, 80])
    >>> b = Notes([0.0], [2.0], [60], [90])
    >>> merged([Part("a", "", 0, "melody", a), Part("b", "", 0, "melody", b)]).rows()
    [(0.0, 2.0, 60, 90), (1.0, 1.0, 62, 80)]
    >>> c = Notes([0.0, 0.0], [1.0, 1.0], [36, 48], [80, 80])
    >>> merged([Part("c", "", 0, "bass", c)], octaves=False).rows()
    [(0.0, 1.0, 36, 80)]
    """
    best: dict[tuple[float, int], tuple[float, int]] = {}
    for part in parts:
        for on, dur, pitch, vel in part.notes.rows():
            key = (round(on, 6), int(pitch))
            old = best.get(key)
            best[key] = (max(dur, old[0]), max(vel, old[1])) if old else (dur, int(vel))
    if not octaves:
        best = {(on, p): kept for (on, p), kept in best.items()
                if not any((on, p - 12 * k) in best for k in range(1, 5))}
    rows = sorted((on, dur, p, v) for (on, p), (dur, v) in best.items())
    return Notes.from_rows(rows)


def condense(score: Score, engravings: Mapping[str, Engraving]) -> Score:
    """`score` as a short score: one staff per role, at concert pitch, each staff printed
    as `engravings` (the orchestra catalogue's, by name: see `STAFF_INSTRUMENTS`) prints
    its `STAVES` instrument."""
    parts: list[Part] = []
    for role, name, _, instrument in STAVES:
        members = [p for p in score.parts if staff_role(p) == role and p.duty != "doubling"]
        if not members:
            continue
        lead = members[0]
        parts.append(Part(
            name=name, instrument=instrument, program=0 if instrument else int(lead.program),
            role=lead.role, notes=merged(members, octaves=role != "bass"),
            channel=DRUM_CHANNEL if role == "percussion" else len(parts),
            is_drum=role == "percussion", articulations=lead.articulations,
            texture=lead.texture if len({p.texture for p in members}) == 1 else "",
            engraving=engravings.get(instrument)))
    return replace(score, parts=tuple(parts))
