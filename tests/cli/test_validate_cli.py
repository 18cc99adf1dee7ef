"""``etr validate`` (and its siblings) through the command line: exit codes, streams, formats, order."""

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
from terminal import BAR, assert_no_line_starts_mid_bar, run_in_terminal, screen

import etr
from etr.cli import main

REPO = Path(__file__).resolve().parents[2]
VALID = sorted((REPO / "samples" / "ebl" / "valid").glob("*.json"))
INVALID = sorted((REPO / "samples" / "ebl" / "invalid").glob("*.json"))
#: Named after the warning it raises, and raising nothing worse.
WARNING_ONLY = REPO / "samples" / "ebl" / "invalid" / "EBL-ISO6346-CHECK-DIGIT.json"

HOSTILE: dict[str, bytes] = {
    "laughs.xml": b'<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
    "xxe.xml": b'<!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]><f>&x;</f>',
    "deep.xml": b"<a>" * 5000 + b"</a>" * 5000,
    "deep.json": b"[" * 10_000 + b"]" * 10_000,
    "dup.json": b'{"a": 1, "a": 2}',
    "nan.json": b'{"a": NaN}',
    "utf8.json": b'{"a": "\xff"}',
    "utf16.json": '{"a": 1}'.encode("utf-16"),
    "surrogate.json": b'["\\udc00"]',
    "empty.json": b"",
    "bigint.json": b"[" + b"7" * 100_000 + b"]",
    "truncated.json": b'{"transportDocumentReference": ',
    "prose.json": b"not a document",
    "header.pdf": b"%PDF-1.7\n",
    "unknown.json": b'{"hello": "world"}',
}


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin)
    # Every outcome leaves through SystemExit; anything else escaped the error boundary.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def valid() -> list[str]:
    if not VALID:
        pytest.skip("no samples/ebl/valid/*.json")
    return [str(p) for p in VALID]


@pytest.fixture(scope="module")
def invalid() -> str:
    """An invalid sample that has an error finding."""
    for path in INVALID:
        if not etr.validate(path).valid:
            return str(path)
    pytest.skip("no invalid sample with an error")


@pytest.fixture(scope="module")
def warning_only() -> str:
    if not WARNING_ONLY.exists():
        pytest.skip(f"{WARNING_ONLY.name} missing")
    report = etr.validate(WARNING_ONLY)
    assert report.valid and report.count(etr.Severity.WARNING) >= 1, report.codes
    return str(WARNING_ONLY)


@pytest.fixture(scope="module")
def info_only(tmp_path_factory: pytest.TempPathFactory, valid: list[str]) -> str:
    """A valid document whose only finding is an info (a UTF-8 byte order mark)."""
    path = tmp_path_factory.mktemp("info") / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + Path(valid[0]).read_bytes())
    report = etr.validate(path)
    assert report.valid and report.codes == ("LOAD-BOM",)
    return str(path)


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, data in HOSTILE.items():
        (folder / name).write_bytes(data)
    return folder


# --------------------------------------------------------------------------- exit codes

def test_exit_0_on_valid_samples(valid: list[str]) -> None:
    result = invoke("validate", *valid)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert f"{len(valid)} inputs: {len(valid)} passed, 0 failed; 0 errors, 0 warnings\n" in result.stdout


def test_exit_1_on_an_invalid_sample(valid: list[str], invalid: str) -> None:
    result = invoke("validate", *valid, invalid)
    assert result.exit_code == 1
    code = Path(invalid).stem
    assert f"{invalid}: FAIL" in result.stdout and code in result.stdout


def test_exit_1_on_hostile_inputs_without_traceback(valid: list[str], hostile_dir: Path) -> None:
    for name in HOSTILE:
        result = invoke("validate", valid[0], str(hostile_dir / name))
        assert result.exit_code == 1, (name, result.stdout)
        assert f"{hostile_dir / name}: FAIL" in result.stdout
        assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
        assert "root:" not in result.stdout
    result = invoke("-v", "validate", str(hostile_dir))
    assert result.exit_code == 1 and "Traceback" not in result.stderr


