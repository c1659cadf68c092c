/* The chord proof's bounds (voting/tally/add1_bounds.py, `Bounds`), compiled.

   `Bounds` in numpy is the definition; `chord_price`, `chord_above` and `chord_pay` do what its methods `price`,
   `gaps` and `pay` do. Paying is elementwise: the same floats bit for bit. Pricing sums products (numpy's `@`,
   in whatever order its BLAS takes); each sum here is taken in order, and every proven bound is checked with
   `rounding_bound`, which holds for any order of summation; the water levels only pick where to look. So the
   bounds may differ from numpy's in the last bits and are proven the same way (tests compare them, and check
   the proven pieces in exact arithmetic: tests/unit/tally/test_tally_probe_kernel.py). The bounds are an n by 4
   array of atoms: money at lo, money at hi, how far it may stray under its chord, and over it.

   Compiled with -ffp-contract=off, as _probe.c. */

#include "_kernel.h"

#define TOL 1e-9

static double rounding_bound(Py_ssize_t n) { return ((double)n + 8) * ULP; }
static double pmax(double a, double b) { return b > a ? b : a; } /* Python's max(a, b) */
static double pmin(double a, double b) { return b < a ? b : a; } /* Python's min(a, b) */

typedef struct {
    double m, k;
} Level;

static int by_money(const void *a, const void *b)
{
    double x = ((const Level *)a)->m, y = ((const Level *)b)->m;
    return (x > y) - (x < y);
}

/* `water_level`: the level p with sum(k * min(m, p)) = cost, and a bound on its float error; 0 when the money
   cannot cover the cost. It only picks where to look (the bounds that use it are proven whatever it returns), so
   it is found as the probe finds a price, by passes that rise to it (those below p pay what they hold, the others
   share the rest), each pass O(n) where numpy's sorts; after 64 passes, by sorting. `room` holds n Levels. */
static int water_level(const double *m, const double *k, Py_ssize_t n, double cost, Level *room, double *level,
                       double *err)
{
    double all = 0.;
    for (Py_ssize_t j = 0; j < n; j++) {
        all += k[j];
    }
    double p = all > 0 ? cost / all : INFINITY, held = -1., payers = -1.;
    for (int pass = 0; pass < 64 && isfinite(p); pass++) {
        double spent = 0., rich = 0.;
        for (Py_ssize_t j = 0; j < n; j++) {
            int poor = m[j] < p;
            spent += poor ? k[j] * m[j] : 0.;
            rich += poor ? 0. : k[j];
        }
        if (rich <= 0) {
            return 0; /* everyone pays all they hold and it falls short */
        }
        if (rich == payers && spent == held) { /* the same voters below p as the pass before: p is the level */
            *level = p;
            *err = rounding_bound(n) * 4 * (cost + spent + p * rich) / rich;
            return 1;
        }
        held = spent, payers = rich;
        double next = (cost - spent) / rich;
        p = next > p ? next : p;
    }
    for (Py_ssize_t j = 0; j < n; j++) {
        room[j].m = m[j];
        room[j].k = k[j];
    }
    qsort(room, (size_t)n, sizeof(Level), by_money);
    double paid = 0., before = 0.;
    for (Py_ssize_t j = 0; j < n; j++) {
        double mj = room[j].m, left = all - before;
        if (paid + mj * left >= cost) {
            double rest = cost - paid;
            *level = rest / left;
            *err = rounding_bound(n) * 4 * (cost + paid + mj * left) / left;
            return 1;
        }
        paid += mj * room[j].k;
        before += room[j].k;
    }
    return 0;
}

/* `_level_above`: an upper bound on the water level of money m (weights k), or NAN when none is proven */
static double level_above(const double *m, const double *k, Py_ssize_t n, double cost, double p, Level *room)
{
    double bound = rounding_bound(n) * 4;
    for (int step = 0; step < 6; step++) {
        double covered = 0., size = 0., rich = 0.;
        for (Py_ssize_t j = 0; j < n; j++) {
            double term = m[j] < p ? m[j] : p;
            covered += k[j] * term;
            size += k[j] * fabs(term);
            rich += m[j] > p ? k[j] : 0.;
        }
        double doubt = bound * size;
        if (covered - doubt >= cost) {
            return p;
        }
        if (rich <= 0) {
            return NAN;
        }
        if (step == 1) {
            double level, err;
            if (!water_level(m, k, n, cost, room, &level, &err)) {
                return NAN;
            }
            p = level + err + p * TOL * 1e-3;
        } else {
            p += (cost - covered + 2 * doubt) / rich * (1 + 1e-3) + p * TOL * 1e-3;
        }
    }
    return NAN;
}

