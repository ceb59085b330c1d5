"""Motifs laid end to end for `motifgen vary`, `transform` and `suggest` (which write
the Score as MIDI)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..motif import Motif
from ..score import Marker, Part, Score, TempoMap
from ..theory import bar_beats
from .line import Line


def motif_of(project: Any, name: str) -> Motif:
    """A character's or theme's motif, with a clear error for an unknown name."""
    from ..errors import MotifgenError

    if name not in project.motifs:
        raise MotifgenError(f"unknown character or theme {name!r}; expected one of: "
                            f"{', '.join(project.motifs)}", str(project.path))
    return project.motifs[name].motif


def statements_score(project: Any, statements: Sequence[tuple[Motif, str]], title: str,
                     bpm: float = 96.0) -> Score:
    """Motifs laid end to end, a bar apart, each after a marker naming it (vary, transform)."""
    from ..orchestra import INSTRUMENTS, instrument

    first = statements[0][0]
    bar = bar_beats(first.meter)
    line, markers, at = Line(), [], 0.0
    lead = project.motifs.get(first.name)
    inst = instrument(lead.instrument) if lead and lead.instrument else INSTRUMENTS["piano"]
    for motif, text in statements:
        markers.append(Marker(at, text, "section"))
        line.add(motif, at)
        at += bar * (1 + -(-motif.end // bar))
    part = Part(name=inst.name, instrument=inst.name, program=inst.program, role="melody",
                notes=line.notes(), engraving=inst.engraving)
    tmap = TempoMap(((0.0, bpm),), ((0.0, first.meter),))
    return Score(id=title.replace(" ", "_"), title=title, key=first.key, tempo_map=tmap,
                 parts=(part,), markers=tuple(markers), fps=project.fps.name, length_beats=at)

