"""Faults of ``etr registry`` found in review, through the command line: what reaches the terminal, the
JSON document when nothing matches, the exit-status help."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pint_simulator import VERIFY_AT, RawChain, World, sample_td, tx_dict
from registry_support import BACKENDS, registry_url
from report_schemas import REGISTRY_FIND, assert_conforms

import etr.registry
from etr.cli import main

WORLD = World("EdDSA")
REFERENCE = "EVIL\x1b[2J\u202eX"  # an escape sequence and a right-to-left override in the TD reference
PARTY = "Bob\x1b]0;pwned\x07\u202eBank"  # and in the holder's name (the schema forbids only line breaks)
RAW = ("\x1b", "\x07", "\u202e")


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    for url in registry_url(request.param, tmp_path):
        reg = etr.registry.open(url)
        reg.init()
        chain = RawChain(WORLD, td=sample_td(reference=REFERENCE)).issue("alice")
        tx = tx_dict("TRANSFER", "alice", "bob", 1)
        tx["recipient"]["partyName"] = PARTY
        chain.tokens.append(chain.sign(chain.payload("EBL1", [tx]), "EBL1"))
        assert reg.record(json.dumps(chain.envelope()).encode(), trust=WORLD.trust, at=VERIFY_AT).response == "RECE"
        reg.close()
        yield url


@pytest.mark.parametrize("command", ["status", "history", "find"])
def test_control_characters_from_documents_are_escaped_in_text(db: str, command: str) -> None:
    result = invoke("registry", command, "--db", db, "CARR", REFERENCE)
    assert result.exit_code == 0, result.output
    assert not any(c in result.output for c in RAW), repr(result.output)
    assert "\\u202e" in result.output and "\\x1b" in result.output
    if command == "status":
        assert "Bob\\x1b]0;pwned\\x07\\u202eBank" in result.output
    # The JSON document keeps the characters as they are (escaped by JSON itself).
    document = json.loads(invoke("registry", command, "--db", db, "CARR", REFERENCE, "--format", "json").output)
    assert json.dumps(REFERENCE)[1:-1] in json.dumps(document)


def test_find_with_no_match_in_json_is_a_document_with_no_records(db: str) -> None:
    result = invoke("registry", "find", "--db", db, "CARR", "NO-SUCH-REFERENCE", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["records"] == [] and document["command"] == "registry find"
    assert_conforms(document, REGISTRY_FIND)
    # status and history name one record: with none, there is no document to print (their schemas need one).
    for command in ("status", "history"):
        other = invoke("registry", command, "--db", db, "CARR", "NO-SUCH-REFERENCE", "--format", "json")
        assert other.exit_code == 1 and other.stdout == "" and "no record" in other.stderr


def test_no_match_says_what_the_carrier_code_is(db: str) -> None:
    """A platform code (CAR1) given where the TD's carrierCode (CARR) belongs: the message says which is which."""
    result = invoke("registry", "status", "--db", db, "CAR1", REFERENCE)
    assert result.exit_code == 1
    assert "no record of carrier 'CAR1'" in result.stderr and "hint:" in result.stderr
    assert "carrierCode" in result.stderr and "not the code of a platform" in result.stderr


def test_init_help_describes_init_exit_statuses() -> None:
    text = invoke("registry", "init", "--help").output
    assert "no such record" not in text
    assert "0  the schema is in place" in text and "cannot be opened or written" in text
