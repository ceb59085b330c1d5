"""WAV rendering of a Score with the FluidSynth command-line synthesiser: the mix and
the stems, as Broadcast WAVs stamped with the cue's start.

Each stem (a section of the score: `STEMS`) goes through the project's own MIDI
writer into a temporary file, ``fluidsynth`` renders it offline as float samples
(no audio device, one CPU core, so the same Score gives the same samples), and
the mix is the sum of the stems, so stems written beside it add up to it within
rounding. Mix and stems share one gain, the one that puts the mix's peak at
`PEAK_DBFS`, and are written as 16-bit Broadcast WAVs (`bwf`) whose time
reference is the cue's start in samples since midnight. Every render is cut to
picture length:

* length = scene duration (``score.duration_seconds``, the tempo map's time of
  ``length_beats``) + ``RELEASE_SECONDS`` of ring-out;
* a shorter render is padded with silence, a longer one trimmed;
* the ring-out is faded to zero (linear, over ``RELEASE_SECONDS``) so the file
  never ends on a click. Everything up to the scene's end is untouched.

Soundfont search order: the ``soundfont`` argument, the ``MOTIFGEN_SOUNDFONT``
environment variable, then the Debian/Ubuntu and common Linux/macOS paths in
`SOUNDFONT_PATHS`.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from msgspec.structs import replace

from ..errors import MotifgenError, ToolMissingError
from ..score import SECTIONS, Part, Score

#: Seconds of ring-out kept after the scene's last beat (faded to silence).
RELEASE_SECONDS = 0.25
#: FluidSynth master gain (its float output is normalised afterwards, `PEAK_DBFS`).
GAIN = 0.6
#: Where every WAV's mix peaks, in dBFS: loud enough to judge, a decibel of headroom.
PEAK_DBFS = -1.0
#: 16-bit full scale.
FULL_SCALE = 32767.0
#: Voices fluidsynth may hold at once: enough that no voice is ever stolen.
POLYPHONY = 4096
#: The stems, in score order: the score's sections.
STEMS: tuple[str, ...] = SECTIONS
#: Where soundfonts are looked for when neither argument nor environment names one.
SOUNDFONT_PATHS: tuple[str, ...] = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",       # Debian/Ubuntu fluid-soundfont-gm
    "/usr/share/sounds/sf2/default-GM.sf2",       # Debian alternatives link
    "/usr/share/soundfonts/default.sf2",          # Fedora/Arch
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",         # Debian timgm6mb-soundfont
    "/usr/share/sounds/sf3/default-GM.sf3",
    "/usr/share/sounds/sf3/MuseScore_General.sf3",  # Debian musescore-general-soundfont
    "/opt/homebrew/share/soundfonts/default.sf2",
    "/usr/local/share/soundfonts/default.sf2",
)
_TIMEOUT_SECONDS = 600


def find_fluidsynth() -> str:
    """Path of the ``fluidsynth`` program, or ToolMissingError saying how to install it."""
    found = shutil.which("fluidsynth")
    if not found:
        raise ToolMissingError(
            "the 'fluidsynth' program is not installed; on Debian/Ubuntu: "
            "apt-get install fluidsynth fluid-soundfont-gm (macOS: brew install fluid-synth)",
            where="wav",
        )
    return found


def find_soundfont(soundfont: str | os.PathLike[str] | None = None) -> Path:
    """The soundfont to render with: argument, then $MOTIFGEN_SOUNDFONT, then known paths."""
    if soundfont is not None:
        candidate = Path(soundfont).expanduser()
        if not candidate.is_file():
            raise ToolMissingError(f"soundfont {str(candidate)!r} does not exist", where="wav")
        return candidate
    env = os.environ.get("MOTIFGEN_SOUNDFONT")
    if env:
        candidate = Path(env).expanduser()
        if not candidate.is_file():
            raise ToolMissingError(
                f"MOTIFGEN_SOUNDFONT names {str(candidate)!r}, which does not exist", where="wav")
        return candidate
    for name in SOUNDFONT_PATHS:
        if Path(name).is_file():
            return Path(name)
    raise ToolMissingError(
        "no General MIDI soundfont found; on Debian/Ubuntu: apt-get install fluid-soundfont-gm, "
        "or set MOTIFGEN_SOUNDFONT=/path/to/file.sf2",
        where="wav",
    )


def _fluidsynth_command(program: str, soundfont: Path, midi: Path, out: Path,
                        sample_rate: int) -> list[str]:
    return [
        program, "-n", "-i", "-q",
        "-F", str(out), "-T", "raw", "-O", "float", "-E", "little",
        "-r", str(int(sample_rate)), "-g", str(GAIN),
        "-o", "synth.cpu-cores=1",          # one thread: same input, same samples
        "-o", f"synth.polyphony={POLYPHONY}",  # no voice stealing: stems add up to the mix
        "-o", "synth.chorus.active=1", "-o", "synth.reverb.active=1",
        str(soundfont), str(midi),
    ]


def _fit_length(samples: np.ndarray, sample_rate: int, scene_seconds: float) -> np.ndarray:
    """Float frames (n x channels) trimmed or padded to scene + release, the release faded
    linearly to silence."""
    scene_frames = round(scene_seconds * sample_rate)
    release_frames = round(RELEASE_SECONDS * sample_rate)
    total = scene_frames + release_frames
    out = np.zeros((total, samples.shape[1]), dtype=np.float64)
    n = min(total, len(samples))
    out[:n] = samples[:n]
    fade = 1.0 - np.arange(1, release_frames + 1) / release_frames
    out[scene_frames:] *= fade[:, None]
    return out


def scene_duration(score: Score) -> float:
    """Seconds of the scene: `length_beats` on the tempo map (the notes' end if unset)."""
    return score.tempo_map.seconds_at(score.end_beats)


def stem_of(part: Part) -> str:
    """The stem (score section) a part sounds in."""
    if part.engraving is None:
        raise MotifgenError(f"{part.name}: no score section for {part.instrument!r}")
    return part.engraving.section


def _render(score: Score, font: Path, sample_rate: int, work: Path, where: str
            ) -> np.ndarray | None:
    """fluidsynth's float render of `score` (frames x 2), None for a score without notes."""
    from .midi import write_midi

    if not score.note_count():
        return None
    program = find_fluidsynth()
    midi, raw = work / f"{len(list(work.iterdir()))}.mid", work / "render.raw"
    write_midi(score, midi)
    cmd = _fluidsynth_command(program, font, midi, raw, sample_rate)
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT_SECONDS,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise MotifgenError(f"fluidsynth could not run: {e}", where=where) from e
    if done.returncode != 0 or not raw.is_file():
        tail = (done.stderr or done.stdout or "").strip().splitlines()[-3:]
        raise MotifgenError(
            f"fluidsynth failed (exit {done.returncode}): {' | '.join(tail)}", where=where)
    samples = np.fromfile(raw, dtype="<f4")
    raw.unlink()
    return samples[: len(samples) // 2 * 2].reshape(-1, 2)


def render_stems_float(score: Score, font: Path, sample_rate: int, where: str
                       ) -> dict[str, np.ndarray]:
    """Each stem of the score (`STEMS`), rendered alone and fitted to the scene's length:
    float frames x 2, zeros for a stem that does not play."""
    seconds = scene_duration(score)
    out = {}
    with tempfile.TemporaryDirectory(prefix="motifgen-wav-") as work:
        for stem in STEMS:
            parts = tuple(p for p in score.parts if stem_of(p) == stem)
            render = _render(replace(score, parts=parts), font, sample_rate, Path(work), where)
            out[stem] = _fit_length(render if render is not None else np.zeros((0, 2)),
                                    sample_rate, seconds)
    return out


def mixdown(stems: dict[str, np.ndarray]) -> np.ndarray:
    """The mix: the sum of the stems (all of one length, one for each of `STEMS`)."""
    return functools.reduce(np.add, stems.values())


def peak_gain(mix: np.ndarray, peak_dbfs: float | None) -> float:
    """The gain (to 16-bit full scale) that puts the mix's peak at `peak_dbfs`; None:
    fluidsynth's level as it is."""
    if peak_dbfs is None:
        return FULL_SCALE
    peak = float(np.abs(mix).max()) if mix.size else 0.0
    return FULL_SCALE * 10 ** (peak_dbfs / 20) / peak if peak > 0 else FULL_SCALE


def _pcm(samples: np.ndarray, gain: float) -> np.ndarray:
    return np.clip(np.round(samples * gain), -32768, 32767).astype(np.int16)


def _write(score: Score, path: Path, samples: np.ndarray, sample_rate: int, what: str) -> Path:
    from .bwf import write_bwf

    return write_bwf(path, samples, sample_rate, round(score.start_seconds * sample_rate),
                     f"{score.id} {score.title} ({what}) from {score.start_timecode}",
                     score.id)


def _mixed(score: Score, soundfont: str | os.PathLike[str] | None, sample_rate: int,
           peak_dbfs: float | None, where: str) -> tuple[dict[str, np.ndarray], float]:
    """The stems, and the gain that peak-normalises their sum (the mix)."""
    find_fluidsynth()
    font = find_soundfont(soundfont)
    stems = render_stems_float(score, font, sample_rate, where)
    mix = mixdown(stems)
    gain = peak_gain(mix, peak_dbfs)
    if score.note_count() and float(np.sqrt(np.mean((mix * FULL_SCALE) ** 2))) < 1.0:
        raise MotifgenError(f"the render is silent (soundfont {font})", where=where)
    return stems, gain


def render_wav(score: Score, path: str | os.PathLike[str],
               soundfont: str | os.PathLike[str] | None = None,
               sample_rate: int = 44100, peak_dbfs: float | None = PEAK_DBFS) -> Path:
    """Render `score` to a 16-bit stereo Broadcast WAV at `path`, atomically; return it.

    The mix is the sum of the stems (each section rendered alone), so `render_stems`
    gives files that add up to it; it is peak-normalised to `peak_dbfs` (None: left at
    fluidsynth's level) and lasts exactly the scene plus `RELEASE_SECONDS`. Raises
    ToolMissingError when fluidsynth or a soundfont is absent and MotifgenError when
    the render fails or comes out silent.
    """
    stems, gain = _mixed(score, soundfont, sample_rate, peak_dbfs, str(path))
    return _write(score, Path(path), _pcm(mixdown(stems), gain), sample_rate, "mix")


def stem_paths(path: str | os.PathLike[str]) -> dict[str, Path]:
    """Where the stems of `<id>.stems` go: `<id>.<stem>.wav` beside it (`STEM_FILES`)."""
    from . import STEM_FILES

    path = Path(path)
    return {stem: path.with_name(f"{path.stem}.{name}") for stem, name in zip(STEMS, STEM_FILES)}


def render_stems(score: Score, path: str | os.PathLike[str],
                 soundfont: str | os.PathLike[str] | None = None,
                 sample_rate: int = 44100, peak_dbfs: float | None = PEAK_DBFS) -> list[Path]:
    """One Broadcast WAV per stem (`stem_paths`), sample-aligned and as long as the mix,
    all with the mix's gain: they add up to `render_wav`'s file within rounding."""
    stems, gain = _mixed(score, soundfont, sample_rate, peak_dbfs, str(path))
    return [_write(score, out, _pcm(stems[stem], gain), sample_rate, stem)
            for stem, out in stem_paths(path).items()]
