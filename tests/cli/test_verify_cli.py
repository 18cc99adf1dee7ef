"""``etr verify`` through the command line: the same surface as ``etr validate`` (inputs, formats, -j,
-q, --fail-on, limits, the loader, the summary, exit statuses), the story of each chain, and its JSON
against the published schemas."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pint_simulator import RawChain, World, registry_csv, sample_td
from report_schemas import VERIFICATION, assert_conforms
from terminal import assert_no_line_starts_mid_bar, run_in_terminal, screen

import etr
from etr.cli import main

REPO = Path(__file__).resolve().parents[2]
PINT = REPO / "samples" / "pint"
TRUST = str(PINT / "trust")
VALID = sorted((PINT / "valid").glob("*.json"))
BAD_SIGNATURE = PINT / "invalid" / "PINT-JWS-BAD-SIGNATURE.json"
#: After every transaction of the samples: they PASS (before, their times lie in the future: WARN).
AT = "2026-12-01T00:00:00Z"
BEFORE = "2026-11-01T00:00:00Z"

HOSTILE: dict[str, bytes] = {
    "empty.json": b"",
    "prose.json": b"not an envelope",
    "dup.json": b'{"transportDocument": {}, "transportDocument": {}}',
    "nan.json": b'{"a": NaN}',
    "deep.json": b"[" * 10_000 + b"]" * 10_000,
    "utf16.json": '{"a": 1}'.encode("utf-16"),
    "utf8.json": b'{"a": "\xff"}',
    "truncated.json": b'{"envelopeTransferChain": [',
    "array.json": b"[1, 2, 3]",
    "object.json": b'{"hello": "world"}',
    "garbage-chain.json": b'{"transportDocument": {"a": 1}, "envelopeTransferChain": ["x.y.z", 7], '
                          b'"envelopeManifestSignedContent": "a.b.c"}',
    "laughs.xml": b'<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>',
    "invoice.xml": b"<invoice/>",
    "header.pdf": b"%PDF-1.7\n",
}


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin)
    # Every outcome leaves through SystemExit; anything else escaped the error boundary.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def verify(*args: str, code: int | None = None, stdin: bytes | None = None) -> Result:
    result = invoke("verify", "--trust", TRUST, "--at", AT, *args, stdin=stdin)
    if code is not None:
        assert result.exit_code == code, (result.stdout, result.stderr)
    return result


@pytest.fixture(scope="module")
def valid() -> list[str]:
    if len(VALID) < 5 or not BAD_SIGNATURE.exists():
        pytest.skip("samples/pint is incomplete")
    return [str(p) for p in VALID]


def _bad_entry_0(folder: Path) -> Path:
    """1-issued.json with its only entry's signature changed: entry 0 does not verify."""
    envelope = json.loads((PINT / "valid" / "1-issued.json").read_text())
    header, payload, signature = envelope["envelopeTransferChain"][0].split(".")
    signature = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    envelope["envelopeTransferChain"][0] = f"{header}.{payload}.{signature}"
    path = folder / "bad-entry-0.json"
    path.write_text(json.dumps(envelope))
    return path


@pytest.fixture(scope="module")
def envelopes(tmp_path_factory: pytest.TempPathFactory, valid: list[str]) -> Path:
    """A directory of 30 inputs: the sample envelopes (valid, a bad signature, a bad entry 0) and hostile
    files, with numbered names, and one in a subdirectory."""
    folder = tmp_path_factory.mktemp("envelopes")
    scratch = tmp_path_factory.mktemp("scratch")
    pool = [Path(p).read_bytes() for p in valid] + [BAD_SIGNATURE.read_bytes(),
                                                     _bad_entry_0(scratch).read_bytes(), *HOSTILE.values()]
    for i in range(29):
        (folder / f"{i:03d}.json").write_bytes(pool[i % len(pool)])
    (folder / "nested").mkdir()
    (folder / "nested" / "000.json").write_bytes(pool[0])
    return folder


