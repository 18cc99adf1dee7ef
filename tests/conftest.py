"""Shared test fixtures: where the repository and the public sample data are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: Records every code etr emits during the session and checks it against the catalogue (etr.codes).
pytest_plugins = ["_code_recorder"]

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SHARED_DATA = Path(os.environ.get("ETR_SHARED_DATA", REPO.parent / "shared" / "data"))
SHARED_CASES = Path(os.environ.get("ETR_SHARED_CASES", REPO.parent / "shared" / "cases"))
#: CI sets ETR_REQUIRE_SHARED_DATA=1: a test that needs ../shared then fails instead of skipping.
REQUIRE_SHARED = os.environ.get("ETR_REQUIRE_SHARED_DATA") == "1"


def need_shared(path: Path) -> Path:
    """``path`` (under ../shared), or skip the test when it is absent, or fail under CI."""
    if not path.exists():
        message = f"public sample data not found at {path} (set ETR_SHARED_DATA / ETR_SHARED_CASES)"
        if REQUIRE_SHARED:
            pytest.fail(message + "; ETR_REQUIRE_SHARED_DATA=1 makes this a failure")
        pytest.skip(message)
    return path


@pytest.fixture
def shared_data() -> Path:
    """The public sample data folder; the test is skipped when it is absent (a user's fresh clone)."""
    return need_shared(SHARED_DATA)


@pytest.fixture
def shared_cases() -> Path:
    """The real-world cases folder (../shared/cases); skipped when absent, a failure under CI."""
    return need_shared(SHARED_CASES)
