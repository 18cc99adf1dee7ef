"""What the fresh-user pass on ``etr verify`` and the verification library broke, each as the behaviour the
contracts demand: caller mistakes are usage errors (exit 2) that name the cause, document problems are
findings (exit 1), never an exception or a silent default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import etr
from etr.cli import main
from etr.errors import UsageError
from etr.model import Outcome

REPO = Path(__file__).resolve().parents[2]
PINT = REPO / "samples" / "pint"
TRUST = str(PINT / "trust")
ENVELOPE = PINT / "valid" / "2-transferred.json"
AT = "2026-12-01T00:00:00Z"
TOO_LONG = "x" * 5000  # longer than any file name the system looks up (ENAMETOOLONG)


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# --------------------------------------------------------------------------- the library


def test_iter_verify_refuses_one_string_instead_of_reading_it_character_by_character(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "2.json" read as "2", ".", "j", … verified the whole working directory (".").
    monkeypatch.chdir(tmp_path)
    (tmp_path / "other.json").write_bytes(ENVELOPE.read_bytes())
    with pytest.raises(TypeError, match="iterable of inputs"):
        etr.iter_verify("2.json", TRUST)
    assert [r.outcome for r in etr.iter_verify([str(ENVELOPE)], TRUST, at=AT)] == [Outcome.PASS]


@pytest.mark.parametrize(("value", "code"), [
    ({"transportDocument": float("nan")}, "LOAD-JSON-CONSTANT"),
    ({1: "a key JSON cannot have"}, "LOAD-JSON-TYPE"),
    ({"envelopeTransferChain": {"a", "set"}}, "LOAD-JSON-TYPE"),
])
def test_a_parsed_envelope_is_held_to_what_the_json_reader_gives(value: dict[object, object], code: str) -> None:
    result = etr.verify(value, TRUST, at=AT)  # type: ignore[arg-type]
    assert result.outcome is Outcome.FAIL
    assert result.codes == (code,)


def test_a_name_the_system_refuses_is_a_load_finding_not_an_exception() -> None:
    result = etr.verify(TOO_LONG, TRUST, at=AT)
    assert (result.outcome, result.codes) == (Outcome.FAIL, ("LOAD-IO",))
    assert "too long" in result.findings[0].message


@pytest.mark.parametrize("item", [None, 5, ["a.json"]])
def test_an_input_of_no_known_kind_is_a_usage_error(item: object) -> None:
    with pytest.raises(UsageError) as raised:
        etr.verify(item, TRUST)  # type: ignore[arg-type]
    assert raised.value.code == "PINT-USAGE"


@pytest.mark.parametrize(("kwargs", "code", "cause"), [
    ({"at": 5}, "PINT-AT", "not int"),
    ({"at": "2026-11-30T10:00:60Z"}, "PINT-AT", "only at 23:59:60 UTC"),
    ({"at": "2026-02-30T00:00:00Z"}, "PINT-AT", "day is out of range"),
    ({"expected_recipient": ""}, "PINT-USAGE", "neither a platform code nor a party"),
    ({"expected_recipient": 5}, "PINT-USAGE", "neither a platform code nor a party"),
    ({"supporting_documents": {"a.pdf": "text"}}, "PINT-USAGE", "must be bytes"),
    ({"issue_to": [1]}, "PINT-USAGE", "IssueToParty JSON object"),
])
def test_a_wrong_argument_is_a_usage_error_naming_the_cause(kwargs: dict[str, object], code: str,
                                                             cause: str) -> None:
    with pytest.raises(UsageError) as raised:
        etr.verify(ENVELOPE, TRUST, **kwargs)  # type: ignore[arg-type]
    assert raised.value.code == code
    assert cause in str(raised.value)


# --------------------------------------------------------------------------- the command line


def test_a_name_too_long_to_look_up_is_a_finding_with_exit_1_not_an_internal_error() -> None:
    for name in (TOO_LONG, TOO_LONG + "*"):
        result = invoke("verify", "--trust", TRUST, "--format", "jsonl", name)
        assert result.exit_code == 1, result.output
        assert "internal error" not in result.stderr
        assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["LOAD-IO"]
    result = invoke("validate", TOO_LONG)
    assert result.exit_code == 1 and "LOAD-IO" in result.stdout and "internal error" not in result.stderr


def test_two_documents_of_one_name_are_refused_not_silently_dropped(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "invoice.pdf").write_bytes(b"one")
    (tmp_path / "b" / "invoice.pdf").write_bytes(b"two")
    result = invoke("verify", "--trust", TRUST, "--at", AT, str(ENVELOPE), "--document",
                    str(tmp_path / "a" / "invoice.pdf"), "--document", str(tmp_path / "b" / "invoice.pdf"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "PINT-USAGE" in result.stderr and "also named 'invoice.pdf'" in result.stderr


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_expected_recipient_is_a_usage_error(value: str) -> None:
    result = invoke("verify", "--trust", TRUST, "--at", AT, "--expect-recipient", value, str(ENVELOPE))
    assert result.exit_code == 2
    assert "PINT-USAGE" in result.stderr and result.stdout == ""


def test_an_unreadable_at_names_its_cause() -> None:
    result = invoke("verify", "--trust", TRUST, "--at", "2026-11-30T10:00:60Z", str(ENVELOPE))
    assert result.exit_code == 2
    assert "PINT-AT" in result.stderr and "leap second" in result.stderr


def test_pint_at_names_its_cause(tmp_path: Path) -> None:
    keys = invoke("keys", "generate", "--alg", "EdDSA", "--out", str(tmp_path), "--kid", "k1")
    assert keys.exit_code == 0, keys.output
    result = invoke("pint", "sign", str(ENVELOPE), "--trust", TRUST, "--key", str(tmp_path / "k1.private.pem"),
                    "--at", "2026-02-30T00:00:00Z")
    assert result.exit_code == 2
    assert "PINT-AT" in result.stderr and "day is out of range" in result.stderr


def test_pint_out_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    keys = invoke("keys", "generate", "--alg", "EdDSA", "--out", "k", "--kid", "k1")
    assert keys.exit_code == 0, keys.output
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "k1.public.jwk").write_bytes((tmp_path / "k" / "k1.public.jwk").read_bytes())
    (trust / "platforms.csv").write_text("Code,Site,jwks_endpoint,manual_key_id\nCAR1,https://c.example,,k1\n")
    td = REPO / "samples" / "ebl" / "valid" / "to-order-blank-endorsed-bl.json"
    result = invoke("pint", "issue", str(td), "--key", "k/k1.private.pem", "--platform", "CAR1", "--trust", "trust",
                    "--to-name", "Nordic", "--to-platform", "EBL1", "--to-code", "EBL1:nordic", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "-").exists()
    assert "envelopeTransferChain" in json.loads(result.stdout)
