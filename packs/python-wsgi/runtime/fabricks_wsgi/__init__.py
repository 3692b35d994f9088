"""Fabricks' WSGI bridge: a PEP 3333 server inside a wasi:http component.

- :mod:`.environ`: incoming-request parts -> environ (pure)
- :mod:`.wsgi_input`: the lazy ``wsgi.input`` stream
- :mod:`.response`: ``start_response``, ``write()`` and the response iterable
- :mod:`.handler`: the ``wasi:http/incoming-handler`` export
- :mod:`.warmup`: build-time initialization (with the shared ``fabricks_runtime``)
"""
