"""The voicing's shortcuts against their plain definitions: the compiled cheapest path
through every move, the cheapest path, the upper voices' candidates; and Line.add's cut."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motifgen.arrange import voicing as V
from motifgen.arrange._paths import cheapest_path
from motifgen.arrange.line import Line
from motifgen.motif import Notes

pitch = st.integers(min_value=0, max_value=127)
voicing = st.lists(pitch, min_size=4, max_size=4).map(sorted)


def _viterbi(unary, trans):
    """The cheapest path by its definition, step by step: each state's way in is the
    cheapest from the step before (the lowest of equals), the path ends in the cheapest
    last state (the lowest of equals)."""
    best, back = list(unary[0]), []
    for u, t in zip(unary[1:], trans):
        ways = [min(range(len(best)), key=lambda j: (best[j] + t[j, k], j))
                for k in range(len(u))]
        best = [best[j] + t[j, k] + u[k] for k, j in enumerate(ways)]
        back.append(ways)
    path = [min(range(len(best)), key=lambda k: (best[k], k))]
    for ways in reversed(back):
        path.append(ways[path[-1]])
    return path[::-1]


def _perfect(a, b):
    """1 for a unison or octave from `a` up to `b`, 2 for a fifth, else 0."""
    return {0: 1, 7: 2}.get((b - a) % 12, 0)


def _parallel(a0, b0, a1, b1):
    """Voices a and b both move (a0 to a1, b0 to b1) and keep the same perfect interval."""
    return a0 != a1 and b0 != b1 and _perfect(a0, b0) == _perfect(a1, b1) != 0


def _move_cost(v0, v1, ch, common, plucked, creep):
    """What moving from voicing `v0` to `v1` costs at a change with the melody `ch` (at,
    exposed, heard, against, over), by the rules of the module docstring, summed in
    their order: the bass's leap and its parallels with the melody heard before the
    change into the note at it; the upper voices' moves voice by voice, planing, a
    common tone lost, parallels between any two voices; a pizzicato succession, a
    creeping middle voice, and next to a rest the bass's parallels with a voice on top
    (the lowest or the highest upper voice)."""
    at, exposed, heard, against, over = ch
    bass = float(V._BASS_LEAPS[abs(v1[0] - v0[0])])
    for p, counted in zip(heard, against):
        if counted and p != at and _parallel(v0[0], p, v1[0], at):
            bass += V.FORBIDDEN
    moves = [v1[k] - v0[k] for k in (1, 2, 3)]
    cost = 0.0
    for k, m in enumerate(moves):
        cost = float(V._VOICE_MOVES[abs(m)]) if k == 0 else cost + V._VOICE_MOVES[abs(m)]
    cost += V.SAME_DIRECTION_COST * (all(m > 0 for m in moves) or all(m < 0 for m in moves))
    cost += V.COMMON_TONE_LOST_COST * (common and all(moves))
    parallel = any(_parallel(v0[i], v0[j], v1[i], v1[j])
                   for i, j in itertools.combinations(range(4), 2))
    cost = bass + (cost + V.FORBIDDEN * parallel)
    if plucked and _parallel(v0[0], v0[3], v1[0], v1[1]):
        cost += V.FORBIDDEN
    if creep and abs(v1[2] - v0[2]) == 1:
        cost += V.CREEP_COST
    tops = (1, 3)
    count = sum(exposed and v0[t] != at and _parallel(v0[0], v0[t], v1[0], at) for t in tops)
    count += sum(p != v1[t] and _parallel(v0[0], p, v1[0], v1[t])
                 for p, counted in zip(heard, over) if counted for t in tops)
    for _ in range(count):
        cost += V.FORBIDDEN
    return cost


costs = st.sampled_from([0.0, 0.25, 1.5, 3.0])
#: Voicings of a few pitches a fifth, an octave or a semitone apart (so that moves make
#: parallels and a middle voice can creep), often the same ones (so that moves tie).
close = (st.lists(st.sampled_from([36, 38, 43, 44, 48, 50, 55, 56]), min_size=4, max_size=4)
         .map(sorted) | st.sampled_from([[36, 43, 48, 55], [38, 45, 50, 57], [43, 48, 50, 55]]))
#: The melody at a change: the note at it (0: a rest), whether a rest came before it,
#: and the notes heard before it, each counted against the bass or over a rest.
change = st.tuples(st.sampled_from([0, 43, 48, 50, 55]), st.booleans(),
                   st.lists(st.tuples(st.integers(36, 60), st.booleans(), st.booleans()),
                            max_size=3))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(close, min_size=1, max_size=5), min_size=1, max_size=4),
       st.data())
def test_the_compiled_path_is_the_cheapest_by_definition(chords, data):
    """`_paths.cheapest_voicings` picks the cheapest path (`_viterbi`, the same ties)
    through every move costed by its definition (`_move_cost`)."""
    n = len(chords)
    unary = [np.array(data.draw(st.lists(costs, min_size=len(c), max_size=len(c))))
             for c in chords]
    flags = [data.draw(st.lists(st.booleans(), min_size=n - 1, max_size=n - 1))
             for _ in range(3)]
    changes = data.draw(st.lists(change, min_size=n - 1, max_size=n - 1))
    width = max([1, *(len(h) for _, _, h in changes)])
    heard = np.zeros((n - 1, width), dtype=np.int16)
    against, over = np.zeros((2, n - 1, width), dtype=bool)
    for c, (_, _, notes) in enumerate(changes):
        for k, (p, a, o) in enumerate(notes):
            heard[c, k], against[c, k], over[c, k] = p, a, o
    rows = V._stacked([np.array(c, dtype=np.int16) for c in chords])
    got = V.cheapest_voicings(
        rows, np.array([len(c) for c in chords], dtype=np.int64),
        np.array([np.pad(u, (0, rows.shape[1] - len(u))) for u in unary]),
        np.array([at for at, _, _ in changes], dtype=np.int16),
        np.array([e for _, e, _ in changes], dtype=np.uint8), heard, against.view(np.uint8),
        over.view(np.uint8), *(np.array(f, dtype=np.uint8) for f in flags), V._VOICE_MOVES,
        V._BASS_LEAPS, V._WEIGHTS)
    trans = []
    for c in range(n - 1):
        at, exposed, _ = changes[c]
        ch = (at, exposed, heard[c].tolist(), against[c].tolist(), over[c].tolist())
        trans.append(np.array([[_move_cost(v0, v1, ch, *(f[c] for f in flags))
                                for v1 in chords[c + 1]] for v0 in chords[c]]))
    assert got == _viterbi(unary, trans)


def test_arrays_that_do_not_fit_are_refused():
    """A voicing's pitch outside 0..127 or a size beyond the padding is an error, never a
    read outside the arrays."""
    rows = np.zeros((2, 1, 4), dtype=np.int16)
    none = np.zeros(1, dtype=np.uint8)
    args = [rows, np.array([1, 1]), np.zeros((2, 1)), np.zeros(1, dtype=np.int16), none,
            np.zeros((1, 1), dtype=np.int16), none[:, None], none[:, None], none, none, none,
            V._VOICE_MOVES, V._BASS_LEAPS, V._WEIGHTS]
    assert V.cheapest_voicings(*args) == [0, 0]
    for k, bad in ((0, np.full((2, 1, 4), 128, dtype=np.int16)), (1, np.array([1, 2])),
                   (2, np.zeros((2, 2))), (11, V._VOICE_MOVES[:64].copy())):
        with pytest.raises(ValueError, match="cheapest_voicings"):
            V.cheapest_voicings(*args[:k], bad, *args[k + 1:])



def test_a_chain_that_does_not_fit_is_refused():
    """No steps, a missing move, a move of the wrong shape or integer costs: an error."""
    one, two = np.zeros(1), np.zeros(2)
    for unary, trans in (([], []), ([one, two], []), ([one, two], [np.zeros((2, 2))]),
                         ([one.astype(int)], []), ([one, two], [np.zeros((1, 2), int)])):
        with pytest.raises(ValueError, match="cheapest_path"):
            cheapest_path(unary, trans)

@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=5), st.data())
def test_cheapest_path_is_the_cheapest(sizes, data):
    """Every path tried costs at least as much as the one found (ties: the lower states)."""
    values = st.sampled_from([0.0, 0.5, 1.0, 2.0])
    unary = [np.array(data.draw(st.lists(values, min_size=n, max_size=n))) for n in sizes]
    trans = [np.array(data.draw(st.lists(st.lists(values, min_size=n, max_size=n),
                                         min_size=m, max_size=m))).reshape(m, n)
             for m, n in zip(sizes, sizes[1:])]

    def cost(path):
        total = unary[0][path[0]]
        for i, (j, k) in enumerate(itertools.pairwise(path)):
            total = total + trans[i][j, k] + unary[i + 1][k]
        return total

    best = cheapest_path(unary, trans)
    assert all(cost(best) <= cost(p) for p in itertools.product(*map(range, sizes)))
    assert best == _viterbi(unary, trans)
    # the transposed views of a matrix read alike
    assert cheapest_path(unary, [np.ascontiguousarray(t.T).T for t in trans]) == best


@given(st.lists(st.tuples(st.integers(0, 16), st.integers(1, 8)), max_size=12),
       st.floats(0, 8), st.none() | st.floats(0, 12))
def test_line_add_shifts_and_cuts(notes, offset, until):
    """Line.add: each note moved by `offset`, those from `until` on dropped, the rest cut
    there."""
    rows = sorted({(on / 4, dur / 4, 60, 80) for on, dur in notes})
    line = Line()
    line.add(Notes.from_rows(rows) if rows else Notes.from_rows([]), offset, until)
    want = [(o + offset, min(o + offset + d, until) if until is not None else o + offset + d)
            for o, d, _, _ in rows if until is None or o + offset < until - 1e-9]
    notes = line.notes()
    assert len(line) == len(notes) == len(want)
    assert notes.onset.tolist() == [o for o, _ in want]
    assert notes.duration.tolist() == [e - o for o, e in want]



@given(st.lists(st.lists(st.tuples(st.integers(0, 16), st.integers(1, 8), st.integers(40, 80)),
                         min_size=1, max_size=6), max_size=4), st.integers(1, 40))
def test_line_latest_is_the_first_note_to_start_last_and_holds(chunks, longer):
    """Line.latest over every chunk added: the note with the latest onset, the first of
    them in the order added; hold_latest lets that one note sound to an end after its
    onset."""
    line, added = Line(), []
    for chunk in chunks:
        notes = Notes.from_rows(sorted({(on / 2, dur / 2, p, 80) for on, dur, p in chunk}))
        line.add(notes)
        added += notes.rows()
    if not added:
        assert line.latest() is None and len(line) == 0
        return
    first = max(range(len(added)), key=lambda i: (added[i][0], -i))
    assert line.latest() == added[first]
    end = added[first][0] + longer / 4
    line.hold_latest(end)
    held = [r if i != first else (r[0], end - r[0], r[2], r[3]) for i, r in enumerate(added)]
    assert line.notes().rows() == Notes.from_rows(held).rows()  # in order of onset, pitch

chord = st.lists(st.integers(0, 11), min_size=3, max_size=4, unique=True).map(tuple)


@settings(max_examples=200, deadline=None)
@given(chord, st.integers(28, 60), st.integers(40, 70), st.integers(0, 30),
       st.integers(-1, 11), st.booleans())
def test_upper_candidates_are_their_definition(pcs, bass, floor, width, leading, pedal):
    """Each three-voice voicing kept and its cost, voicing by voicing: spans, the third,
    one leading tone at most, then missing tones, doublings, crowding, mud and the top's
    pull added in that order (the order the floats are summed in)."""
    if not pedal:
        bass = bass - bass % 12 + pcs[0]  # a chord's bass is one of its tones
    ceiling = floor + width
    V._upper_candidates.cache_clear()
    rows, costs = V._upper_candidates(pcs, bass, floor, ceiling, leading, pedal)
    want_rows, want_costs = [], []
    pool = [p for p in range(max(floor, bass + 1), ceiling + 1) if p % 12 in pcs]
    for v in itertools.combinations(pool, 3):
        if v[2] - v[0] > V.UPPER_SPAN or max(v[1] - v[0], v[2] - v[1]) > V.UPPER_GAP:
            continue
        every = [p % 12 for p in v] + ([] if pedal else [bass % 12])
        if pcs[1] not in every or (leading >= 0 and every.count(leading) > 1):
            continue
        cost = V.MISSING_TONE_COST * sum(pc not in every for pc in pcs)
        for pc in set([bass % 12] * (not pedal) + [p % 12 for p in v]):
            if every.count(pc) > 1:
                cost += V.DOUBLING_COST.get(pcs.index(pc), 0.6) * (every.count(pc) - 1)
        cost += V.CROWDING_COST if v[0] - bass <= V.CROWDING_SPACE else 0.0
        cost += V.MUD_WEIGHT * max(0, V.MUD_FLOOR - v[0])
        cost += V.TOP_WEIGHT * abs(ceiling - V.TOP_BELOW - v[2])
        want_rows.append([bass, *v])
        want_costs.append(cost)
    assert rows.tolist() == want_rows
    assert costs.tolist() == want_costs
    assert not rows.flags.writeable and not costs.flags.writeable
