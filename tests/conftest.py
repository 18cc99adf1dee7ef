"""Shared test fixtures: where the repository and the public sample data are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SHARED_DATA = Path(os.environ.get("ETR_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    """The public sample data folder; the test is skipped when it is absent (a user's fresh clone)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public sample data not found at {SHARED_DATA} (set ETR_SHARED_DATA to run these tests)")
    return SHARED_DATA
