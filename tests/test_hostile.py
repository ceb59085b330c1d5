"""The hostile-input corpus of issue 21: an attacker's and an unlucky user's inputs.

Every case runs ``python -m motifgen`` as a real process (20 s bound) in a world of its
own (see tests/hostile.py) and checks the exit status, the one stderr line, that there
is no traceback, and that the whole world (output folder, project folder, home and
temporary folder) is byte for byte as before; cases that must work check that instead.
"""

from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.hostile import PROJECT, World, mount_tmpfs, remount_read_only, unmount

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
    assert "before: D4/q F4/e E4/e A4/q" in run.out


@pytest.mark.parametrize("container", [True, False], ids=["container", "no-container"])
def test_a_compressed_mxl_motif_reads(world, container):
    (world.proj / "theme.mxl").write_bytes(mxl(musicxml(), container=container))
    project = with_motif_file(world, "theme.mxl")
    run = world.run("transform", project, "hero", "transpose=0")
    assert run.status == 0, run.err
    assert "before: D4/q F4/e E4/e A4/q" in run.out


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
        z.writestr("score.musicxml", b"<" + b" " * 60_000_000)
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
    assert "before: C4/q F4/e E4/e A4/q" in run.out


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
    "20-thousand-notes": (midi(events=_notes(20_000)), "at most 256 notes"),
    "3-million-notes": (midi(events=_notes(3_000_000)), "larger than 1 MB"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_MIDI))
def test_broken_midi_is_one_line(world, case):
    data, expect = BROKEN_MIDI[case]
    (world.proj / "theme.mid").write_bytes(data)
    project = with_motif_file(world, "theme.mid")
    world.refuses("validate", project, expect=expect)


# -------------------------------------------------------------------------------------------
# writing: -o FILE, the output folder, --into PROJECT

OUTPUT_COMMANDS = {
    "transform": ["transform", "{project}", "hero", "transpose=2"],
    "vary": ["vary", "{project}", "hero", "-n", "2"],
    "suggest": ["suggest", "{project}", "hero", "--archetype", "mentor", "-n", "2"],
}


def _command(world: World, which: str, *extra: str | Path) -> list[str | Path]:
    return [a.format(project=world.project) for a in OUTPUT_COMMANDS[which]] + list(extra)


