/* Cheapest paths through a chain of choices (Viterbi), for the arranger.
 *
 * `cheapest_path` (`chords.harmonise`): through given costs, the harmoniser's chords.
 * `cheapest_voicings` (`voicing.voice_lead`): the cheapest voice leading through a
 * section's voicings. A section has a few dozen chords of up to forty voicings (a bass
 * and three upper voices) each, and every move between two chords' voicings is costed
 * by the rules of `voicing`'s docstring as the path is found, a change at a time. The
 * costs are summed in the order the rules list them, so that equal paths tie the same
 * way on every machine: the lower state wins.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The costs of `voicing` the loop adds (see `voicing._WEIGHTS`). */
typedef struct {
    double forbidden, same_direction, common_tone_lost, creep;
    const double *voice_moves, *bass_leaps;  /* by semitones moved, 0..127 */
} Weights;

typedef struct {
    Py_buffer view;
    int held;
} Array;

enum { ROWS, SIZES, UNARY, AT, EXPOSED, HEARD, AGAINST, OVER, COMMON, PLUCKED, CREEP,
       VOICE_MOVES, BASS_LEAPS, N };
static const int ndims[N] = {3, 1, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1};
static const Py_ssize_t itemsizes[N] = {2, 8, 8, 2, 1, 2, 1, 1, 1, 1, 1, 8, 8};
static const char *names[N] = {"rows", "sizes", "unary", "at", "exposed", "heard", "against",
                               "over", "common", "plucked", "creep", "voice_moves",
                               "bass_leaps"};

