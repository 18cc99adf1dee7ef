"""``etr verify`` / ``etr validate`` / ``etr oa obfuscate`` on TradeTrust / OpenAttestation documents, as a user
runs them: text, json, jsonl, -j, --strict, --trust, batches mixing OA documents and PINT envelopes."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from coincurve import PrivateKey
from oa_factory import DOMAIN, REGISTRY, STORE, address, did_issuer, sign_v2, v2_data, v3_credential, wrap_v2, wrap_v3
from report_schemas import assert_conforms

from etr.cli import main

REPO = Path(__file__).resolve().parents[2]
PINT_VALID = REPO / "samples" / "pint" / "valid" / "1-issued.json"
PINT_TRUST = REPO / "samples" / "pint" / "trust"
KEY = PrivateKey(bytes.fromhex("44" * 32))


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def write(folder: Path, name: str, doc: Any) -> str:
    path = folder / name
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return str(path)


@pytest.fixture
def docs(tmp_path: Path) -> dict[str, str]:
    bl = {"name": "Carrier", "tokenRegistry": REGISTRY, "identityProof": {"type": "DNS-TXT", "location": DOMAIN}}
    tampered = wrap_v2(v2_data())
    tampered["data"]["recipient"]["name"] = tampered["data"]["recipient"]["name"].replace("Nordic", "Mallory")
    return {
        "bl": write(tmp_path, "bl.tt", wrap_v2(v2_data(bl))),
        "coo": write(tmp_path, "coo.json", wrap_v3(v3_credential(origin="SG"))),
        "signed": write(tmp_path, "signed.json", sign_v2(wrap_v2(v2_data(did_issuer(KEY))), KEY)),
        "tampered": write(tmp_path, "tampered.json", tampered),
    }


def test_verify_text_tells_what_passed_and_what_needs_the_network(docs: dict[str, str]) -> None:
    result = invoke("verify", docs["bl"], docs["coo"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "NOT_EVALUABLE [openattestation 2.0 wrapped, transferable]" in out
    assert f"token registry {REGISTRY}" in out and "[PASS          ] integrity" in out
    assert "ownerOf(0x" in out and f"DNS-TXT {DOMAIN}: not evaluable offline" in out
    assert "2 inputs: 2 passed, 0 failed" in out


def test_a_tampered_copy_fails_at_the_exact_step(docs: dict[str, str]) -> None:
    result = invoke("verify", docs["tampered"])
    assert result.exit_code == 1
    assert "[FAIL          ] integrity        targetHash does not match the data" in result.stdout
    assert "OA-INTEGRITY-TARGET-HASH" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_output_conforms_to_the_published_schemas(docs: dict[str, str], fmt: str) -> None:
    result = invoke("verify", "--format", fmt, *docs.values())
    assert result.exit_code == 1
    if fmt == "json":
        run = json.loads(result.stdout)
        assert_conforms(run)
        reports = run["reports"]
    else:
        reports = [json.loads(line) for line in result.stdout.splitlines()]
        for line in reports:
            assert_conforms(line)
    assert [r["family"] for r in reports] == ["openattestation"] * 4
    assert reports[0]["tokenId"] == "0x" + json.loads(Path(docs["bl"]).read_text())["signature"]["merkleRoot"]
    assert reports[2]["checks"][1] == {"name": "signature", "outcome": "PASS", "reason": reports[2]["checks"][1]
                                       ["reason"], "detail": {"signers": [{"did": f"did:ethr:{address(KEY)}",
                                                                           "key": f"did:ethr:{address(KEY)}#controller",
                                                                           "address": address(KEY)}]}}


def test_jobs_keep_order_and_a_mixed_batch_without_trust_goes_on(docs: dict[str, str]) -> None:
    result = invoke("verify", "--format", "jsonl", "-j", "2", docs["bl"], str(PINT_VALID), docs["coo"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert [(line["outcome"], line.get("family")) for line in lines] == [
        ("NOT_EVALUABLE", "openattestation"), ("FAIL", None), ("NOT_EVALUABLE", "openattestation")]
    assert lines[1]["findings"][0]["code"] == "PINT-NO-TRUST"


def test_pint_trust_and_trusted_issuers_together(docs: dict[str, str], tmp_path: Path) -> None:
    issuers = tmp_path / "issuers.toml"
    issuers.write_text(f'format = "etr-trusted-issuers"\n[[issuer]]\ndomain = "{DOMAIN}"\n'
                       f'token-registry = "{REGISTRY}"\ndocument-store = "{STORE}"\n', encoding="utf-8")
    for jobs in ("1", "2"):  # the worker processes read the same trust paths
        result = invoke("verify", "--format", "jsonl", "-j", jobs, "--trust", str(PINT_TRUST), "--trust",
                        str(issuers), "--at", "2026-12-01T00:00:00Z", docs["bl"], str(PINT_VALID), docs["coo"])
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert [line["outcome"] for line in lines] == ["NOT_EVALUABLE", "PASS", "NOT_EVALUABLE"], result.stdout
        assert lines[0]["checks"][3]["outcome"] == lines[2]["checks"][3]["outcome"] == "PASS"
        assert result.exit_code == 0


def test_strict_refuses_what_the_hash_does_not_protect(tmp_path: Path) -> None:
    doc = wrap_v3(v3_credential(age=30))
    path = write(tmp_path, "typed.json", doc)
    assert invoke("verify", path).exit_code == 0
    strict = invoke("verify", "--strict", path)
    assert strict.exit_code == 1 and "OA-UNPROTECTED-TYPE" in strict.stdout


def test_stdin_and_a_trusted_issuers_file_that_is_broken(docs: dict[str, str], tmp_path: Path) -> None:
    result = invoke("verify", "--format", "jsonl", "-", stdin=Path(docs["signed"]).read_bytes())
    assert json.loads(result.stdout)["source"] == "<stdin>" and result.exit_code == 0
    broken = tmp_path / "issuers.toml"
    broken.write_text('format = "etr-trusted-issuers"\n[[issuer]]\nname = "no key"\n', encoding="utf-8")
    result = invoke("verify", "--trust", str(broken), docs["bl"])
    assert result.exit_code == 1 and "OA-TRUST-FILE" in result.stderr and result.stdout == ""


def test_validate(docs: dict[str, str], tmp_path: Path) -> None:
    result = invoke("validate", "--format", "json", docs["bl"], docs["coo"])
    run = json.loads(result.stdout)
    assert_conforms(run)
    assert [(r["family"], r["version"], r["profile"]) for r in run["reports"]] == [
        ("openattestation", "2.0", "wrapped"), ("openattestation", "3.0", "wrapped")]
    assert all("OA-NOT-VERIFIED" in [f["code"] for f in r["findings"]] for r in run["reports"])
    raw = write(tmp_path, "raw.json", v2_data())
    assert "OA-RAW" in invoke("validate", raw).stdout
    assert "OA-VERSION-MISMATCH" in invoke("validate", "--schema-version", "3.0", docs["bl"]).stdout
    not_oa = write(tmp_path, "other.json", {"hello": "world"})
    assert "OA-NOT-OA" in invoke("validate", "--family", "openattestation", not_oa).stdout


def test_validate_shape_findings(tmp_path: Path) -> None:
    doc = wrap_v2(v2_data({"name": "x", "documentStore": "0x12", "identityProof": {"type": "EMAIL"}}))
    doc["data"]["plain"] = "not salted"
    doc["signature"]["type"] = "Other"
    doc["signature"]["proof"] = ["x"]
    doc["privacy"] = {"obfuscatedData": "x"}
    out = invoke("validate", write(tmp_path, "bad.json", doc)).stdout
    assert out.count("OA-STRUCTURE") >= 5 and "OA-UNSALTED" in out
    v3 = wrap_v3(v3_credential())
    v3["@context"] = v3["@context"][1:]
    v3["type"] = ["Other"]
    del v3["issuanceDate"]
    v3["openAttestationMetadata"]["proof"] = {"method": "EMAIL"}
    v3["openAttestationMetadata"]["identityProof"] = {}
    v3["proof"]["targetHash"] = "x"
    v3["proof"]["proofs"] = None
    v3["proof"]["salts"] = 1
    v3["proof"]["privacy"] = None
    out = invoke("validate", "--format", "jsonl", write(tmp_path, "bad3.json", v3)).stdout
    codes = [f["code"] for f in json.loads(out)["findings"]]
    assert codes.count("OA-STRUCTURE") >= 8, codes
    no_issuers = wrap_v2({"x": "y", "issuers": []})
    assert "issuers must be a non-empty array" in invoke("validate", write(tmp_path, "none.json", no_issuers)).stdout


def test_validate_calls_the_origin_checks_when_the_family_exists(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    coo = v2_data()
    coo["$template"]["name"] = "CHAFTA_COO"
    path = write(tmp_path, "coo.tt", wrap_v2(coo))
    seen: list[tuple[Any, str]] = []

    def check_tradetrust_data(data: Any, base_pointer: str = "") -> list[Any]:
        from etr.model import Finding, Location, Severity

        seen.append((data, base_pointer))
        return [Finding("OA-RAW", Severity.INFO, "stand-in finding of the origin family",
                        Location(pointer=base_pointer))]

    # Absent: the OA findings alone, no error.
    monkeypatch.setitem(sys.modules, "etr.families.origin", None)
    assert invoke("validate", path).exit_code == 0 and not seen
    module = types.ModuleType("etr.families.origin")
    module.check_tradetrust_data = check_tradetrust_data  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "etr.families.origin", module)
    result = invoke("validate", path)
    assert seen and seen[0][1] == "/data" and seen[0][0]["recipient"]["name"] == "Nordic Timber AB"
    assert "stand-in finding" in result.stdout

    def broken(data: Any, base_pointer: str = "") -> list[Any]:
        raise RuntimeError("bug")

    module.check_tradetrust_data = broken  # type: ignore[attr-defined]
    assert "ETR-INTERNAL" in invoke("validate", path).stdout


# --------------------------------------------------------------------------- etr oa obfuscate


def test_obfuscate_writes_a_copy_that_still_verifies(docs: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "hidden.json"
    result = invoke("oa", "obfuscate", docs["signed"], "--field", "recipient.address", "--field",
                    "/data/recipient/name", "-o", str(out))
    assert result.exit_code == 0, result.output
    copy = json.loads(out.read_text())
    assert "recipient" not in copy["data"] and len(copy["privacy"]["obfuscatedData"]) == 3
    verified = json.loads(invoke("verify", "--format", "jsonl", str(out)).stdout)
    assert [c["outcome"] for c in verified["checks"][:3]] == ["PASS", "PASS", "PASS"]
    assert "OA-OBFUSCATED" in [f["code"] for f in verified["findings"]]
    v3 = invoke("oa", "obfuscate", docs["coo"], "--field", "credentialSubject.origin", "-o", "-")
    assert v3.exit_code == 0 and "origin" not in json.loads(v3.stdout)["credentialSubject"]


@pytest.mark.parametrize(("field", "code"), [
    ("recipient.nothing", "OA-OBFUSCATE-FIELD"),
    ("/signature/targetHash", "OA-OBFUSCATE-FIELD"),
    ("issuers.0", "OA-OBFUSCATE-ARRAY"),
])
def test_obfuscate_refusals(tmp_path: Path, field: str, code: str) -> None:
    doc = wrap_v2(v2_data(issuer=None))
    doc["data"]["issuers"].append(doc["data"]["issuers"][0])
    doc["signature"]["targetHash"] = doc["signature"]["merkleRoot"] = __import__(
        "etr.families.openattestation.hashing", fromlist=["x"]).v2_target_hash(doc["data"], [])
    path = write(tmp_path, "two.json", doc)
    result = invoke("oa", "obfuscate", path, "--field", field, "-o", str(tmp_path / "out.json"))
    assert result.exit_code == 2 and code in result.stderr, result.output


def test_obfuscate_refuses_what_does_not_verify(docs: dict[str, str], tmp_path: Path) -> None:
    for path in (docs["tampered"], write(tmp_path, "raw.json", v2_data())):
        result = invoke("oa", "obfuscate", path, "--field", "recipient", "-o", str(tmp_path / "o.json"))
        assert result.exit_code == 1 and "OA-OBFUSCATE-FORMAT" in result.stderr
        assert not (tmp_path / "o.json").exists()
    missing = invoke("oa", "obfuscate", str(tmp_path / "missing.json"), "--field", "x", "-o", "-")
    assert missing.exit_code == 1 and "LOAD-NOT-FOUND" in missing.stderr
    unwritable = invoke("oa", "obfuscate", docs["bl"], "--field", "recipient", "-o", str(tmp_path))
    assert unwritable.exit_code == 1 and "OA-OBFUSCATE-OUTPUT" in unwritable.stderr
    v3 = wrap_v3(v3_credential(x="1"))
    assert "OA-OBFUSCATE-FIELD" in invoke("oa", "obfuscate", write(tmp_path, "v3.json", v3), "--field", "a..b",
                                          "-o", "-").stderr
    from etr.errors import DocumentError, UsageError
    from etr.families.openattestation import obfuscate

    with pytest.raises(UsageError) as info:
        obfuscate(v3, [])
    assert info.value.code == "OA-OBFUSCATE-FIELD"
    with pytest.raises(UsageError) as info:
        obfuscate(v3, ["proof.salts"])
    assert info.value.code == "OA-OBFUSCATE-FIELD"
    unsalted = json.loads(json.dumps(v3))
    unsalted["proof"]["salts"] = __import__("etr.families.openattestation.hashing", fromlist=["x"]).encode_salts([])
    with pytest.raises(DocumentError) as refused:
        obfuscate(unsalted, ["credentialSubject.x"])
    assert refused.value.code == "OA-OBFUSCATE-FORMAT"


def test_validate_a_wrapped_tradetrust_certificate_of_origin(tmp_path: Path) -> None:
    """With the origin family there, a wrapped CoO gets both the OA findings and the CoO data findings, located
    in the wrapped document (under /data) and read from the revealed (unsalted) values."""
    origin = pytest.importorskip("etr.families.origin")
    assert hasattr(origin, "check_tradetrust_data")
    sample = REPO / "samples" / "openattestation" / "valid" / "certificate-of-origin-did-signed.json"
    assert invoke("validate", str(sample)).exit_code == 0
    data = json.loads(sample.read_text())["data"]
    from etr.families.openattestation.forms import unsalt_tree

    raw = unsalt_tree(data)
    raw["supplyChainConsignment"]["exportCountry"]["code"] = "Singapore"
    result = invoke("validate", "--format", "jsonl", write(tmp_path, "coo.json", wrap_v2(raw)))
    report = json.loads(result.stdout)
    assert report["family"] == "openattestation" and result.exit_code == 1
    codes = {(f["code"], f.get("location", {}).get("pointer")) for f in report["findings"]}
    assert ("COO-TT-COUNTRY", "/data/supplyChainConsignment/exportCountry/code") in codes
    assert ("OA-NOT-VERIFIED", None) in codes


def test_pint_only_options_on_an_oa_document_are_said_not_silently_skipped(docs: dict[str, str]) -> None:
    """--expect-recipient and friends are PINT checks: on an OpenAttestation document they cannot apply, and the
    result says so (a warning that --strict turns into a failure) instead of passing as if checked."""
    result = invoke("verify", docs["bl"], "--expect-recipient", "EBL9", "--require-documents", "--format", "json")
    report = json.loads(result.stdout)["reports"][0]
    assert_conforms(report, "oa-verification-2.schema.json")
    note = [f for f in report["findings"] if f["code"] == "OA-OPTION-NOT-APPLICABLE"]
    assert note and note[0]["detail"]["options"] == ["--expect-recipient", "--require-documents"]
    assert invoke("verify", docs["bl"], "--expect-recipient", "EBL9", "--strict").exit_code == 1
    plain = json.loads(invoke("verify", docs["bl"], "--format", "json").stdout)["reports"][0]
    assert not any(f["code"] == "OA-OPTION-NOT-APPLICABLE" for f in plain["findings"])


def test_an_empty_at_is_refused_never_now(docs: dict[str, str]) -> None:
    result = invoke("verify", docs["bl"], "--at", "")
    assert result.exit_code == 2 and "PINT-AT" in result.output