# --------------------------------------------------------------------------- the story

def test_the_story_of_a_valid_chain(valid: list[str]) -> None:
    path = str(PINT / "valid" / "5-accepted.json")
    out = verify(path, code=0).stdout
    lines = out.splitlines()
    assert lines[0] == f"{path}: PASS (response RECE) [strict]"
    assert "  transport document 9473b4d5…1179; TD report: 0 errors, 0 warnings (informative)" in lines
    assert any(line.startswith("  [ok ] entry 0  CAR1  signed 2026-11-02T09:00:00.000Z  ES256 key 'car1-2026' "
                               "(thumbprint, registered for CAR1)") for line in lines)
    assert "        SACC by Meridian Ocean Lines Pte. Ltd. [CAR1] SMDG:MRDX" in lines
    assert ("  holders: Nordic Timber AB [EBL1] EBL1:nordic-timber → Hanseatic Bank AG [EBL2] EBL2:hanseatic → "
            "Pacific Imports Pty Ltd [EBL2] EBL2:pacific-imports → Meridian Ocean Lines Pte. Ltd. [CAR1] SMDG:MRDX"
            ) in lines
    assert "  current holder: Meridian Ocean Lines Pte. Ltd. [CAR1] SMDG:MRDX" in lines
    assert lines[-1] == "1 input: 1 passed, 0 failed; 0 errors, 0 warnings"


def test_a_failing_chain_establishes_no_holder(valid: list[str]) -> None:
    out = verify(str(BAD_SIGNATURE), code=1).stdout
    assert f"{BAD_SIGNATURE}: FAIL (response BSIG) [strict]" in out
    assert "PINT-JWS-BAD-SIGNATURE [BSIG] at /envelopeTransferChain/1" in out
    assert "  current holder: not established\n" in out
    assert "current holder: Nordic" not in out


def test_never_entry_minus_one(tmp_path: Path, valid: list[str]) -> None:
    out = verify(str(_bad_entry_0(tmp_path)), code=1).stdout
    assert "current holder: not established" in out and "PINT-JWS-BAD-SIGNATURE" in out
    assert "entry -1" not in out


