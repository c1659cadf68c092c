/* The two loops of a float probe (voting/tally/probe_floats.py), compiled: pricing one project and paying for it.

   `Floats.price` and `Floats.pay` in probe_floats.py are the definition; these functions do the very same float
   operations in the same order, so that they return bit for bit what the numpy code returns (the tests compare
   them: tests/unit/tally/test_tally_probe_kernel.py). Sums are numpy's pairwise summation of a contiguous
   float64 array (numpy/_core/src/umath/loops_utils.h.src, `pairwise_sum`), so `sum_bound` holds as it is.
   Built by hatch_build.py when a C compiler is there; without it, probe_floats.py runs its numpy code.

   Compiled with -ffp-contract=off: a fused multiply-add would round differently from numpy's two operations. */

#include "_kernel.h"

#define TINY 9.332636185032189e-302 /* 2**-1000 */

/* The hot loops are compiled twice on x86-64 Linux, for the baseline and for AVX2 (x86-64-v3, picked at load time
   where the processor has it): comparisons, counts, minima and stores in 4 lanes instead of 1, and numpy's eight
   running sums in lanes too. Neither reorders a floating-point operation (no -ffast-math, no fused multiply-add),
   so both give the same floats. */
#if defined(__GNUC__) && __GNUC__ >= 12 && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define HOT __attribute__((target_clones("default", "arch=x86-64-v3")))
#else
#define HOT
#endif
#define WIDEST 1e-9

/* numpy's pairwise sum (PW_BLOCKSIZE 128, eight running sums, unrolled by 8) */
HOT static double pairwise(const double *a, Py_ssize_t n)
{
    if (n < 8) {
        double res = 0.;
        for (Py_ssize_t i = 0; i < n; i++) {
            res += a[i];
        }
        return res;
    }
    if (n <= 128) {
        double r[8];
        Py_ssize_t i;
        for (int j = 0; j < 8; j++) {
            r[j] = a[j];
        }
        for (i = 8; i < n - (n % 8); i += 8) {
            for (int j = 0; j < 8; j++) {
                r[j] += a[i + j];
            }
        }
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) {
            res += a[i];
        }
        return res;
    }
    Py_ssize_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

/* numpy's add.reduce of a contiguous float64 array: the pairwise sum of all of it (0.0 when empty) */
static double np_sum(const double *a, Py_ssize_t n)
{
    return pairwise(a, n);
}

enum { UNAFFORDABLE = 0, GIVE_UP = 1, FRESH = 2, EQUAL = 3, PRICE = 4 };

/* What `Floats.price` computes, as (code, a, b, c): UNAFFORDABLE; GIVE_UP; FRESH (nobody has paid yet: the caller
   checks the cost exactly and returns the equal share); EQUAL (a = the number of supporters who pay the equal
   share, exactly); PRICE (a, b, c = the float price and its proven lower and upper bounds). */
typedef struct {
    int code;
    double a, b, c;
} Quote;

static int quote(Quote *q, int code, double a, double b, double c)
{
    q->code = code, q->a = a, q->b = b, q->c = c;
    return 0;
}

/* The project's price into *q: 0, or -1 with an IndexError for a supporter out of range. `purse` holds each voter's
   money and its error side by side (one cache line for both); x, e and t are room for k floats each. */