def test_exit_1_on_a_missing_file(valid: list[str], tmp_path: Path) -> None:
    result = invoke("validate", valid[0], str(tmp_path / "nope.json"))
    assert result.exit_code == 1
    assert "LOAD-NOT-FOUND" in result.stdout


@pytest.mark.parametrize("args", [
    ["validate", "--bogus", "x.json"],
    ["validate", "--family", "bogus", "x.json"],
    ["validate", "--family", "dcsa-ebl", "--schema-version", "9.9.9", "x.json"],
    ["validate"],
    ["validate", "--format", "yaml", "x.json"],
    ["validate", "-j", "0", "x.json"],
    ["validate", "--strict", "--fail-on", "error", "x.json"],
    ["validate", "--max-bytes", "0", "x.json"],
    ["no-such-command"],
    ["--bogus"],
], ids=["unknown-option", "bogus-family", "bogus-version", "no-paths", "bad-format", "zero-jobs",
        "strict-vs-fail-on", "zero-bytes", "unknown-command", "unknown-global-option"])
def test_exit_2_on_usage_errors(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""
    assert result.stderr.strip() != ""
    assert "Traceback" not in result.stderr


def test_unknown_version_names_the_choices() -> None:
    result = invoke("validate", "--family", "dcsa-ebl", "--schema-version", "9.9.9", "x.json")
    assert "ETR-UNKNOWN-VERSION" in result.stderr and "3.0.4" in result.stderr


def test_known_version(valid: list[str]) -> None:
    result = invoke("validate", "--family", "dcsa-ebl", "--schema-version", "3.0.4", "--format", "jsonl", valid[0])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["version"] == "3.0.4"


def test_forced_family_on_foreign_json(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_bytes(b'{"hello": "world"}')
    assert "DETECT-UNKNOWN" in invoke("validate", str(path)).stdout
    forced = invoke("validate", "--family", "dcsa-ebl", "--format", "jsonl", str(path))
    assert forced.exit_code == 1
    report = json.loads(forced.stdout)
    assert report["family"] == "dcsa-ebl" and "DETECT-UNKNOWN" not in {f["code"] for f in report["findings"]}


def test_strict_turns_warnings_into_failures(warning_only: str) -> None:
    plain = invoke("validate", warning_only)
    assert plain.exit_code == 0, plain.stdout
    assert "EBL-ISO6346-CHECK-DIGIT" in plain.stdout
    assert invoke("validate", "--strict", warning_only).exit_code == 1
    assert invoke("validate", "--fail-on", "warning", warning_only).exit_code == 1
    assert invoke("validate", "--fail-on", "error", warning_only).exit_code == 0


def test_fail_on_info(info_only: str, valid: list[str]) -> None:
    assert invoke("validate", info_only).exit_code == 0
    assert invoke("validate", "--strict", info_only).exit_code == 0
    assert invoke("validate", "--fail-on", "warning", info_only).exit_code == 0
    result = invoke("validate", "--fail-on", "info", info_only)
    assert result.exit_code == 1 and "LOAD-BOM" in result.stdout
    assert invoke("validate", "--fail-on", "info", valid[0]).exit_code == 0  # no finding at all


# --------------------------------------------------------------------------- streams and formats

def test_results_on_stdout_only(valid: list[str], invalid: str, hostile_dir: Path) -> None:
    for fmt in ("text", "json", "jsonl"):
        result = invoke("validate", "--format", fmt, *valid, invalid, str(hostile_dir))
        assert result.exit_code == 1
        assert result.stderr == "", result.stderr
        assert invalid in result.stdout


def test_text_is_grouped_by_input(invalid: str, hostile_dir: Path) -> None:
    result = invoke("validate", invalid, str(hostile_dir / "dup.json"))
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{invalid}: FAIL [dcsa-ebl ")
    header = next(i for i, line in enumerate(lines) if line.startswith(f"{hostile_dir / 'dup.json'}: FAIL"))
    assert "unrecognised" in lines[header]
    assert lines[header + 1].split()[:2] == ["error", "LOAD-JSON-DUPLICATE-KEY:"]
    assert all(line.startswith("  ") for line in lines[1:header])
    assert lines[-1].startswith("2 inputs: 0 passed, 2 failed; ")


def test_json_is_one_document(valid: list[str], invalid: str) -> None:
    result = invoke("validate", "--format", "json", *valid, invalid)
    run = json.loads(result.stdout)
    assert list(run) == ["format", "formatVersion", "etrVersion", "command", "reports", "summary", "outcome"]
    assert [r["source"] for r in run["reports"]] == [*valid, invalid]
    assert all(list(r)[:3] == ["kind", "source", "outcome"] and r["kind"] == "validation" for r in run["reports"])
    summary = run["summary"]
    assert (summary["inputs"], summary["passed"], summary["failed"]) == (len(valid) + 1, len(valid), 1)
    errors = etr.validate(invalid).count(etr.Severity.ERROR)
    assert summary["findings"]["error"] == errors >= 1
    assert summary["topCodes"][0]["code"] == Path(invalid).stem
    assert run["outcome"] == "FAIL" and run["command"] == "validate"


@pytest.mark.parametrize("make", ["empty-directory", "directory-without-documents", "pattern"])
def test_a_directory_or_pattern_without_input_is_a_usage_error(tmp_path: Path, make: str, valid: list[str]) -> None:
    target = str(tmp_path)
    if make == "directory-without-documents":
        (tmp_path / "notes.txt").write_text("not read when a directory is walked")
        (tmp_path / "sub").mkdir()
    elif make == "pattern":
        target = str(tmp_path / "*.json")
    for fmt in ("text", "json", "jsonl"):
        result = invoke("validate", "--format", fmt, valid[0], target)
        assert result.exit_code == 2, (make, result.stdout, result.stderr)
        assert "no input" in result.stderr and "ETR-NO-INPUT" in result.stderr
        assert result.stdout == ""  # checked before anything is written


def test_a_named_missing_file_is_still_a_finding(tmp_path: Path) -> None:
    result = invoke("validate", "--format", "jsonl", str(tmp_path / "missing.json"))
    assert result.exit_code == 1
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["LOAD-NOT-FOUND"]


def test_jsonl_is_one_object_per_input_in_order(valid: list[str], invalid: str, hostile_dir: Path) -> None:
    names = sorted(HOSTILE)
    paths = [invalid, *valid, *(str(hostile_dir / n) for n in names), valid[0]]
    result = invoke("validate", "--format", "jsonl", *paths)
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"] for r in reports] == paths
    assert [r["valid"] for r in reports] == [False, *([True] * len(valid)), *([False] * len(names)), True]


def test_quiet_prints_only_failing_inputs_and_the_summary(valid: list[str], invalid: str, info_only: str) -> None:
    result = invoke("validate", "--quiet", *valid, invalid, info_only)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{invalid}: FAIL")
    for path in [*valid, info_only]:
        assert path not in result.stdout
    assert result.stdout.splitlines()[-1].startswith(f"{len(valid) + 2} inputs: {len(valid) + 1} passed, 1 failed; ")
    assert invoke("validate", "-q", *valid).stdout == f"{len(valid)} inputs: {len(valid)} passed, 0 failed; " \
                                                       "0 errors, 0 warnings\n"


def test_summary_line_counts_findings_and_names_the_most_frequent_codes(invalid: str, warning_only: str) -> None:
    report = etr.validate(invalid)
    result = invoke("validate", invalid, invalid, warning_only)
    errors, warnings = 2 * report.count(etr.Severity.ERROR), 2 * report.count(etr.Severity.WARNING) + 1
    line = result.stdout.splitlines()[-1]
    assert line.startswith(f"3 inputs: 1 passed, 2 failed; {errors} error{'s' * (errors != 1)}, "
                           f"{warnings} warning{'s' * (warnings != 1)}; top codes: ")
    assert f"{Path(invalid).stem} (2)" in line and "EBL-ISO6346-CHECK-DIGIT (1)" in line


def test_stdin(valid: list[str]) -> None:
    data = Path(valid[0]).read_bytes()
    result = invoke("validate", "--format", "jsonl", "-", stdin=data)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["source"] == "<stdin>" and report["valid"] is True and report["family"] == "dcsa-ebl"
    bad = invoke("validate", "-", stdin=b'{"a": 1, "a": 2}')
    assert bad.exit_code == 1 and "<stdin>: FAIL" in bad.stdout and "LOAD-JSON-DUPLICATE-KEY" in bad.stdout
    mixed = invoke("validate", "--format", "jsonl", "-j", "2", valid[0], "-", valid[0], stdin=data)
    assert [json.loads(line)["source"] for line in mixed.stdout.splitlines()] == [valid[0], "<stdin>", valid[0]]


def test_stdin_larger_than_the_limit() -> None:
    result = invoke("validate", "--max-bytes", "1000", "-", stdin=b"[" + b"1," * 5000 + b"1]")
    assert result.exit_code == 1 and "LOAD-TOO-LARGE" in result.stdout


def test_limits_options(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b"[[[[1]]]]")
    assert "LOAD-JSON-DEPTH" in invoke("validate", "--max-depth", "3", str(path)).stdout
    assert "DETECT-UNKNOWN" in invoke("validate", "--max-depth", "4", str(path)).stdout
    assert "LOAD-TOO-LARGE" in invoke("validate", "--max-bytes", "8", str(path)).stdout


# --------------------------------------------------------------------------- parallel runs

@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory, valid: list[str]) -> Path:
    """A directory of 100 inputs: samples and hostile files, with numbered names."""
    folder = tmp_path_factory.mktemp("many")
    pool: list[bytes] = [Path(p).read_bytes() for p in [*valid, *map(str, INVALID)]] + list(HOSTILE.values())
    for i in range(100):
        (folder / f"{i:03d}.json").write_bytes(pool[i % len(pool)])
    (folder / "nested").mkdir()
    (folder / "nested" / "000.json").write_bytes(pool[0])
    return folder


@pytest.mark.parametrize("fmt", ["jsonl", "text", "json"])
def test_jobs_keep_order_and_content(many: Path, fmt: str) -> None:
    serial = invoke("validate", "--format", fmt, "-j", "1", str(many))
    parallel = invoke("validate", "--format", fmt, "-j", "2", str(many))
    assert serial.exit_code == parallel.exit_code == 1
    assert parallel.stdout == serial.stdout
    assert parallel.stderr == ""
    if fmt == "jsonl":
        sources = [json.loads(line)["source"] for line in serial.stdout.splitlines()]
        expected = [str(many / f"{i:03d}.json") for i in range(100)] + [str(many / "nested" / "000.json")]
        assert sources == expected


# --------------------------------------------------------------------------- help, version, schemas

def test_help_mentions_exit_codes() -> None:
    for args in (["--help"], ["validate", "--help"], ["-h"]):
        result = invoke(*args)
        assert result.exit_code == 0
        text = " ".join(result.stdout.split())
        assert "Exit status" in text
        assert "2 usage error" in text
    text = " ".join(invoke("validate", "--help").stdout.split())
    assert "0 no input fails" in text and "1 at least one input fails" in text
    assert "--strict" in text
    # What applies to verify only is not in validate's help.
    assert "BSIG" not in text and "--trust" not in text.lower()  # (the origin version "tradetrust" is listed)


def test_schema_version_help_lists_every_registered_familys_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    from etr import families

    text = " ".join(invoke("validate", "--help").stdout.split())
    for entry in families.REGISTRY:
        family = families.get_family(entry.name)
        assert f"{entry.name}: {', '.join(family.versions)}" in text, entry.name
    # Read from the registry when shown: a family added to it is listed without touching the CLI.
    extra = families.Entry("dcsa-ebl-copy", "etr.families.ebl:FAMILY", frozenset({"json"}))
    monkeypatch.setattr(families, "REGISTRY", (*families.REGISTRY, extra))
    text = " ".join(invoke("validate", "--help").stdout.split())
    assert "dcsa-ebl-copy: 3.0.0" in text


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["verify", "--help"], ["schemas", "--help"],
                                  ["keys", "--help"], ["pint", "--help"]])
