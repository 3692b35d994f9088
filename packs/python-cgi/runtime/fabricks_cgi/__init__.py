"""Fabricks' CGI bridge: CGI scripts (RFC 3875) served inside a wasi:http component.

- :mod:`.gateway`: the scripts as a WSGI application (routing, meta-variables, output parsing)
- :mod:`.warmup`: build-time initialization: the scripts compiled, the standard library preloaded

The WSGI application is served by the python-wsgi pack's bridge (``fabricks_wsgi``).
"""