def test_warnings_fail_only_when_asked(valid: list[str]) -> None:
    early = ["--at", BEFORE, valid[0]]  # the transactions lie after the verification time
    plain = verify(*early, code=0).stdout
    assert ": WARN (response RECE)" in plain and "PINT-TIME-FUTURE" in plain
    assert verify(*early, "--strict", code=1).stdout.startswith(f"{valid[0]}: WARN")
    verify(*early, "--fail-on", "warning", code=1)
    verify(*early, "--fail-on", "error", code=0)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An envelope whose transport document breaks the eBL rules (the chain itself is sound), and its
    trust folder."""
    folder = tmp_path_factory.mktemp("simulated")
    world = World()
    chain = RawChain(world, td=sample_td()).issue().add("TRANSFER", "alice", "bob")
    (folder / "env.json").write_text(json.dumps(chain.envelope()))
    trust = folder / "trust"
    trust.mkdir()
    for platform, key in world.keys.items():
        (trust / f"{platform}.public.jwk").write_text(json.dumps(key.public.jwk()))
    (trust / "registry.csv").write_bytes(registry_csv(world.keys))
    return folder / "env.json", trust


def test_show_document_lists_the_transport_documents_findings(simulated: tuple[Path, Path]) -> None:
    envelope, trust = simulated
    td = etr.validate(json.loads(envelope.read_text())["transportDocument"], family="dcsa-ebl")
    assert not td.valid  # the sample TD is not a valid eBL: the test needs findings to list
    args = ["verify", str(envelope), "--trust", str(trust), "--at", "2026-12-01T00:00:00Z"]
    plain = invoke(*args)
    assert plain.exit_code == 0, plain.stdout  # the TD's findings are informative
    assert "(informative; --show-document lists them)" in plain.stdout
    assert not re.search(r"^    (error|warning|info) ", plain.stdout, re.MULTILINE)  # no TD finding listed
    shown = invoke(*args, "--show-document").stdout.splitlines()
    start = shown.index(f"    TD report [dcsa-ebl {td.version}]:")
    listed = shown[start + 1:start + 1 + len(td.findings)]
    assert [line.split()[1].rstrip(":") for line in listed] == [f.code for f in td.findings]
    assert all(line.startswith("    ") for line in listed)


def test_show_document_on_a_clean_document(valid: list[str]) -> None:
    out = verify(valid[0], "--show-document", code=0).stdout
    assert "    TD report [dcsa-ebl 3.0.4]: no findings" in out


# --------------------------------------------------------------------------- the loader

@pytest.mark.parametrize(("args", "code"), [
    (["{missing}"], "LOAD-NOT-FOUND"),
    (["--max-bytes", "100", "{valid}"], "LOAD-TOO-LARGE"),
    (["--max-depth", "3", "{valid}"], "LOAD-JSON-DEPTH"),
    (["{empty}"], "LOAD-EMPTY"),
    (["{dup}"], "LOAD-JSON-DUPLICATE-KEY"),
])
def test_unreadable_inputs_give_their_load_finding(tmp_path: Path, valid: list[str], args: list[str],
                                                   code: str) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "dup.json").write_bytes(HOSTILE["dup.json"])
    names = {"missing": str(tmp_path / "missing.json"), "valid": valid[0], "empty": str(tmp_path / "empty.json"),
             "dup": str(tmp_path / "dup.json")}
    filled = [a.format(**names) for a in args]
    text = verify(*filled, code=1).stdout
    assert f": FAIL (response BENV) [strict]\n  current holder: not established\n  error   {code}" in text
    assert "malformed" not in text
    result = json.loads(verify("--format", "jsonl", *filled, code=1).stdout)
    assert result["outcome"] == "FAIL" and [f["code"] for f in result["findings"]] == [code]
    assert result["entries"] == [] and result["currentHolder"] is None
    assert_conforms(result, VERIFICATION)


def test_stdin(valid: list[str]) -> None:
    data = Path(valid[1]).read_bytes()
    out = json.loads(verify("--format", "jsonl", "-", stdin=data, code=0).stdout)
    assert out["source"] == "<stdin>" and out["outcome"] == "PASS"
    mixed = verify("--format", "jsonl", "-j", "2", valid[0], "-", valid[0], stdin=data, code=0)
    assert [json.loads(line)["source"] for line in mixed.stdout.splitlines()] == [valid[0], "<stdin>", valid[0]]
    assert "LOAD-JSON-DUPLICATE-KEY" in verify("-", stdin=HOSTILE["dup.json"], code=1).stdout


# --------------------------------------------------------------------------- usage

@pytest.mark.parametrize("args", [
    ["verify", "--trust", TRUST, "--schema-version", "9.9.9", "{valid}"],
    ["verify", "--trust", TRUST, "--at", "yesterday", "{valid}"],
    ["verify", "--trust", TRUST, "--mode", "lenient", "{valid}"],
    ["verify", "--trust", TRUST, "--strict", "--fail-on", "error", "{valid}"],
    ["verify", "--trust", TRUST, "--format", "yaml", "{valid}"],
    ["verify", "--trust", TRUST, "-j", "0", "{valid}"],
    ["verify", "--trust", TRUST, "--max-bytes", "0", "{valid}"],
    ["verify", "--trust", TRUST, "--trust", "{missing}", "{valid}"],
    ["verify", "--trust", TRUST],
    ["verify", "--trust", TRUST, "--expect-recipient", "{missing}", "{valid}"],
], ids=["bad-schema-version", "bad-at", "bad-mode", "strict-vs-fail-on", "bad-format", "zero-jobs",
        "zero-bytes", "missing-trust-path", "no-inputs", "missing-party-file"])
def test_exit_2_on_usage_errors(tmp_path: Path, valid: list[str], args: list[str]) -> None:
    filled = [a.format(valid=valid[0], missing=str(tmp_path / "missing.json")) for a in args]
    result = invoke(*filled)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == "" and result.stderr.strip() and "Traceback" not in result.stderr


def test_unknown_schema_version_names_the_choices(valid: list[str]) -> None:
    result = invoke("verify", "--trust", TRUST, "--schema-version", "9.9.9", valid[0])
    assert "ETR-UNKNOWN-VERSION" in result.stderr and "3.0.4" in result.stderr


@pytest.mark.parametrize("make", ["empty-directory", "directory-without-documents", "pattern"])
def test_a_directory_or_pattern_without_input_is_a_usage_error(tmp_path: Path, valid: list[str], make: str) -> None:
    target = str(tmp_path)
    if make == "directory-without-documents":
        (tmp_path / "readme.txt").write_text("no envelope here")
    elif make == "pattern":
        target = str(tmp_path / "*.json")
    for fmt in ("text", "json", "jsonl"):
        result = verify("--format", fmt, valid[0], target, code=2)
        assert "no input" in result.stderr and result.stdout == ""


def test_an_envelope_without_trust_fails_alone_and_the_batch_goes_on(valid: list[str]) -> None:
    """Without --trust an envelope cannot be verified: it FAILs with PINT-NO-TRUST (exit 1), one result per
    input, so a batch that also holds OpenAttestation documents (which need no trust store) is not aborted."""
    result = invoke("verify", "--format", "jsonl", valid[0], valid[1])
    assert result.exit_code == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["outcome"] for line in lines] == ["FAIL", "FAIL"]
    assert all(line["findings"][0]["code"] == "PINT-NO-TRUST" for line in lines)


def test_a_trust_file_that_cannot_be_read_exits_1(tmp_path: Path, valid: list[str]) -> None:
    (tmp_path / "broken.jwk").write_text("{not json")
    result = invoke("verify", "--trust", str(tmp_path / "broken.jwk"), valid[0])
    assert result.exit_code == 1 and result.stdout == "" and "KEY-" in result.stderr


def test_help_lists_verify_exit_statuses_only() -> None:
    text = " ".join(invoke("verify", "--help").stdout.split())
    assert "0 no input fails" in text and "1 at least one input FAILs" in text and "2 usage error" in text
    assert "PINT-NO-TRUST" in text and "OpenAttestation" in text
    assert "BSIG" in text and "--show-document" in text and "--schema-version" in text
    assert "--family" not in text and "unknown family" not in text


def test_verbose_after_the_subcommand(monkeypatch: pytest.MonkeyPatch, valid: list[str]) -> None:
    import etr.cli.run

    def run_batch(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(etr.cli.run, "run_batch", run_batch)
    for args in (["-v", "verify", "--trust", TRUST, valid[0]], ["verify", "-v", "--trust", TRUST, valid[0]],
                 ["verify", "--trust", TRUST, valid[0], "-v"]):
        result = invoke(*args)
        assert result.exit_code == 1 and "Traceback (most recent call last)" in result.stderr, args
    assert "Traceback" not in invoke("verify", "--trust", TRUST, valid[0]).stderr


# --------------------------------------------------------------------------- batches: the same surface as validate

def test_a_batch_keeps_order_and_ends_with_the_summary(envelopes: Path) -> None:
    out = verify(str(envelopes), code=1).stdout
    headers = [line for line in out.splitlines() if line and not line.startswith(" ")]
    expected = [str(envelopes / f"{i:03d}.json") for i in range(29)] + [str(envelopes / "nested" / "000.json")]
    assert [h.split(": ")[0] for h in headers[:-1]] == expected
    run = json.loads(verify("--format", "json", str(envelopes), code=1).stdout)
    summary = run["summary"]
    assert headers[-1].startswith(f"30 inputs: {summary['passed']} passed, {summary['failed']} failed; "
                                  f"{summary['findings']['error']} errors, {summary['findings']['warning']} "
                                  "warning")
    assert "; top codes: " in headers[-1] and f"{summary['topCodes'][0]['code']} " in headers[-1]


def test_quiet_prints_only_failing_envelopes_and_the_summary(valid: list[str]) -> None:
    out = verify("-q", *valid, str(BAD_SIGNATURE), code=1).stdout
    assert out.startswith(f"{BAD_SIGNATURE}: FAIL")
    assert not any(p in out for p in valid)
    assert "info    PINT-STATE-UNVERIFIED" not in out  # -q leaves out info findings
    assert out.splitlines()[-1].startswith(f"{len(valid) + 1} inputs: {len(valid)} passed, 1 failed; ")
    assert verify("-q", *valid, code=0).stdout == f"{len(valid)} inputs: {len(valid)} passed, 0 failed; " \
                                                  "0 errors, 0 warnings\n"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "text"])
def test_jobs_keep_order_and_content(envelopes: Path, fmt: str) -> None:
    serial = verify("--format", fmt, "-j", "1", str(envelopes), code=1)
    parallel = verify("--format", fmt, "-j", "2", str(envelopes), code=1)
    assert parallel.stdout == serial.stdout and parallel.stderr == ""


@pytest.mark.parametrize("extra", [[], ["-j", "2"], ["--strict"], ["-q"], ["--mode", "legacy"], ["--no-td"]],
                         ids=["default", "jobs", "strict", "quiet", "legacy", "no-td"])
def test_every_json_output_conforms(envelopes: Path, valid: list[str], tmp_path: Path, extra: list[str]) -> None:
    inputs = [*valid, str(BAD_SIGNATURE), str(envelopes), str(tmp_path / "missing.json"), "-"]
    result = verify("--format", "json", *extra, *inputs, stdin=HOSTILE["nan.json"], code=1)
    run = json.loads(result.stdout)
    assert_conforms(run)
    assert list(run) == ["format", "formatVersion", "etrVersion", "command", "reports", "summary", "outcome"]
    assert run["command"] == "verify" and run["formatVersion"] == "2.0" and run["outcome"] == "FAIL"
    assert run["summary"]["inputs"] == len(run["reports"]) == len(valid) + 1 + 30 + 2
    assert all(list(r)[:3] == ["kind", "source", "outcome"] for r in run["reports"])
    assert {r["outcome"] for r in run["reports"]} >= {"PASS", "FAIL"}


@pytest.mark.parametrize("extra", [[], ["-j", "2"]], ids=["serial", "jobs"])
def test_every_jsonl_line_conforms(envelopes: Path, extra: list[str]) -> None:
    lines = verify("--format", "jsonl", *extra, str(envelopes), code=1).stdout.splitlines()
    assert len(lines) == 30
    for line in lines:
        result = json.loads(line)
        assert result["formatVersion"] == "2.0" and result["kind"] == "verification"
        assert_conforms(result)


def test_options_reach_the_worker_processes(valid: list[str]) -> None:
    """Every verification option travels through the pool (-j 2) as it does in one process."""
    args = ["--format", "jsonl", "-j", "2", *([valid[1]] * 40)]
    for extra, check in [
        (["--mode", "legacy"], lambda r: r["mode"] == "legacy"),
        (["--no-td"], lambda r: r["tdReport"] is None),
        (["--at", "2026-12-24T12:00:00Z"], lambda r: r["verifiedAt"] == "2026-12-24T12:00:00.000Z"),
        (["--expect-recipient", "EBL1"], lambda r: "PINT-RECIPIENT-MISMATCH" in {f["code"] for f in r["findings"]}),
        (["--carrier-platform", "EBL2"], lambda r: r["issuance"]["carrierPlatform"] == "EBL2"),
    ]:
        results = [json.loads(line) for line in verify(*extra, *args).stdout.splitlines()]
        assert len(results) == 40 and all(check(r) for r in results), extra


def test_one_verification_time_for_the_whole_run(valid: list[str]) -> None:
    out = invoke("verify", "--trust", TRUST, "--format", "jsonl", "-j", "2", *([valid[0]] * 70)).stdout
    assert len({json.loads(line)["verifiedAt"] for line in out.splitlines()}) == 1


def test_schema_version_is_passed_to_the_verifier(monkeypatch: pytest.MonkeyPatch, valid: list[str]) -> None:
    import etr.transfer.verify

    real = etr.transfer.verify.verify_envelope
    seen: list[str | None] = []

    def spy(*args: Any, td_version: str | None = None, **kwargs: Any) -> Any:
        seen.append(td_version)
        return real(*args, **kwargs)

    monkeypatch.setattr(etr.transfer.verify, "verify_envelope", spy)
    verify("--schema-version", "3.0.2", valid[0], valid[1], code=0)
    verify(valid[0], code=0)
    assert seen == ["3.0.2", "3.0.2", None]


def test_schema_version_applies_to_the_transport_document(valid: list[str]) -> None:
    result = json.loads(verify("--format", "jsonl", "--schema-version", "3.0.2", valid[0], code=0).stdout)
    assert result["tdReport"]["version"] == "3.0.2"


def test_documents_and_issue_to_options(tmp_path: Path, valid: list[str]) -> None:
    unrelated = tmp_path / "invoice.pdf"
    unrelated.write_bytes(b"%PDF-1.7 not in the manifest")
    result = json.loads(verify("--format", "jsonl", "--document", str(unrelated), valid[0]).stdout)
    assert {d["status"] for d in result["manifest"]["documents"]} == {"unrelated"}
    party = tmp_path / "issue-to.json"
    party.write_text(json.dumps({"partyName": "Someone Else", "sendToPlatform": "EBL9"}))
    result = json.loads(verify("--format", "jsonl", "--issue-to", str(party), valid[0], code=1).stdout)
    assert result["issuance"]["issueToVerified"] is False


# --------------------------------------------------------------------------- a terminal

@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pseudo-terminal")
def test_progress_bar_is_cleared_before_results_and_summary(envelopes: Path, tmp_path: Path) -> None:
    raw = run_in_terminal(["verify", "--trust", TRUST, "--at", AT, str(envelopes)], cwd=tmp_path)
    headers = re.compile(re.escape(str(envelopes).encode()) + rb"/(?:nested/)?\d{3}\.json: [A-Z_]+ \(|\d+ inputs: ")
    assert_no_line_starts_mid_bar(raw, headers)
    assert [line for line in screen(raw) if line][-1].startswith("30 inputs: ")


def test_output_is_utf8_whatever_the_file_names(tmp_path: Path, valid: list[str]) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    try:
        with open(os.fsencode(folder) + b"/\xff-env.json", "wb") as fh:
            fh.write(Path(valid[0]).read_bytes())
    except OSError:
        pytest.skip("this file system refuses file names that are not UTF-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run([sys.executable, "-m", "etr", "verify", "--trust", TRUST, "--at", AT, "--format", "jsonl",
                           str(folder)], capture_output=True, env=env, cwd=tmp_path, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.decode("utf-8"))
    assert result["source"] == f"{folder}/\\xff-env.json" and result["outcome"] == "PASS"


# --------------------------------------------------------------------------- the installed command

@pytest.fixture
def copied(tmp_path: Path, valid: list[str]) -> Iterator[Path]:
    shutil.copytree(PINT, tmp_path / "pint")
    yield tmp_path


def test_python_dash_m_etr_verify(copied: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run([sys.executable, "-m", "etr", "verify", "pint/valid", "--trust", "pint/trust", "--at", AT,
                           "-j", "2"], capture_output=True, text=True, env=env, cwd=copied, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines()[-1] == "5 inputs: 5 passed, 0 failed; 0 errors, 0 warnings"
