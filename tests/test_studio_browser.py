"""The studio in a real Chromium (Playwright driving the distribution's browser): open
the example film, play a scene, regenerate it, compare two variations A/B, keep one,
see an invalid file on the page, and have a write without the token refused.

Skipped only when Chromium or Playwright is absent. Set MOTIFGEN_STUDIO_SCREENSHOT to
a path to keep the screenshot the suite takes (the README's is docs/studio.png)."""

from __future__ import annotations

import difflib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "motifs" / "cartographer.yaml"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]
SCENE = "1M2"  # 40 s of wonder for the map theme, a swell into its one hit, ringing out
WAIT = 120_000  # ms: a busy machine renders 40 s of orchestra in a few seconds

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin"),
              pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="no fluidsynth")]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def studio(tmp_path: Path):
    """A studio over a copy of the example film: (its address, the film's path)."""
    for name in ("cartographer.yaml", "compass.mid"):
        shutil.copy(EXAMPLE.parent / name, tmp_path / name)
    film = tmp_path / "cartographer.yaml"
    process = subprocess.Popen([sys.executable, "-m", "motifgen", "studio", str(film),
                                "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = process.stdout.readline()
    assert " at http://127.0.0.1:" in line, process.stderr.read()
    yield line.split(" at ")[1].split()[0], film
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.fixture
def page(browser, studio):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(WAIT)
    tab.goto(studio[0])
    tab.wait_for_selector(".block[data-scene]")
    yield tab
    context.close()


def open_scene(page, scene: str = SCENE) -> str:
    """Click the scene on the timeline; the take's id once its audio is loaded."""
    page.click(f'.block[data-scene="{scene}"]')
    page.wait_for_function("() => document.getElementById('audio').readyState >= 1")
    return page.eval_on_selector("#roll", "c => c.dataset.take")


def cue_seconds(film: Path, scene: str = SCENE) -> float:
    from motifgen import load

    return float(load(film).scene(scene).duration)


def test_the_film_is_on_the_timeline_and_a_scene_plays_for_the_cues_length(page, studio):
    from motifgen.io.audio import RELEASE_SECONDS

    assert page.locator(".block[data-scene]").count() == 10
    assert "wonder" in page.inner_text(f'.block[data-scene="{SCENE}"]')
    open_scene(page)
    duration = page.eval_on_selector("#audio", "a => a.duration")
    assert duration == pytest.approx(cue_seconds(studio[1]) + RELEASE_SECONDS, abs=0.02)
    page.eval_on_selector("#audio", "a => a.play()")
    page.wait_for_function("() => !document.getElementById('audio').paused && "
                           "document.getElementById('audio').currentTime > 0.5")
    page.wait_for_function("() => Number(document.getElementById('roll').dataset.playhead) > 0.5")
    sound = page.evaluate("""async () => {
        const url = document.getElementById('audio').src;
        const data = await (await fetch(url)).arrayBuffer();
        const audio = await new OfflineAudioContext(2, 44100, 44100).decodeAudioData(data);
        const x = audio.getChannelData(0);
        let first = -1, last = -1;
        for (let i = 0; i < x.length; i++) {
            if (Math.abs(x[i]) > 0.002) { if (first < 0) first = i; last = i; }
        }
        const rate = audio.sampleRate;
        return {duration: audio.duration, first: first / rate, last: last / rate};
    }""")
    cue = cue_seconds(studio[1])
    assert sound["first"] < 1.0  # sounding from the start of the cue ...
    assert cue - 2.0 < sound["last"] <= cue + RELEASE_SECONDS  # ... to its end
    assert page.locator("#statements tbody tr").count() >= 1
    assert page.locator("#downloads a").count() == 3
    page.evaluate("() => window.scrollTo(0, 0)")
    shot = page.screenshot(full_page=False)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("MOTIFGEN_STUDIO_SCREENSHOT"):
        Path(os.environ["MOTIFGEN_STUDIO_SCREENSHOT"]).write_bytes(shot)
    page.click("#show-notation")  # engraved by Verovio from the take's MusicXML
    page.wait_for_selector("#notation svg")
    assert "Verovio" in page.inner_html("#notation")


def test_a_new_seed_recomposes_and_the_piano_roll_changes(page):
    take = open_scene(page)
    before = page.eval_on_selector("#roll", "c => c.toDataURL()")
    page.click("#new-seed")
    page.wait_for_function(f"() => document.getElementById('roll').dataset.take !== '{take}'")
    assert page.eval_on_selector("#roll", "c => c.toDataURL()") != before
    assert page.inner_text("#seed") == "seed 12"
    assert page.inner_text("#edits") == "seed = 12"
    page.click("#undo")
    page.wait_for_function(f"() => document.getElementById('roll').dataset.take === '{take}'")


def test_two_variations_compared_a_b_and_one_kept_as_compose_writes_it(page, studio, tmp_path):
    take = open_scene(page)
    page.click('[data-vary="map"]')
    page.wait_for_selector("#choices li:nth-child(2)")
    chains = page.locator("#choices li code").all_inner_texts()
    page.locator("#choices li").nth(0).locator(".use").click()  # A: the first, in the draft
    page.wait_for_function(f"() => document.getElementById('roll').dataset.take !== '{take}'")
    a = page.eval_on_selector("#roll", "c => c.dataset.take")
    page.locator("#choices li").nth(1).locator(".in-scene").click()  # B: the second
    page.wait_for_function(f"() => document.getElementById('roll').dataset.take !== '{a}'")
    b = page.eval_on_selector("#roll", "c => c.dataset.take")
    page.wait_for_function(f"() => document.getElementById('audio').src.includes('{b}')")
    page.click("#switch")
    page.wait_for_function(f"() => document.getElementById('roll').dataset.take === '{a}'")
    page.wait_for_function(f"() => document.getElementById('audio').src.includes('{a}')")
    assert page.inner_text("#slot-info").startswith("A: the draft")
    page.click("#switch")
    page.wait_for_function(f"() => document.getElementById('roll').dataset.take === '{b}'")
    page.locator("#choices li").nth(1).locator(".use").click()  # keep the second
    second = chains[1].split(". ", 1)[1]
    page.wait_for_function(f"() => document.getElementById('edits').innerText.includes({second!r})")
    # the draft now composes to the very take heard as B: the same content, the same id
    page.wait_for_function(f"() => window.studio.slots.A.take === '{b}'")
    said = page.locator("#edits li").all_inner_texts()[-1]
    assert said == f"{SCENE} transform.map = {second!r}"
    played = page.evaluate("async () => { const t = window.studio.slots.A; "
                           "const r = await fetch(t.files.mid); "
                           "return Array.from(new Uint8Array(await r.arrayBuffer())); }")
    film = studio[1]
    before = film.read_text(encoding="utf-8")
    page.click("#keep")
    page.wait_for_selector("#notice:not([hidden])")
    assert page.inner_text("#notice") == f"Kept in cartographer.yaml: {said}"
    changed = [line for line in difflib.ndiff(before.splitlines(),
                                              film.read_text(encoding="utf-8").splitlines())
               if line[:1] in "+-"]
    assert changed == ["+     transform:", f'+       map: "{second}"']
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "motifgen", "compose", str(film), "--scene",
                           SCENE, "-o", str(out), "-q"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert (out / f"{SCENE}.mid").read_bytes() == bytes(played)


def test_an_invalid_edit_on_disk_shows_the_cli_line_and_the_last_take_still_plays(page, studio):
    take = open_scene(page)
    film = studio[1]
    film.write_text(film.read_text(encoding="utf-8").replace("mood: wonder", "mood: wondr"),
                    encoding="utf-8")
    page.wait_for_selector("#error:not([hidden])")
    done = subprocess.run([sys.executable, "-m", "motifgen", "validate", str(film)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert page.inner_text("#error") == done.stderr.strip()
    assert page.eval_on_selector("#roll", "c => c.dataset.take") == take
    page.eval_on_selector("#audio", "a => a.play()")
    page.wait_for_function("() => document.getElementById('audio').currentTime > 0.2")


def test_a_write_without_the_token_is_refused(page, studio):
    film = studio[1]
    before = film.read_bytes()
    status = page.evaluate("""async () => (await fetch('/api/keep', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: '{}'})).status""")
    assert status == 403
    status = page.evaluate("""async () => (await fetch('/api/edit', {method: 'POST',
        headers: {'Content-Type': 'application/json', 'X-Motifgen-Token': 'guess'},
        body: JSON.stringify({field: 'seed', value: 1})})).status""")
    assert status == 403
    assert film.read_bytes() == before
    assert page.inner_text("#edits") == ""


def test_another_scene_in_slot_b_switches_with_the_scene_open(page):
    take = open_scene(page)
    page.select_option("#other-scene", "3M1")
    page.wait_for_function("() => window.studio.slots.B && window.studio.slots.B.scene === '3M1'")
    other = page.evaluate("() => window.studio.slots.B.take")
    page.wait_for_function(f"() => document.getElementById('audio').src.includes('{other}')")
    assert page.inner_text("#slot-info").startswith("B: scene 3M1")
    page.click("#switch")
    page.wait_for_function(f"() => document.getElementById('audio').src.includes('{take}')")
    assert page.eval_on_selector("#roll", "c => c.dataset.take") == take
