"""Fabricks' ASGI bridge: an ASGI 3.0 server inside a wasi:http component.

- :mod:`.scope`: incoming-request parts -> the ``http`` connection scope (pure)
- :mod:`.http`: the request/response cycle, streamed both ways over a transport
- :mod:`.lifespan`: the lifespan protocol (startup, shutdown, ``state``), by mode
"""
