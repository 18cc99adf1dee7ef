"""``etr assess`` through the command line: the table a lawyer and an engineer read, exit statuses
(FAIL -> 1; --fail-on warn / not-evaluable), every format (text, json, jsonl, html) against its schema,
inputs (files, directories, globs, -), -j N, the attestation and the registry options, hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import mletr_world as mw
import pytest
from click.testing import CliRunner, Result
from pint_simulator import World
from report_schemas import assert_conforms

from etr.cli import main

REPO = Path(__file__).resolve().parents[2]
PINT = REPO / "samples" / "pint"
TRUST = str(PINT / "trust")
SAMPLE = str(PINT / "valid" / "5-accepted.json")
ATTESTATION = str(REPO / "samples" / "mletr" / "attestation.toml")
AT = "2026-12-01T00:00:00Z"


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def assess(*args: str, code: int | None = None, stdin: bytes | None = None) -> Result:
    result = invoke("assess", "--at", AT, *args, stdin=stdin)
    if code is not None:
        assert result.exit_code == code, (result.stdout, result.stderr)
    return result


@pytest.fixture(scope="module")
def chains(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Simulated envelopes as files, and the simulator's trust material (keys + registry)."""
    world = World()
    folder = tmp_path_factory.mktemp("chains")
    out: dict[str, Path] = {}
    for name, build in (("clean", mw.clean_life_cycle), ("fork", mw.forked_chain), ("backwards", mw.time_backwards),
                        ("live", mw.live_chain)):
        path = folder / f"{name}.json"
        path.write_text(json.dumps(build(world)[0]))
        out[name] = path
    trust = tmp_path_factory.mktemp("trust")
    for platform, key in world.keys.items():
        (trust / f"{platform}.jwk").write_text(json.dumps(key.public.jwk()))
    from pint_simulator import registry_csv

    (trust / "platforms.csv").write_bytes(registry_csv(world.keys))
    out["trust"] = trust
    return out


def test_the_table_on_the_sample_envelope() -> None:
    out = assess(SAMPLE, "--trust", TRUST, code=0).stdout
    lines = out.splitlines()
    assert lines[0] == (f"{SAMPLE}: ATTESTATION_REQUIRED [MLETR] bill of lading (DCSA PINT envelope): "
                        "transferable record")
    row = next(i for i, line in enumerate(lines) if line.startswith("  R10-1b-iii-INTEGRITY"))
    assert lines[row].split()[:2] == ["R10-1b-iii-INTEGRITY", "PASS"]
    assert "MLETR art. 10(1)(b)(iii); MLETR art. 10(2)" in lines[row]
    assert lines[row + 1].startswith("      SHA-256 of the RFC 8785 transport document")
    assert any(line.split()[:2] == ["R12-b-PROVEN-IN-FACT", "ATTESTATION_REQUIRED"] for line in lines)
    assert any("not a finding of compliance" in line for line in lines)
    assert "current holder: Meridian Ocean Lines Pte. Ltd." in out
    assert lines[-1] == "1 input: 1 passed, 0 failed; 0 errors, 0 warnings"


def test_profiles_change_the_list_and_the_references() -> None:
    uk = assess(SAMPLE, "--trust", TRUST, "--profile", "uk-etda-2023", code=0).stdout
    assert "[ETDA 2023]" in uk.splitlines()[0] and "R12-b-PROVEN-IN-FACT" not in uk and "ETDA 2023 s.2(2)(c)" in uk
    sg = assess(SAMPLE, "--trust", TRUST, "--profile", "sg-eta-2021", "--attestation", ATTESTATION, code=0).stdout
    line = next(li for li in sg.splitlines() if li.startswith("  R-SG-PRESUMPTION"))
    assert line.split()[:3] == ["R-SG-PRESUMPTION", "PASS", "(attestation)"]
    assert invoke("assess", SAMPLE, "--profile", "mletr-2099").exit_code == 2


def test_exit_status_follows_fail_rows_and_fail_on(chains: dict[str, Path]) -> None:
    trust = str(chains["trust"])
    assess(str(chains["clean"]), "--trust", trust, code=0)  # no attestation: ATTESTATION_REQUIRED rows, exit 0
    assess(str(chains["fork"]), "--trust", trust, code=1)
    assess(str(chains["backwards"]), "--trust", trust, code=0)  # WARN only
    assess(str(chains["backwards"]), "--trust", trust, "--fail-on", "warn", code=1)
    assess(str(chains["clean"]), "--trust", trust, "--fail-on", "warn", code=0)
    assess(str(chains["clean"]), "--fail-on", "warn", code=0)  # no trust: NOT_EVALUABLE rows
    assess(str(chains["clean"]), "--fail-on", "not-evaluable", code=1)
    assess(str(chains["clean"]), "--trust", trust, "--fail-on", "not-evaluable", code=0)


def test_a_failing_row_names_its_evidence(chains: dict[str, Path]) -> None:
    lines = assess(str(chains["fork"]), "--trust", str(chains["trust"]), code=1).stdout.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("  R11-1a-EXCLUSIVE"))
    assert lines[row].split()[:2] == ["R11-1a-EXCLUSIVE", "FAIL"]
    assert lines[row + 2].startswith("      evidence: PINT-CHAIN-FORK at /envelopeTransferChain/")
    assert lines[-1].startswith("1 input: 0 passed, 1 failed;") and "MLETR-R11-1A-EXCLUSIVE" in lines[-1]


