"""``wsgi.input``: a lazily read, buffered stream over the request body.

PEP 3333 ("Input and Error Streams") asks for ``read(size)``, ``readline(size)``,
``readlines(hint)`` and iteration. ``io.BufferedReader`` provides exactly those
(in C) over a raw stream whose ``readinto`` pulls the next chunk from the host,
so nothing is read before the app asks for it.
"""

from __future__ import annotations

import io
from typing import Callable

CHUNK = 64 * 1024


class ChunkReader(io.RawIOBase):
    """A raw, read-only stream over a ``read_chunk(max_bytes) -> bytes`` callable.

    ``read_chunk`` returns at least one byte, or ``b""`` once the body has ended;
    ``on_close`` runs once, when the stream is closed.
    """

    def __init__(self, read_chunk: Callable[[int], bytes], on_close: Callable[[], None] | None = None):
        super().__init__()
        self._read_chunk = read_chunk
        self._on_close = on_close
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._eof:
            return 0
        data = self._read_chunk(len(buffer))
        if not data:
            self._eof = True
            return 0
        n = len(data)
        buffer[:n] = data
        return n

    def close(self) -> None:
        if not self.closed and self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            on_close()
        super().close()


def make_input(read_chunk: Callable[[int], bytes], on_close: Callable[[], None] | None = None) -> io.BufferedReader:
    """Return the ``wsgi.input`` object for one request body."""
    return io.BufferedReader(ChunkReader(read_chunk, on_close), buffer_size=CHUNK)


def bytes_input(data: bytes) -> io.BufferedReader:
    """A ``wsgi.input`` over bytes already in memory (build-time warm-up, tests)."""
    source = io.BytesIO(data)
    return make_input(source.read1)