/* `_partition`: lower bounds at both ends on a price from the partition "poor" (money at lo at most p0, or at hi
   at most p1: `at_hi`); 0 when nobody is left to pay */
static int partition(const double *x, const double *y, const double *over, const double *k, Py_ssize_t n,
                     double total, double cost, double p, int at_hi, double *b0, double *b1)
{
    double held = 0., s0 = 0., s1 = 0.;
    for (Py_ssize_t j = 0; j < n; j++) {
        int poor = at_hi ? y[j] <= p : x[j] <= p;
        if (poor) {
            held += k[j];
            s0 += k[j] * (x[j] + over[j]);
            s1 += k[j] * (y[j] + over[j]);
        }
    }
    double rich = total - held;
    if (rich <= 0) {
        return 0;
    }
    double slack = rounding_bound(n) * 4;
    *b0 = (cost - s0 * (1 + slack)) / rich;
    *b1 = (cost - s1 * (1 + slack)) / rich;
    return 1;
}

/* the atoms idx of the bounds B, gathered: x, y, under, over, and weights k copied; room for n Levels after */
typedef struct {
    Py_buffer b, idx, w;
    double *x, *y, *under, *over, *k, *t;
    Level *room;
    Py_ssize_t n;
} Atoms;

static void release(Atoms *a)
{
    PyBuffer_Release(&a->b);
    PyBuffer_Release(&a->idx);
    if (a->w.obj) {
        PyBuffer_Release(&a->w);
    }
}

static int gather(PyObject *b_obj, PyObject *i_obj, PyObject *w_obj, int writable, Atoms *a)
{
    memset(a, 0, sizeof(*a));
    if (get(b_obj, &a->b, writable, 'd') < 0) {
        return -1;
    }
    if (get(i_obj, &a->idx, 0, 'i') < 0) {
        PyBuffer_Release(&a->b);
        return -1;
    }
    a->n = a->idx.len / 8;
    if (w_obj && get(w_obj, &a->w, 0, 'd') < 0) {
        PyBuffer_Release(&a->b);
        PyBuffer_Release(&a->idx);
        return -1;
    }
    if (a->b.ndim != 2 || a->b.shape[1] != 4 || (w_obj && a->w.len / 8 != a->n)) {
        release(a);
        PyErr_SetString(PyExc_IndexError, "expected n by 4 bounds and as many weights as atoms");
        return -1;
    }
    size_t n = (size_t)(a->n ? a->n : 1);
    a->x = scratch(n * (6 + sizeof(Level) / sizeof(double)));
    if (!a->x) {
        release(a);
        return -1;
    }
    a->y = a->x + n, a->under = a->y + n, a->over = a->under + n, a->k = a->over + n, a->t = a->k + n;
    a->room = (Level *)(a->t + n);
    const double *b = (const double *)a->b.buf, *w = w_obj ? (const double *)a->w.buf : NULL;
    const int64_t *ix = (const int64_t *)a->idx.buf;
    uint64_t atoms = (uint64_t)a->b.shape[0];
    for (Py_ssize_t j = 0; j < a->n; j++) {
        if ((uint64_t)ix[j] >= atoms) { /* (nothing is written before every atom is read) */
            release(a);
            PyErr_SetString(PyExc_IndexError, "atoms must be among the bounds' rows");
            return -1;
        }
        const double *v = b + 4 * ix[j];
        a->x[j] = v[0], a->y[j] = v[1], a->under[j] = v[2], a->over[j] = v[3];
        a->k[j] = w ? w[j] : 0.;
    }
    return 0;
}

