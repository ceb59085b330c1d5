"""Propose leitmotifs for a character from its archetype and traits (`motifgen suggest`).

The candidates come from the same generator the project uses, so with the
project's seed candidate 1 is the motif the film is composed with; another
seed, archetype or set of traits gives the composer other ideas to choose from.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from msgspec import Struct

from .errors import MotifgenError
from .film import Project
from .generate.constraints import key_for
from .generate.sampler import Candidate, propose


class Suggestion(Struct, frozen=True):
    """What `suggest` proposes for one character: the definition used and the candidates."""

    name: str
    archetype: str | None
    traits: tuple[str, ...]
    seed: int
    candidates: tuple[Candidate, ...]

    def heading(self) -> str:
        """'finch: trickster; playful, restless (seed 7)'."""
        what = "; ".join(x for x in (self.archetype or "", ", ".join(self.traits)) if x)
        return f"{self.name}: {what or 'no archetype or traits'} (seed {self.seed})"


def suggest(project: Project, name: str, n: int = 5, seed: int | None = None,
            archetype: str | None = None, traits: Sequence[str] | None = None) -> Suggestion:
    """`n` candidates for `name`, best first; `archetype` and `traits` replace the
    project's definition of the character (or define one it does not have)."""
    known = project.motifs.get(name)
    if known is None and archetype is None and not traits:
        raise MotifgenError(
            f"unknown character or theme {name!r}; give --archetype or --traits to define "
            f"a new one, or use one of: {', '.join(project.motifs)}", str(project.path))
    if archetype is None and traits is None and known is not None and not (
            known.archetype or known.traits):
        raise MotifgenError(f"{name!r} has no archetype or traits to generate from; give "
                            "--archetype or --traits", str(project.path))
    _check_words(archetype, traits)
    archetype = archetype if archetype is not None else (known.archetype if known else None)
    traits = tuple(traits) if traits is not None else (known.traits if known else ())
    key = (known.key if known is not None else None) or key_for(project.key, archetype, traits)
    seed = project.seed if seed is None else seed
    candidates = propose(name, key, project.meter, archetype=archetype, traits=traits,
                         seed=seed, n=n)
    return Suggestion(name, archetype, traits, seed, tuple(candidates))


def _check_words(archetype: str | None, traits: Sequence[str] | None) -> None:
    """Unknown words given on the command line are errors at their option."""
    from .generate.constraints import archetype_name, trait_name

    for option, check, words in (("--archetype", archetype_name, [archetype] if archetype else []),
                                 ("--traits", trait_name, traits or [])):
        for word in words:
            try:
                check(word)
            except MotifgenError as e:
                raise MotifgenError(e.message, option) from e


def write_candidates(project: Project, found: Suggestion, path: Path) -> Path:
    """The candidates end to end in one MIDI file, each after a marker with its number,
    memorability and the constraints it was drawn under."""
    from .arrange import statements_score
    from .io.midi import write_midi

    return write_midi(statements_score(
        project, [(c.motif, f"{i}. memorability {c.score:.2f}; {c.constraints.describe()}")
                  for i, c in enumerate(found.candidates, 1)],
        f"{found.name} suggestions"), path)


def write_pick(found: Suggestion, pick: int, into: Path, allow: Sequence[Path] = ()) -> str:
    """Write candidate `pick` (1-based) into the project file `into` as the motif of
    `found.name`, keeping the file's comments and layout."""
    from .projectfile import ProjectFile, motif_text

    if not 1 <= pick <= len(found.candidates):
        raise MotifgenError(f"expected a candidate number from 1 to {len(found.candidates)}, "
                            f"got {pick}", "--pick")
    target = ProjectFile(into, allow=allow)  # read before anything is written
    tiny, motif = motif_text(found.candidates[pick - 1].motif)
    return target.put(found.name, tiny, motif.key, motif)
