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
   share, exactly); PRICE (a, b, c = the float price and its proven lower and upper bounds). `purse` holds each
   voter's money and its error side by side (one cache line for both); x, e and t are room for k floats each. */
HOT static PyObject *price(const double *purse, Py_ssize_t voters, const int64_t *sup, Py_ssize_t k, double cost,
                       double fuzz, double most_err, double start, double at_least, double *x, double *e, double *t)
{
    for (Py_ssize_t j = 0; j < k; j++) {
        if ((uint64_t)sup[j] >= (uint64_t)voters) {
            PyErr_SetString(PyExc_IndexError, "supporters must be among the purse's voters");
            return NULL;
        }
        const double *v = purse + 2 * sup[j];
        x[j] = v[0];
        e[j] = v[1];
    }
    double held = np_sum(x, k);
    double c_hi = cost * (1 + ULP), c_lo = cost * (1 - ULP);
    double kf = (double)k;
    if (held * (1 + fuzz) + kf * most_err < c_lo) {
        return Py_BuildValue("(iddd)", UNAFFORDABLE, 0., 0., 0.);
    }
    /* then, in one pass, what later checks need of them: the least money, how many hold exactly 0, and the least
       money less its error among those who hold something (np.min(x - e, where=x > 0)) */
    double least = INFINITY, least_sure = INFINITY;
    Py_ssize_t broke = 0;
    for (Py_ssize_t j = 0; j < k; j++) {
        double m = x[j], d = m > 0 ? m - e[j] : INFINITY;
        least = m < least ? m : least;
        broke += m == 0.;
        least_sure = d < least_sure ? d : least_sure;
    }
    double slack = np_sum(e, k) * (1 + fuzz);
    if (slack == 0 && k && least == start) {
        return Py_BuildValue("(iddd)", FRESH, 0., 0., 0.);
    }
    if (held * (1 + fuzz) + slack < c_lo) {
        return Py_BuildValue("(iddd)", UNAFFORDABLE, 0., 0., 0.);
    }
    if (held * (1 - fuzz) - slack < c_hi) {
        return Py_BuildValue("(iddd)", GIVE_UP, 0., 0., 0.);
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
            return Py_BuildValue("(iddd)", GIVE_UP, 0., 0., 0.);
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
        return Py_BuildValue("(iddd)", GIVE_UP, 0., 0., 0.);
    }
    Py_ssize_t rich = k - poor;
    if (poor == broke) {
        if (least_sure > cost / (double)rich * (1 + 8 * ULP)) {
            return Py_BuildValue("(innn)", EQUAL, rich, (Py_ssize_t)0, (Py_ssize_t)0);
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
            return Py_BuildValue("(iddd)", GIVE_UP, 0., 0., 0.);
        }
        double need = 2 * (rounding + slack) / (double)rich + 4 * ULP * p;
        if (need <= w) {
            if (2 * need > WIDEST * p) {
                return Py_BuildValue("(iddd)", GIVE_UP, 0., 0., 0.);
            }
            return Py_BuildValue("(iddd)", PRICE, p, p - need, p + need);
        }
        w = need;
    }
    return Py_BuildValue("(iddd)", GIVE_UP, 0., 0., 0.);
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
    if (work) {
        out = price((const double *)purse.buf, purse.shape[0], (const int64_t *)sup.buf, k, cost, fuzz, most_err,
                    start, at_least, work, work + k, work + 2 * k);
    }
    PyBuffer_Release(&purse);
    PyBuffer_Release(&sup);
    return out;
}

/* The payment itself: each supporter's money less p, or 0 for one surely short of it, and its error grown */
HOT static void settle(double *money, const int64_t *s, Py_ssize_t k, double p, double grown)
{
    for (Py_ssize_t j = 0; j < k; j++) {
        double *v = money + 2 * s[j];
        double d = v[0] - p, f = v[1] + grown;
        double keeps = d >= -2 * f;
        d = d > TINY ? d : TINY; /* np.maximum(d, TINY) for a number */
        v[0] = d * keeps;
        v[1] = f * keeps;
    }
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
    double a = p - low, b = high - p;
    double grown = (b > a ? b : a) + 2 * ULP * (start + p) + TINY; /* Python's max(a, b) */
    settle((double *)purse.buf, s, k, p, grown);
    PyBuffer_Release(&purse);
    PyBuffer_Release(&sup);
    return PyFloat_FromDouble(grown);
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
    {"sum", py_sum, METH_VARARGS, "numpy's add.reduce of a float64 array, as the probe sums (for the check at load)."},
    {"price", py_price, METH_VARARGS, "A project's price in a float probe (see Floats.price in probe_floats.py)."},
    {"pay", py_pay, METH_VARARGS, "Its supporters pay it, in place (see Floats.pay in probe_floats.py)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_probe", "Compiled loops of the float probe.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__probe(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddStringConstant(m, "SOURCES", GREENBALLOT_SOURCES) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