/* chord_price(B, idx, weight, cost, p0, p1, doubt) -> (up, down) or None: `Bounds.price` */
static PyObject *py_chord_price(PyObject *self, PyObject *args)
{
    PyObject *b_obj, *i_obj, *w_obj;
    double cost, p0, p1, doubt;
    if (!PyArg_ParseTuple(args, "OOOdddd", &b_obj, &i_obj, &w_obj, &cost, &p0, &p1, &doubt)) {
        return NULL;
    }
    Atoms a;
    if (gather(b_obj, i_obj, w_obj, 0, &a) < 0) {
        return NULL;
    }
    Py_ssize_t n = a.n;
    double total = 0.;
    for (Py_ssize_t j = 0; j < n; j++) {
        a.t[j] = a.x[j] - a.under[j];
        total += a.k[j];
    }
    double top0 = level_above(a.t, a.k, n, cost, p0, a.room);
    for (Py_ssize_t j = 0; j < n; j++) {
        a.t[j] = a.y[j] - a.under[j];
    }
    double top1 = level_above(a.t, a.k, n, cost, p1, a.room);
    double f0, f1, s0, s1;
    int first = partition(a.x, a.y, a.over, a.k, n, total, cost, p0, 0, &f0, &f1);
    int second = partition(a.x, a.y, a.over, a.k, n, total, cost, p1, 1, &s0, &s1);
    release(&a);
    if (isnan(top0) || isnan(top1) || !first || !second) {
        Py_RETURN_NONE;
    }
    double slack = TOL * 1e-3 * pmax(p0, p1) + doubt;
    double up = pmax(pmax(top0 - p0, top1 - p1), 0.0) + slack;
    double e10 = pmax(p0 - f0, 0.0), big1 = pmax(p1 - f1, 0.0);
    double big2 = pmax(p0 - s0, 0.0), e21 = pmax(p1 - s1, 0.0);
    double down = pmin(pmin(pmax(e10, big1), pmax(big2, e21)), pmax(e10, e21) + (big1 + big2) / 4);
    return Py_BuildValue("(dd)", up, down + slack);
}

/* chord_above(B, idx, weight, cost, top0, top1) -> (gap at lo, gap at hi) or None: `Bounds.gaps` (a rival's
   proven distance above the winner's bound) */
static PyObject *py_chord_above(PyObject *self, PyObject *args)
{
    PyObject *b_obj, *i_obj, *w_obj;
    double cost, top0, top1;
    if (!PyArg_ParseTuple(args, "OOOddd", &b_obj, &i_obj, &w_obj, &cost, &top0, &top1)) {
        return NULL;
    }
    Atoms a;
    if (gather(b_obj, i_obj, w_obj, 0, &a) < 0) {
        return NULL;
    }
    Py_ssize_t n = a.n;
    double at0, at1, err;
    PyObject *out;
    if (!water_level(a.y, a.k, n, cost, a.room, &at1, &err)) {
        double held = 0.;
        for (Py_ssize_t j = 0; j < n; j++) {
            held += a.k[j] * (a.y[j] + a.over[j]);
        }
        held *= 1 + rounding_bound(n) * 4;
        out = held < cost * (1 - TOL) ? Py_BuildValue("(dd)", INFINITY, INFINITY) : Py_NewRef(Py_None);
        release(&a);
        return out;
    }
    double p0 = water_level(a.x, a.k, n, cost, a.room, &at0, &err) ? at0 : at1, p1 = at1;
    double total = 0.;
    for (Py_ssize_t j = 0; j < n; j++) {
        total += a.k[j];
    }
    double f0, f1, s0, s1;
    int first = partition(a.x, a.y, a.over, a.k, n, total, cost, p0, 0, &f0, &f1);
    int second = partition(a.x, a.y, a.over, a.k, n, total, cost, p1, 1, &s0, &s1);
    release(&a);
    if (!first && !second) {
        Py_RETURN_NONE;
    }
    /* the better of the two: max(options, key=min(b0 - p0, b1 - p1)), the first on a tie */
    double l0 = first ? f0 : s0, l1 = first ? f1 : s1;
    if (first && second && pmin(s0 - p0, s1 - p1) > pmin(f0 - p0, f1 - p1)) {
        l0 = s0, l1 = s1;
    }
    return Py_BuildValue("(dd)", l0 / cost - top0 * (1 + TOL), l1 / cost - top1 * (1 + TOL));
}

/* chord_parts(B, idx, weight, cost, p, at_hi) -> (upper bound on the water level of money less `under` at that end
   or None, the partition's bounds at both ends or None): the two proven pieces of `chord_price`, for tests */
static PyObject *py_chord_parts(PyObject *self, PyObject *args)
{
    PyObject *b_obj, *i_obj, *w_obj;
    double cost, p;
    int at_hi;
    if (!PyArg_ParseTuple(args, "OOOddp", &b_obj, &i_obj, &w_obj, &cost, &p, &at_hi)) {
        return NULL;
    }
    Atoms a;
    if (gather(b_obj, i_obj, w_obj, 0, &a) < 0) {
        return NULL;
    }
    double total = 0.;
    for (Py_ssize_t j = 0; j < a.n; j++) {
        a.t[j] = (at_hi ? a.y[j] : a.x[j]) - a.under[j];
        total += a.k[j];
    }
    double top = level_above(a.t, a.k, a.n, cost, p, a.room), b0, b1;
    int parted = partition(a.x, a.y, a.over, a.k, a.n, total, cost, p, at_hi, &b0, &b1);
    release(&a);
    PyObject *level = isnan(top) ? Py_NewRef(Py_None) : PyFloat_FromDouble(top);
    PyObject *bounds = parted ? Py_BuildValue("(dd)", b0, b1) : Py_NewRef(Py_None);
    return Py_BuildValue("(NN)", level, bounds);
}