HOT static int price(const double *purse, Py_ssize_t voters, const int64_t *sup, Py_ssize_t k, double cost,
                     double fuzz, double most_err, double start, double at_least, double *x, double *e, double *t,
                     Quote *q)
{
    for (Py_ssize_t j = 0; j < k; j++) {
        if ((uint64_t)sup[j] >= (uint64_t)voters) {
            PyErr_SetString(PyExc_IndexError, "supporters must be among the purse's voters");
            return -1;
        }
        const double *v = purse + 2 * sup[j];
        x[j] = v[0];
        e[j] = v[1];
    }
    double held = np_sum(x, k);
    double c_hi = cost * (1 + ULP), c_lo = cost * (1 - ULP);
    double kf = (double)k;
    if (held * (1 + fuzz) + kf * most_err < c_lo) {
        return quote(q, UNAFFORDABLE, 0., 0., 0.);
    }
    /* then, in one pass, what later checks need of them: the least money, how many hold exactly 0, and the least
       money less its error among those who hold something (np.min(x - e, where=x > 0)); in four lanes, which the
       compiler keeps in one vector (the minima are only compared, so the order they are taken in does not matter;
       3-4 % off Budapest's Add1) */
    double l4[4] = {INFINITY, INFINITY, INFINITY, INFINITY}, s4[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
    int64_t b4[4] = {0, 0, 0, 0};
    Py_ssize_t j4 = k - k % 4;
    for (Py_ssize_t j = 0; j < j4; j += 4) {
        for (int q = 0; q < 4; q++) {
            double m = x[j + q], d = m > 0 ? m - e[j + q] : INFINITY;
            l4[q] = m < l4[q] ? m : l4[q];
            b4[q] += m == 0.;
            s4[q] = d < s4[q] ? d : s4[q];
        }
    }
    for (Py_ssize_t j = j4; j < k; j++) {
        double m = x[j], d = m > 0 ? m - e[j] : INFINITY;
        l4[0] = m < l4[0] ? m : l4[0];
        b4[0] += m == 0.;
        s4[0] = d < s4[0] ? d : s4[0];
    }
    double least = INFINITY, least_sure = INFINITY;
    Py_ssize_t broke = 0;
    for (int q = 0; q < 4; q++) {
        least = l4[q] < least ? l4[q] : least;
        least_sure = s4[q] < least_sure ? s4[q] : least_sure;
        broke += (Py_ssize_t)b4[q];
    }
    double slack = np_sum(e, k) * (1 + fuzz);
    if (slack == 0 && k && least == start) {
        return quote(q, FRESH, 0., 0., 0.);
    }
    if (held * (1 + fuzz) + slack < c_lo) {
        return quote(q, UNAFFORDABLE, 0., 0., 0.);
    }
    if (held * (1 - fuzz) - slack < c_hi) {
        return quote(q, GIVE_UP, 0., 0., 0.);
    }
    double p = cost / kf;
    p = at_least > p ? at_least : p;
    Py_ssize_t poor = -1;
    double covered = 0.;
    int settled = 0;
    for (int pass = 0; pass < 40; pass++) {
        Py_ssize_t below = 0;
        for (Py_ssize_t j = 0; j < k; j++) { /* who is below p, and min(money, p) in the same pass */
            int under = x[j] < p;
            below += under;
            t[j] = under ? x[j] : p; /* np.minimum: the same value either way when equal */
        }
        if (below == poor) {
            settled = 1;
            break;
        }
        if (below < poor || below == k) {
            return quote(q, GIVE_UP, 0., 0., 0.);
        }
        poor = below;
        double spent = 0.;
        if (poor) {
            covered = np_sum(t, k);
            spent = covered - p * (double)(k - poor);
        } else {
            covered = 0.;
        }
        p = (cost - spent) / (double)(k - poor);
    }
    if (!settled) {
        return quote(q, GIVE_UP, 0., 0., 0.);
    }
    Py_ssize_t rich = k - poor;
    if (poor == broke) {
        if (least_sure > cost / (double)rich * (1 + 8 * ULP)) {
            return quote(q, EQUAL, (double)rich, 0., 0.); /* (exact: k < 2**53) */
        }
    }
    double rounding = 2 * (fuzz + 2 * ULP) * (cost + covered) + 4 * ULP * cost;
    double w = 2 * (rounding + slack) / (double)rich + 4 * ULP * p;
    for (int pass = 0; pass < 4; pass++) {
        double top = p + w + most_err;
        Py_ssize_t under = 0;
        for (Py_ssize_t j = 0; j < k; j++) {
            int in = x[j] < top;
            under += in;
            t[j] = in ? e[j] : 0.; /* e * under: e >= 0 */
        }
        Py_ssize_t near = under - poor;
        slack = np_sum(t, k) * (1 + fuzz);
        if (2 * near > rich) {
            return quote(q, GIVE_UP, 0., 0., 0.);
        }
        double need = 2 * (rounding + slack) / (double)rich + 4 * ULP * p;
        if (need <= w) {
            if (2 * need > WIDEST * p) {
                return quote(q, GIVE_UP, 0., 0., 0.);
            }
            return quote(q, PRICE, p, p - need, p + need);
        }
        w = need;
    }
    return quote(q, GIVE_UP, 0., 0., 0.);
}

/* The voters' purse (n by 2, float64) and supporters (int64) of a call, checked; -1 with an exception if wrong. */
static int args2(PyObject *p_obj, PyObject *s_obj, Py_buffer *purse, Py_buffer *sup, int writable)
{
    if (get(p_obj, purse, writable, 'd') < 0) {
        return -1;
    }
    if (get(s_obj, sup, 0, 'i') < 0) {
        PyBuffer_Release(purse);
        return -1;
    }
    if (purse->ndim != 2 || purse->shape[1] != 2) {
        PyBuffer_Release(purse);
        PyBuffer_Release(sup);
        PyErr_SetString(PyExc_IndexError, "expected an n by 2 purse");
        return -1;
    }
    return 0;
}

static int out_of_range(const int64_t *sup, Py_ssize_t k, Py_ssize_t voters)
{
    for (Py_ssize_t j = 0; j < k; j++) {
        if ((uint64_t)sup[j] >= (uint64_t)voters) {
            PyErr_SetString(PyExc_IndexError, "supporters must be among the purse's voters");
            return 1;
        }
    }
    return 0;
}

/* price(purse, supporters, cost, fuzz, most_err, start, at_least) -> (code, a, b, c) */
static PyObject *py_price(PyObject *self, PyObject *args)
{
    PyObject *p_obj, *s_obj;
    double cost, fuzz, most_err, start, at_least;
    if (!PyArg_ParseTuple(args, "OOddddd", &p_obj, &s_obj, &cost, &fuzz, &most_err, &start, &at_least)) {
        return NULL;
    }
    Py_buffer purse, sup;
    if (args2(p_obj, s_obj, &purse, &sup, 0) < 0) {
        return NULL;
    }
    PyObject *out = NULL;
    Py_ssize_t k = sup.len / 8;
    double *work = scratch(3 * (size_t)(k ? k : 1));
    Quote q;
    if (work && price((const double *)purse.buf, purse.shape[0], (const int64_t *)sup.buf, k, cost, fuzz, most_err,
                      start, at_least, work, work + k, work + 2 * k, &q) == 0) {
        out = q.code == EQUAL ? Py_BuildValue("(innn)", EQUAL, (Py_ssize_t)q.a, (Py_ssize_t)0, (Py_ssize_t)0)
                              : Py_BuildValue("(iddd)", q.code, q.a, q.b, q.c);
    }
    PyBuffer_Release(&purse);
    PyBuffer_Release(&sup);
    return out;
}

/* The payment itself (`Floats.pay`): each supporter's money less p, or 0 for one surely short of it, and its
   error grown by the price's doubt and the subtraction's rounding; returns that growth */
HOT static double settle(double *money, const int64_t *s, Py_ssize_t k, double p, double low, double high,
                         double start)
{
    double a = p - low, b = high - p;
    double grown = (b > a ? b : a) + 2 * ULP * (start + p) + TINY; /* Python's max(a, b) */
    for (Py_ssize_t j = 0; j < k; j++) {
        double *v = money + 2 * s[j];
        double d = v[0] - p, f = v[1] + grown;
        double keeps = d >= -2 * f;
        d = d > TINY ? d : TINY; /* np.maximum(d, TINY) for a number */
        v[0] = d * keeps;
        v[1] = f * keeps;
    }
    return grown;
}

/* pay(purse, supporters, p, low, high, start) -> grown: what `Floats.pay` does to the money and errors, in place */
static PyObject *py_pay(PyObject *self, PyObject *args)
{
    PyObject *p_obj, *s_obj;
    double p, low, high, start;
    if (!PyArg_ParseTuple(args, "OOdddd", &p_obj, &s_obj, &p, &low, &high, &start)) {
        return NULL;
    }
    Py_buffer purse, sup;
    if (args2(p_obj, s_obj, &purse, &sup, 1) < 0) {
        return NULL;
    }
    Py_ssize_t k = sup.len / 8;
    const int64_t *s = (const int64_t *)sup.buf;
    if (out_of_range(s, k, purse.shape[0])) { /* (checked before anything is written) */
        PyBuffer_Release(&purse);
        PyBuffer_Release(&sup);
        return NULL;
    }
    double grown = settle((double *)purse.buf, s, k, p, low, high, start);
    PyBuffer_Release(&purse);
    PyBuffer_Release(&sup);
    return PyFloat_FromDouble(grown);
}

/* ---- The rounds of a probe (`mes_probe._Run.loop`, the definition), with the prices and payments above.

   A key (a price per unit of cost) is a proven float bound, or exactly 1 / n when a price is known to be an equal
   share (n > 0 in `den`). Keys compare exactly, as Python compares floats and Fractions: f < 1/n when f * n < 1,
   read off the product and its rounding error (fma gives the error exactly). The heap orders (key, project)
   pairs as heapq does; every choice below is the Python loop's, in the same order. */

typedef struct {
    double f;
    int64_t den; /* > 0: the key is exactly 1 / den (f unused) */
} Key;

static int below_one(double f, int64_t n) /* f * n < 1, exactly */
{
    double nf = (double)n, prod = f * nf;
    return prod < 1. || (prod == 1. && fma(f, nf, -prod) < 0.);
}

static int key_lt(Key a, Key b)
{
    if (a.den && b.den) {
        return b.den < a.den;
    }
    if (a.den) { /* 1/n < f: f * n > 1 */
        double nf = (double)a.den, prod = b.f * nf;
        return prod > 1. || (prod == 1. && fma(b.f, nf, -prod) > 0.);
    }
    if (b.den) {
        return below_one(a.f, b.den);
    }
    return a.f < b.f;
}

typedef struct {
    Key key;
    Py_ssize_t i;
} Entry;

static int entry_lt(Entry a, Entry b)
{
    return key_lt(a.key, b.key) || (!key_lt(b.key, a.key) && a.i < b.i);
}

static void heap_push(Entry *heap, Py_ssize_t *n, Entry e)
{
    Py_ssize_t j = (*n)++;
    while (j > 0) {
        Py_ssize_t up = (j - 1) / 2;
        if (!entry_lt(e, heap[up])) {
            break;
        }
        heap[j] = heap[up];
        j = up;
    }
    heap[j] = e;
}

static Entry heap_pop(Entry *heap, Py_ssize_t *n)
{
    Entry top = heap[0], last = heap[--(*n)];
    Py_ssize_t j = 0;
    for (;;) {
        Py_ssize_t c = 2 * j + 1;
        if (c >= *n) {
            break;
        }
        if (c + 1 < *n && entry_lt(heap[c + 1], heap[c])) {
            c++;
        }
        if (!entry_lt(heap[c], last)) {
            break;
        }
        heap[j] = heap[c];
        j = c;
    }
    if (*n) {
        heap[j] = last;
    }
    return top;
}

static PyObject *key_object(Key k, PyObject *fraction) /* a float, or Fraction(1, den) */
{
    return k.den ? PyObject_CallFunction(fraction, "iL", 1, (long long)k.den) : PyFloat_FromDouble(k.f);
}

typedef struct {
    Py_ssize_t i;
    Key lo, hi;
    double p, low, high;
} Priced;

/* loop(purse, supporters, costs, fuzzes, need, rank, heap, reach, start, per_voter, ids, margin, round, fraction)
   -> (rounds, margins, rivals), or None when the floats cannot prove a decision. `heap`: (float key, project)
   pairs; `reach`: (project, float price) per round of the run this one is compared with; `need[i]`: the least
   whole start budget at which project i's supporters can pay it together (for prices before anyone paid);
   `margin`, `round`, `fraction`: mes_types.Margin, mes_probe.ProbeRound, fractions.Fraction. */
static PyObject *py_loop(PyObject *self, PyObject *args)
{
    PyObject *p_obj, *supp, *c_obj, *z_obj, *n_obj, *r_obj, *heap0, *reach, *ids, *margin_t, *round_t, *fraction;
    double start;
    long long per_voter;
    if (!PyArg_ParseTuple(args, "OO!OOOOO!O!dLO!OOO", &p_obj, &PyList_Type, &supp, &c_obj, &z_obj, &n_obj, &r_obj,
                          &PyList_Type, &heap0, &PyList_Type, &reach, &start, &per_voter, &PyList_Type, &ids,
                          &margin_t, &round_t, &fraction)) {
        return NULL;
    }
    Py_ssize_t projects = PyList_GET_SIZE(supp);
    Py_buffer purse, cb, zb, nb, rb;
    if (get(p_obj, &purse, 1, 'd') < 0) {
        return NULL;
    }
    int ok = get(c_obj, &cb, 0, 'd') == 0;
    ok = ok && (get(z_obj, &zb, 0, 'd') == 0 || (PyBuffer_Release(&cb), 0));
    ok = ok && (get(n_obj, &nb, 0, 'i') == 0 || (PyBuffer_Release(&cb), PyBuffer_Release(&zb), 0));
    ok = ok && (get(r_obj, &rb, 0, 'i') == 0 ||
                (PyBuffer_Release(&cb), PyBuffer_Release(&zb), PyBuffer_Release(&nb), 0));
    if (!ok) {
        PyBuffer_Release(&purse);
        return NULL;
    }
    PyObject *out = NULL, *rounds = PyList_New(0), *margins = PyList_New(0), *rivals = PyList_New(0);
    const double *cost = cb.buf, *fuzz = zb.buf;
    const int64_t *need = nb.buf, *rank = rb.buf;
    Py_ssize_t voters = purse.shape[0], n = 0;
    Entry *heap = NULL;
    Priced *priced = NULL;
    Py_buffer *sups = NULL;
    Py_ssize_t got_sups = 0;
    if (!rounds || !margins || !rivals || purse.ndim != 2 || purse.shape[1] != 2 || cb.len / 8 != projects ||
        zb.len / 8 != projects || nb.len / 8 != projects || rb.len / 8 != projects ||
        PyList_GET_SIZE(ids) != projects || PyList_GET_SIZE(heap0) > projects) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_IndexError, "expected a purse, one cost, bound, need, rank and id per project, and "
                                              "at most one heap entry per project");
        }
        goto done;
    }
    heap = PyMem_Malloc(sizeof(Entry) * (size_t)(projects + 1));
    priced = PyMem_Malloc(sizeof(Priced) * (size_t)(projects + 1));
    sups = PyMem_Calloc((size_t)(projects + 1), sizeof(Py_buffer));
    if (!heap || !priced || !sups) {
        PyErr_NoMemory();
        goto done;
    }
    for (; got_sups < projects; got_sups++) {
        if (get(PyList_GET_ITEM(supp, got_sups), &sups[got_sups], 0, 'i') < 0) {
            goto done;
        }
    }
    for (Py_ssize_t j = 0; j < PyList_GET_SIZE(heap0); j++) {
        PyObject *e = PyList_GET_ITEM(heap0, j);
        Entry entry = {{0., 0}, 0};
        if (!PyArg_ParseTuple(e, "dn", &entry.key.f, &entry.i)) {
            goto done;
        }
        if (entry.i < 0 || entry.i >= projects) {
            PyErr_SetString(PyExc_IndexError, "a project out of range");
            goto done;
        }
        heap_push(heap, &n, entry);
    }
    double most_err = 0.;
    int on_path = 1;
    Py_ssize_t reached = PyList_GET_SIZE(reach);
    for (Py_ssize_t t = 0; n; t++) {
        on_path = on_path && t < reached;
        double floor = 0.;
        Py_ssize_t path_winner = -1;
        if (on_path && !PyArg_ParseTuple(PyList_GET_ITEM(reach, t), "nd", &path_winner, &floor)) {
            goto done;
        }
        floor *= 1 + 4 * ULP;
        int have_best = 0, have_unseen = 0;
        Key best_hi = {0., 0}, unseen = {0., 0};
        Py_ssize_t m = 0;
        while (n) {
            Key bound = heap[0].key;
            if (have_best && key_lt(best_hi, bound) && (!on_path || key_lt((Key){floor, 0}, bound))) {
                unseen = bound, have_unseen = 1;
                break;
            }
            Entry top = heap_pop(heap, &n);
            Py_ssize_t i = top.i, k = sups[i].len / 8;
            double c = cost[i];
            /* the price's floor: bound * cost, as Python multiplies a Fraction by a float: float(1 / den) * cost */
            double at_least = (bound.den ? 1. / (double)bound.den : bound.f) * c;
            double *work = scratch(3 * (size_t)(k ? k : 1));
            if (!work) {
                goto done;
            }
            Quote got;
            if (price(purse.buf, voters, sups[i].buf, k, c, fuzz[i], most_err, start, at_least, work, work + k,
                      work + 2 * k, &got) < 0) {
                goto done;
            }
            int code = got.code;
            double a = got.a, lo = got.b, hi = got.c;
            Priced q = {i, {0., 0}, {0., 0}, 0., 0., 0.};
            if (code == UNAFFORDABLE || (code == FRESH && per_voter < need[i])) {
                continue; /* unaffordable now, so for ever */
            }
            if (code == GIVE_UP) {
                Py_INCREF(Py_None);
                out = Py_None;
                goto done;
            }
            if (code == PRICE) {
                q.p = a, q.low = lo, q.high = hi;
                q.lo = (Key){lo / c * (1 - 2 * ULP), 0};
                q.hi = (Key){hi / c * (1 + 2 * ULP), 0};
            } else { /* an equal share, exactly: `equal_share(cost, payers)` */
                int64_t payers = code == FRESH ? (int64_t)k : (int64_t)a;
                double share = c / (double)payers;
                q.p = share, q.low = share * (1 - 4 * ULP), q.high = share * (1 + 4 * ULP);
                q.lo = q.hi = (Key){0., payers};
            }
            priced[m++] = q;
            if (!have_best || key_lt(q.hi, best_hi)) {
                best_hi = q.hi, have_best = 1;
            }
        }
        if (!have_best) {
            break;
        }
        Py_ssize_t w = 0; /* the winner: the lowest (key, rank) */
        for (Py_ssize_t j = 1; j < m; j++) {
            if (key_lt(priced[j].lo, priced[w].lo) ||
                (!key_lt(priced[w].lo, priced[j].lo) && rank[priced[j].i] < rank[priced[w].i])) {
                w = j;
            }
        }
        Priced win = priced[w];
        int have_b = 0, have_a = 0;
        Key b = {0., 0}, af = {0., 0};
        for (Py_ssize_t j = 0; j < m; j++) { /* min() keeps the first of equal keys */
            if (j == w) {
                continue;
            }
            if (rank[priced[j].i] < rank[win.i]) {
                if (!have_b || key_lt(priced[j].lo, b)) {
                    b = priced[j].lo, have_b = 1;
                }
            } else if (!have_a || key_lt(priced[j].lo, af)) {
                af = priced[j].lo, have_a = 1;
            }
        }
        if (have_unseen && (!have_b || key_lt(unseen, b))) {
            b = unseen, have_b = 1;
        }
        if ((have_b && !key_lt(win.hi, b)) || (have_a && key_lt(af, win.hi))) {
            Py_INCREF(Py_None);
            out = Py_None;
            goto done;
        }
        PyObject *keys = PyDict_New(), *m_hi = key_object(win.hi, fraction);
        PyObject *m_b = have_b ? key_object(b, fraction) : Py_NewRef(Py_None);
        PyObject *m_a = have_a ? key_object(af, fraction) : Py_NewRef(Py_None);
        PyObject *u = have_unseen ? key_object(unseen, fraction) : Py_NewRef(Py_None);
        int bad = !keys || !m_hi || !m_b || !m_a || !u;
        for (Py_ssize_t j = 0; j < m && !bad; j++) {
            PyObject *kj = PyLong_FromSsize_t(priced[j].i), *vj = key_object(priced[j].lo, fraction);
            bad = !kj || !vj || PyDict_SetItem(keys, kj, vj) < 0;
            Py_XDECREF(kj);
            Py_XDECREF(vj);
        }
        PyObject *mg = bad ? NULL : PyObject_CallFunction(margin_t, "nOOO", win.i, m_hi, m_b, m_a);
        PyObject *rv = mg ? Py_BuildValue("(OO)", keys, u) : NULL;
        double da = win.p - win.low, db = win.high - win.p;
        PyObject *rd = rv ? PyObject_CallFunction(round_t, "Odd", PyList_GET_ITEM(ids, win.i), win.p,
                                                    db > da ? db : da)
                          : NULL;
        bad = !rd || PyList_Append(margins, mg) < 0 || PyList_Append(rivals, rv) < 0 ||
              PyList_Append(rounds, rd) < 0;
        Py_XDECREF(keys), Py_XDECREF(m_hi), Py_XDECREF(m_b), Py_XDECREF(m_a), Py_XDECREF(u);
        Py_XDECREF(mg), Py_XDECREF(rv), Py_XDECREF(rd);
        if (bad) {
            goto done;
        }
        on_path = on_path && win.i == path_winner;
        for (Py_ssize_t j = 0; j < m; j++) {
            if (j != w) {
                heap_push(heap, &n, (Entry){priced[j].lo, priced[j].i});
            }
        }
        const int64_t *s = sups[win.i].buf; /* pay, as py_pay */
        Py_ssize_t k = sups[win.i].len / 8;
        if (out_of_range(s, k, voters)) {
            goto done;
        }
        most_err += settle(purse.buf, s, k, win.p, win.low, win.high, start);
    }
    out = Py_BuildValue("(OOO)", rounds, margins, rivals);
