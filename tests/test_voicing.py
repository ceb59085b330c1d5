"""The voicing's array shortcuts against their plain definitions: the packed move tables,
the packed interval codes, and the cheapest path; and Line.add's cut."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from motifgen.arrange import voicing as V
from motifgen.arrange.line import Line, cheapest_path
from motifgen.motif import Notes

pitch = st.integers(min_value=0, max_value=127)
voicing = st.lists(pitch, min_size=4, max_size=4).map(sorted)


def _move_cost(v0, v1, bass, common, plucked, creep, parallels):
    """What moving from voicing `v0` to `v1` costs, by its definition, summed in the
    documented order: the bass's move (`bass`), the upper voices' moves voice by voice,
    planing, a common tone lost, parallels between any two voices, a pizzicato
    succession, a creeping middle voice, and the bass's `parallels` with a voice on top
    (one forbidden move each, where the bass moves)."""
    moves = [v1[k] - v0[k] for k in (1, 2, 3)]
    cost = 0.0
    for k, m in enumerate(moves):
        cost = float(V._VOICE_MOVES[abs(m)]) if k == 0 else cost + V._VOICE_MOVES[abs(m)]
    cost += V.SAME_DIRECTION_COST * (all(m > 0 for m in moves) or all(m < 0 for m in moves))
    cost += V.COMMON_TONE_LOST_COST * (common and all(moves))

    def perfect(i, j, a, b):  # voices i and j both move and keep a fifth or an octave
        return (a[i] != b[i] and a[j] != b[j]
                and (a[j] - a[i]) % 12 == (b[j] - b[i]) % 12 in (0, 7))

    parallel = any(perfect(i, j, v0, v1) for i, j in itertools.combinations(range(4), 2))
    cost = bass + (cost + V.FORBIDDEN * parallel)
    if plucked and perfect(0, 1, (v0[0], v0[3]), (v1[0], v1[1])):
        cost += V.FORBIDDEN
    if creep and abs(v1[2] - v0[2]) == 1:
        cost += V.CREEP_COST
    for _ in range(parallels if v0[0] != v1[0] else 0):
        cost += V.FORBIDDEN
    return cost


costs = st.sampled_from([0.0, 0.25, 1.5, 3.0])
#: Voicings within an octave and a half: alike often enough for moves to tie.
close = st.lists(st.integers(36, 54), min_size=4, max_size=4).map(sorted)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(close, min_size=1, max_size=5), min_size=1, max_size=4),
       st.data())
def test_the_compiled_path_is_the_cheapest_by_definition(chords, data):
    """`_leading.cheapest_voicings` picks what `cheapest_path` picks (the same ties)
    through every move costed by `_move_cost`: the packed tables, the flags, the
    parallel codes and the bass's runs give each move its definition."""
    stack = V._Stack.of(V._stacked([V._coded(np.array(c, dtype=np.int16)) for c in chords]))
    changes = len(chords) - 1
    unary = [np.array(data.draw(st.lists(costs, min_size=len(c), max_size=len(c))))
             for c in chords]
    flags = [np.array(data.draw(st.lists(st.booleans(), min_size=changes, max_size=changes)),
                      dtype=bool) for _ in range(3)]
    pitches, runs = V._bass_runs(stack.rows[..., 0])
    width = pitches.shape[1]
    bass = np.array(data.draw(st.lists(costs, min_size=changes * width * width,
                                       max_size=changes * width * width))).reshape(
        changes, width, width)
    rest = np.array(sorted(data.draw(st.sets(st.integers(0, max(changes - 1, 0)))))
                    if changes else [], dtype=np.int64)
    slots, states = 2, stack.rows.shape[1]
    code = st.integers(0, 0xFFFF)
    before, after = (np.array(data.draw(st.lists(code, min_size=len(rest) * states * slots,
                                                 max_size=len(rest) * states * slots)),
                              dtype=np.uint16).reshape(len(rest), states, slots)
                     for _ in range(2))
    tables = V._tables()
    got = V.cheapest_voicings(
        np.ascontiguousarray(stack.rows), stack.upper, stack.low, stack.pairs,
        np.array([len(c) for c in chords], dtype=np.int64),
        np.array([np.pad(u, (0, states - len(u))) for u in unary]),
        runs, bass, *(f.view(np.uint8) for f in flags), rest, before, after, tables.upper,
        tables.upper_flags, tables.third, tables.low_flags, V._WEIGHTS)
    trans = []
    for c in range(changes):
        at = list(rest).index(c) if c in rest else None
        t = np.zeros((len(chords[c]), len(chords[c + 1])))
        for f, v0 in enumerate(chords[c]):
            for to, v1 in enumerate(chords[c + 1]):
                count = 0 if at is None else sum(
                    int(x & y).bit_count() for x, y in zip(after[at, to], before[at, f]))
                t[f, to] = _move_cost(v0, v1, bass[c, runs[c + 1, to], runs[c, f]],
                                      *(bool(x[c]) for x in flags), count)
        trans.append(t)
    assert got == cheapest_path(unary, trans)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2), min_size=1, max_size=20), min_size=1, max_size=3),
       st.data())
def test_packed_codes_count_the_slots_that_agree(before, data):
    """`_pack` and `_parallels`: how many slots hold the same nonzero code on both sides."""
    slots = max(map(len, before))
    before = [row + [0] * (slots - len(row)) for row in before]
    after = data.draw(st.lists(st.lists(st.integers(0, 2), min_size=slots, max_size=slots),
                               min_size=1, max_size=3))
    b = np.array(before, dtype=np.uint16)[None]
    a = np.array(after, dtype=np.uint16)[None]
    count = V._parallels(V._pack(b), V._pack(a))
    for t, f in itertools.product(range(len(after)), range(len(before))):
        assert count[0, t, f] == sum(x == y != 0 for x, y in zip(before[f], after[t]))


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
    assert line.onset == [o for o, _ in want]
    assert line.duration == [e - o for o, e in want]


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


def test_the_move_tables_are_their_definition():
    """Every packed move's table entries from the move of each voice: the first voice by
    the packed value less the second's, the second by the low byte read as signed."""
    moves = np.arange(1 << 16, dtype=np.uint16).view(np.int16).astype(np.int64)
    lo = (moves + 128) % 256 - 128
    hi = (moves - lo) // 256
    first = V._VOICE_MOVES[np.minimum(np.abs(hi), 127)]
    second = V._VOICE_MOVES[np.minimum(np.abs(lo), 127)]
    tables = V._tables()
    assert tables.upper.tobytes() == (first + second).tobytes()
    assert tables.third.tobytes() == first.tobytes()
    for flags, (a, b) in ((tables.upper_flags, (1, 2)), (tables.low_flags, (3, 0))):
        ups = [m for voice, m in ((a, hi), (b, lo)) if voice]
        want = np.full(len(moves), 0xFFFF)
        want &= ~np.where(np.all([m > 0 for m in ups], axis=0), 0, V._UP)
        want &= ~np.where(np.all([m < 0 for m in ups], axis=0), 0, V._DOWN)
        want &= ~np.where(np.all([m != 0 for m in ups], axis=0), 0, V._MOVING)
        for voice, m in ((a, hi), (b, lo)):
            held = sum(3 << 2 * n for n, pair in enumerate(V._PAIRS) if voice in pair)
            want &= ~np.where(m == 0, held, 0)
        assert flags.dtype == np.uint16 and flags.tolist() == want.tolist()
