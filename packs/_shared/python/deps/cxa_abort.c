/* The C++ runtime's throw, for extension modules in componentize-py's CPython, whose libc++abi
 * is built without exception handling (wasi-sdk: no __cxa_throw). C++ code compiled with
 * -fexceptions for wasm32 without wasm exception handling keeps its try blocks and drops its
 * catch blocks: a throw calls these two. A throw ends the instance, as std::abort() would; the
 * host answers that request with a 500 and serves the next from a fresh instance.
 * Linked statically into each C++ module by c_sysroot.py's compiler wrappers. */
#include <stdio.h>
#include <stdlib.h>

void *__cxa_allocate_exception(size_t size) {
    return malloc(size);
}

void __cxa_throw(void *exception, void *type_info, void (*destructor)(void *)) {
    (void)exception;
    (void)type_info;
    (void)destructor;
    fputs("fabricks: a C++ exception was thrown in an extension module; the component's C++ runtime "
          "has no exception handling (docs/python-native.md), so the instance stops here\n", stderr);
    abort();
}
