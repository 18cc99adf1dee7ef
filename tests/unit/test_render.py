"""Renderers (text, JSON, JSON Lines; one text form per result type), the progress bar, and the CLI's
output stream."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from report_schemas import assert_conforms

import etr
from etr import Finding, Location, Outcome, Report, Severity, Summary
from etr.cli.run import Output, display_name
from etr.render import make_renderer
from etr.render.progress import Progress
from etr.render.text import summary_line
from etr.render.verification import verification_lines

REPO = Path(__file__).resolve().parents[2]
PINT = REPO / "samples" / "pint"
AT = "2026-12-01T00:00:00Z"

ERROR = Finding("EBL-X", Severity.ERROR, "bad", Location(pointer="/a"))
WARNING = Finding("EBL-W", Severity.WARNING, "careful")
INFO = Finding("LOAD-BOM", Severity.INFO, "bom ignored")
REPORTS = [Report("a.json", "dcsa-ebl", "3.0.4", ()), Report("b.json", "dcsa-ebl", "3.0.4", (ERROR, WARNING, INFO)),
           Report("c.json", None, None, (Finding("LOAD-EMPTY", Severity.ERROR, "empty"),))]


def render(fmt: str, results: list[Any], **kwargs: Any) -> str:
    out = io.StringIO()
    renderer = make_renderer(fmt, out, command=kwargs.pop("command", "validate"), tool_version="9.9", **kwargs)
    renderer.start()
    for result in results:
        renderer.add(result)
    renderer.finish()
    return out.getvalue()


# --------------------------------------------------------------------------- text

def test_text_of_validation_reports() -> None:
    assert render("text", REPORTS).splitlines() == [
        "a.json: ok [dcsa-ebl 3.0.4] (0 errors, 0 warnings, 0 info)",
        "b.json: FAIL [dcsa-ebl 3.0.4] (1 error, 1 warning, 1 info)",
        "  error   EBL-X at /a: bad",
        "  warning EBL-W: careful",
        "  info    LOAD-BOM: bom ignored",
        "c.json: FAIL [unrecognised] (1 error, 0 warnings, 0 info)",
        "  error   LOAD-EMPTY: empty",
        "3 inputs: 1 passed, 2 failed; 2 errors, 1 warning; top codes: EBL-W (1), EBL-X (1), LOAD-EMPTY (1)",
    ]


def test_quiet_text_keeps_failing_inputs_without_info_and_the_summary() -> None:
    lines = render("text", REPORTS, quiet=True).splitlines()
    assert lines[0].startswith("b.json: FAIL") and "  info    LOAD-BOM: bom ignored" not in lines
    assert not any(line.startswith("a.json") for line in lines)
    assert lines[-1].startswith("3 inputs: 1 passed, 2 failed; ")


def test_fail_on_decides_the_verdict_and_the_summary() -> None:
    warned = Report("w.json", "dcsa-ebl", "3.0.4", (WARNING,))
    assert render("text", [warned]).splitlines()[0].startswith("w.json: ok ")
    strict = render("text", [warned], fail_on=Severity.WARNING).splitlines()
    assert strict[0].startswith("w.json: FAIL ") and strict[-1].startswith("1 input: 0 passed, 1 failed; ")


def test_summary_line() -> None:
    summary = Summary()
    assert summary_line(summary) == "0 inputs: 0 passed, 0 failed; 0 errors, 0 warnings"
    summary.add(Report("a", findings=(WARNING, INFO)), False)
    assert summary_line(summary) == "1 input: 1 passed, 0 failed; 0 errors, 1 warning; top codes: EBL-W (1)"


@dataclass(frozen=True)
class Assessment:
    """A result type with no text form of its own."""

    source: str
    outcome: Outcome
    findings: tuple[Finding, ...]
    kind: str = "assessment"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "outcome": self.outcome.value}


def test_text_of_a_result_type_without_its_own_form() -> None:
    text = render("text", [Assessment("x", Outcome.ATTESTATION_REQUIRED, (WARNING, INFO))], quiet=False)
    assert text.splitlines()[:3] == ["x: ATTESTATION_REQUIRED", "  warning EBL-W: careful",
                                     "  info    LOAD-BOM: bom ignored"]


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        make_renderer("yaml", io.StringIO(), command="validate", tool_version="0")


# --------------------------------------------------------------------------- the text of a verification

@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    trust = etr.TrustStore.from_paths([PINT / "trust"])
    return {"pass": etr.verify(PINT / "valid" / "5-accepted.json", trust, at=AT),
            "bad": etr.verify(PINT / "invalid" / "PINT-JWS-BAD-SIGNATURE.json", trust, at=AT),
            "missing": etr.verify(PINT / "missing.json", trust)}


def test_current_holder_only_when_the_chain_verifies(results: dict[str, Any]) -> None:
    from dataclasses import replace

    assert "  current holder: Meridian Ocean Lines Pte. Ltd. [CAR1] SMDG:MRDX" in verification_lines(results["pass"])
    bad = results["bad"]
    assert bad.current_holder is not None  # the verified part names one: the text must not repeat it
    assert "  current holder: not established" in verification_lines(bad)
    assert "  current holder: not established" in verification_lines(results["missing"])
    # NOT_EVALUABLE (a registry is named) keeps the holder; a result without one says so.
    assert "  current holder: Meridian Ocean Lines Pte. Ltd. [CAR1] SMDG:MRDX" in verification_lines(
        replace(results["pass"], outcome=Outcome.NOT_EVALUABLE))
    assert "  current holder: unknown" in verification_lines(replace(results["pass"], current_holder=None))


def test_quiet_verification_drops_info_findings(results: dict[str, Any]) -> None:
    bad = results["bad"]
    assert any("PINT-STATE-UNVERIFIED" in line for line in verification_lines(bad))
    assert not any("PINT-STATE-UNVERIFIED" in line for line in verification_lines(bad, quiet=True))
    assert any("PINT-JWS-BAD-SIGNATURE [BSIG]" in line for line in verification_lines(bad, quiet=True))


def test_show_document(results: dict[str, Any]) -> None:
    from dataclasses import replace

    result = results["pass"]
    td = Report("td", "dcsa-ebl", "3.0.2", (ERROR, INFO))
    with_findings = replace(result, td_report=td)
    plain = verification_lines(with_findings)
    assert "(informative; --show-document lists them)" in plain[1] and "1 error, 0 warnings" in plain[1]
    shown = verification_lines(with_findings, show_document=True)
    assert shown[2:5] == ["    TD report [dcsa-ebl 3.0.2]:", "    error   EBL-X at /a: bad",
                          "    info    LOAD-BOM: bom ignored"]
    assert verification_lines(with_findings, show_document=True, quiet=True)[2:4] == [
        "    TD report [dcsa-ebl 3.0.2]:", "    error   EBL-X at /a: bad"]
    assert "    TD report [dcsa-ebl 3.0.4]: no findings" in verification_lines(result, show_document=True)


def test_machine_formats_of_verifications(results: dict[str, Any]) -> None:
    run = json.loads(render("json", list(results.values()), command="verify"))
    assert_conforms(run)
    assert [r["outcome"] for r in run["reports"]] == ["PASS", "FAIL", "FAIL"] and run["outcome"] == "FAIL"
    for line in render("jsonl", list(results.values())).splitlines():
        assert_conforms(json.loads(line))


# --------------------------------------------------------------------------- machine formats

@pytest.mark.parametrize("count", [0, 1, 3])
def test_json_run_document_is_streamed_whole(count: int) -> None:
    run = json.loads(render("json", REPORTS[:count]))
    assert_conforms(run)
    assert run["command"] == "validate" and run["etrVersion"] == "9.9" and len(run["reports"]) == count
    assert run["summary"]["inputs"] == count and run["outcome"] == ("FAIL" if count > 1 else "PASS")


def test_jsonl_one_object_per_line_with_format_version() -> None:
    lines = render("jsonl", REPORTS, quiet=True).splitlines()  # -q never thins machine output
    assert [json.loads(line)["source"] for line in lines] == ["a.json", "b.json", "c.json"]
    assert all(list(json.loads(line))[:2] == ["formatVersion", "kind"] for line in lines)


def test_json_keeps_non_ascii_as_is() -> None:
    text = render("jsonl", [Report("é.json")])
    assert '"é.json"' in text


# --------------------------------------------------------------------------- progress bar

class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_is_off_for_small_batches() -> None:
    stream = io.StringIO()
    progress = Progress(Progress.MIN_INPUTS - 1, stream)
    for _ in range(Progress.MIN_INPUTS - 1):
        progress.step(False)
    progress.hide()
    progress.close()
    assert stream.getvalue() == ""


def test_progress_draws_throttles_and_erases() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(40, stream, clock=clock)
    progress.step(False)
    first = "[" + "-" * 30 + "] 1/40, 0 failed"
    assert stream.getvalue() == "\r" + first
    progress.step(True)  # no time passed, bar on screen: not drawn again
    assert stream.getvalue() == "\r" + first
    clock.now += 2 * Progress.INTERVAL
    progress.step(False)
    third = "[" + "##" + "-" * 28 + "] 3/40, 1 failed"
    assert stream.getvalue().endswith("\r" + third)
    stream.truncate(0)
    stream.seek(0)
    progress.hide()  # erase exactly what is on screen, cursor back at column 0
    assert stream.getvalue() == "\r" + " " * len(third) + "\r"
    progress.hide()  # nothing on screen: nothing written
    assert stream.getvalue() == "\r" + " " * len(third) + "\r"
    progress.step(False)  # hidden: drawn again at once, however little time passed
    assert stream.getvalue().endswith("] 4/40, 1 failed")
    for _ in range(36):
        progress.step(False)
    assert stream.getvalue().endswith("[" + "#" * 30 + "] 40/40, 1 failed")  # the last step is always drawn
    progress.close()
    assert stream.getvalue().endswith("\r" + " " * len("[" + "#" * 30 + "] 40/40, 1 failed") + "\r")
    assert not progress.enabled


# --------------------------------------------------------------------------- the CLI's output stream

def test_display_name_escapes_bytes_that_are_not_utf8() -> None:
    assert display_name("bl.json") == "bl.json"
    assert display_name("é.json") == "é.json"
    assert display_name("\udcff\udcfe.json") == "\\xff\\xfe.json"  # bytes 0xff 0xfe, as os.fsdecode keeps them
    assert display_name("caf\udcc3\udca9.json") == "café.json"  # UTF-8 split into escapes: decoded again
    assert display_name("\ud800.json") == "\\ud800.json"  # a surrogate that is no escaped byte


def test_output_encodes_once_escapes_and_calls_before_write() -> None:
    calls: list[int] = []

    class Binary(io.BytesIO):
        pass

    class Text(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.buffer = Binary()

    text = Text()
    out = Output(text, "ascii", before_write=lambda: calls.append(1))
    out.write("é → ok\n")
    out.flush()
    assert text.buffer.getvalue() == b"\\xe9 \\u2192 ok\n" and calls == [1]
    plain = io.StringIO()
    Output(plain, "utf-8", before_write=lambda: None).write("\udcff é\n")  # a stream without a buffer
    assert plain.getvalue() == "\\udcff é\n"
