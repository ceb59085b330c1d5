"""Writers: one module per output format, each reading a Score and nothing else.

`FORMATS` maps a `--format` name (also the file extension) to its module and
writer; the command line and `compose_film` both read it. Nothing is imported
here, so listing the formats costs nothing at start-up.
"""

FORMATS: dict[str, tuple[str, str]] = {
    "mid": ("midi", "write_midi"),
    "json": ("plan", "write_plan"),
    "musicxml": ("musicxml", "write_musicxml"),
    "wav": ("audio", "render_wav"),
    "stems": ("audio", "render_stems"),
    "png": ("pianoroll", "write_png"),
}