/* `obj`'s C-contiguous buffer, of `ndims[i]` dimensions and items of `itemsizes[i]`. */
static int take(PyObject *obj, Array *a, int i) {
    if (PyObject_GetBuffer(obj, &a->view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    a->held = 1;
    if (a->view.ndim != ndims[i] || a->view.itemsize != itemsizes[i]) {
        PyErr_Format(PyExc_ValueError, "cheapest_voicings: %s has %d dimensions of "
                     "%zd-byte items, not %d of %zd", names[i], a->view.ndim,
                     a->view.itemsize, ndims[i], itemsizes[i]);
        return -1;
    }
    return 0;
}

/* Whether the arrays fit together and every pitch and size read from them is in range. */
static int fits(const Array *a) {
    const Py_ssize_t n = a[ROWS].view.shape[0], S = a[ROWS].view.shape[1];
    const Py_ssize_t changes = n - 1, H = a[HEARD].view.shape[1];
    int ok = n > 0 && a[ROWS].view.shape[2] == 4 && a[SIZES].view.shape[0] == n
             && a[UNARY].view.shape[0] == n && a[UNARY].view.shape[1] == S
             && a[VOICE_MOVES].view.shape[0] == 128 && a[BASS_LEAPS].view.shape[0] == 128;
    for (int i = AT; ok && i <= CREEP; i++)
        ok = a[i].view.shape[0] == changes && (ndims[i] == 1 || a[i].view.shape[1] == H);
    const int64_t *sizes = a[SIZES].view.buf;
    for (Py_ssize_t m = 0; ok && m < n; m++)
        ok = sizes[m] >= 1 && sizes[m] <= S;
    const int16_t *rows = a[ROWS].view.buf;
    for (Py_ssize_t k = 0; ok && k < n * S * 4; k++)
        ok = rows[k] >= 0 && rows[k] <= 127;
    if (!ok)
        PyErr_SetString(PyExc_ValueError, "cheapest_voicings: arrays that do not fit together");
    return ok;
}

static int floor_mod12(int x) { return ((x % 12) + 12) % 12; }

/* A perfect interval from `a` up to `b`, as a code: 1 a unison or octave, 2 a fifth, 0
 * any other (two codes are equal and nonzero exactly when both make the same one). */
static int perfect(int a, int b) {
    int ic = floor_mod12(b - a);
    return ic == 0 ? 1 : ic == 7 ? 2 : 0;
}

/* The voices of a voicing, the bass first. */
typedef const int16_t *Voiced;

/* The pairs of voices tested for parallels, and their codes packed two bits a pair. */
static const int PAIRS[6][2] = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};

static unsigned pair_codes(Voiced v) {
    unsigned codes = 0;
    for (int n = 0; n < 6; n++)
        codes |= (unsigned)perfect(v[PAIRS[n][0]], v[PAIRS[n][1]]) << (2 * n);
    return codes;
}

/* The pairs whose two voices both move, as the bits of `pair_codes`, for every set of
 * voices moving (bit k: voice k moves). */
static unsigned moving_pairs[16];

static void init_moving_pairs(void) {
    for (unsigned moving = 0; moving < 16; moving++)
        for (int n = 0; n < 6; n++)
            if ((moving >> PAIRS[n][0] & 1) && (moving >> PAIRS[n][1] & 1))
                moving_pairs[moving] |= 3u << (2 * n);
}

/* The melody at one change (see `voicing._Changes`). */
typedef struct {
    int at, exposed, rest, common, plucked, creep;
    Py_ssize_t heard_n;
    const int16_t *heard;
    const uint8_t *against, *over;
} Change;

/* The bass moving from `a` to `b`: its leap, and a forbidden move for each melody note
 * heard before the change that makes a parallel fifth or octave with it into the note
 * at the change (when the bass moves). */
static double bass_move(int a, int b, const Change *ch, const Weights *w) {
    double cost = w->bass_leaps[abs(b - a)];
    if (a == b)
        return cost;
    const int into = perfect(b, ch->at);
    for (Py_ssize_t h = 0; h < ch->heard_n; h++)
        if (ch->against[h] && ch->heard[h] != ch->at && into
                && perfect(a, ch->heard[h]) == into)
            cost = cost + w->forbidden;
    return cost;
}

/* Where the melody rests on one side of the change: parallels of the bass with the
 * voices on top there (the lowest and the highest upper voice, either can start a
 * figure), into the note at the change after a rest (`exposed`), or from the notes
 * heard before a rest (`over`). */
static int top_parallels(Voiced prev, Voiced cur, const Change *ch) {
    int count = 0;
    static const int tops[2] = {1, 3};
    if (ch->exposed) {
        const int into = perfect(cur[0], ch->at);
        for (int t = 0; t < 2; t++)
            count += into && prev[tops[t]] != ch->at && perfect(prev[0], prev[tops[t]]) == into;
    }
    for (Py_ssize_t h = 0; h < ch->heard_n; h++) {
        if (!ch->over[h])
            continue;
        const int from = perfect(prev[0], ch->heard[h]);
        for (int t = 0; t < 2; t++)
            count += from && ch->heard[h] != cur[tops[t]] && perfect(cur[0], cur[tops[t]]) == from;
    }
    return count;
}

/* Both voices move and keep a perfect fifth or unison/octave. */
static int perfect_parallel(int a0, int b0, int a1, int b1) {
    int i0 = floor_mod12(b0 - a0), i1 = floor_mod12(b1 - a1);
    return a0 != a1 && b0 != b1 && i0 == i1 && (i1 == 0 || i1 == 7);
}

/* What moving from `prev` to `cur` costs, `bass` being the bass's move (`bass_move`):
 * the upper voices' moves, planing, a common tone lost, parallels between any two
 * voices, then (per change) a pizzicato succession, a creeping middle voice, and the
 * bass's parallels with a voice on top next to a rest. */
static double move(Voiced prev, Voiced cur, unsigned prev_codes, unsigned cur_codes,
                   double bass, const Change *ch, const Weights *w) {
    const int d1 = cur[1] - prev[1], d2 = cur[2] - prev[2], d3 = cur[3] - prev[3];
    double pair = w->voice_moves[abs(d1)] + w->voice_moves[abs(d2)];
    pair = pair + w->voice_moves[abs(d3)];
    if ((d1 > 0 && d2 > 0 && d3 > 0) || (d1 < 0 && d2 < 0 && d3 < 0))
        pair += w->same_direction;
    if (d1 && d2 && d3 && ch->common)
        pair += w->common_tone_lost;
    const unsigned moving = (cur[0] != prev[0]) | (d1 != 0) << 1 | (d2 != 0) << 2
                            | (d3 != 0) << 3;
    const int parallel = (cur_codes & prev_codes & moving_pairs[moving]) != 0;
    double cost = bass + (pair + w->forbidden * parallel);
    if (ch->plucked && perfect_parallel(prev[0], prev[3], cur[0], cur[1]))
        cost = cost + w->forbidden;
    if (ch->creep && abs(d2) == 1)
        cost = cost + w->creep;
    if (ch->rest && cur[0] != prev[0])
        for (int i = top_parallels(prev, cur, ch); i > 0; i--)
            cost = cost + w->forbidden;
    return cost;
}

/* One step of the search into the `to_n` states of a step from the `from_n` before:
 * each state's cheapest way in (`back`, ties to the lower state) and what the path to it
 * costs (`next`): `cost(ctx, to, from)` for the move, `best` the paths before, `unary`
 * the states' own costs. */
typedef double (*Cost)(const void *ctx, Py_ssize_t to, Py_ssize_t from);

static inline void relax(Py_ssize_t to_n, Py_ssize_t from_n, Cost cost, const void *ctx,
                         const double *best, const double *unary, double *next,
                         int32_t *back) {
    for (Py_ssize_t to = 0; to < to_n; to++) {
        double least = 0.0;
        Py_ssize_t pick = 0;
        for (Py_ssize_t from = 0; from < from_n; from++) {
            const double total = cost(ctx, to, from) + best[from];
            if (from == 0 || total < least) {
                least = total;
                pick = from;
            }
        }
        back[to] = (int32_t)pick;
        next[to] = least + unary[to];
    }
}

/* The states of the cheapest path, from the last step's costs `best` (`last_n` states)
 * back through `back` (`stride` entries a step, step m's way in at `back + m * stride`). */
static PyObject *picked(Py_ssize_t n, Py_ssize_t last_n, const double *best,
                        const int32_t *back, Py_ssize_t stride) {
    Py_ssize_t idx = 0;
    for (Py_ssize_t s = 1; s < last_n; s++)
        if (best[s] < best[idx])
            idx = s;
    PyObject *out = PyList_New(n);
    if (!out)
        return NULL;
    for (Py_ssize_t m = n - 1; m >= 0; m--) {
        PyObject *v = PyLong_FromSsize_t(idx);
        if (!v) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, m, v);
        if (m > 0)
            idx = back[m * stride + idx];
    }
    return out;
}

