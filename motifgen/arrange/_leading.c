/* The cheapest voice leading through a section's voicings, for `voicing.voice_lead`.
 *
 * Every move between two chords' voicings is costed as `voicing` describes it (the
 * bass's move, the upper voices' moves read from the packed-move tables, planing, a
 * common tone lost, parallels between any two voices, the bass with a voice on top next
 * to a rest, the pizzicato succession, the creeping inner voice) and the cheapest path
 * is found at once (Viterbi), a change at a time: no (change, to, from) array is built.
 * The sums are taken in the order numpy took them, so that equal paths tie as before.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The costs and flags of `voicing` (passed in from there, see `cheapest_voicings`). */
typedef struct {
    double forbidden, same_direction, common_tone_lost, creep;
    uint16_t up_down, moving;
} Weights;

typedef struct {
    Py_buffer view;
    int held;
} Array;

/* `obj`'s C-contiguous buffer of `ndim` dimensions and items of `itemsize` bytes. */
static int take(PyObject *obj, Array *a, int ndim, Py_ssize_t itemsize, const char *what) {
    a->held = 0;
    if (PyObject_GetBuffer(obj, &a->view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    a->held = 1;
    if (a->view.ndim != ndim || a->view.itemsize != itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: %d dimensions of %zd-byte items expected",
                     what, ndim, itemsize);
        return -1;
    }
    return 0;
}

static void release(Array *arrays, int n) {
    for (int i = 0; i < n; i++)
        if (arrays[i].held)
            PyBuffer_Release(&arrays[i].view);
}

static int floor_mod12(int x) { return ((x % 12) + 12) % 12; }

/* Both voices move and keep a perfect fifth or unison/octave (`_perfect_parallel`). */
static int perfect_parallel(int a0, int b0, int a1, int b1) {
    int i0 = floor_mod12(b0 - a0), i1 = floor_mod12(b1 - a1);
    return a0 != a1 && b0 != b1 && i0 == i1 && (i1 == 0 || i1 == 7);
}

static int popcount16(unsigned v) { return __builtin_popcount(v & 0xFFFFu); }

enum { ROWS, UPPER, LOW, PAIRS, SIZES, UNARY, RUNS, BASS, COMMON, PLUCKED, CREEP, REST,
       BEFORE, AFTER, T_UPPER, T_UPPER_FLAGS, T_THIRD, T_LOW_FLAGS, N };

/* Whether the arrays fit together, and every index read from them stays inside them. */
static int shaped(const Array *a, Py_ssize_t n, Py_ssize_t S, Py_ssize_t W, Py_ssize_t K,
                  Py_ssize_t n_rest) {
    const Py_ssize_t changes = n > 0 ? n - 1 : 0;
    int ok = n > 0 && a[ROWS].view.shape[2] == 4 && a[BEFORE].view.shape[0] == n_rest
             && a[AFTER].view.shape[0] == n_rest && a[AFTER].view.shape[2] == K
             && a[BEFORE].view.shape[1] == S && a[AFTER].view.shape[1] == S
             && a[BASS].view.shape[0] == changes && a[BASS].view.shape[2] == W
             && a[SIZES].view.shape[0] == n && a[COMMON].view.shape[0] == changes
             && a[PLUCKED].view.shape[0] == changes && a[CREEP].view.shape[0] == changes;
    for (int i = UPPER; ok && i <= RUNS; i++)
        ok = i == SIZES || (a[i].view.shape[0] == n && a[i].view.shape[1] == S);
    for (int i = T_UPPER; ok && i <= T_LOW_FLAGS; i++)
        ok = a[i].view.shape[0] == 65536;
    const int64_t *sizes = a[SIZES].view.buf, *runs = a[RUNS].view.buf;
    const int64_t *rest = a[REST].view.buf;
    for (Py_ssize_t m = 0; ok && m < n; m++)
        ok = sizes[m] >= 1 && sizes[m] <= S;
    for (Py_ssize_t m = 0; ok && m < n * S; m++)
        ok = runs[m] >= 0 && runs[m] < W;
    for (Py_ssize_t r = 0; ok && r < n_rest; r++)
        ok = rest[r] >= 0 && rest[r] < changes && (r == 0 || rest[r] > rest[r - 1]);
    if (!ok)
        PyErr_SetString(PyExc_ValueError, "cheapest_voicings: arrays that do not fit together");
    return ok;
}

PyDoc_STRVAR(cheapest_voicings_doc,
"cheapest_voicings(rows, upper, low, pairs, sizes, unary, runs, bass, common, plucked,\n"
"                  creep, rest, before, after, tables, weights) -> list[int]\n\n"
"The state picked for each chord. Per chord (padded to `S` states): `rows` int16\n"
"(chord, S, 4), `upper`, `low` int16 and `pairs` uint16 (chord, S) as `_Stack`, `sizes`\n"
"int64 (chord), `unary` float64 (chord, S), `runs` int64 (chord, S) each state's bass\n"
"run; per change: `bass` float64 (change, W, W) the bass's move costs between runs\n"
"(to, from), `common`, `plucked`, `creep` uint8 (change); `rest` int64 the changes next\n"
"to a rest, `before`, `after` uint16 (rest, S, K) their `_top_codes`; `tables` the\n"
"four `_Tables` arrays; `weights` (forbidden, same direction, common tone lost, creep,\n"
"up | down flags, moving flag).");

static PyObject *cheapest_voicings(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *o[18];
    Weights w;
    unsigned up_down, moving;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOOOOOOOOO(ddddII)", &o[0], &o[1], &o[2], &o[3],
                          &o[4], &o[5], &o[6], &o[7], &o[8], &o[9], &o[10], &o[11], &o[12],
                          &o[13], &o[14], &o[15], &o[16], &o[17], &w.forbidden,
                          &w.same_direction, &w.common_tone_lost, &w.creep, &up_down,
                          &moving))
        return NULL;
    w.up_down = (uint16_t)up_down;
    w.moving = (uint16_t)moving;
    static const int ndims[N] = {3, 2, 2, 2, 1, 2, 2, 3, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1};
    static const Py_ssize_t sizes_of[N] = {2, 2, 2, 2, 8, 8, 8, 8, 1, 1, 1, 8, 2, 2, 8, 2,
                                           8, 2};
    static const char *names[N] = {"rows", "upper", "low", "pairs", "sizes", "unary", "runs",
                                   "bass", "common", "plucked", "creep", "rest", "before",
                                   "after", "tables.upper", "tables.upper_flags",
                                   "tables.third", "tables.low_flags"};
    Array a[N];
    memset(a, 0, sizeof a);
    for (int i = 0; i < N; i++)
        if (take(o[i], &a[i], ndims[i], sizes_of[i], names[i]) < 0) {
            release(a, N);
            return NULL;
        }
    const Py_ssize_t n = a[ROWS].view.shape[0], S = a[ROWS].view.shape[1];
    const Py_ssize_t W = a[BASS].view.shape[1], K = a[BEFORE].view.shape[2];
    const Py_ssize_t n_rest = a[REST].view.shape[0];
    if (!shaped(a, n, S, W, K, n_rest)) {
        release(a, N);
        return NULL;
    }
    const int16_t *rows = a[ROWS].view.buf, *upper = a[UPPER].view.buf, *low = a[LOW].view.buf;
    const uint16_t *pairs = a[PAIRS].view.buf;
    const int64_t *sizes = a[SIZES].view.buf, *runs = a[RUNS].view.buf;
    const int64_t *rest = a[REST].view.buf;
    const double *unary = a[UNARY].view.buf, *bass = a[BASS].view.buf;
    const uint8_t *common = a[COMMON].view.buf, *plucked = a[PLUCKED].view.buf;
    const uint8_t *creep = a[CREEP].view.buf;
    const uint16_t *before = a[BEFORE].view.buf, *after = a[AFTER].view.buf;
    const double *t_upper = a[T_UPPER].view.buf, *t_third = a[T_THIRD].view.buf;
    const uint16_t *t_upper_flags = a[T_UPPER_FLAGS].view.buf;
    const uint16_t *t_low_flags = a[T_LOW_FLAGS].view.buf;

    double *best = malloc(sizeof(double) * (size_t)S);
    double *next = malloc(sizeof(double) * (size_t)S);
    int32_t *back = malloc(sizeof(int32_t) * (size_t)(n > 1 ? n - 1 : 1) * (size_t)S);
    PyObject *out = NULL;
    if (!best || !next || !back) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t s = 0; s < sizes[0]; s++)
        best[s] = unary[s];
    Py_ssize_t r = 0;  /* the next of the changes next to a rest */
    for (Py_ssize_t c = 0; c + 1 < n; c++) {
        const Py_ssize_t p = c, q = c + 1, from_n = sizes[p], to_n = sizes[q];
        const int at_rest = r < n_rest && rest[r] == c;
        const uint16_t *bef = at_rest ? before + r * S * K : NULL;
        const uint16_t *aft = at_rest ? after + r * S * K : NULL;
        for (Py_ssize_t to = 0; to < to_n; to++) {
            const int16_t *cur = rows + (q * S + to) * 4;
            const int16_t cu = upper[q * S + to], cl = low[q * S + to];
            const uint16_t cp = pairs[q * S + to];
            const double *bass_row = bass + (c * W + runs[q * S + to]) * W;
            double least = 0.0;
            Py_ssize_t pick = 0;
            for (Py_ssize_t from = 0; from < from_n; from++) {
                const int16_t *prev = rows + (p * S + from) * 4;
                const uint16_t um = (uint16_t)(cu - upper[p * S + from]);
                const uint16_t lm = (uint16_t)(cl - low[p * S + from]);
                const uint16_t flags = t_upper_flags[um] & t_low_flags[lm];
                double pair = t_upper[um] + t_third[lm];
                if (flags & w.up_down)
                    pair += w.same_direction;
                if ((flags & w.moving) && common[c])
                    pair += w.common_tone_lost;
                const int parallel = (cp & pairs[p * S + from] & flags) != 0;
                double cost = bass_row[runs[p * S + from]] + (pair + w.forbidden * parallel);
                if (plucked[c] && perfect_parallel(prev[0], prev[3], cur[0], cur[1]))
                    cost = cost + w.forbidden;
                if (creep[c] && abs(cur[2] - prev[2]) == 1)
                    cost = cost + w.creep;
                if (at_rest && cur[0] != prev[0]) {
                    int count = 0;
                    for (Py_ssize_t k = 0; k < K; k++)
                        count += popcount16(aft[to * K + k] & bef[from * K + k]);
                    for (int i = 0; i < count; i++)
                        cost = cost + w.forbidden;
                }
                const double total = cost + best[from];
                if (from == 0 || total < least) {
                    least = total;
                    pick = from;
                }
            }
            back[c * S + to] = (int32_t)pick;
            next[to] = least + unary[q * S + to];
        }
        if (at_rest)
            r++;
        double *swap = best;
        best = next;
        next = swap;
    }
    Py_ssize_t idx = 0;
    for (Py_ssize_t s = 1; s < sizes[n - 1]; s++)
        if (best[s] < best[idx])
            idx = s;
    out = PyList_New(n);
    if (!out)
        goto done;
    for (Py_ssize_t c = n - 1; c >= 0; c--) {
        PyObject *v = PyLong_FromSsize_t(idx);
        if (!v) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, c, v);
        if (c > 0)
            idx = back[(c - 1) * S + idx];
    }
done:
    free(best);
    free(next);
    free(back);
    release(a, N);
    return out;
}

static PyMethodDef methods[] = {
    {"cheapest_voicings", cheapest_voicings, METH_VARARGS, cheapest_voicings_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "_leading",
    .m_doc = "The cheapest voice leading through a section's voicings (see voicing.voice_lead).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__leading(void) { return PyModule_Create(&module); }
