"""Shared test settings: one build cache per test session (kept between runs locally)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def build_cache() -> Path:
    """FABRICKS_CACHE_DIR for the whole session; set it outside to reuse builds between runs."""
    path = Path(os.environ.setdefault("FABRICKS_CACHE_DIR", str(ROOT / ".fabricks" / "test-cache")))
    path.mkdir(parents=True, exist_ok=True)
    return path