done:
    for (Py_ssize_t j = 0; j < got_sups; j++) {
        PyBuffer_Release(&sups[j]);
    }
    PyMem_Free(sups);
    PyMem_Free(heap);
    PyMem_Free(priced);
    Py_XDECREF(rounds), Py_XDECREF(margins), Py_XDECREF(rivals);
    PyBuffer_Release(&purse), PyBuffer_Release(&cb), PyBuffer_Release(&zb), PyBuffer_Release(&nb);
    PyBuffer_Release(&rb);
    return out;
}

/* sum(array) -> numpy's add.reduce of a contiguous float64 array, as `np_sum` does it (for the check at load) */
static PyObject *py_sum(PyObject *self, PyObject *args)
{
    PyObject *obj;
    if (!PyArg_ParseTuple(args, "O", &obj)) {
        return NULL;
    }
    Py_buffer a;
    if (get(obj, &a, 0, 'd') < 0) {
        return NULL;
    }
    double total = np_sum((const double *)a.buf, a.len / 8);
    PyBuffer_Release(&a);
    return PyFloat_FromDouble(total);
}

static PyMethodDef methods[] = {
    {"loop", py_loop, METH_VARARGS, "The rounds of a float probe (see _Run.loop in mes_probe.py)."},
    {"sum", py_sum, METH_VARARGS, "numpy's add.reduce of a float64 array, as the probe sums (for the check at load)."},
    {"price", py_price, METH_VARARGS, "A project's price in a float probe (see Floats.price in probe_floats.py)."},
    {"pay", py_pay, METH_VARARGS, "Its supporters pay it, in place (see Floats.pay in probe_floats.py)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_probe", "Compiled loops of the float probe.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__probe(void)
{
    return module_with_sources(&module);
}
