"""Moods: every preset is a complete recipe; custom moods inherit, override and fail clearly."""

from __future__ import annotations

import pytest

from motifgen.errors import MotifgenError, ProjectError
from motifgen.moods import (
    ARTICULATIONS,
    COLOURS,
    DYNAMICS,
    PRESETS,
    TEXTURES,
    Mood,
    mood_table,
    resolve_mood,
)
from motifgen.orchestra import INSTRUMENTS, ROLES
from motifgen.theory import MODES

REFERENCE_MOODS = ("heroic", "triumphant", "tender", "tragic", "melancholy", "menacing",
                   "mysterious", "wonder", "playful", "action", "suspense", "peaceful")


def test_presets_cover_reference_moods():
    assert set(REFERENCE_MOODS) <= set(PRESETS)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_is_complete(name):
    mood = PRESETS[name]
    assert mood.name == name
    assert mood.mode in MODES and mood.mode == mood.modes[0]
    assert all(m in MODES for m in mood.modes)
    lo, hi = mood.tempo
    assert 20 <= lo < hi <= 300
    assert mood.dynamics in DYNAMICS
    assert mood.dynamics_to is None or mood.dynamics_to in DYNAMICS
    assert mood.articulation in ARTICULATIONS
    assert mood.texture in TEXTURES
    assert mood.colour in COLOURS and mood.colour != "none"
    assert 0.5 <= mood.harmonic_rhythm <= 32
    assert set(mood.orchestra) == set(ROLES)
    assert mood.orchestra["melody"] and mood.orchestra["harmony"] and mood.orchestra["bass"]
    assert mood.description


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_instruments_exist_and_fit_their_roles(name):
    for role, names in PRESETS[name].orchestra.items():
        for inst in names:
            assert inst in INSTRUMENTS, inst
            assert role in INSTRUMENTS[inst].roles, (inst, role)


def test_reference_cues():
    assert PRESETS["heroic"].mode == "mixolydian" and PRESETS["heroic"].doubling == -1
    assert PRESETS["tragic"].mode == "aeolian"
    assert PRESETS["melancholy"].mode == "dorian"
    assert PRESETS["menacing"].dynamics == "mf" and PRESETS["menacing"].dynamics_to == "f"
    assert PRESETS["playful"].articulation == "staccato"
    assert PRESETS["action"].tempo == (132.0, 168.0)
    assert PRESETS["wonder"].colour == "lydian_II"


def test_dynamics_increase():
    values = list(DYNAMICS.values())
    assert list(DYNAMICS) == ["ppp", "pp", "p", "mp", "mf", "f", "ff", "fff"]
    assert values == sorted(values) and len(set(values)) == 8
    assert 1 <= values[0] and values[-1] == 127


def test_one_dynamics_table():
    from motifgen import theory
    from motifgen.development import transforms

    assert DYNAMICS is theory.DYNAMICS and transforms.DYNAMICS is theory.DYNAMICS
    assert PRESETS["heroic"].velocity == DYNAMICS["f"]


def test_presets_are_hashable_and_frozen():
    mood = PRESETS["heroic"]
    assert hash(mood) == hash(resolve_mood("heroic"))
    with pytest.raises(AttributeError):
        mood.tempo = (1, 2)  # type: ignore[misc]
    with pytest.raises(TypeError):
        mood.orchestra["melody"] = ("flute",)  # type: ignore[index]


def test_preset_by_name_without_custom():
    assert resolve_mood("tender") is PRESETS["tender"]


def test_custom_mood_inherits_and_overrides():
    custom = {"storm": {
        "base": "action", "mode": "phrygian", "tempo": [138, 160], "dynamics": "ff",
        "articulation": "marcato", "register": -1,
        "orchestra": {"melody": ["horn", "trumpet"], "percussion": ["timpani"]},
        "texture": "ostinato",
    }}
    storm = resolve_mood("storm", custom)
    action = PRESETS["action"]
    assert storm.name == "storm" and storm.base == "action"
    assert storm.mode == "phrygian" and storm.modes == ("phrygian",)
    assert storm.tempo == (138.0, 160.0)
    assert storm.dynamics == "ff"
    assert storm.register == action.register - 1
    assert storm.orchestra["melody"] == ("horn", "trumpet")
    assert storm.orchestra["percussion"] == ("timpani",)
    # roles not mentioned come from the base
    assert storm.orchestra["bass"] == action.orchestra["bass"]
    assert storm.colour == action.colour
    assert storm.harmonic_rhythm == action.harmonic_rhythm


def test_custom_chain_and_aliases():
    custom = {
        "dusk": {"base": "peaceful", "tempo": 62, "orchestra": {"melody": "french horn"}},
        "night": {"base": "dusk", "dynamics": "pp->mp", "register": 1},
    }
    night = resolve_mood("night", custom)
    assert night.base == "dusk"
    assert night.tempo == (62.0, 62.0)
    assert night.orchestra["melody"] == ("horn",)
    assert night.dynamics == "pp" and night.dynamics_to == "mp"
    assert night.register == PRESETS["peaceful"].register + 1