/* A move of `cheapest_voicings` at one change: the voicings on both sides. */
typedef struct {
    const int16_t *rows;  /* the chord before's voicings, then the chord after's */
    const unsigned *codes;
    const double *bass;  /* the bass's moves between runs (to, from) */
    const int32_t *runs;
    Py_ssize_t S, from_runs;
    const Change *ch;
    const Weights *w;
} Moves;

static double voicing_move(const void *ctx, Py_ssize_t to, Py_ssize_t from) {
    const Moves *m = ctx;
    const Py_ssize_t q = m->S + to;  /* the chord after's voicings follow the chord before's */
    return move(m->rows + from * 4, m->rows + q * 4, m->codes[from], m->codes[q],
                m->bass[m->runs[q] * m->from_runs + m->runs[from]], m->ch, m->w);
}

/* A step's move costs as given: a (from, to) float64 array, any strides. */
typedef struct {
    const char *buf;
    Py_ssize_t from_stride, to_stride;
} Given;

static double given_move(const void *ctx, Py_ssize_t to, Py_ssize_t from) {
    const Given *g = ctx;
    return *(const double *)(g->buf + from * g->from_stride + to * g->to_stride);
}

PyDoc_STRVAR(cheapest_path_doc,
"cheapest_path(unary, trans) -> list[int]\n\n"
"The cheapest state of each step: `unary[i]` float64 (state) the costs of step i's\n"
"states, `trans[i - 1]` float64 (from, to) of going to them from step i - 1's; ties\n"
"go to the lower state.");

