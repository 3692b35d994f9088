"""Unit tests import the WSGI bridge's pure modules straight from the pack folder."""

import sys
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "packs" / "python-wsgi" / "runtime"
if str(RUNTIME) not in sys.path:
    sys.path.insert(0, str(RUNTIME))
