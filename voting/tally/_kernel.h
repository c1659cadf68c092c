/* What the compiled loops of Add1's search share (voting/tally/_probe.c, voting/tally/_chord.c): each is a
   module of its own, built by hatch_build.py; both take numpy arrays through the buffer protocol. */

#ifndef GREENBALLOT_KERNEL_H
#define GREENBALLOT_KERNEL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ULP (1.0 / 4503599627370496.0) /* 2**-52 */

/* Floats as numpy computes them: every operation rounded on its own, in double precision. A fused multiply-add
   would round twice less (hatch_build.py passes -ffp-contract=off; this holds without it too), and extended
   precision or fast math would round otherwise: refuse to build. (probe_floats.kernel() also checks a few
   results against numpy's before using the loops.) */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#if defined(__FAST_MATH__) || !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "the compiled loops need double-precision floats rounded operation by operation"
#endif

/* The version of the sources a module was compiled from (hatch_build.py passes a digest of the .c and .h files):
   probe_floats.kernel() uses a module only if it matches the sources beside it, so a build left over from older
   sources is never run. */
#ifndef GREENBALLOT_SOURCES
#define GREENBALLOT_SOURCES "unknown"
#endif

/* The module, with the digest of the sources it was compiled from as SOURCES */
static PyObject *module_with_sources(struct PyModuleDef *def)
{
    PyObject *m = PyModule_Create(def);
    if (m && PyModule_AddStringConstant(m, "SOURCES", GREENBALLOT_SOURCES) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

/* A C-contiguous buffer of 8-byte items: floats ('d') or integers ('i'); -1 with a TypeError otherwise */
static inline int get(PyObject *obj, Py_buffer *view, int writable, char kind)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) {
        return -1;
    }
    const char *f = view->format ? view->format : "B";
    if (f[0] == '=' || f[0] == '@' || f[0] == '<') {
        f++;
    }
    int ok = view->itemsize == 8 && (kind == 'd' ? view->ndim >= 1 : view->ndim == 1) &&
             (kind == 'd' ? f[0] == 'd' && f[1] == 0 : (f[0] == 'l' || f[0] == 'q' || f[0] == 'n') && f[1] == 0);
    if (!ok) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_TypeError, kind == 'd' ? "expected a float64 array" : "expected an int64 array");
        return -1;
    }
    return 0;
}


/* Room for n floats, kept from call to call (the GIL is held throughout a call: no other call can be using it);
   NULL with a MemoryError when it cannot grow. */
static double *scratch(size_t n)
{
    static double *room = NULL;
    static size_t size = 0;
    if (n > size) {
        double *grown = realloc(room, n * sizeof(double));
        if (!grown) {
            PyErr_NoMemory();
            return NULL;
        }
        room = grown;
        size = n;
    }
    return room;
}

#endif