@pytest.fixture
def device(world: World) -> Path:
    """A character device like /dev/null inside the world (a FIFO when not root)."""
    path = world.out / "device"
    try:
        os.mknod(path, 0o666 | __import__("stat").S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        os.mkfifo(path)
    return path


OUTPUT_TARGETS = {
    "the-project-file": (lambda w: w.project, "a file the project is read from"),
    "the-project-via-dotdot": (lambda w: w.out / ".." / "proj" / "film.yaml",
                               "a file the project is read from"),
    "another-yaml-file": (lambda w: w.proj / "other.yaml", "is not a MIDI file"),
    "a-midi-motif-file": (lambda w: w.proj / "theme.mid", "a file the project is read from"),
    "a-folder": (lambda w: w.out, "is a folder"),
    "under-a-regular-file": (lambda w: w.out / "notes.txt" / "x.mid", "is a file, not a folder"),
    "a-text-file": (lambda w: w.out / "notes.txt", "is not a MIDI file"),
    "a-symlink": (lambda w: w.out / "link.mid", "is a symbolic link"),
}


@pytest.mark.parametrize("which, target", [("transform", t) for t in sorted(OUTPUT_TARGETS)]
                         + [(w, t) for w in ("vary", "suggest")
                            for t in ("the-project-file", "a-midi-motif-file", "a-folder")])
def test_dash_o_never_replaces_what_it_must_not(world, which, target):
    (world.proj / "theme.mid").write_bytes(midi())
    text = PROJECT.replace("scenes:", "themes:\n  theme:\n    motif: {file: theme.mid}\nscenes:")
    world.write(text)
    (world.out / "link.mid").symlink_to(world.home / "victim.mid")
    (world.home / "victim.mid").write_bytes(b"MThd the victim")
    (world.proj / "other.yaml").write_text("motifgen: 1\n", encoding="utf-8")
    path, expect = OUTPUT_TARGETS[target]
    world.refuses(*_command(world, which, "-o", path(world)), expect=expect)


@pytest.mark.parametrize("which", sorted(OUTPUT_COMMANDS))
def test_dash_o_onto_a_device_leaves_the_device(world, which, device):
    world.refuses(*_command(world, which, "-o", device), expect="not a regular file")
    world.refuses(*_command(world, which, "-o", "/dev/null"), expect="not a regular file")
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize("which", sorted(OUTPUT_COMMANDS))
def test_dash_o_writes_a_new_file_or_replaces_a_midi_file(world, which):
    for name in ("new/sub/result.mid", "1M1.mid"):
        run = world.run(*_command(world, which, "-o", world.out / name))
        assert run.status == 0, run.err
        assert (world.out / name).read_bytes()[:4] == b"MThd"


def test_compose_into_the_project_folder_never_overwrites_a_motif_file(world):
    (world.proj / "1M2.mid").write_bytes(midi())
    text = PROJECT.replace("scenes:", "themes:\n  theme:\n    motif: {file: 1M2.mid}\nscenes:")
    project = world.write(text)
    world.refuses("compose", project, "-o", world.proj, "-q",
                  expect="a file the project is read from")


def test_compose_into_the_project_folder_keeps_the_project_file(world):
    before = world.project.read_bytes()
    run = world.run("compose", world.project, "-o", world.proj, "-q")
    assert run.status == 0, run.err
    assert world.project.read_bytes() == before
    assert (world.proj / "1M1.mid").exists() and (world.proj / "cue_sheet.csv").exists()


def test_a_project_file_named_like_an_output_file_is_never_overwritten(world):
    project = world.write(PROJECT, name="cue_sheet.md")
    world.refuses("compose", project, "-o", world.proj, "-q",
                  expect="a file the project is read from")


OBSTACLES = {
    "a-symlink-named-like-a-scene": ("1M2.mid", "is a symbolic link"),
    "a-folder-named-like-the-cue-sheet": ("cue_sheet.md", "is a folder"),
    "a-fifo-named-like-a-scene": ("1M2.json", "not a regular file"),
}


@pytest.mark.parametrize("case", sorted(OBSTACLES))
def test_every_obstacle_is_found_before_the_first_rename(world, case):
    name, expect = OBSTACLES[case]
    obstacle = world.out / name
    if "symlink" in case:
        (world.home / "victim.mid").write_bytes(b"MThd the victim")
        obstacle.symlink_to(world.home / "victim.mid")
    elif "folder" in case:
        obstacle.mkdir()
    else:
        os.mkfifo(obstacle)
    world.refuses("compose", world.project, "-o", world.out, "-q", expect=expect)


def test_an_output_path_that_is_a_file_is_one_line(world):
    world.refuses("compose", world.project, "-o", world.out / "notes.txt", "-q",
                  expect="it is a file, not a folder")
    world.refuses("compose", world.project, "-o", world.out / "notes.txt" / "sub", "-q",
                  expect="is a file, not a folder")


def test_a_file_that_cannot_be_replaced_rolls_back_the_renames(world):
    """An immutable 1M2.mid (chattr +i): its rename fails after 1M1.json, 1M1.mid and
    1M2.json were moved in; those are put back as they were."""
    target = world.out / "1M2.mid"
    target.write_bytes(b"MThd yesterday's 1M2")
    if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode:
        pytest.skip("chattr +i does not work here (not root, or the file system has no "
                    "immutable flag)")
    try:
        world.refuses("compose", world.project, "-o", world.out, "-q", expect="1M2.mid")
    finally:
        subprocess.run(["chattr", "-i", str(target)], capture_output=True)


@pytest.fixture
def small_fs(world: World):
    """A 1 MB tmpfs at world/fs (skipped where it cannot be mounted)."""
    mount = world.root / "fs"
    if not mount_tmpfs(mount):
        pytest.skip("cannot mount a tmpfs (needs root): read-only and full-disk cases")
    yield mount
    unmount(mount)


def test_a_read_only_output_folder_is_one_line(world, small_fs):
    (small_fs / "1M1.mid").write_bytes(b"MThd yesterday's 1M1")
    remount_read_only(small_fs)
    world.refuses("compose", world.project, "-o", small_fs, "-q",
                  expect="Read-only file system")
    world.refuses("compose", world.project, "-o", small_fs / "new", "-q",
                  expect="Read-only file system")


def test_a_full_file_system_keeps_yesterday_whole(world, small_fs):
    (small_fs / "1M1.mid").write_bytes(b"MThd yesterday's 1M1")
    filler = small_fs / "filler"
    try:  # fill it up, then leave a few kilobytes: enough to begin, not to finish
        with filler.open("wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
    except OSError:
        pass
    os.truncate(filler, filler.stat().st_size - 12288)
    world.refuses("compose", world.project, "-o", small_fs, "-q",
                  "--format", "mid,json,musicxml", expect="No space left on device")


def test_a_read_only_file_system_for_into(world, small_fs):
    project = small_fs / "film.yaml"
    project.write_text(PROJECT, encoding="utf-8")
    remount_read_only(small_fs)
    world.refuses("suggest", project, "hero", "--archetype", "mentor", "--pick", "1",
                  "--into", project, expect="read-only")


def _suggest_into(world: World, project: Path, *extra: str) -> list[str | Path]:
    return ["suggest", project, "hero", "--archetype", "mentor", "--pick", "1",
            "--into", project, *extra]


def test_into_a_read_only_file_leaves_it_read_only(world):
    world.project.chmod(0o444)
    world.refuses(*_suggest_into(world, world.project), expect="read-only")
    assert world.project.stat().st_mode & 0o777 == 0o444


def test_into_a_symlink_updates_its_file_and_keeps_the_link(world):
    link = world.proj / "link.yaml"
    link.symlink_to("film.yaml")
    before = world.project.read_bytes()
    world.project.chmod(0o640)
    run = world.run(*_suggest_into(world, link))
    assert run.status == 0, run.err
    assert link.is_symlink() and os.readlink(link) == "film.yaml"
    assert world.project.read_bytes() != before
    assert world.project.stat().st_mode & 0o777 == 0o640  # the mode is kept


def test_into_a_file_with_crlf_and_tabs_keeps_them(world):
    text = PROJECT.replace("key: D minor", "key: D minor\t# the home key").replace(
        "fps: 24", "fps: 24  \t# film")
    world.project.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    run = world.run(*_suggest_into(world, world.project))
    assert run.status == 0, run.err
    data = world.project.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") > 15
    assert b"key: D minor\t# the home key\r\n" in data and b"archetype" not in data
    assert world.run("validate", world.project).status == 0


def test_into_a_project_that_does_not_load_leaves_it(world):
    broken = world.write(PROJECT.replace("mood: action", "mood: actoin") + "# the end\n",
                         name="broken.yaml")
    world.refuses("suggest", world.project, "hero", "--archetype", "mentor", "--pick", "1",
                  "--into", broken, expect="left unchanged")
    take = world.proj / "take.mid"
    take.write_bytes(midi())
    world.refuses("import", take, "--name", "hero", "--into", broken, expect="left unchanged")


def test_into_keeps_anchors_and_refuses_to_change_a_shared_motif(world):
    text = PROJECT.replace(
        '  hero:\n    motif: "4/4 d4 a4 g8 f e4 f4. g8 a2"',
        '  hero: &shared\n    motif: "4/4 d4 a4 g8 f e4 f4. g8 a2"\n  twin: *shared\n'
        '  other:\n    motif: "4/4 d4 f4 a2"').replace(
        "    seconds: 8\n    mood: tender", "    seconds: 8\n    intensity: &soft 0.3\n"
        "    mood: tender").replace("    mood: action", "    mood: action\n"
                                   "    intensity: *soft")
    world.write(text)
    assert world.run("validate", world.project).status == 0
    world.refuses(*_suggest_into(world, world.project), expect="would change 'twin' too")
    run = world.run("suggest", world.project, "other", "--archetype", "mentor", "--pick", "1",
                    "--into", world.project)
    assert run.status == 0, run.err
    after = world.project.read_text(encoding="utf-8")
    assert "&shared" in after and "*shared" in after and "&soft" in after and "*soft" in after


# -------------------------------------------------------------------------------------------
# signals, two runs at once, load


@pytest.fixture(scope="module")
def long_film(tmp_path_factory) -> tuple[Path, dict, float]:
    """A 12-scene film, the output of composing it, and how long a run takes."""
    import time

    from tests.hostile import film, snapshot

    root = tmp_path_factory.mktemp("long")
    world = World(root)
    project = world.write(film(12, seconds=240, hits=8))
    out = root / "complete"
    started = time.monotonic()
    run = world.run("compose", project, "-o", out, "-q", "--jobs", "1")
    assert run.status == 0, run.err
    return project, snapshot(out), time.monotonic() - started


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("when", [0.35, 0.95], ids=["composing", "writing"])
def test_a_signal_at_any_moment_leaves_the_folder_whole(world, long_film, jobs, signame,
                                                        when):
    import signal
    import time

    from tests.hostile import group_alive, snapshot

    project, complete, duration = long_film
    before = snapshot(world.out)
    process = subprocess.Popen(
        [sys.executable, "-m", "motifgen", "compose", str(project), "-o", str(world.out), "-q",
         "--jobs", jobs], env=world.env, cwd=world.root, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(duration * when)
    process.send_signal(getattr(signal, signame))
    out, err = process.communicate(timeout=20)
    deadline = time.monotonic() + 5
    while group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_alive(process.pid) == [], "orphan worker processes"
    after = snapshot(world.out)
    assert "Traceback" not in err, err
    if when < 0.5:
        assert process.returncode != 0, "the signal came too late to test anything"
    if process.returncode == 0:  # finished before the signal landed
        assert err == ""
    else:
        assert process.returncode == {"SIGINT": 130, "SIGTERM": 143}[signame], err
        said = "interrupted" if signame == "SIGINT" else "terminated"
        assert err.splitlines() == [f"motifgen: {said}"]
    complete_now = {**before, **complete}
    assert after in (before, complete_now), "the folder is neither as before nor complete"
    assert not [n for n in after if n.startswith(".motifgen")], "a staging folder was left"


def test_two_runs_into_one_folder_take_turns(world, long_film):
    """Both wait while the folder is locked (nothing changes meanwhile), then each writes
    its complete output in turn: the folder ends as one run's complete output."""
    import fcntl
    import time

    from tests.hostile import snapshot

    project = world.write(PROJECT)
    references = {}
    for seed in ("1", "2"):
        ref = world.root / f"ref{seed}"
        assert world.run("compose", project, "-o", ref, "-q", "--seed", seed).status == 0
        references[seed] = snapshot(ref)
    before = snapshot(world.out)
    lock = os.open(world.out, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)
    runs = [subprocess.Popen([sys.executable, "-m", "motifgen", "compose", str(project), "-o",
                              str(world.out), "--seed", seed], env=world.env, cwd=world.root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for seed in ("1", "2")]
    time.sleep(2.0)
    assert snapshot(world.out) == before and all(r.poll() is None for r in runs)
    os.close(lock)
    results = [r.communicate(timeout=20) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], results
    assert all("waiting for another run" in err for _, err in results)
    after = snapshot(world.out)
    assert after in ({**before, **references["1"]}, {**before, **references["2"]})


def test_a_long_film_shows_progress_when_piped(world):
    """A film of 20 five-minute scenes with 19 hits each (README: 200 such scenes take
    about 15 s and 100 MB): one progress line per scene on a piped stderr."""
    from tests.hostile import film

    project = world.write(film(20, seconds=300, hits=19))
    run = world.run("compose", project, "-o", world.out)
    assert run.status == 0, run.err
    lines = run.err.splitlines()
    done = [re.fullmatch(r"motifgen: composed (S\d{3}) \((\d+) of 20\)", line)
            for line in lines[:-1]]
    assert all(done) and len(done) == 20, lines  # in the order the scenes finish (--jobs)
    assert [int(m.group(2)) for m in done if m] == list(range(1, 21))
    assert sorted(m.group(1) for m in done if m) == [f"S{k:03d}" for k in range(1, 21)]
    assert lines[-1] == "motifgen: writing the files"


# -------------------------------------------------------------------------------------------
# numbers and text in the project file, scene ids, the command line

SCENE = ('  - id: 1M1\n    start: "01:00:00:00"\n    seconds: 8\n    mood: tender\n'
         '    featuring: [hero]\n')


def _project_with(world: World, old: str, new: str) -> Path:
    assert old in PROJECT
    return world.write(PROJECT.replace(old, new, 1))


BIG = "1" + "0" * 400
NUMBERS = {
    "seed-beyond-float": ("fps: 24", f"fps: 24\nseed: {BIG}", "seed: the number"),
    "seed-beyond-2**63": ("fps: 24", "fps: 24\nseed: 9223372036854775808", "seed: expected"),
    "tempo-beyond-float": ("scenes:",
                           f"moods:\n  m: {{base: action, tempo: [120, {BIG}]}}\nscenes:",
                           "moods.m.tempo[1]: the number"),
    "tempo-nan": ("scenes:", "moods:\n  m: {base: action, tempo: [.nan, 140]}\nscenes:",
                  "moods.m.tempo"),
    "tempo-inf": ("scenes:", "moods:\n  m: {base: action, tempo: .inf}\nscenes:", "moods.m.tempo"),
    "intensity-nan": ("    seconds: 8\n    mood: tender", "    seconds: 8\n    intensity: .nan\n"
                      "    mood: tender", "scenes[0].intensity"),
    "intensity-beyond-float": ("    seconds: 8\n    mood: tender",
                               f"    seconds: 8\n    intensity: [0, {BIG}]\n    mood: tender",
                               "scenes[0].intensity[1]: the number"),
    "hit-weight-nan": ("    seconds: 8\n    mood: tender", '    seconds: 8\n    hits: [{at: '
                       '"01:00:04:00", weight: .nan}]\n    mood: tender',
                       "scenes[0].hits[0].weight"),
    "hit-weight-inf": ("    seconds: 8\n    mood: tender", '    seconds: 8\n    hits: [{at: '
                       '"01:00:04:00", weight: .inf}]\n    mood: tender',
                       "scenes[0].hits[0].weight"),
    "hit-weight-beyond-float": ("    seconds: 8\n    mood: tender", '    seconds: 8\n    hits: '
                                f'[{{at: "01:00:04:00", weight: {BIG}}}]\n    mood: tender',
                                "scenes[0].hits[0].weight: the number"),
    "seconds-nan": ("seconds: 8", "seconds: .nan", "scenes[0].seconds"),
    "seconds-inf": ("seconds: 8", "seconds: .inf", "scenes[0].seconds"),
    "seconds-beyond-float": ("seconds: 8", f"seconds: {BIG}", "scenes[0].seconds: the number"),
    "seconds-5000-digits": ("seconds: 8", "seconds: 1" + "0" * 5000, "too long"),
    "fps-1e999999999": ("fps: 24", 'fps: "1e999999999"', "fps: unknown frame rate"),
    "fps-1e-999999999": ("fps: 24", 'fps: "1e-999999999"', "fps: unknown frame rate"),
    "fps-nan": ("fps: 24", "fps: .nan", "fps: unknown frame rate"),
    "fps-beyond-float": ("fps: 24", f"fps: {BIG}", "fps: the number"),
    "timecode-fullwidth-digits": ('start: "01:00:00:00"', 'start: "０１:00:00:00"',
                                  "use the digits 0-9"),
    "timecode-arabic-indic-digits": ('start: "01:00:00:00"', 'start: "٠١:00:00:00"',
                                     "use the digits 0-9"),
    "timecode-past-24h": ('start: "01:00:00:00"', 'start: "24:00:00:00"', "hours below 24"),
    "scene-ending-past-24h": ('start: "01:00:00:00"', 'start: "23:59:55:00"', "past 24:00:00:00"),
}


@pytest.mark.parametrize("case", sorted(NUMBERS))
def test_numbers_are_one_line(world, case):
    old, new, expect = NUMBERS[case]
    project = _project_with(world, old, new)
    world.refuses("compose", project, "-o", world.out, "-q", expect=expect)


def test_a_decimal_exponent_frame_rate_that_is_a_rate_works(world):
    project = _project_with(world, "fps: 24", 'fps: "2.4e1"')
    assert world.run("validate", project).status == 0


ENCODINGS = {
    "utf-8-bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "utf-16-le-bom": lambda text: text.encode("utf-16"),
    "utf-16-be-bom": lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "tabs": lambda text: text.replace("key: D minor", "key:\tD minor\t# home").replace(
        "fps: 24", "fps: 24\t\t").replace("featuring: [hero]", "featuring:\t[ hero\t]"
                                          ).encode("utf-8"),
    "all-of-them": lambda text: b"\xef\xbb\xbf" + text.replace("key: D minor", "key: D minor\t"
                                                                 ).replace("\n", "\r\n").encode(),
}


@pytest.mark.parametrize("case", sorted(ENCODINGS))
def test_encodings_and_layouts_yaml_allows_work(world, case):
    """The same project as plain UTF-8 gives byte-identical files."""
    from tests.hostile import snapshot

    plain = world.root / "plain"
    assert world.run("compose", world.project, "-o", plain, "-q").status == 0
    variant = world.proj / "film.yaml"
    variant.write_bytes(ENCODINGS[case](PROJECT))
    run = world.run("compose", variant, "-o", world.root / "variant", "-q")
    assert run.status == 0, run.err
    assert snapshot(world.root / "variant") == snapshot(plain)


@pytest.mark.parametrize("what", ["folder", "/dev/null", "/dev/zero", "fifo", "missing"])
def test_a_project_path_that_is_not_a_file_is_one_line(world, what):
    path = {"folder": world.proj, "/dev/null": Path("/dev/null"), "/dev/zero": Path("/dev/zero"),
            "fifo": world.proj / "fifo.yaml", "missing": world.proj / "nope.yaml"}[what]
    if what == "fifo":
        os.mkfifo(path)
    world.refuses("compose", path, "-o", world.out, "-q", expect="cannot read project file")
    world.refuses("suggest", world.project, "hero", "--archetype", "mentor", "--pick", "1",
                  "--into", path, expect="cannot read project file")


SCENE_IDS = {
    "slash": ('"a/b"', "holds the character '/'"),
    "backslash": ('"a\\\\b"', "holds the character"),
    "dotdot": ('".."', "not a safe file name"),
    "dot-hidden": ('".1M1"', "not a safe file name"),
    "nul": ('"1M\\0x"', "holds the character '\\x00'"),
    "newline": ('"1M\\nx"', "holds the character '\\n'"),
    "null": ("null", "expected a cue id as text"),
    "true": ("true", "expected a cue id as text"),
    "list": ("[a, b]", "expected a cue id as text"),
    "empty": ('""', "not a safe file name"),
    "spaces": ('"   "', "not a safe file name"),
    "trailing-dot": ('"1M1."', "not a safe file name"),
    "leading-dash": ('"-rf"', "not a safe file name"),
    "colon": ('"1:1"', "holds the character ':'"),
    "star": ('"1*"', "holds the character '*'"),
    "241-bytes": ("A" * 241, "at most 240 bytes"),
    "300-chars": ("é" * 150, "at most 240 bytes"),
    "CON": ("CON", "device name on Windows"),
    "nul-device": ("nul", "device name on Windows"),
    "COM1-with-extension": ("COM1.take2", "device name on Windows"),
    "LPT9": ("lpt9", "device name on Windows"),
}


@pytest.mark.parametrize("case", sorted(SCENE_IDS))
def test_unsafe_scene_ids_are_refused_at_validation(world, case):
    value, expect = SCENE_IDS[case]
    project = _project_with(world, "  - id: 1M1\n", f"  - id: {value}\n")
    run = world.refuses("validate", project, expect="scenes[0].id")
    assert expect in run.lines[0]


@pytest.mark.parametrize("first, second", [("1M1", "1m1"), ("Caf\u00e9", "Cafe\u0301"),
                                           ("A_B", "a_b")])
def test_scene_ids_that_would_share_a_file_are_refused(world, first, second):
    project = _project_with(world, "  - id: 1M1\n", f"  - id: {first}\n").read_text(
        encoding="utf-8").replace("  - id: 1M2\n", f"  - id: {second}\n")
    path = world.write(project)
    world.refuses("compose", path, "-o", world.out, "-q", expect="scenes[1].id")


@pytest.mark.parametrize("scene_id", ["A" * 240, "é" * 120, "null", "1M1 (alt take).v2", "101"])
def test_legal_scene_ids_compose_in_every_format(world, scene_id):
    project = _project_with(world, "  - id: 1M1\n", f"  - id: \"{scene_id}\"\n")
    formats = "mid,json,musicxml,png" if scene_id.startswith("é") else "mid,json"
    run = world.run("compose", project, "-o", world.out, "--scene", scene_id, "-q",
                    "--format", formats)
    assert run.status == 0 and run.err == "", run.err
    names = {p.name for p in world.out.iterdir()}
    assert {f"{scene_id}.{f}" for f in formats.split(",")} <= names
    assert not [n for n in names if n.startswith(".")]


COMMAND_LINES = {
    "jobs-0": (["compose", "{project}", "--jobs", "0"], "--jobs: expected a whole number >= 1"),
    "jobs--1": (["compose", "{project}", "--jobs", "-1"], "--jobs: expected a whole number"),
    "jobs-word": (["compose", "{project}", "--jobs", "many"], "--jobs: expected a whole number"),
    "vary-n-100000": (["vary", "{project}", "hero", "-n", "100000"], "-n: expected at most 200"),
    "vary-n-0": (["vary", "{project}", "hero", "-n", "0"], "-n: expected a whole number >= 1"),
    "suggest-n-100000": (["suggest", "{project}", "hero", "--archetype", "mentor", "-n",
                          "100000"], "-n: expected at most 100"),
    "format-unknown": (["compose", "{project}", "--format", "mid,mp3"], "unknown format 'mp3'"),
    "format-empty": (["compose", "{project}", "--format", ","], "unknown format"),
    "seed-negative": (["compose", "{project}", "--seed", "-1"], "--seed: expected a whole number"),
    "seed-huge": (["compose", "{project}", "--seed", "9" * 30], "--seed: expected a whole number"),
    "vary-seed-huge": (["vary", "{project}", "hero", "--seed", "9" * 5000],
                       "--seed: expected a whole number"),
    "scene-unknown": (["compose", "{project}", "--scene", "1M9"], "no scene '1M9'"),
}


@pytest.mark.parametrize("case", sorted(COMMAND_LINES))
def test_command_line_bounds_are_one_line(world, case):
    args, expect = COMMAND_LINES[case]
    args = [a.format(project=world.project) for a in args]
    if args[0] == "compose":
        args += ["-o", str(world.out), "-q"]
    world.refuses(*args, expect=expect)


@pytest.mark.parametrize("jobs", ["2", "10000"])
def test_many_jobs_and_repeated_formats_are_clamped(world, jobs):
    reference = world.root / "reference"
    assert world.run("compose", world.project, "-o", reference, "-q").status == 0
    run = world.run("compose", world.project, "-o", world.root / "again", "-q", "--jobs", jobs,
                    "--format", "mid,json,mid,MID")
    assert run.status == 0, run.err
    from tests.hostile import snapshot

    assert snapshot(world.root / "again") == snapshot(reference)


# -------------------------------------------------------------------------------------------
# formulas in the cue sheet


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cue_sheet_cells_never_start_a_formula(world, start):
    import csv
    import json

    title = f"{start}HYPERLINK(\"http://evil.example\",\"click\")"
    name = f"{start}cmd|calc"
    text = PROJECT.replace(
        "    seconds: 8\n    mood: tender",
        f"    seconds: 8\n    title: {json.dumps(title)}\n    mood: tender").replace(
        "  hero:", f"  {json.dumps(name)}:\n    motif: \"4/4 d4 f4 a2\"\n  hero:").replace(
        "featuring: [hero]", f"featuring: [hero, {json.dumps(name)}]", 1)
    project = world.write(text)
    run = world.run("compose", project, "-o", world.out, "-q", "--scene", "1M1")
    assert run.status == 0, run.err
    with (world.out / "cue_sheet.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    cells = [cell for row in rows for cell in row.values()]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], cells
    assert rows[0]["title"] == "'" + title.replace("\r", " ")
    assert rows[0]["featuring"] == f"hero; {name}".replace("\r", " ")  # only a cell's start


def test_stopping_the_workers_skips_one_a_signal_caught_before_it_started():
    """A signal between creating a worker and starting it must not turn into an internal
    error ("can only join a started process") while the others are stopped."""
    import multiprocessing

    from motifgen.compose import _stop_workers

    context = multiprocessing.get_context("fork")
    running = context.Process(target=time_sleep, args=(30,), daemon=True)
    running.start()
    waiting = context.Process(target=time_sleep, args=(30,), daemon=True)
    _stop_workers([running, waiting])
    assert not running.is_alive() and waiting.pid is None


def time_sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)
