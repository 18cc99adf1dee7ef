"""A pytest plugin: every code etr emits during the test session, checked against the catalogue.

Loaded by ``tests/conftest.py`` (``pytest_plugins``). At import it wraps

- ``etr.model.Finding.__init__``: each finding's code and severity;
- ``__init__`` of :class:`etr.errors.EtrError` and of every subclass (those
  defined later too, through ``__init_subclass__``): each error's final
  ``code`` and the group it belongs to (document / environment / usage);
- codes carried in a finding's ``detail`` under a key ending in ``Code`` (the
  ``trustCode`` of a ``PINT-KEY-…`` finding, the ``loadCode`` of an unreadable
  envelope), ``responseCode`` excepted (a PINT response, not an etr code).

What test code makes itself (a sample ``Finding("EBL-X", …)`` in a model test,
an error raised by a test) is not etr emitting a code and is not recorded: only
findings and errors made by etr's code count. Findings made in a forked worker
process (``-j N``) are written to a file the session reads back; ``etr`` run as
a subprocess is not seen.

At the end of a run of **the whole suite** (see :class:`_Completeness`) the
session fails, listing the codes, when

1. a code was emitted that the catalogue (:mod:`etr.codes`) does not list;
2. a code was emitted as a finding with a severity, or raised in a fault
   group, that its catalogue entry does not list;
3. a catalogued code, or one of the severities or fault groups its entry
   lists, was never emitted by any test (the tests do not prove it can
   happen: write one, or correct the entry) — unless it is in
   :data:`NOT_EMITTED_BY_TESTS`.

A partial run (``-k``, ``-m``, ``--lf``, a file or node id, ``-x`` stopping
early, a collection error) checks nothing: it cannot know what the rest of
the suite emits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from etr.errors import DocumentError, EnvironmentProblem, EtrError, UsageError
from etr.model import Finding

#: The escape hatch: catalogued codes (or ``CODE:facet``, a facet being a severity or a fault group)
#: that no test can make etr emit, each with the reason. Keep it empty or nearly: an entry here is a
#: claim the tests do not check. The plugin fails the session when an entry here *is* emitted (then
#: remove it), and tests/unit/test_codes.py checks every entry is catalogued.
NOT_EMITTED_BY_TESTS: dict[str, str] = {
    "PINT-SCHEMA-OTHER": "the fallback for a JSON Schema keyword without a code of its own: the packaged PINT schema "
                         "uses none (tests/unit/test_codes.py proves it), so no envelope can produce it",
    "CII-SR-464": "a Factur-X CII rule whose condition, (A or B) or (not A and not B), always holds: catalogued "
                  "because the official rule set has it; tests/unit/test_en16931_syntax.py proves it never fires",
}

_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")
_TESTS = Path(__file__).resolve().parent
_PARENT = os.getpid()

_SEVERITIES = frozenset({"error", "warning", "info"})
#: code -> facets seen: a finding severity, "raised:<group>", "response:<PINT response code>", "detail".
_seen: dict[str, set[str]] = {}
#: Set by pytest_configure: where forked workers write what they saw.
_spool: Path | None = None


def _group(exc: EtrError) -> str:
    """The fault group of an error's class: document, environment, usage, or ``other`` (none of them)."""
    for base, name in ((DocumentError, "document"), (EnvironmentProblem, "environment"), (UsageError, "usage")):
        if isinstance(exc, base):
            return name
    return "other"