def test_help_names_no_planned_feature(args: list[str]) -> None:
    text = invoke(*args).stdout.lower()
    # (The MLETR assessment was a planned feature; it is `etr assess` now, so its name may appear.)
    for word in ("planned", "later", "not yet", "future", "coming"):
        assert word not in text, (args, word)


def test_verbose_after_the_subcommand(monkeypatch: pytest.MonkeyPatch, valid: list[str]) -> None:
    import etr.cli.run

    def run_batch(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(etr.cli.run, "run_batch", run_batch)
    for args in (["-v", "validate", valid[0]], ["validate", "-v", valid[0]], ["validate", valid[0], "-v"],
                 ["validate", "--verbose", valid[0]]):
        loud = invoke(*args)
        assert loud.exit_code == 1 and "Traceback (most recent call last)" in loud.stderr, args
    quiet = invoke("validate", valid[0])
    assert quiet.exit_code == 1 and "Traceback" not in quiet.stderr


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"etr, version {etr.__version__}"


def test_schemas_list() -> None:
    result = invoke("schemas", "list")
    assert result.exit_code == 0
    families = {line.split()[0] for line in result.stdout.splitlines() if line and not line[0].isspace()}
    assert {"dcsa-ebl", "report"} <= families
    listed = json.loads(invoke("schemas", "list", "--format", "json").stdout)
    assert {"dcsa-ebl", "report"} <= {s["family"] for s in listed["schemas"]}
    for entry in listed["schemas"]:
        assert (Path(listed["root"]) / entry["path"]).is_file()


# --------------------------------------------------------------------------- internal errors

@pytest.fixture
def broken_family(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from etr.families.ebl import EblFamily

    def check(self: Any, document: Any, version: str) -> Iterator[Any]:
        raise RuntimeError("simulated bug")
        yield  # a generator, as real checks are

    monkeypatch.setattr(EblFamily, "check", check)
    yield


@pytest.mark.usefixtures("broken_family")
def test_internal_error_in_a_check_is_a_finding(valid: list[str]) -> None:
    result = invoke("validate", "--format", "jsonl", *valid)
    assert result.exit_code == 1
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == len(valid)  # one bug does not sink the batch
    assert all([f["code"] for f in r["findings"]] == ["ETR-INTERNAL"] for r in reports)
    assert "Traceback" not in result.stderr and "simulated bug" not in result.stdout


def test_internal_error_outside_a_check(monkeypatch: pytest.MonkeyPatch, valid: list[str]) -> None:
    import etr.batch
    import etr.cli.run

    def run_batch(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated bug")

    for module in (etr.batch, etr.cli.run):  # wherever the command finds it
        monkeypatch.setattr(module, "run_batch", run_batch, raising=False)
    quiet = invoke("validate", valid[0])
    assert quiet.exit_code == 1, (quiet.stdout, quiet.stderr)
    assert "internal error: RuntimeError: simulated bug" in quiet.stderr and "-v" in quiet.stderr
    assert "Traceback" not in quiet.stderr
    loud = invoke("-v", "validate", valid[0])
    assert loud.exit_code == 1
    assert "Traceback (most recent call last)" in loud.stderr


BROKEN_CLI = """\
import sys
from etr.families.ebl import EblFamily

def check(self, document, version):
    raise RuntimeError("simulated bug")
    yield

EblFamily.check = check
from etr.cli import main
main(sys.argv[1:], prog_name="etr")
"""


def _python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_traceback_of_a_check_only_with_verbose(tmp_path: Path, valid: list[str]) -> None:
    script = tmp_path / "broken.py"
    script.write_text(BROKEN_CLI)
    quiet = _python(str(script), "validate", valid[0], cwd=tmp_path)
    assert quiet.returncode == 1
    assert "ETR-INTERNAL" in quiet.stdout
    assert "Traceback" not in quiet.stderr
    loud = _python(str(script), "-v", "validate", valid[0], cwd=tmp_path)
    assert loud.returncode == 1
    assert "ETR-INTERNAL" in loud.stdout and "Traceback" not in loud.stdout
    assert "Traceback (most recent call last)" in loud.stderr and "simulated bug" in loud.stderr


# --------------------------------------------------------------------------- installed command

def test_python_dash_m_etr_from_another_directory(tmp_path: Path, valid: list[str]) -> None:
    local = tmp_path / "bl.json"
    shutil.copy(valid[0], local)
    result = _python("-m", "etr", "validate", "bl.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("bl.json: ok [dcsa-ebl")
    assert result.stderr == ""
    bad = _python("-m", "etr", "validate", "missing.json", cwd=tmp_path)
    assert bad.returncode == 1 and "LOAD-NOT-FOUND" in bad.stdout
    usage = _python("-m", "etr", "validate", "--nope", cwd=tmp_path)
    assert usage.returncode == 2 and "Usage: etr" in usage.stderr


def test_console_script(tmp_path: Path, valid: list[str]) -> None:
    script = Path(sys.executable).with_name("etr")
    if not script.exists():
        pytest.skip("the etr console script is not installed next to this interpreter")
    result = subprocess.run([str(script), "validate", "--format", "jsonl", valid[0]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["valid"] is True


# --------------------------------------------------------------------------- what a new user met

@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pseudo-terminal")
def test_progress_bar_is_cleared_before_results_and_summary(many: Path, tmp_path: Path) -> None:
    raw = run_in_terminal(["validate", str(many)], cwd=tmp_path)
    headers = re.compile(re.escape(str(many).encode()) + rb"/(?:nested/)?\d{3}\.json: (?:ok|FAIL) \[|\d+ inputs: ")
    assert_no_line_starts_mid_bar(raw, headers)
    shown = [line for line in screen(raw) if line]
    assert shown[-1].startswith("101 inputs: ")
    lines = [line for line in shown if not line.startswith(" ") and line != shown[-1]]
    assert len(lines) == 101 and all(line.startswith(str(many)) for line in lines)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pseudo-terminal")
def test_no_progress_bar_when_quiet_or_few_inputs(many: Path, valid: list[str], tmp_path: Path) -> None:
    assert not BAR.search(run_in_terminal(["validate", "-q", str(many)], cwd=tmp_path).decode())
    assert not BAR.search(run_in_terminal(["validate", *valid], cwd=tmp_path).decode())


def _odd_names(folder: Path, data: bytes) -> list[bytes]:
    """Files whose names are not UTF-8 (bytes 0xff 0xfe), and one with a non-ASCII UTF-8 name."""
    names = [os.fsencode(folder) + b"/\xff\xfe-bl.json", os.fsencode(folder) + "/é-bl.json".encode()]
    try:
        for name in names:
            with open(name, "wb") as fh:
                fh.write(data)
    except OSError:
        pytest.skip("this file system refuses file names that are not UTF-8")
    return names


@pytest.mark.parametrize("fmt", ["json", "jsonl", "text"])
def test_output_is_utf8_whatever_the_file_names(tmp_path: Path, valid: list[str], fmt: str) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    odd, _ = _odd_names(folder, Path(valid[0]).read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    # The directory walked, and the file named on the command line (as raw bytes, as a shell passes it).
    proc = subprocess.run([sys.executable, "-m", "etr", "validate", "--format", fmt, os.fsencode(folder), odd],
                          capture_output=True, env=env, cwd=tmp_path, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode("utf-8")  # strict: fails on any byte that is not UTF-8
    escaped, kept = f"{folder}/\\xff\\xfe-bl.json", f"{folder}/é-bl.json"
    if fmt == "text":
        assert f"{escaped}: ok [" in text and f"{kept}: ok [" in text
        return
    reports = json.loads(text)["reports"] if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    assert sorted(r["source"] for r in reports) == sorted([escaped, kept, escaped])
    assert all(r["valid"] for r in reports)  # each file was read from its real name


def test_text_output_survives_a_narrow_terminal_encoding(tmp_path: Path, valid: list[str]) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    _odd_names(folder, Path(valid[0]).read_bytes())
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([sys.executable, "-m", "etr", "validate", str(folder)], capture_output=True, env=env,
                          cwd=tmp_path, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.isascii()
    assert b"\\xe9-bl.json: ok [" in proc.stdout and b"\\xff\\xfe-bl.json: ok [" in proc.stdout


@pytest.mark.parametrize("command", ["validate", "verify"])
def test_stdin_named_twice_is_a_usage_error(command: str) -> None:
    """The first - would read all of stdin and the second nothing: refused up front, never a LOAD-EMPTY result."""
    result = invoke(command, "-", "-", stdin=b"{}")
    assert result.exit_code == 2 and "ETR-STDIN-TWICE" in result.output
