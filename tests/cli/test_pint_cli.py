"""``etr pint …`` and ``etr verify`` end to end: keys generated, a BL issued, transferred, endorsed,
surrendered and accepted; ``etr verify`` passes and names the holders; tampering exits 1."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import need_shared

from etr.cli import main

REPO = Path(__file__).resolve().parents[2]

ALICE = ["--actor-name", "Alice Exports", "--actor-platform", "EBL1", "--actor-code", "EBL1:alice"]
BOB = ["--actor-name", "Bob Bank", "--actor-platform", "EBL2", "--actor-code", "EBL2:bob",
       "--actor-code", "GLEIF/LEI:529900T8BM49AURSDO55"]
TO_ALICE = ["--to-name", "Alice Exports", "--to-platform", "EBL1", "--to-code", "EBL1:alice"]
TO_BOB = ["--to-name", "Bob Bank", "--to-platform", "EBL2", "--to-code", "EBL2:bob"]
CARRIER = ["--actor-name", "Carrier Line", "--actor-platform", "CAR1", "--actor-code", "SMDG:CARR"]


def run(args: Sequence[str], code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, (result.output, getattr(result, "stderr", ""))
    return result


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """Keys for CAR1, EBL1, EBL2 made with ``etr keys generate``; a trust folder with the public JWKs and a
    registry binding each platform to its kid; a transport document."""
    keys, trust = tmp_path / "keys", tmp_path / "trust"
    trust.mkdir()
    for platform, alg in (("CAR1", "ES256"), ("EBL1", "EdDSA"), ("EBL2", "PS256")):
        kid = f"{platform.lower()}-key"
        run(["keys", "generate", "--alg", alg, "--out", str(keys), "--kid", kid])
        (trust / f"{kid}.public.jwk").write_bytes((keys / f"{kid}.public.jwk").read_bytes())
    (trust / "registry.csv").write_text("Code,Site,jwks_endpoint,manual_key_id\n"
                                        "CAR1,,,car1-key\nEBL1,,,ebl1-key\nEBL2,,,ebl2-key\n")
    # A valid eBL (issue refuses one with error findings), issued by "Carrier Line" (SMDG:CARR).
    td = json.loads((REPO / "samples" / "ebl" / "valid" / "to-order-blank-endorsed-bl.json").read_bytes())
    td.update(transportDocumentReference="CLI0000001", carrierCode="CARR", carrierCodeListProvider="SMDG")
    td["documentParties"]["issuingParty"]["partyName"] = "Carrier Line"
    (tmp_path / "td.json").write_text(json.dumps(td))
    return {"dir": tmp_path, "keys": keys, "trust": trust}


def key(world: dict[str, Any], platform: str) -> list[str]:
    kid = f"{platform.lower()}-key"
    return ["--key", str(world["keys"] / f"{kid}.private.pem"), "--kid", kid]


def test_issue_transfer_endorse_surrender_accept_verify(world: dict[str, Any]) -> None:
    d, trust = world["dir"], ["--trust", str(world["trust"])]
    e = [str(d / f"e{i}.json") for i in range(8)]
    run(["pint", "issue", str(d / "td.json"), *key(world, "CAR1"), "--platform", "CAR1", *TO_ALICE,
         "--at", "2026-06-01T10:00:00Z", "-o", e[0]])
    run(["pint", "endorse", e[0], *trust, *key(world, "EBL1"), *ALICE, "--to-order", *TO_BOB,
         "--at", "2026-06-02T10:00:00Z", "-o", e[1]])
    run(["pint", "sign", e[1], *trust, *key(world, "EBL2"), *BOB, "--at", "2026-06-03T10:00:00Z", "-o", e[2]])
    run(["pint", "transfer", e[2], *trust, *key(world, "EBL2"), *BOB, *TO_ALICE, "--at", "2026-06-04T10:00:00Z",
         "-o", e[3]])
    # Without --actor-…, the acting party is the current holder (Alice, then the carrier).
    run(["pint", "surrender", e[3], "--for", "delivery", *trust, *key(world, "EBL1"),
         "--at", "2026-06-05T10:00:00Z", "-o", e[4]])
    run(["pint", "accept", e[4], *trust, *key(world, "CAR1"), "--at", "2026-06-06T10:00:00Z", "-o", e[5]])

    text = run(["verify", e[5], *trust, "--at", "2026-07-01T00:00:00Z"]).output
    assert f"{e[5]}: PASS (response RECE)" in text
    assert "holders: Alice Exports [EBL1] EBL1:alice → Bob Bank [EBL2] EBL2:bob" in text
    assert "current holder: Carrier Line [CAR1] SMDG:CARR" in text
    for action in ("ISSUE", "ENDORSE_TO_ORDER", "SIGN", "TRANSFER", "SURRENDER_FOR_DELIVERY", "SACC"):
        assert action in text
    assert "ES256 key 'car1-key' (kid, registered for CAR1)" in text

    doc = json.loads(run(["verify", e[5], *trust, "--format", "json"]).output)
    result = doc["reports"][0]
    assert doc["outcome"] == "PASS" and result["outcome"] == "PASS"
    assert [x["signature"]["alg"] for x in result["entries"]] == ["ES256", "EdDSA", "PS256", "PS256", "EdDSA",
                                                                  "ES256"]
    assert result["currentHolder"]["partyName"] == "Carrier Line"

    # Nothing may follow SACC: refused before signing (exit 1), nothing written.
    refused = CliRunner().invoke(main, ["pint", "transfer", e[5], *trust, *key(world, "CAR1"), *CARRIER, *TO_BOB,
                                        "-o", e[6]])
    assert refused.exit_code == 1 and "PINT-STATE-AFTER-SACC" in refused.output
    assert not Path(e[6]).exists()


def test_refusals_and_usage(world: dict[str, Any]) -> None:
    d, trust = world["dir"], ["--trust", str(world["trust"])]
    e0, e1 = str(d / "e0.json"), str(d / "e1.json")
    run(["pint", "issue", str(d / "td.json"), *key(world, "CAR1"), "--platform", "CAR1", *TO_ALICE, "-o", e0])
    # Bob does not hold it.
    out = CliRunner().invoke(main, ["pint", "transfer", e0, *trust, *key(world, "EBL2"), *BOB, *TO_ALICE])
    assert out.exit_code == 1 and "PINT-STATE-NOT-POSSESSOR" in out.output
    # A transfer needs a recipient: usage error.
    assert CliRunner().invoke(main, ["pint", "transfer", e0, *key(world, "EBL1"), *ALICE]).exit_code == 2
    # --reason only with amendment.
    out = CliRunner().invoke(main, ["pint", "surrender", e0, "--for", "delivery", "--reason", "SWTP",
                                    *key(world, "EBL1"), *ALICE])
    assert out.exit_code == 2
    # Missing input file: exit 1.
    out = CliRunner().invoke(main, ["pint", "transfer", str(d / "nope.json"), *key(world, "EBL1"), *ALICE, *TO_BOB])
    assert out.exit_code == 1
    # verify without --trust: the envelope FAILs (PINT-NO-TRUST), exit 1.
    out = CliRunner().invoke(main, ["verify", e0])
    assert out.exit_code == 1 and "PINT-NO-TRUST" in out.output
    # Blank endorsement, then the new holder may endorse.
    run(["pint", "endorse", e0, *trust, *key(world, "EBL1"), *ALICE, "--blank", *TO_BOB, "-o", e1])
    run(["verify", e1, *trust, "--expect-recipient", "EBL2"])
    assert "PINT-RECIPIENT-MISMATCH" in run(["verify", e1, *trust, "--expect-recipient", "EBL1"], code=1).output


def test_verify_tampered_envelope_exits_1(world: dict[str, Any]) -> None:
    d, trust = world["dir"], ["--trust", str(world["trust"])]
    e0, e1 = d / "e0.json", d / "e1.json"
    run(["pint", "issue", str(d / "td.json"), *key(world, "CAR1"), "--platform", "CAR1", *TO_ALICE, "-o", str(e0)])
    run(["pint", "transfer", str(e0), *trust, *key(world, "EBL1"), *ALICE, *TO_BOB, "-o", str(e1)])
    env = json.loads(e1.read_text())
    env["transportDocument"]["transportDocumentReference"] = "FORGED0001"
    forged = d / "forged.json"
    forged.write_text(json.dumps(env))
    out = run(["verify", str(forged), str(e1), *trust], code=1).output
    assert "FAIL (response BENV)" in out and "PINT-TD-CHECKSUM-MANIFEST [BENV]" in out
    assert "2 inputs: 1 passed, 1 failed;" in out
    # Extending a tampered envelope is refused when a trust store is given.
    refused = CliRunner().invoke(main, ["pint", "transfer", str(forged), *trust, *key(world, "EBL2"), *BOB,
                                        *TO_ALICE])
    assert refused.exit_code == 1 and "does not verify" in refused.output


def test_documents_through_the_cli(world: dict[str, Any]) -> None:
    d, trust = world["dir"], ["--trust", str(world["trust"])]
    invoice = d / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.7 invoice")
    e0 = str(d / "e0.json")
    run(["pint", "issue", str(d / "td.json"), *key(world, "CAR1"), "--platform", "CAR1", *TO_ALICE,
         "--document", str(invoice), "-o", e0])
    assert "1 verified" in run(["verify", e0, *trust, "--document", str(invoice)]).output
    invoice.write_bytes(b"%PDF-1.7 tampered")
    out = run(["verify", e0, *trust, "--document", str(invoice)], code=1).output
    assert "PINT-DOCUMENT-CHECKSUM [INCD]" in out


def test_pint_demo_through_the_cli(shared_data: Path) -> None:
    demo = shared_data / "dcsa" / "pint-demo"
    need_shared(demo)
    out = run(["verify", str(demo / "pint-transfers" / "HHL71800000-ebl-envelope-ed25519.json"),
               "--trust", str(demo / "keys" / "public"),
               "--trust", str(demo / "platform-registry" / "eblsolutionproviders.csv")]).output
    assert "PASS (response RECE)" in out and "current holder: ebl2 Party [EBL2]" in out


def test_help_is_cheap_and_lists_commands() -> None:
    out = run(["--help"]).output
    assert "pint" in out and "verify" in out
    assert "BSIG" in run(["verify", "--help"]).output


def test_a_long_chain_names_the_first_and_last_holders_only(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(REPO / "tests"))
    from pint_simulator import VERIFY_AT, RawChain, World, registry_csv

    world = World()
    chain = RawChain(world).issue()
    holder, other = "alice", "bob"
    for _ in range(24):
        chain.add("TRANSFER", holder, other)
        holder, other = other, holder
    (tmp_path / "env.json").write_text(json.dumps(chain.envelope()))
    trust = tmp_path / "trust"
    trust.mkdir()
    for platform, k in world.keys.items():
        (trust / f"{platform}.public.jwk").write_text(json.dumps(k.public.jwk()))
    (trust / "registry.csv").write_bytes(registry_csv(world.keys))
    out = run(["verify", str(tmp_path / "env.json"), "--trust", str(trust), "--at", VERIFY_AT.isoformat(),
               "--no-td"]).output
    line = next(x for x in out.splitlines() if x.startswith("  holders"))
    assert line.startswith("  holders (25): ") and "… 15 more …" in line
    assert line.count("→") == 10


# --------------------------------------------------------------------------- refusals before signing


def invoke(args: Sequence[str]) -> Result:
    """Run etr with stdout and stderr apart; a refusal must never be a traceback."""
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _issued(world: dict[str, Any]) -> Path:
    e0 = world["dir"] / "e0.json"
    run(["pint", "issue", str(world["dir"] / "td.json"), *key(world, "CAR1"), "--platform", "CAR1", *TO_ALICE,
         "--at", "2026-06-01T10:00:00Z", "-o", str(e0)])
    return e0


def test_a_key_bound_to_another_platform_is_refused(world: dict[str, Any]) -> None:
    trust, e0 = ["--trust", str(world["trust"])], _issued(world)
    out = world["dir"] / "e1.json"
    # Alice acts on EBL1, but the key is the one the registry binds to EBL2.
    result = invoke(["pint", "transfer", str(e0), *trust, *key(world, "EBL2"), *ALICE, *TO_BOB, "-o", str(out)])
    assert result.exit_code == 2 and "PINT-SIGN-KEY-PLATFORM" in result.stderr and "EBL2" in result.stderr
    assert result.stdout == "" and not out.exists()
    # The same for the carrier's issue, signed with a platform's key.
    result = invoke(["pint", "issue", str(world["dir"] / "td.json"), *trust, *key(world, "EBL1"),
                     "--platform", "CAR1", *TO_ALICE])
    assert result.exit_code == 2 and "PINT-SIGN-KEY-PLATFORM" in result.stderr and result.stdout == ""
    # Without a trust store nothing is known about the key: signed, with the warning that nothing was verified.
    result = invoke(["pint", "transfer", str(e0), *key(world, "EBL1"), *ALICE, *TO_BOB])
    assert result.exit_code == 0 and json.loads(result.stdout)["envelopeTransferChain"]


def test_a_key_the_registry_does_not_bind_for_the_acting_platform_is_refused(world: dict[str, Any]) -> None:
    trust, e0 = ["--trust", str(world["trust"])], _issued(world)
    run(["keys", "generate", "--alg", "EdDSA", "--out", str(world["keys"]), "--kid", "spare-key"])
    (world["trust"] / "spare-key.public.jwk").write_bytes((world["keys"] / "spare-key.public.jwk").read_bytes())
    spare = ["--key", str(world["keys"] / "spare-key.private.pem")]
    result = invoke(["pint", "transfer", str(e0), *trust, *spare, *ALICE, *TO_BOB])
    assert result.exit_code == 2 and "PINT-SIGN-KEY-UNBOUND" in result.stderr
    assert "TRUST-PLATFORM-MISMATCH" in result.stderr and result.stdout == ""
    # A key the store does not hold at all: signed, with a warning that the entry will not verify with it.
    run(["keys", "generate", "--alg", "EdDSA", "--out", str(world["keys"]), "--kid", "new-key"])
    result = invoke(["pint", "transfer", str(e0), *trust, "--key", str(world["keys"] / "new-key.private.pem"),
                     *ALICE, *TO_BOB])
    assert result.exit_code == 0 and "TRUST-UNKNOWN-KEY" in result.stderr and "will not verify" in result.stderr
    assert json.loads(result.stdout)["envelopeTransferChain"]


def test_an_x5c_chain_must_hold_the_signing_key(world: dict[str, Any]) -> None:
    from cryptography.hazmat.primitives import serialization
    from x509_factory import Ca, name

    from etr.crypto.keys import load_signing_key

    ca = Ca(name("Test CA"))
    other = load_signing_key(world["keys"] / "ebl1-key.private.pem")
    chain = world["dir"] / "chain.pem"
    chain.write_bytes(ca.leaf(name("car1.example"), other.key.public_key()).public_bytes(serialization.Encoding.PEM))
    result = invoke(["pint", "issue", str(world["dir"] / "td.json"), *key(world, "CAR1"), "--platform", "CAR1",
                     *TO_ALICE, "--x5c", str(chain)])
    assert result.exit_code == 2 and "PINT-X5C" in result.stderr and result.stdout == ""


def test_issue_refuses_a_transport_document_with_errors(world: dict[str, Any]) -> None:
    td = json.loads((world["dir"] / "td.json").read_text())
    del td["transportDocumentTypeCode"]
    td["isToOrder"] = "yes"
    bad = world["dir"] / "bad-td.json"
    bad.write_text(json.dumps(td))
    out = world["dir"] / "e0.json"
    args = ["pint", "issue", str(bad), *key(world, "CAR1"), "--platform", "CAR1", *TO_ALICE, "-o", str(out)]
    result = invoke(args)
    assert result.exit_code == 1 and "PINT-ISSUE-TD-INVALID" in result.stderr and "2 error finding(s)" in result.stderr
    assert "--allow-invalid-document" in result.stderr and result.stdout == "" and not out.exists()
    result = invoke([*args, "--allow-invalid-document"])
    assert result.exit_code == 0 and result.stdout == ""
    assert "warning: issuing a transport document with 2 error finding(s)" in result.stderr
    assert json.loads(out.read_text())["transportDocument"]["isToOrder"] == "yes"
    # The version to validate against is the user's to choose; an unknown one is a usage error.
    result = invoke(["pint", "issue", str(world["dir"] / "td.json"), *key(world, "CAR1"), "--platform", "CAR1",
                     *TO_ALICE, "--schema-version", "9.9.9"])
    assert result.exit_code == 2 and "ETR-UNKNOWN-VERSION" in result.stderr


def test_output_onto_an_existing_file_needs_force(world: dict[str, Any]) -> None:
    trust, e0 = ["--trust", str(world["trust"])], _issued(world)
    before = e0.read_bytes()
    again = ["pint", "issue", str(world["dir"] / "td.json"), *key(world, "CAR1"), "--platform", "CAR1", *TO_ALICE,
             "-o", str(e0)]
    result = invoke(again)
    assert result.exit_code == 1 and "PINT-OUTPUT-EXISTS" in result.stderr and "--force" in result.stderr
    assert e0.read_bytes() == before
    # Extending an envelope in place is an overwrite too.
    step = ["pint", "transfer", str(e0), *trust, *key(world, "EBL1"), *ALICE, *TO_BOB, "-o", str(e0)]
    assert invoke(step).exit_code == 1 and e0.read_bytes() == before
    assert invoke([*step, "--force"]).exit_code == 0
    assert len(json.loads(e0.read_text())["envelopeTransferChain"]) == 2
    assert sorted(p.name for p in world["dir"].iterdir() if p.name.startswith(".")) == []  # no temporary left
    # A place that cannot be written is the environment's fault, named as such.
    result = invoke([*again[:-1], str(world["dir"] / "no-such-dir" / "e.json")])
    assert result.exit_code == 1 and "PINT-OUTPUT-UNWRITABLE" in result.stderr and result.stdout == ""


def test_an_unreadable_time_is_a_usage_error(world: dict[str, Any]) -> None:
    result = invoke(["pint", "issue", str(world["dir"] / "td.json"), *key(world, "CAR1"), "--platform", "CAR1",
                     *TO_ALICE, "--at", "yesterday"])
    assert result.exit_code == 2 and "PINT-AT" in result.stderr and result.stdout == ""


def test_an_envelope_name_the_system_will_not_look_up_is_a_load_error(world: dict[str, Any]) -> None:
    name = str(world["dir"] / ("e" * 5000 + ".json"))  # ENAMETOOLONG
    result = invoke(["pint", "transfer", name, *key(world, "EBL1"), *ALICE, *TO_BOB])
    assert result.exit_code == 1 and "LOAD-IO" in result.stderr