static PyObject *cheapest_path(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *unary_seq, *trans_seq;
    if (!PyArg_ParseTuple(args, "OO", &unary_seq, &trans_seq))
        return NULL;
    PyObject *unary_fast = PySequence_Fast(unary_seq, "cheapest_path: unary is a sequence");
    if (!unary_fast)
        return NULL;
    PyObject *trans_fast = PySequence_Fast(trans_seq, "cheapest_path: trans is a sequence");
    if (!trans_fast) {
        Py_DECREF(unary_fast);
        return NULL;
    }
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(unary_fast);
    PyObject *out = NULL;
    Py_buffer *views = NULL;
    Py_ssize_t held = 0, S = 0;
    double *best = NULL, *next = NULL;
    int32_t *back = NULL;
    if (n == 0 || PySequence_Fast_GET_SIZE(trans_fast) != n - 1) {
        PyErr_SetString(PyExc_ValueError, "cheapest_path: one step or more, and a move "
                        "between each two");
        goto done;
    }
    views = PyMem_Calloc((size_t)(2 * n - 1), sizeof *views);
    if (!views) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < 2 * n - 1; i++) {  /* the unary costs, then the moves */
        PyObject *o = i < n ? PySequence_Fast_GET_ITEM(unary_fast, i)
                            : PySequence_Fast_GET_ITEM(trans_fast, i - n);
        if (PyObject_GetBuffer(o, &views[i], PyBUF_STRIDES | PyBUF_FORMAT) < 0)
            goto done;
        held = i + 1;
        const Py_buffer *v = &views[i];
        const int dims = i < n ? 1 : 2;
        int ok = v->ndim == dims && v->itemsize == 8 && v->format && strcmp(v->format, "d") == 0;
        if (ok && i < n)
            ok = v->shape[0] >= 1 && v->strides[0] == 8;
        if (ok && i >= n)
            ok = v->shape[0] == views[i - n].shape[0] && v->shape[1] == views[i - n + 1].shape[0];
        if (!ok) {
            PyErr_SetString(PyExc_ValueError, "cheapest_path: float64 costs expected, a "
                            "state or more per step and a move from each to each");
            goto done;
        }
        if (i < n && v->shape[0] > S)
            S = v->shape[0];
    }
    best = malloc(sizeof *best * (size_t)S);
    next = malloc(sizeof *next * (size_t)S);
    back = malloc(sizeof *back * (size_t)(n * S));
    if (!best || !next || !back) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(best, views[0].buf, sizeof *best * (size_t)views[0].shape[0]);
    for (Py_ssize_t i = 1; i < n; i++) {
        const Py_buffer *t = &views[n + i - 1];
        const Given given = {t->buf, t->strides[0], t->strides[1]};
        relax(views[i].shape[0], views[i - 1].shape[0], given_move, &given, best,
              views[i].buf, next, back + i * S);
        double *swap = best;
        best = next;
        next = swap;
    }
    out = picked(n, views[n - 1].shape[0], best, back, S);
done:
    free(best);
    free(next);
    free(back);
    for (Py_ssize_t i = 0; i < held; i++)
        PyBuffer_Release(&views[i]);
    PyMem_Free(views);
    Py_DECREF(unary_fast);
    Py_DECREF(trans_fast);
    return out;
}

PyDoc_STRVAR(cheapest_voicings_doc,
"cheapest_voicings(rows, sizes, unary, at, exposed, heard, against, over, common,\n"
"                  plucked, creep, voice_moves, bass_leaps, weights) -> list[int]\n\n"
"The voicing picked for each chord (ties: the lower). Per chord, padded to S voicings:\n"
"`rows` int16 (chord, S, 4) bass and upper voices, `sizes` int64 the voicings it has,\n"
"`unary` float64 (chord, S) their own costs. Per change into the chords after the\n"
"first, as `voicing._Changes`: `at` int16, `exposed` uint8, `heard` int16 (change, H)\n"
"with `against` and `over` uint8 (change, H); `common`, `plucked`, `creep` uint8.\n"
"`voice_moves`, `bass_leaps` float64 (128): costs by semitones moved; `weights`:\n"
"(forbidden, same direction, common tone lost, creep).");