_paused = False


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Record nothing inside: for a test that calls etr with made-up input to *inspect* it (the static
    proof asks ``schema_findings`` which code a keyword gets), which must not count as emitting."""
    global _paused
    before, _paused = _paused, True
    try:
        yield
    finally:
        _paused = before


def _record(code: Any, facet: str) -> None:
    if _paused:
        return
    if not isinstance(code, str):
        code = repr(code)
    facets = _seen.setdefault(code, set())
    if facet in facets:
        return
    facets.add(facet)
    if os.getpid() != _PARENT and _spool is not None:  # a forked worker: tell the session
        with open(_spool / f"{os.getpid()}.txt", "a", encoding="utf-8") as fh:
            fh.write(f"{code}\t{facet}\n")


# --------------------------------------------------------------------------- the wrappers

_DATACLASSES = os.path.normcase(dataclasses.__file__)
_TESTS_DIR = os.path.normcase(str(_TESTS)) + os.sep


def _made_by_tests(depth: int) -> bool:
    """Whether the finding or error being made was made by test code itself (a model test's sample
    ``Finding("EBL-X", …)``, a made-up error), not by etr: the first frame above the ``__init__`` outside
    ``dataclasses`` (``replace``) is in tests/. ``depth`` 1: the caller of the function that calls this one."""
    frame: FrameType | None = sys._getframe(depth + 1)
    while frame is not None and os.path.normcase(frame.f_code.co_filename) == _DATACLASSES:
        frame = frame.f_back
    return frame is not None and os.path.normcase(frame.f_code.co_filename).startswith(_TESTS_DIR)


def _wrap_finding() -> None:
    original = Finding.__init__
    if getattr(original, "_etr_recorder", False):
        return

    @functools.wraps(original)
    def init(self: Finding, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if _made_by_tests(1):
            return
        severity = getattr(self.severity, "value", self.severity)
        _record(self.code, str(severity))
        detail = self.detail
        if detail:
            for key, value in detail.items():
                if key == "responseCode":
                    _record(self.code, f"response:{value}")
                elif key.endswith("Code") and isinstance(value, str) and _CODE.fullmatch(value):
                    _record(value, "detail")

    init._etr_recorder = True  # type: ignore[attr-defined]
    Finding.__init__ = init  # type: ignore[method-assign]


def _wrap_error_class(cls: type[EtrError]) -> None:
    """Wrap ``cls.__init__`` when ``cls`` defines its own; record only in the outermost call, once the
    most derived ``__init__`` has set the final code."""
    original = cls.__dict__.get("__init__")
    if original is None or getattr(original, "_etr_recorder", False):
        return

    def init(self: EtrError, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if type(self).__init__ is init and not _made_by_tests(1):
            _record(self.code, f"raised:{_group(self)}")

    functools.update_wrapper(init, original)
    init._etr_recorder = True  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[method-assign]


def _wrap_errors() -> None:
    todo: list[type[EtrError]] = [EtrError]
    while todo:
        cls = todo.pop()
        _wrap_error_class(cls)
        todo.extend(cls.__subclasses__())
    if getattr(EtrError.__dict__.get("__init_subclass__"), "_etr_recorder", False):
        return

    def init_subclass(cls: type[EtrError], **kwargs: Any) -> None:
        super(EtrError, cls).__init_subclass__(**kwargs)
        _wrap_error_class(cls)

    init_subclass._etr_recorder = True  # type: ignore[attr-defined]
    EtrError.__init_subclass__ = classmethod(init_subclass)  # type: ignore[assignment,method-assign]


_wrap_finding()
_wrap_errors()


# --------------------------------------------------------------------------- was it the whole suite?


class _Completeness:
    """Whether this session ran the whole suite: every ``test_*.py`` under tests/ collected without
    error, nothing deselected (``-k``, ``-m``, ``--lf``, ``--deselect``), and every collected test run."""

    def __init__(self) -> None:
        self.reasons: list[str] = []
        self.ran: set[str] = set()

    def not_whole(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)

    def check(self, session: pytest.Session) -> None:
        if hasattr(session.config, "workerinput"):
            self.not_whole("a distributed (xdist) worker sees part of the suite")
        files = {p.resolve() for p in _TESTS.rglob("test_*.py")}
        collected = {Path(str(item.path)).resolve() for item in session.items}
        missing = sorted(str(p.relative_to(_TESTS)) for p in files - collected)
        if missing:
            self.not_whole(f"test files not collected: {', '.join(missing[:5])}" + (" …" if len(missing) > 5 else ""))
        not_run = [item.nodeid for item in session.items if item.nodeid not in self.ran]
        if not_run:
            self.not_whole(f"{len(not_run)} collected test(s) not run (stopped early, or --collect-only)")


_completeness = _Completeness()


def pytest_configure(config: pytest.Config) -> None:
    global _spool
    _spool = Path(tempfile.mkdtemp(prefix="etr-codes-"))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _spool is not None and os.getpid() == _PARENT:
        shutil.rmtree(_spool, ignore_errors=True)


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        _completeness.not_whole(f"{len(items)} test(s) deselected (-k, -m, --lf or --deselect)")


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _completeness.not_whole(f"collection error in {report.nodeid or 'the session'}")


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    _completeness.ran.add(nodeid)


# --------------------------------------------------------------------------- the verdict


def _read_spool() -> None:
    if _spool is None:
        return
    for path in _spool.glob("*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            code, _, facet = line.partition("\t")
            _seen.setdefault(code, set()).add(facet)


def problems(seen: dict[str, set[str]], catalogue: Iterable[Any],
             escape: dict[str, str]) -> dict[str, list[str]]:
    """What the session shows to be wrong with the catalogue, by kind (each list empty when all is well).

    ``catalogue`` holds :class:`etr.codes.CodeInfo`; ``seen`` maps a code to its facets: a finding
    severity (``error``, ``warning``, ``info``), ``raised:<group>``, ``response:<PINT response code>``,
    or ``detail`` (named in another finding's detail). ``escape`` is :data:`NOT_EMITTED_BY_TESTS`.
    A finding code may also be raised with the same meaning (``…_or_raise``, a refused signing), so
    only the raises of codes that are never findings are checked against ``raised``; ``other`` (an
    error class outside the three groups) is not checked. Pure, so tests/unit/test_codes.py tests it.
    """
    entries = {info.code: info for info in catalogue}
    # A code under a prefix no catalogued code has comes from a family or rule a test defines for
    # itself (T-…, X-…): not etr's. etr's own literals under a new prefix are caught by the static test.
    prefixes = {code.split("-", 1)[0] for code in entries}
    out: dict[str, list[str]] = {kind: [] for kind in _HEADINGS}
    for code in sorted(seen):
        info = entries.get(code)
        if info is None and code.split("-", 1)[0] not in prefixes:
            continue
        if info is None:
            out["uncatalogued"].append(f"{code} ({', '.join(sorted(seen[code]))})")
            continue
        severities = [s.value for s in info.severities]
        for facet in sorted(seen[code]):
            kind, _, value = facet.partition(":")
            if facet in _SEVERITIES and facet not in severities:
                out["mismatched"].append(f"{code}: a finding of severity {facet}; catalogued: {_show(severities)}")
            elif kind == "raised" and not severities and value != "other" \
                    and value not in [f.value for f in info.raised]:
                out["mismatched"].append(f"{code}: raised as a {value} error; catalogued: "
                                         f"{_show(f.value for f in info.raised)}")
            elif kind == "response" and value != info.response_code:
                out["mismatched"].append(f"{code}: PINT response {value}; catalogued: {info.response_code or 'none'}")
    for code, info in entries.items():
        facets = seen.get(code, set())
        if not facets:
            if code not in escape:
                out["never-emitted"].append(code)
            continue
        groups = {f.partition(":")[2] for f in facets if f.startswith("raised:")}
        missing = [s.value for s in info.severities if s.value not in facets]
        if "other" not in groups:
            missing += [f"raised:{f.value}" for f in info.raised if f.value not in groups]
        out["never-emitted"].extend(f"{code}:{m}" for m in missing if f"{code}:{m}" not in escape)
    for key in sorted(escape):
        code, _, facet = key.partition(":")
        facets = seen.get(code, set())
        if (facets and not facet) or (facet and facet in facets):
            out["escape-emitted"].append(key)
    return out


def _show(values: Iterable[str]) -> str:
    listed = list(values)
    return "/".join(listed) if listed else "none"


_HEADINGS: dict[str, str] = {
    "uncatalogued": "emitted by the tests but not in the catalogue (add them to etr/catalogue/*.toml)",
    "mismatched": "emitted otherwise than the catalogue says (correct the entry, or the code)",
    "never-emitted": "catalogued but emitted by no test (write a test that makes etr emit it, or remove the "
                     "entry; tests/_code_recorder.py NOT_EMITTED_BY_TESTS is for what no test can produce)",
    "escape-emitted": "listed in NOT_EMITTED_BY_TESTS but emitted after all (remove them from it)",
}
_report: list[str] = []
_failed = False


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _failed
    if os.getpid() != _PARENT:
        return
    _completeness.check(session)
    if _completeness.reasons:
        _report.append("code catalogue not checked: not the whole suite (" + "; ".join(_completeness.reasons) + ")")
        return
    from etr.codes import catalogue

    _read_spool()
    found = problems(_seen, catalogue(), NOT_EMITTED_BY_TESTS)
    if not any(found.values()):
        _report.append(f"code catalogue checked: all {len(catalogue())} codes emitted by the tests as catalogued")
        return
    _failed = True
    for kind, lines in found.items():
        if lines:
            _report.append(f"{len(lines)} code(s) {_HEADINGS[kind]}:")
            _report.extend(f"  {line}" for line in lines)
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not _report or (not _failed and config.getoption("verbose") < 1):
        return
    if _failed:
        terminalreporter.section("finding-code catalogue", sep="=", red=True, bold=True)
    for line in _report:
        terminalreporter.write_line(line)