/* chord_levels(B, idx, weight, cost) -> (water level of the money at lo or None, at hi or None, cost less the
   money at lo, at hi): `Bounds.levels`, for the parting guess (a guess: nothing here is proven) */
static PyObject *py_chord_levels(PyObject *self, PyObject *args)
{
    PyObject *b_obj, *i_obj, *w_obj;
    double cost;
    if (!PyArg_ParseTuple(args, "OOOd", &b_obj, &i_obj, &w_obj, &cost)) {
        return NULL;
    }
    Atoms a;
    if (gather(b_obj, i_obj, w_obj, 0, &a) < 0) {
        return NULL;
    }
    double at0, at1, err, held0 = 0., held1 = 0.;
    int got0 = water_level(a.x, a.k, a.n, cost, a.room, &at0, &err);
    int got1 = water_level(a.y, a.k, a.n, cost, a.room, &at1, &err);
    for (Py_ssize_t j = 0; j < a.n; j++) {
        held0 += a.k[j] * a.x[j];
        held1 += a.k[j] * a.y[j];
    }
    release(&a);
    PyObject *level0 = got0 ? PyFloat_FromDouble(at0) : Py_NewRef(Py_None);
    PyObject *level1 = got1 ? PyFloat_FromDouble(at1) : Py_NewRef(Py_None);
    return Py_BuildValue("(NNdd)", level0, level1, cost - held0, cost - held1);
}

/* chord_pay(B, idx, p0, p1, up, down, doubt): `Bounds.pay`, in place (elementwise: the same floats) */
static PyObject *py_chord_pay(PyObject *self, PyObject *args)
{
    PyObject *b_obj, *i_obj;
    double p0, p1, up, down, doubt;
    if (!PyArg_ParseTuple(args, "OOddddd", &b_obj, &i_obj, &p0, &p1, &up, &down, &doubt)) {
        return NULL;
    }
    Atoms a;
    if (gather(b_obj, i_obj, NULL, 1, &a) < 0) {
        return NULL;
    }
    Py_ssize_t n = a.n;
    double top = 0., topy = 0.;
    for (Py_ssize_t j = 0; j < n; j++) {
        top = pmax(top, a.x[j]);
        topy = pmax(topy, a.y[j]);
    }
    double scale = pmax(pmax(pmax(top, topy), p0), p1);
    double slack = scale * TOL * 1e-3 + doubt;
    double *b = (double *)a.b.buf;
    const int64_t *ix = (const int64_t *)a.idx.buf;
    for (Py_ssize_t j = 0; j < n; j++) {
        double x = a.x[j], y = a.y[j], under = a.under[j], over = a.over[j];
        double da = x - p0, db = y - p1;
        int rich0 = da > 0, rich1 = db > 0;
        double below = under + up, above = over + down;
        if (rich0 != rich1) {
            double aa = fabs(da), bb = fabs(db), s = aa + bb;
            below += aa * bb / (s > 1e-300 ? s : 1e-300);
        }
        below += slack;
        above += slack;
        if (!rich0 && !rich1) {
            below = slack;
            double m = da > db ? da : db;
            double lifted = m + over + down;
            above = (lifted > 0. ? lifted : 0.) + slack;
        }
        double *v = b + 4 * ix[j];
        v[0] = da > 0 ? da : 0., v[1] = db > 0 ? db : 0., v[2] = below, v[3] = above;
    }
    release(&a);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"chord_price", py_chord_price, METH_VARARGS, "A winner's bounds in the chord proof (Bounds.price)."},
    {"chord_above", py_chord_above, METH_VARARGS, "A rival's gaps in the chord proof (Bounds.gaps)."},
    {"chord_parts", py_chord_parts, METH_VARARGS, "The proven pieces of chord_price (for tests)."},
    {"chord_levels", py_chord_levels, METH_VARARGS, "Water levels and shortfalls at both ends (Bounds.levels)."},
    {"chord_pay", py_chord_pay, METH_VARARGS, "The winner's supporters pay, in the chord proof (Bounds.pay)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_chord", "Compiled loops of the chord proof.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__chord(void)
{
    return module_with_sources(&module);
}
