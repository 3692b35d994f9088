/* libffi's functions for a WebAssembly component (see include/ffi.h for why they do nothing). */
#include <stdio.h>
#include <stdlib.h>
#include "ffi.h"

#define FFI_SCALAR(name, ctype, code) ffi_type ffi_type_##name = {sizeof(ctype), _Alignof(ctype), code, NULL};
ffi_type ffi_type_void = {1, 1, FFI_TYPE_VOID, NULL};
FFI_SCALAR(uint8, unsigned char, FFI_TYPE_UINT8)
FFI_SCALAR(sint8, signed char, FFI_TYPE_SINT8)
FFI_SCALAR(uint16, unsigned short, FFI_TYPE_UINT16)
FFI_SCALAR(sint16, short, FFI_TYPE_SINT16)
FFI_SCALAR(uint32, unsigned int, FFI_TYPE_UINT32)
FFI_SCALAR(sint32, int, FFI_TYPE_SINT32)
FFI_SCALAR(uint64, unsigned long long, FFI_TYPE_UINT64)
FFI_SCALAR(sint64, long long, FFI_TYPE_SINT64)
FFI_SCALAR(float, float, FFI_TYPE_FLOAT)
FFI_SCALAR(double, double, FFI_TYPE_DOUBLE)
FFI_SCALAR(longdouble, long double, FFI_TYPE_LONGDOUBLE)
FFI_SCALAR(pointer, void *, FFI_TYPE_POINTER)

ffi_status ffi_prep_cif(ffi_cif *cif, ffi_abi abi, unsigned int nargs, ffi_type *rtype, ffi_type **atypes) {
    if (abi != FFI_DEFAULT_ABI)
        return FFI_BAD_ABI;
    cif->abi = abi;
    cif->nargs = nargs;
    cif->arg_types = atypes;
    cif->rtype = rtype;
    cif->bytes = 0;
    cif->flags = 0;
    return FFI_OK;
}

ffi_status ffi_prep_cif_var(ffi_cif *cif, ffi_abi abi, unsigned int nfixedargs, unsigned int ntotalargs,
                            ffi_type *rtype, ffi_type **atypes) {
    (void)nfixedargs;
    return ffi_prep_cif(cif, abi, ntotalargs, rtype, atypes);
}

void ffi_call(ffi_cif *cif, void (*fn)(void), void *rvalue, void **avalue) {
    (void)cif, (void)fn, (void)rvalue, (void)avalue;
    fputs("fabricks: a libffi call (cffi's ABI mode: ffi.dlopen) can't be made in a WebAssembly component: "
          "use the package's API-mode module (ffi.set_source) instead\n", stderr);
    abort();
}

void *ffi_closure_alloc(size_t size, void **code) {
    (void)size;
    *code = NULL;
    return NULL;
}

void ffi_closure_free(void *closure) { (void)closure; }

ffi_status ffi_prep_closure_loc(ffi_closure *closure, ffi_cif *cif, void (*fun)(ffi_cif *, void *, void **, void *),
                                void *user_data, void *codeloc) {
    (void)closure, (void)cif, (void)fun, (void)user_data, (void)codeloc;
    return FFI_BAD_ABI;
}

ffi_status ffi_prep_closure(ffi_closure *closure, ffi_cif *cif, void (*fun)(ffi_cif *, void *, void **, void *),
                            void *user_data) {
    return ffi_prep_closure_loc(closure, cif, fun, user_data, NULL);
}
