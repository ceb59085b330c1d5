"""motifgen: write leitmotifs once, get a DAW-ready sketch for every scene.

The public API, imported lazily so the command line starts fast::

    import motifgen
    project = motifgen.load("motifs/cartographer.yaml")
    mara = project.motifs["mara"].motif
    motifgen.transform(mara, "fragment=3, sequence=3:+1, mode=phrygian")
    for v in motifgen.vary(mara, mood="tragic", n=4, seed=1):
        print(v.score, v.chain)
    score = motifgen.compose_scene(project, project.scene("2M2"))
    motifgen.propose("keeper", project.key, (4, 4), archetype="mentor", traits=["stubborn"])
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

#: public name -> module that defines it
_API = {
    "MotifgenError": "errors",
    "Motif": "motif",
    "Notes": "motif",
    "Key": "theory",
    "load": "project",
    "Project": "project",
    "propose": "generate.sampler",
    "constraints_for": "generate.constraints",
    "memorability": "generate.memorability",
    "transform": "development.chain",
    "apply_chain": "development.chain",
    "parse_chain": "development.chain",
    "TRANSFORMS": "development.registry",
    "vary": "development.vary",
    "develop": "development.vary",
    "similarity": "development.similarity",
    "Variation": "development.vary",
    "compose_scene": "arrange",
    "compose_film": "compose",
    "Score": "score",
    "TempoMap": "score",
    "resolve_mood": "moods",
    "PRESETS": "moods",
    "write_midi": "io.midi",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name == "transform":
        return import_module(".development.chain", __name__).apply_chain
    if name in _API:
        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'motifgen' has no attribute {name!r}")
