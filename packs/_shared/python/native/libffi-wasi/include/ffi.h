/* libffi's API for a WebAssembly component, without libffi's machinery (libffi-wasi/ffi.c).
 *
 * WebAssembly can't call a function whose signature is known only at run time (call_indirect
 * checks a signature fixed at compile time) nor make code at run time, which is all that
 * libffi does. cffi's `_cffi_backend` still needs these types and functions to build: its
 * API-mode modules (argon2-cffi-bindings' `_ffi`) call C through compiled wrappers and never
 * reach them. Types and layouts follow libffi 3.4's ffi.h. */
#ifndef LIBFFI_H
#define LIBFFI_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

#define FFI_TYPE_VOID 0
#define FFI_TYPE_INT 1
#define FFI_TYPE_FLOAT 2
#define FFI_TYPE_DOUBLE 3
#define FFI_TYPE_LONGDOUBLE 4
#define FFI_TYPE_UINT8 5
#define FFI_TYPE_SINT8 6
#define FFI_TYPE_UINT16 7
#define FFI_TYPE_SINT16 8
#define FFI_TYPE_UINT32 9
#define FFI_TYPE_SINT32 10
#define FFI_TYPE_UINT64 11
#define FFI_TYPE_SINT64 12
#define FFI_TYPE_STRUCT 13
#define FFI_TYPE_POINTER 14
#define FFI_TYPE_COMPLEX 15
#define FFI_CLOSURES 1
#define FFI_TRAMPOLINE_SIZE 4

typedef struct _ffi_type {
    size_t size;
    unsigned short alignment;
    unsigned short type;
    struct _ffi_type **elements;
} ffi_type;

extern ffi_type ffi_type_void, ffi_type_uint8, ffi_type_sint8, ffi_type_uint16, ffi_type_sint16,
    ffi_type_uint32, ffi_type_sint32, ffi_type_uint64, ffi_type_sint64, ffi_type_float, ffi_type_double,
    ffi_type_longdouble, ffi_type_pointer;

typedef enum { FFI_OK = 0, FFI_BAD_TYPEDEF, FFI_BAD_ABI, FFI_BAD_ARGTYPE } ffi_status;
typedef enum { FFI_FIRST_ABI = 0, FFI_WASM32, FFI_LAST_ABI, FFI_DEFAULT_ABI = FFI_WASM32 } ffi_abi;

typedef struct {
    ffi_abi abi;
    unsigned nargs;
    ffi_type **arg_types;
    ffi_type *rtype;
    unsigned bytes;
    unsigned flags;
} ffi_cif;

typedef unsigned long ffi_arg;
typedef signed long ffi_sarg;

typedef struct {
    void *trampoline_table;
    ffi_cif *cif;
    void (*fun)(ffi_cif *, void *, void **, void *);
    void *user_data;
} ffi_closure;

/* Fill `cif` (FFI_OK), so that cffi can make function types. */
ffi_status ffi_prep_cif(ffi_cif *cif, ffi_abi abi, unsigned int nargs, ffi_type *rtype, ffi_type **atypes);
ffi_status ffi_prep_cif_var(ffi_cif *cif, ffi_abi abi, unsigned int nfixedargs, unsigned int ntotalargs,
                            ffi_type *rtype, ffi_type **atypes);
/* A call through a cif (cffi's ABI mode, ffi.dlopen): prints why on stderr and aborts the instance. */
void ffi_call(ffi_cif *cif, void (*fn)(void), void *rvalue, void **avalue);
/* Closures (ffi.callback): none can be made; alloc returns NULL, the prep functions FFI_BAD_ABI. */
void *ffi_closure_alloc(size_t size, void **code);
void ffi_closure_free(void *closure);
ffi_status ffi_prep_closure_loc(ffi_closure *closure, ffi_cif *cif,
                                void (*fun)(ffi_cif *, void *, void **, void *), void *user_data, void *codeloc);
ffi_status ffi_prep_closure(ffi_closure *closure, ffi_cif *cif,
                            void (*fun)(ffi_cif *, void *, void **, void *), void *user_data);

#define FFI_FN(f) ((void (*)(void))f)

#ifdef __cplusplus
}
#endif
#endif