static PyObject *cheapest_voicings(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *o[N];
    Weights w;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOOOO(dddd)", &o[0], &o[1], &o[2], &o[3], &o[4],
                          &o[5], &o[6], &o[7], &o[8], &o[9], &o[10], &o[11], &o[12],
                          &w.forbidden, &w.same_direction, &w.common_tone_lost, &w.creep))
        return NULL;
    Array a[N];
    memset(a, 0, sizeof a);
    PyObject *out = NULL;
    double *best = NULL, *next = NULL, *bass = NULL;
    int32_t *back = NULL, *runs = NULL;
    unsigned *codes = NULL;
    for (int i = 0; i < N; i++)
        if (take(o[i], &a[i], i) < 0)
            goto done;
    if (!fits(a))
        goto done;
    w.voice_moves = a[VOICE_MOVES].view.buf;
    w.bass_leaps = a[BASS_LEAPS].view.buf;
    const Py_ssize_t n = a[ROWS].view.shape[0], S = a[ROWS].view.shape[1];
    const Py_ssize_t H = a[HEARD].view.shape[1];
    const int16_t *rows = a[ROWS].view.buf;
    const int64_t *sizes = a[SIZES].view.buf;
    const double *unary = a[UNARY].view.buf;
    best = malloc(sizeof *best * (size_t)S);
    next = malloc(sizeof *next * (size_t)S);
    bass = malloc(sizeof *bass * (size_t)(S * S));
    back = malloc(sizeof *back * (size_t)(n * S));
    runs = malloc(sizeof *runs * (size_t)(n * S));
    codes = malloc(sizeof *codes * (size_t)(n * S));
    if (!best || !next || !bass || !back || !runs || !codes) {
        PyErr_NoMemory();
        goto done;
    }
    /* each voicing's pair codes, and its run of voicings on one bass (a chord's
     * voicings come a bass at a time: the bass's moves are costed once per run) */
    for (Py_ssize_t m = 0; m < n; m++)
        for (Py_ssize_t s = 0; s < sizes[m]; s++) {
            Voiced v = rows + (m * S + s) * 4;
            codes[m * S + s] = pair_codes(v);
            runs[m * S + s] = s == 0 ? 0 : runs[m * S + s - 1] + (v[0] != v[-4]);
        }
    for (Py_ssize_t s = 0; s < sizes[0]; s++)
        best[s] = unary[s];
    for (Py_ssize_t c = 0; c + 1 < n; c++) {
        const Py_ssize_t p = c, q = c + 1, from_n = sizes[p], to_n = sizes[q];
        const uint8_t *against = (const uint8_t *)a[AGAINST].view.buf + c * H;
        const uint8_t *over = (const uint8_t *)a[OVER].view.buf + c * H;
        Py_ssize_t heard_n = 0;  /* the notes heard that count at all */
        int rest = ((const uint8_t *)a[EXPOSED].view.buf)[c];  /* a rest next to the change */
        for (Py_ssize_t h = 0; h < H; h++) {
            if (against[h] || over[h])
                heard_n = h + 1;
            rest |= over[h];
        }
        const Change ch = {((const int16_t *)a[AT].view.buf)[c],
                           ((const uint8_t *)a[EXPOSED].view.buf)[c], rest,
                           ((const uint8_t *)a[COMMON].view.buf)[c],
                           ((const uint8_t *)a[PLUCKED].view.buf)[c],
                           ((const uint8_t *)a[CREEP].view.buf)[c], heard_n,
                           (const int16_t *)a[HEARD].view.buf + c * H, against, over};
        const Py_ssize_t from_runs = runs[p * S + from_n - 1] + 1;
        for (Py_ssize_t to = 0; to < to_n; to++)
            if (to == 0 || runs[q * S + to] != runs[q * S + to - 1])
                for (Py_ssize_t from = 0; from < from_n; from++)
                    if (from == 0 || runs[p * S + from] != runs[p * S + from - 1])
                        bass[runs[q * S + to] * from_runs + runs[p * S + from]] = bass_move(
                            rows[(p * S + from) * 4], rows[(q * S + to) * 4], &ch, &w);
        const Moves moves = {rows + p * S * 4, codes + p * S, bass, runs + p * S, S, from_runs,
                             &ch, &w};
        relax(to_n, from_n, voicing_move, &moves, best, unary + q * S, next, back + q * S);
        double *swap = best;
        best = next;
        next = swap;
    }
    out = picked(n, sizes[n - 1], best, back, S);
done:
    free(best);
    free(next);
    free(bass);
    free(back);
    free(runs);
    free(codes);
    for (int i = 0; i < N; i++)
        if (a[i].held)
            PyBuffer_Release(&a[i].view);
    return out;
}

static PyMethodDef methods[] = {
    {"cheapest_path", cheapest_path, METH_VARARGS, cheapest_path_doc},
    {"cheapest_voicings", cheapest_voicings, METH_VARARGS, cheapest_voicings_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "_paths",
    .m_doc = "Cheapest paths through a chain of choices (chords.harmonise, voicing._path).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__paths(void) {
    init_moving_pairs();
    return PyModule_Create(&module);
}
