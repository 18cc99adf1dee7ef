"""The library door for verification: ``etr.verify``, ``etr.iter_verify``, ``etr.verify_or_raise`` and
``etr.TrustStore`` at top level, mirroring ``etr.validate``."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import etr
from etr.crypto.keys import KeyFileError
from etr.errors import DocumentError, EnvironmentProblem, EtrError, UsageError, VerificationFailed

REPO = Path(__file__).resolve().parents[2]
PINT = REPO / "samples" / "pint"
TRUST = PINT / "trust"
ACCEPTED = PINT / "valid" / "5-accepted.json"
BAD_SIGNATURE = PINT / "invalid" / "PINT-JWS-BAD-SIGNATURE.json"
AT = "2026-12-01T00:00:00Z"


@pytest.fixture(scope="module")
def trust() -> etr.TrustStore:
    return etr.TrustStore.from_paths([TRUST])


def test_public_names() -> None:
    for name in ("verify", "iter_verify", "verify_or_raise", "TrustStore", "VerificationResult", "VerificationFailed",
                 "Result", "Summary", "validate", "iter_validate", "validate_or_raise"):
        assert name in etr.__all__ and getattr(etr, name) is not None, name
    from etr import TrustStore, VerificationResult

    assert TrustStore is etr.TrustStore and VerificationResult.__name__ == "VerificationResult"
    with pytest.raises(AttributeError):
        etr.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_no_speed_knobs_in_the_public_api() -> None:
    for function in (etr.verify, etr.iter_verify, etr.verify_or_raise, etr.validate, etr.iter_validate):
        params = set(inspect.signature(function).parameters)
        assert not params & {"parallel", "jobs", "workers", "processes", "threads", "chunk"}, function


def test_import_etr_stays_light() -> None:
    code = ("import sys, etr; heavy = [m for m in ('cryptography', 'etr.transfer', 'etr.crypto.trust', 'lxml', "
            "'jsonschema_rs', 'orjson') if m in sys.modules]; print(heavy)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                         check=True).stdout
    assert out.strip() == "[]"


def test_help_imports_nothing_heavy() -> None:
    """``etr --help`` must stay fast: no command module and no heavy library is imported for it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "etr", "--help"], capture_output=True,
                          text=True, env=env, timeout=120, check=True)
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "etr.cli" in imported  # the measure works
    heavy = {"cryptography", "etr.transfer", "etr.crypto.trust", "lxml", "jsonschema_rs", "orjson", "etr.render",
             "etr.cli.validate", "etr.cli.verify", "etr.batch", "concurrent.futures.process"}
    assert not heavy & imported


# --------------------------------------------------------------------------- one input

def test_verify_a_path_bytes_or_a_mapping(trust: etr.TrustStore) -> None:
    data = ACCEPTED.read_bytes()
    results = [etr.verify(ACCEPTED, trust, at=AT), etr.verify(str(ACCEPTED), trust, at=AT),
               etr.verify(data, trust, at=AT), etr.verify(json.loads(data), trust, at=AT)]
    assert [r.source for r in results] == [str(ACCEPTED), str(ACCEPTED), "<bytes>", "<object>"]
    for result in results:
        assert result.kind == "verification" and result.outcome is etr.Outcome.PASS
        assert result.response_code == "RECE" and result.findings == ()
        assert result.current_holder is not None
        assert result.current_holder.party_name == "Meridian Ocean Lines Pte. Ltd."
        assert result.holders[0].party_name == "Nordic Timber AB"
    assert etr.verify(data, trust, at=AT, name="inbox/42.json").source == "inbox/42.json"


@pytest.mark.parametrize("form", ["store", "str", "path", "list", "tuple-of-paths"])
def test_trust_as_a_store_or_paths(trust: etr.TrustStore, form: str) -> None:
    given = {"store": trust, "str": str(TRUST), "path": TRUST, "list": [str(TRUST)], "tuple-of-paths": (TRUST,)}[form]
    assert etr.verify(ACCEPTED, given, at=AT).outcome is etr.Outcome.PASS  # type: ignore[arg-type]


def test_bad_input_is_a_failed_result_with_its_load_finding(tmp_path: Path, trust: etr.TrustStore) -> None:
    missing = etr.verify(tmp_path / "missing.json", trust)
    assert missing.outcome is etr.Outcome.FAIL and [f.code for f in missing.findings] == ["LOAD-NOT-FOUND"]
    assert missing.entries == () and missing.current_holder is None
    big = etr.verify(ACCEPTED, trust, limits=etr.Limits(max_bytes=100))
    assert [f.code for f in big.findings] == ["LOAD-TOO-LARGE"]
    assert [f.code for f in etr.verify(b'{"a": 1, "a": 2}', trust).findings] == ["LOAD-JSON-DUPLICATE-KEY"]
    assert etr.verify(b"[1]", trust).outcome is etr.Outcome.FAIL


