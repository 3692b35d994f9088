"""Fabricks' WSGI bridge: a PEP 3333 server inside a wasi:http component.

- :mod:`.environ`: incoming-request parts -> environ (pure)
- :mod:`.wsgi_input`: the lazy ``wsgi.input`` stream
- :mod:`.response`: ``start_response``, ``write()`` and the response iterable
- :mod:`.handler`: the ``wasi:http/incoming-handler`` export
- :mod:`.loader`: ``"module:attribute"`` -> the app object
- :mod:`.preinit`: what runs at build time, before the heap is snapshotted
"""
