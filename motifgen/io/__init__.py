"""Files in and out, one module per format. Writers read a Score and nothing else; the
motif readers (`notation`, `midi_reader`, `musicxml_reader`) give a Motif.

`FORMATS` maps a `--format` name to its module and writer, `SUFFIXES` to the end of
its file name (``<id>.<suffix>``; the format's name when not listed); the command
line and `compose_film` both read them. Nothing is imported here, so listing the
formats costs nothing at start-up.
"""

FORMATS: dict[str, tuple[str, str]] = {
    "mid": ("midi", "write_midi"),
    "json": ("plan", "write_plan"),
    "musicxml": ("musicxml", "write_musicxml"),
    "wav": ("audio", "render_wav"),
    "stems": ("audio", "render_stems"),
    "png": ("pianoroll", "write_png"),
    "pdf": ("pdf", "write_pdf"),
    "click": ("click", "write_click"),
    "streamers": ("streamers", "write_streamers"),
}

SUFFIXES: dict[str, str] = {"click": "click.mid", "streamers": "streamers.csv"}

#: The stems' file names after the scene id (`audio.STEMS`, the score's sections):
#: ``2M2.brass.wav``; the `stems` format writes them all.
STEM_FILES: tuple[str, ...] = ("woodwinds.wav", "brass.wav", "percussion.wav",
                               "keys-and-harp.wav", "choir.wav", "strings.wav")


def file_name(scene_id: str, fmt: str) -> str:
    """The name of a scene's file in format `fmt`: ``2M2.mid``, ``2M2.click.mid``."""
    return f"{scene_id}.{SUFFIXES.get(fmt, fmt)}"


def file_names(scene_id: str, fmt: str) -> list[str]:
    """The files format `fmt` writes for a scene: `file_name`, or every stem's."""
    if fmt == "stems":
        return [f"{scene_id}.{stem}" for stem in STEM_FILES]
    return [file_name(scene_id, fmt)]


def scene_files(scene_id: str) -> list[str]:
    """Every name a scene's files may have, in the order of `FORMATS`, then its condensed
    scores (``2M2.condensed.musicxml``, ``2M2.condensed.pdf``)."""
    from .condensed import SCORE_FORMATS, condensed_name

    return [name for fmt in FORMATS for name in file_names(scene_id, fmt)] + [
        condensed_name(scene_id, fmt) for fmt in SCORE_FORMATS]