def test_custom_mood_named_like_preset_extends_it():
    mood = resolve_mood("heroic", {"heroic": {"tempo": [90, 100]}})
    assert mood.tempo == (90.0, 100.0)
    assert mood.mode == PRESETS["heroic"].mode


def test_custom_mood_without_base_needs_everything():
    full = {"mode": "dorian", "tempo": 70, "dynamics": "p", "articulation": "legato",
            "orchestra": {"melody": ["flute"], "harmony": ["harp"]}, "texture": "arpeggio"}
    mood = resolve_mood("mist", {"mist": full})
    assert isinstance(mood, Mood) and mood.base == "" and mood.colour == "none"
    partial = dict(full)
    del partial["tempo"]
    with pytest.raises(ProjectError) as info:
        resolve_mood("mist", {"mist": partial})
    assert info.value.where == "moods.mist" and "tempo" in info.value.message


@pytest.mark.parametrize(
    ("spec", "where", "needle"),
    [
        ({"tempo": [160, 138]}, "moods.storm.tempo", "20 <= low <= high <= 300"),
        ({"tempo": 500}, "moods.storm.tempo", "20 <= low"),
        ({"tempo": "fast"}, "moods.storm.tempo", "bpm"),
        ({"mode": "blues"}, "moods.storm.mode", "unknown mode"),
        ({"dynamics": "loud"}, "moods.storm.dynamics", "unknown dynamic 'loud'; expected one "
                                                         "of: ppp, pp"),
        ({"dynamics": "p->loud"}, "moods.storm.dynamics", "unknown dynamic 'loud'"),
        ({"dynamics_to": 3}, "moods.storm.dynamics_to", "unknown dynamic 3"),
        ({"articulation": "slurred"}, "moods.storm.articulation", "legato"),
        ({"texture": "wall"}, "moods.storm.texture", "ostinato"),
        ({"colour": "purple"}, "moods.storm.colour", "mixolydian_bVII"),
        ({"register": 1.5}, "moods.storm.register", "octaves"),
        ({"harmonic_rhythm": 0}, "moods.storm.harmonic_rhythm", "beats"),
        ({"orchestra": {"melody": ["kazoo"]}}, "moods.storm.orchestra.melody", "kazoo"),
        ({"orchestra": {"melody": ["taiko"]}}, "moods.storm.orchestra.melody", "percussion"),
        ({"orchestra": {"drone": ["cello"]}}, "moods.storm.orchestra", "unknown role"),
        ({"orchestra": "horn"}, "moods.storm.orchestra", "mapping"),
        ({"tempi": 100, "colr": "x"}, "moods.storm.colr", "did you mean 'colour'?"),
        ({"base": "gale"}, "moods.storm.base", "unknown mood 'gale'"),
        ({"base": "actoin"}, "moods.storm.base", "did you mean 'action'?"),
        ({"orchestra": {"melody": ["horm"]}}, "moods.storm.orchestra.melody",
         "did you mean 'horn'?"),
        ({"orchestra": {"melodie": ["horn"]}}, "moods.storm.orchestra", "did you mean 'melody'?"),
        ({"texture": "ostinatto"}, "moods.storm.texture", "did you mean 'ostinato'?"),
    ],
)
def test_bad_custom_mood_names_the_field(spec, where, needle):
    custom = {"storm": {"base": "action", **spec}}
    with pytest.raises(ProjectError) as info:
        resolve_mood("storm", custom)
    assert info.value.where == where
    assert needle in info.value.message
    assert str(info.value).startswith(where + ": ")


def test_base_cycle_is_an_error():
    custom = {"a": {"base": "b"}, "b": {"base": "c"}, "c": {"base": "a"}}
    with pytest.raises(ProjectError) as info:
        resolve_mood("a", custom)
    assert "cycle" in info.value.message
    assert info.value.where.endswith(".base")


def test_self_base_of_a_non_preset_is_an_error():
    with pytest.raises(ProjectError):
        resolve_mood("loop", {"loop": {"base": "loop"}})


def test_unknown_mood_lists_names():
    with pytest.raises(MotifgenError) as info:
        resolve_mood("gloomy", {"storm": {"base": "action"}})
    assert "heroic" in str(info.value) and "storm" in str(info.value)


def test_mood_not_a_mapping():
    with pytest.raises(ProjectError) as info:
        resolve_mood("storm", {"storm": ["action"]})
    assert info.value.where == "moods.storm"


def test_mood_table_rows_match_presets():
    rows = mood_table()
    assert [r["mood"] for r in rows] == list(PRESETS)
    for row in rows:
        mood = PRESETS[row["mood"]]
        assert row["mode"].split(" / ")[0] == mood.mode
        assert row["texture"] == mood.texture
        assert row["melody"].split(", ") == list(mood.orchestra["melody"])
    assert next(r for r in rows if r["mood"] == "menacing")["dynamics"] == "mf->f"
