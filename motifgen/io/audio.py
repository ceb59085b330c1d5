"""WAV rendering of a Score with the FluidSynth command-line synthesiser.

The Score goes through the project's own MIDI writer into a temporary file,
``fluidsynth`` renders it offline (no audio device, one CPU core, so the same
Score gives the same samples), and the result is cut to picture length:

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

import array
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from ..errors import MotifgenError, ToolMissingError
from ..score import Score
from .files import atomic_write

#: Seconds of ring-out kept after the scene's last beat (faded to silence).
RELEASE_SECONDS = 0.25
#: FluidSynth master gain: 0.6 leaves headroom for a full orchestra without clipping.
GAIN = 0.6
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
        "-F", str(out), "-T", "wav", "-O", "s16", "-E", "little",
        "-r", str(int(sample_rate)), "-g", str(GAIN),
        "-o", "synth.cpu-cores=1",          # one thread: same input, same samples
        "-o", "synth.chorus.active=1", "-o", "synth.reverb.active=1",
        str(soundfont), str(midi),
    ]


def _fit_length(samples: array.array, channels: int, sample_rate: int,
                scene_seconds: float) -> array.array:
    """Trim or pad interleaved int16 samples to scene + release and fade the release."""
    scene_frames = round(scene_seconds * sample_rate)
    release_frames = round(RELEASE_SECONDS * sample_rate)
    total = (scene_frames + release_frames) * channels
    if len(samples) >= total:
        out = samples[:total]
    else:
        out = samples + array.array("h", bytes(2 * (total - len(samples))))
    for i in range(release_frames):
        factor = 1.0 - (i + 1) / release_frames
        base = (scene_frames + i) * channels
        for c in range(channels):
            out[base + c] = int(out[base + c] * factor)
    return out


def _rms(samples: array.array) -> float:
    if not samples:
        return 0.0
    return (sum(s * s for s in samples[:: max(1, len(samples) // 200_000)])
            / len(samples[:: max(1, len(samples) // 200_000)])) ** 0.5


def scene_duration(score: Score) -> float:
    """Seconds of the scene: `length_beats` on the tempo map (the notes' end if unset)."""
    return score.tempo_map.seconds_at(score.end_beats)


def render_wav(score: Score, path: str | os.PathLike[str],
               soundfont: str | os.PathLike[str] | None = None,
               sample_rate: int = 44100) -> Path:
    """Render `score` to a 16-bit stereo WAV at `path`, atomically; return the path.

    The file lasts exactly the scene plus `RELEASE_SECONDS` (see the module
    notes). Raises ToolMissingError when fluidsynth or a soundfont is absent
    and MotifgenError when the render fails or comes out silent.
    """
    from .midi import write_midi

    program = find_fluidsynth()
    font = find_soundfont(soundfont)
    scene_seconds = scene_duration(score)
    with tempfile.TemporaryDirectory(prefix="motifgen-wav-") as work:
        midi, raw = Path(work) / "scene.mid", Path(work) / "render.wav"
        write_midi(score, midi)
        cmd = _fluidsynth_command(program, font, midi, raw, sample_rate)
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT_SECONDS,
                                  stdin=subprocess.DEVNULL, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise MotifgenError(f"fluidsynth could not run: {e}", where=str(path)) from e
        if done.returncode != 0 or not raw.is_file():
            tail = (done.stderr or done.stdout or "").strip().splitlines()[-3:]
            raise MotifgenError(
                f"fluidsynth failed (exit {done.returncode}): {' | '.join(tail)}", where=str(path))
        try:
            with wave.open(str(raw), "rb") as w:
                channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
                frames = w.readframes(w.getnframes())
        except (wave.Error, EOFError) as e:
            raise MotifgenError(f"fluidsynth wrote an unreadable WAV: {e}", where=str(path)) from e
    if width != 2:
        raise MotifgenError(f"expected 16-bit samples from fluidsynth, got {8 * width}-bit",
                            where=str(path))
    samples = array.array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    samples = _fit_length(samples, channels, rate, scene_seconds)
    if score.note_count() and _rms(samples) < 1.0:
        raise MotifgenError(f"the render is silent (soundfont {font})", where=str(path))
    if sys.byteorder == "big":
        samples.byteswap()
    with atomic_write(path) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return Path(path)
