"""``etr registry`` and ``etr verify --registry`` through the command line, as a new user tries them:
init, record a transfer chain and a conflicting copy (RECE then DISE), status names the holder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pint_simulator import VERIFY_AT, World, registry_csv, sample_td
from registry_support import BACKENDS, build, envelope, registry_url
from report_schemas import (
    REGISTRATION,
    REGISTRY_FIND,
    REGISTRY_HISTORY,
    REGISTRY_STATUS,
    RUN,
    VERIFICATION,
    assert_conforms,
    errors,
)

import etr
from etr.cli import main
from etr.errors import RegistryNotInitialised
from etr.transfer.model import format_datetime

WORLD = World("EdDSA")
AT = format_datetime(VERIFY_AT)


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def trust(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trust")
    for platform, key in WORLD.keys.items():
        (folder / f"{platform}.public.jwk").write_text(json.dumps(key.public.jwk()))
    (folder / "registry.csv").write_bytes(registry_csv(WORLD.keys))
    return folder


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from registry_url(request.param, tmp_path)


def record(db: str, trust: Path, *inputs: str, stdin: bytes | None = None, extra: tuple[str, ...] = ()) -> Result:
    return invoke("registry", "record", "--db", db, "--trust", str(trust), "--at", AT, *extra, *inputs, stdin=stdin)


def test_a_new_user_records_a_chain_then_a_conflicting_copy(db: str, trust: Path, tmp_path: Path) -> None:
    first = invoke("registry", "init", "--db", db)
    assert first.exit_code == 0 and "schema version 2 (created)" in first.output
    assert "(up to date)" in invoke("registry", "init", "--db", db).output
    chain = build(WORLD, [("TRANSFER", "alice", "bob")])
    (tmp_path / "chain.json").write_bytes(envelope(chain))
    (tmp_path / "copy.json").write_bytes(envelope(build(WORLD, [("TRANSFER", "alice", "carol")])))
    ok = record(db, trust, str(tmp_path / "chain.json"))
    assert ok.exit_code == 0, ok.output
    assert "PASS (response RECE) CARR/SIM0000001#" in ok.output and "holder Bob Bank plc [EBL2]" in ok.output
    disputed = record(db, trust, str(tmp_path / "copy.json"))
    assert disputed.exit_code == 1
    assert "FAIL (response DISE)" in disputed.output and "REG-FORK" in disputed.output
    assert "1 conflict(s) refused" in disputed.output
    status = invoke("registry", "status", "CARR", "SIM0000001", "--db", db)
    assert status.exit_code == 0 and "active; holder Bob Bank plc [EBL2]; 2 entries" in status.output
    assert "1 conflict(s) refused" in status.output
    data = json.loads(invoke("registry", "status", "CARR", "SIM0000001", "--db", db, "--format", "json").output)
    assert data["records"][0]["holder"]["partyName"] == "Bob Bank plc"
    checksum = data["records"][0]["key"]["issuanceManifestChecksum"]
    history = invoke("registry", "history", "CARR", "SIM0000001", "--db", db, "--issuance", checksum[:8])
    assert history.exit_code == 0
    assert "[0] ISSUE CAR1 → EBL1" in history.output and "[1] TRANSFER EBL1 → EBL2" in history.output
    assert "signed by ebl1-eddsa" in history.output
    entries = json.loads(invoke("registry", "history", "CARR", "SIM0000001", "--db", db, "--format",
                                "json").output)["records"][0]["entries"]
    assert [e["actions"] for e in entries] == [["ISSUE"], ["TRANSFER"]]
    found = invoke("registry", "find", "CARR", "SIM0000001", "--db", db)
    assert found.exit_code == 0 and found.output.split() == ["CARR", "SIM0000001", checksum]
    assert json.loads(invoke("registry", "find", "CARR", "SIM0000001", "--db", db, "--format", "json").output)[
        "records"][0]["issuanceManifestChecksum"] == checksum
    missing = invoke("registry", "status", "CARR", "NOPE", "--db", db)
    assert missing.exit_code == 1 and "no record of carrier 'CARR' reference 'NOPE'" in missing.output
    short = invoke("registry", "history", "CARR", "SIM0000001", "--db", db, "--issuance", "abc")
    assert short.exit_code == 2 and "REG-USAGE" in short.output


def test_status_history_and_find_documents_conform_to_their_schemas(db: str, trust: Path, tmp_path: Path) -> None:
    """Two records of one reference (an amendment: the original void, the re-issue live), the original with a
    surrendered, accomplished chain: every JSON document of status, history and find conforms to its
    published schema, with and without --issuance."""
    invoke("registry", "init", "--db", db)
    original = build(WORLD, [("TRANSFER", "alice", "bob"), ("SURRENDER_FOR_AMENDMENT", "bob", "carrier"),
                             ("SACC", "carrier", None)])
    reissue = build(WORLD, [("TRANSFER", "alice", "carol")], td={**sample_td(), "transportDocumentSubReference": "V2"})
    for n, chain in enumerate((original, reissue)):
        (tmp_path / f"{n}.json").write_bytes(envelope(chain))
        assert record(db, trust, str(tmp_path / f"{n}.json")).exit_code == 0
    assert record(db, trust, str(tmp_path / "0.json"), extra=("-q",)).exit_code == 0  # DUPE: no conflict

    def document(command: str, *extra: str) -> dict[str, Any]:
        result = invoke("registry", command, "CARR", "SIM0000001", "--db", db, "--format", "json", *extra)
        assert result.exit_code == 0, result.output
        loaded: dict[str, Any] = json.loads(result.output)
        return loaded

    found = document("find")
    assert_conforms(found, REGISTRY_FIND)
    assert (found["format"], found["command"], len(found["records"])) == ("etr-registry", "registry find", 2)
    first = found["records"][0]["issuanceManifestChecksum"]
    for extra in ((), ("--issuance", first[:8])):
        status = document("status", *extra)
        assert_conforms(status, REGISTRY_STATUS)
        history = document("history", *extra)
        assert_conforms(history, REGISTRY_HISTORY)
    assert [r["state"] for r in document("status")["records"]] == ["void", "active"]
    assert document("status", "--issuance", first[:8])["records"][0]["platform"] == "CAR1"  # surrendered to it
    entries = document("history", "--issuance", first[:8])["records"][0]["entries"]
    assert [e["actions"] for e in entries] == [["ISSUE"], ["TRANSFER"], ["SURRENDER_FOR_AMENDMENT"], ["SACC"]]
    assert entries[-1]["recipientPlatform"] is None

    # The schemas say something: each of these breaks the documents just read.
    status = document("status")
    assert errors({**status, "command": "registry find"}, REGISTRY_STATUS)
    assert errors({**status, "records": []}, REGISTRY_STATUS)
    assert errors({**status, "records": [{**status["records"][0], "state": "lost"}]}, REGISTRY_STATUS)
    history = document("history")
    broken = {**history["records"][0], "entries": [{**entries[0], "checksum": "ABC"}]}
    assert errors({**history, "records": [broken]}, REGISTRY_HISTORY)
    assert errors({k: v for k, v in found.items() if k != "formatVersion"}, REGISTRY_FIND)
    assert errors({**found, "records": [{"carrierCode": "CARR"}]}, REGISTRY_FIND)


def test_record_takes_directories_stdin_and_jobs_with_every_format(db: str, trust: Path, tmp_path: Path) -> None:
    invoke("registry", "init", "--db", db)
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(4):
        chain = build(WORLD, [("TRANSFER", "alice", "bob")], td=sample_td(reference=f"DIR{n}"))
        (folder / f"{n}.json").write_bytes(envelope(chain))
    (folder / "broken.json").write_bytes(b"{")
    lines = record(db, trust, str(folder), extra=("-j", "2", "--format", "jsonl"))
    assert lines.exit_code == 1
    results = [json.loads(line) for line in lines.output.splitlines()]
    assert [r["responseCode"] for r in results] == ["RECE"] * 4 + ["BENV"]
    for r in results:
        assert_conforms(r, RUN)
        assert_conforms({k: v for k, v in r.items() if k != "formatVersion"}, REGISTRATION)
    again = record(db, trust, str(folder / "0.json"), extra=("--format", "json"))
    document = json.loads(again.output)
    assert_conforms(document, RUN)
    assert document["command"] == "registry record" and document["reports"][0]["responseCode"] == "DUPE"
    piped = record(db, trust, "-", stdin=(folder / "1.json").read_bytes(), extra=("-q",))
    assert piped.exit_code == 0 and "1 input: 1 passed, 0 failed" in piped.output


def test_record_refuses_what_it_cannot_do(trust: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    (tmp_path / "e.json").write_bytes(envelope(build(WORLD)))
    absent = record(url, trust, str(tmp_path / "e.json"))
    assert absent.exit_code == 1 and "REG-UNINITIALISED" in absent.output
    assert record("mysql://x", trust, str(tmp_path / "e.json")).exit_code == 2
    no_trust = invoke("registry", "record", "--db", url, str(tmp_path / "e.json"))
    assert no_trust.exit_code == 2 and "PINT-NO-TRUST" in no_trust.output
    bad_time = record(url, trust, str(tmp_path / "e.json"), extra=("--at", "yesterday"))
    assert bad_time.exit_code == 2 and "PINT-AT" in bad_time.output
    unreachable = invoke("registry", "init", "--db", f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    assert unreachable.exit_code == 1 and "REG-UNAVAILABLE" in unreachable.output


def test_verify_with_the_registry_tells_current_stale_ahead_and_fork(db: str, trust: Path, tmp_path: Path) -> None:
    invoke("registry", "init", "--db", db)
    chain = build(WORLD, [("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "carol")])
    files = {}
    for n in (1, 2, 3):
        files[n] = tmp_path / f"{n}.json"
        files[n].write_bytes(envelope(chain, n))
    fork = tmp_path / "fork.json"
    fork.write_bytes(envelope(build(WORLD, [("TRANSFER", "alice", "dave")])))
    other = tmp_path / "other.json"
    other.write_bytes(envelope(build(WORLD, td=sample_td(reference="ELSEWHERE"))))
    assert record(db, trust, str(files[2])).exit_code == 0

    def verify(path: Path, *extra: str) -> Result:
        return invoke("verify", str(path), "--trust", str(trust), "--at", AT, "--no-td", "--registry", db,
                      "--format", "json", *extra)

    def codes(result: Result) -> list[str]:
        report = json.loads(result.output)["reports"][0]
        assert_conforms(report, VERIFICATION)
        return [f["code"] for f in report["findings"] if f["code"].startswith("REG-")]

    assert codes(current := verify(files[2])) == ["REG-VIEW-CURRENT"] and current.exit_code == 0
    assert codes(ahead := verify(files[3])) == ["REG-VIEW-AHEAD"] and ahead.exit_code == 0
    stale = verify(files[1])
    assert codes(stale) == ["REG-VIEW-STALE"] and stale.exit_code == 0
    assert json.loads(stale.output)["reports"][0]["outcome"] == "WARN"
    assert verify(files[1], "--strict").exit_code == 1
    forked = verify(fork)
    assert codes(forked) == ["REG-VIEW-FORK"] and forked.exit_code == 1
    assert json.loads(forked.output)["reports"][0]["responseCode"] == "DISE"
    assert codes(verify(other)) == ["REG-VIEW-UNKNOWN"]
    text = invoke("verify", str(files[1]), "--trust", str(trust), "--at", AT, "--no-td", "--registry", db)
    assert "REG-VIEW-STALE" in text.output and "holder Carol Imports GmbH [EBL3]" not in text.output
    assert "holder Bob Bank plc [EBL2]" in text.output
    # The library door takes the registry too.
    result = etr.verify(files[2].read_bytes(), WORLD.trust, at=VERIFY_AT, validate_document=False, registry=db)
    assert result.findings[-1].code == "REG-VIEW-CURRENT"
    unreadable = etr.verify(b"{", WORLD.trust, registry=db)
    assert not any(f.code.startswith("REG-") for f in unreadable.findings)
    # The registry holds PINT chains: an OpenAttestation document beside envelopes gets no registry view.
    bl = Path(__file__).resolve().parents[2] / "samples" / "openattestation" / "valid" / "bill-of-lading.tt"
    oa = etr.verify(bl, WORLD.trust, registry=db)
    assert getattr(oa, "family", None) == "openattestation"
    assert not any(f.code.startswith("REG-") for f in oa.findings)


def test_verify_with_a_registry_that_is_not_there_exits_1(trust: Path, tmp_path: Path) -> None:
    (tmp_path / "e.json").write_bytes(envelope(build(WORLD)))
    result = invoke("verify", str(tmp_path / "e.json"), "--trust", str(trust), "--registry",
                    f"sqlite:///{tmp_path / 'none.db'}")
    assert result.exit_code == 1 and "REG-UNINITIALISED" in result.output
    with pytest.raises(RegistryNotInitialised):
        etr.verify(tmp_path / "e.json", WORLD.trust, registry=f"sqlite:///{tmp_path / 'none2.db'}")
