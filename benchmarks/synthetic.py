"""A large synthetic film for the benchmarks: a project file written from a seed.

120 scenes of 2-3 minutes, 12 characters (half tinyNotation, half scale
degrees + rhythm), three hits per scene at least 10 s apart, every built-in
mood, some mid-scene mood changes and explicit transforms. The same seed
always writes the same file.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

MOODS = ("heroic", "triumphant", "tender", "tragic", "melancholy", "menacing", "mysterious",
         "wonder", "playful", "action", "suspense", "peaceful")
NAMES = ("ada", "bram", "cleo", "dov", "esme", "falk", "greta", "hugo", "ines", "jonas",
         "kira", "lev")
#: Lead instruments, besides those of the moods: few enough that the film's template
#: (every cue's tracks on one set of channels) fits the 15 melodic MIDI channels.
INSTRUMENTS = ("horn", "clarinet", "oboe", "flute", "cello", "violin")
KEYS = ("D minor", "A phrygian", "F major", "G dorian", "E minor", "Bb major", "C lydian")
CHAINS = ("fragment=3, sequence=3:+1", "invert", "augment=2", "retrograde, diminish=2",
          "mode=dorian, rhythm=dotted")
FPS = 24


def _tiny(rng: random.Random) -> str:
    """Two bars of 4/4 in tinyNotation."""
    letters = ["c", "d", "e", "f", "g", "a", "b", "c'", "d'", "e'"]
    values = [("4", 1.0), ("8", 0.5), ("2", 2.0), ("4.", 1.5)]
    beats, tokens, at = 8.0, [], rng.randrange(len(letters))
    while beats > 0:
        text, length = rng.choice([v for v in values if v[1] <= beats])
        at = min(len(letters) - 1, max(0, at + rng.choice((-2, -1, -1, 1, 1, 2, 3))))
        tokens.append(letters[at] + text)
        beats -= length
    return "4/4 " + " ".join(tokens)


def _degrees(rng: random.Random) -> dict[str, str]:
    n = rng.randint(6, 9)
    steps, degree = [], rng.choice((1, 3, 5))
    for _ in range(n):
        steps.append(str(degree))
        move = rng.choice((-2, -1, 1, 1, 2, 4))
        degree = max(-3, min(10, degree + move))
        if degree == 0:  # degrees skip 0: below 1 comes -1, the 7th under the tonic
            degree = -1 if move < 0 else 1
    rhythm = [rng.choice(("q", "q", "e", "h", "q.")) for _ in range(n - 1)] + ["w"]
    return {"degrees": " ".join(steps), "rhythm": " ".join(rhythm)}


def timecode(seconds: float) -> str:
    """SMPTE at 24 fps, frames rounded down."""
    frames = int(round(seconds * FPS))
    s, f = divmod(frames, FPS)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{f:02d}"


def _spaced(rng: random.Random, lo: float, hi: float, count: int, gap: float) -> list[float]:
    """`count` times in lo..hi, each at least `gap` seconds from the others."""
    while True:
        times = sorted(round(rng.uniform(lo, hi), 2) for _ in range(count))
        if all(b - a >= gap for a, b in zip(times, times[1:])):
            return times


def project(scenes: int = 120, characters: int = 12, seed: int = 1) -> dict:
    """The project as a dict, ready for yaml."""
    rng = random.Random(seed)
    names = [NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else str(i)) for i in range(characters)]
    chars = {}
    for i, name in enumerate(names):
        entry: dict = {"motif": _tiny(rng) if i % 2 == 0 else _degrees(rng),
                       "instrument": INSTRUMENTS[i % len(INSTRUMENTS)]}
        if i % 3 == 1:
            entry["key"] = rng.choice(KEYS)
        chars[name] = entry
    out_scenes = []
    clock = 3600.0
    for i in range(scenes):
        length = rng.uniform(120, 180)
        hits = _spaced(rng, 12.0, length - 12.0, 3, 10.0)
        scene: dict = {
            "id": f"{i // 20 + 1}M{i % 20 + 1}",
            "title": f"Scene {i + 1}",
            "start": timecode(clock),
            "end": timecode(clock + length),
            "mood": MOODS[i % len(MOODS)],
            "featuring": rng.sample(names, rng.choice((1, 2, 2, 3))),
            "intensity": [round(rng.uniform(0.1, 0.6), 2), round(rng.uniform(0.4, 1.0), 2)],
            "hits": [{"at": timecode(clock + t), "label": f"Hit {k + 1}",
                      "downbeat": rng.random() < 0.8} for k, t in enumerate(hits)],
        }
        if i % 4 == 3:  # a mood change halfway between two hits
            scene["sections"] = [{"at": timecode(clock + (hits[1] + hits[2]) / 2),
                                  "mood": MOODS[(i * 5 + 3) % len(MOODS)]}]
        if i % 6 == 5:
            scene["transform"] = {scene["featuring"][0]: rng.choice(CHAINS)}
        out_scenes.append(scene)
        clock += length + rng.uniform(20, 90)
    return {"motifgen": 1, "title": "Benchmark Film", "key": "D minor", "meter": "4/4",
            "fps": FPS, "seed": seed, "characters": chars, "scenes": out_scenes}


def write(folder: Path, scenes: int = 120, characters: int = 12, seed: int = 1) -> Path:
    """Write the project file into `folder`; return its path."""
    path = Path(folder) / "benchmark_film.yaml"
    path.write_text(yaml.safe_dump(project(scenes, characters, seed), sort_keys=False))
    return path