def test_what_the_loader_notices_comes_first(trust: etr.TrustStore) -> None:
    result = etr.verify(b"\xef\xbb\xbf" + ACCEPTED.read_bytes(), trust, at=AT)
    assert result.codes == ("LOAD-BOM",) and result.outcome is etr.Outcome.PASS


def test_options_are_passed_on(trust: etr.TrustStore) -> None:
    legacy = etr.verify(ACCEPTED, trust, at=AT, mode="legacy", validate_document=False)
    assert legacy.mode == "legacy" and legacy.td_report is None
    wrong = etr.verify(ACCEPTED, trust, at=AT, expected_recipient="EBL1")
    assert "PINT-RECIPIENT-MISMATCH" in wrong.codes
    early = etr.verify(ACCEPTED, trust, at="2026-11-01T00:00:00Z")
    assert early.outcome is etr.Outcome.WARN and "PINT-TIME-FUTURE" in early.codes


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"mode": "lenient"}, "PINT-MODE"),
    ({"at": "yesterday"}, "PINT-AT"),
    ({"td_version": "9.9.9"}, "ETR-UNKNOWN-VERSION"),
])
def test_usage_errors(trust: etr.TrustStore, kwargs: dict[str, str], code: str) -> None:
    with pytest.raises(UsageError) as info:
        etr.verify(ACCEPTED, trust, **kwargs)  # type: ignore[arg-type]
    assert info.value.code == code


def test_trust_that_cannot_serve(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        etr.verify(ACCEPTED, etr.TrustStore())
    assert info.value.code == "PINT-NO-TRUST" and info.value.hint
    with pytest.raises(UsageError):
        etr.verify(ACCEPTED, [])
    with pytest.raises(UsageError):
        etr.verify(ACCEPTED, 42)  # type: ignore[arg-type]
    with pytest.raises(KeyFileError) as missing:
        etr.verify(ACCEPTED, tmp_path / "no-such-trust")
    assert isinstance(missing.value, EnvironmentProblem)


# --------------------------------------------------------------------------- many inputs, and raising

def test_iter_verify_streams_in_input_order(trust: etr.TrustStore) -> None:
    items = [PINT / "valid", BAD_SIGNATURE.read_bytes(), json.loads(ACCEPTED.read_bytes()), "no/such/file.json"]
    results = list(etr.iter_verify(items, trust, at=AT))
    assert [r.source for r in results] == [*(str(p) for p in sorted((PINT / "valid").glob("*.json"))), "<bytes>",
                                           "<object>", "no/such/file.json"]
    assert [r.outcome.value for r in results] == ["PASS"] * 5 + ["FAIL", "PASS", "FAIL"]


def test_iter_verify_checks_its_options_before_the_first_result() -> None:
    with pytest.raises(UsageError):
        etr.iter_verify([ACCEPTED], TRUST, mode="lenient")


def test_verify_or_raise(trust: etr.TrustStore) -> None:
    assert etr.verify_or_raise(ACCEPTED, trust, at=AT).outcome is etr.Outcome.PASS
    assert etr.verify_or_raise(ACCEPTED, trust, at="2026-11-01T00:00:00Z").outcome is etr.Outcome.WARN  # not FAIL
    with pytest.raises(VerificationFailed) as info:
        etr.verify_or_raise(BAD_SIGNATURE, trust, at=AT)
    error = info.value
    assert isinstance(error, DocumentError) and isinstance(error, EtrError)
    assert error.code == "PINT-JWS-BAD-SIGNATURE" and error.result.outcome is etr.Outcome.FAIL  # type: ignore[attr-defined]
    assert str(BAD_SIGNATURE) in str(error) and "BSIG" in str(error) and error.hint
    with pytest.raises(VerificationFailed) as unreadable:
        etr.verify_or_raise(b"", trust)
    assert unreadable.value.code == "LOAD-EMPTY"


def test_each_call_reads_the_trust_paths_it_is_given(tmp_path: Path) -> None:
    """A caller's trust files may change between two calls; each worker process of the CLI, by contrast,
    builds the store of its run once."""
    import shutil

    from etr.verify import trust_store

    folder = tmp_path / "trust"
    folder.mkdir()
    shutil.copy(TRUST / "car1-2026.public.jwk", folder)
    envelope = PINT / "valid" / "2-transferred.json"
    assert etr.verify(envelope, folder, at=AT).outcome is etr.Outcome.FAIL  # EBL1's key is not trusted yet
    for name in ("ebl1-2026.public.jwk", "platforms.csv"):
        shutil.copy(TRUST / name, folder)
    assert etr.verify(envelope, folder, at=AT).outcome is etr.Outcome.PASS
    assert trust_store((str(folder),)) is trust_store((str(folder),))