def test_json_run_document_and_jsonl(chains: dict[str, Path]) -> None:
    trust = str(chains["trust"])
    out = assess(str(chains["clean"]), str(chains["fork"]), "--trust", trust, "--format", "json", code=1).stdout
    run = json.loads(out)
    assert_conforms(run)
    assert run["command"] == "assess" and run["outcome"] == "FAIL"
    assert [r["outcome"] for r in run["reports"]] == ["ATTESTATION_REQUIRED", "FAIL"]
    assert run["summary"]["failed"] == 1
    fork = run["reports"][1]
    rows = {r["id"]: r for r in fork["requirements"]}
    assert rows["R11-1a-EXCLUSIVE"]["outcome"] == "FAIL"
    assert rows["R11-1a-EXCLUSIVE"]["evidence"][0]["ref"].startswith("PINT-CHAIN-FORK")
    lines = assess(str(chains["clean"]), "--trust", trust, "--format", "jsonl", code=0).stdout.splitlines()
    assert len(lines) == 1
    assert_conforms(json.loads(lines[0]))


def test_inputs_directories_globs_stdin_and_jobs(chains: dict[str, Path]) -> None:
    trust = str(chains["trust"])
    folder = str(chains["clean"].parent)
    one = json.loads(assess(folder, "--trust", trust, "--attestation", ATTESTATION, "--format", "json").stdout)
    many = json.loads(assess(folder, "--trust", trust, "--attestation", ATTESTATION, "--format", "json",
                             "-j", "2").stdout)
    assert [r["source"] for r in one["reports"]] == [r["source"] for r in many["reports"]]
    assert [r["requirements"] for r in one["reports"]] == [r["requirements"] for r in many["reports"]]
    assert one["reports"][0]["attestation"]["statements"]
    globbed = json.loads(assess(f"{folder}/f*.json", "--trust", trust, "--format", "json").stdout)
    assert [Path(r["source"]).name for r in globbed["reports"]] == ["fork.json"]
    piped = assess("-", "--trust", trust, "--format", "json", stdin=chains["clean"].read_bytes(), code=0)
    assert json.loads(piped.stdout)["reports"][0]["source"] == "<stdin>"
    assert assess(f"{folder}/nothing*.json").exit_code == 2


def test_attestation_and_registry_options(tmp_path: Path, chains: dict[str, Path],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    trust = str(chains["trust"])
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 'nope'\n")
    result = assess(str(chains["clean"]), "--trust", trust, "--attestation", str(bad), code=2)
    assert "MLETR-ATTESTATION-INVALID" in result.stderr
    result = assess(str(chains["clean"]), "--attestation", str(tmp_path / "missing.toml"), code=2)
    assert "MLETR-ATTESTATION-UNREADABLE" in result.stderr
    result = assess(str(chains["clean"]), "--trust", trust, "--registry", "ftp://example/registry", code=2)
    assert "REG-URL" in result.stderr
    import sys

    monkeypatch.setitem(sys.modules, "etr.registry", None)
    result = assess(str(chains["clean"]), "--trust", trust, "--registry", "sqlite:///x.db", code=2)
    assert "MLETR-REGISTRY-UNAVAILABLE" in result.stderr


def test_hostile_inputs_are_rows_never_tracebacks(tmp_path: Path) -> None:
    files = {"empty.json": b"", "dup.json": b'{"a": 1, "a": 2}', "deep.json": b"[" * 10_000 + b"]" * 10_000,
             "laughs.xml": b'<!DOCTYPE l [<!ENTITY a "aaaa">]><l>&a;</l>', "prose.json": b"not json",
             "chain.json": b'{"transportDocument": {"a": 1}, "envelopeTransferChain": ["x.y.z", 7], '
                           b'"envelopeManifestSignedContent": "a.b.c"}'}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    result = assess(str(tmp_path), "--trust", TRUST, "--format", "json")
    assert result.exit_code == 1
    run = json.loads(result.stdout)
    assert_conforms(run)
    assert len(run["reports"]) == len(files)
    by_name = {Path(r["source"]).name: r for r in run["reports"]}
    assert by_name["dup.json"]["findings"][0]["code"].startswith("LOAD-")
    assert by_name["chain.json"]["classification"]["family"] == "dcsa-pint"


def test_text_escapes_what_a_document_says(tmp_path: Path) -> None:
    doc = mw.td()
    doc["transportDocumentTypeCode"] = "SWB"
    path = tmp_path / "evil\x1b[31m.json"
    path.write_text(json.dumps(doc))
    out = assess(str(path)).stdout
    assert "\x1b" not in out and "\\x1b" in out


def test_html_is_one_document_with_every_value_escaped(tmp_path: Path, chains: dict[str, Path]) -> None:
    world = World()
    path = tmp_path / "<b>hostile.json"
    path.write_text(json.dumps(mw.hostile_party(world)[0]))
    copy = tmp_path / "clean.json"
    copy.write_bytes(chains["clean"].read_bytes())
    out = assess(str(copy), str(path), "--trust", str(chains["trust"]), "--format", "html", code=0).stdout
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert "<script" not in out and "<i>" not in out and "<b>" not in out
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in out and "&lt;b&gt;hostile" in out
    assert out.count('<section class="assessment"') == 2
    assert 'data-requirement="R10-1b-iii-INTEGRITY" data-outcome="PASS"' in out
    assert "not a finding of compliance" in out
