"""Unit tests import the bridges' pure modules (and the shared Python runtime) from the pack folders."""

import sys
from pathlib import Path

PACKS = Path(__file__).resolve().parents[2] / "packs"
for RUNTIME in (PACKS / "python-wsgi" / "runtime", PACKS / "python-asgi" / "runtime", PACKS / "python-cgi" / "runtime",
                PACKS / "_shared" / "python",
                PACKS / "_shared" / "python" / "deps"):
    if str(RUNTIME) not in sys.path:
        sys.path.insert(0, str(RUNTIME))
