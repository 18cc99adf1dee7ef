"""What the Merkle root of an OpenAttestation document does not protect (issue 11, item 7).

The reference verifier accepts some edited documents: its hashing does not
cover everything a reader sees. Integrity is reported exactly as the reference
algorithm defines it (:mod:`.hashing`); this module names, for one document,
each part an editor could change without changing ``targetHash``, as warnings,
so that ``--strict`` refuses such a document. The classes, by version:

* **members outside the hashed data** (v2): only ``data`` is hashed; any other
  top-level member (``schema``, an added member) is not (``OA-UNPROTECTED-MEMBER``).
* **structure without a salted leaf**:
  - v2 paths join keys and array indices alike with ``.``, so an array and an
    object keyed ``"0"``, ``"1"``… hash the same. An object keyed like an array is
    named (an array is the form the OA schema and wrappers write, and is not);
  - v3/v4 paths write ``a.b`` and ``a[0]``: a key holding ``.``, ``[`` or ``]`` makes
    two structures hash the same (``{"a.b": x}`` and ``{"a": {"b": x}}``);
  - v3 salts are looked up with lodash ``get``, which resolves ``a[0]`` in an object
    and ``a.0`` in an array, and the reference only counts leaves; a leaf whose exact
    path has no salt, or a salt whose path reaches no leaf, means a visible value is
    not hashed (``OA-UNPROTECTED-LEAF``: adding a leaf and a salt whose path resolves
    nowhere keeps the count and the digest).
  (``OA-UNPROTECTED-STRUCTURE``)
* **type changes whose text does not change** (v3): a leaf is hashed as
  ``${salt}:${value}``, so ``1`` and ``"1"``, ``true`` and ``"true"``, ``null`` and ``"null"``
  hash alike. Every non-string leaf, and every string that reads as another type, is
  named (``OA-UNPROTECTED-TYPE``). v2 carries the type in the salted string, v4 in the leaf.
* **empty objects and arrays** (v3): they yield no leaf, so one can be added or removed
  anywhere. Those present are named (``OA-UNPROTECTED-EMPTY``); the removal of one cannot be
  seen in the edited document. (In v2 and v4 they are leaves.)
* **numbers' spelling** (every version): a number is hashed as the double JavaScript
  reads; spellings of one value (``1``, ``1.0``, ``1e0``) are the same value, but a number whose
  text denotes another value than that double (``9007199254740993``, ``0.1000000000000000055``)
  can be replaced by any other text of the same double (``OA-UNPROTECTED-NUMBER``).

The v3 classes are those open-attestation PR #277 names as it closed them for v4 (inserted ``[]``/``{}``,
values coerced to the same text, obfuscation that leaves new leaves); the unresolved-salt leaf and the
v2 array/object and precision cases follow from the algorithms themselves (tests/unit/test_oa_attacks.py).

Not in the class, and tested as such: object member order (JSON objects are unordered,
RFC 8259 §4; the reference sorts hashes), whitespace, duplicate keys (the loader refuses
them: LOAD-JSON-DUPLICATE-KEY), Unicode normalisation (the bytes are hashed: NFC and NFD
differ), obfuscation that leaves ``{}`` (the reference then fails: INVALID, see §1.3).
"""

from __future__ import annotations

import decimal
import json
from collections.abc import Iterator, Mapping
from typing import Any

from ...model import Finding, Location, Severity
from . import _js
from .hashing import Salt, traverse_v3

REFERENCE = "OpenAttestation digest (open-attestation src/2.0/digest.ts, src/3.0/digest.ts, src/4.0/hash.ts)"
_V2_MEMBERS = frozenset({"version", "data", "signature", "privacy", "proof"})
_V2_PRIVACY = frozenset({"obfuscatedData"})
_V2_SIGNATURE = frozenset({"type", "targetHash", "proof", "merkleRoot"})
#: At most this many parts are listed in a finding's message (all of them in its detail).
_SHOWN = 5


def unprotected(version: str, content: Mapping[str, Any], raw: bytes | None,
                salts: list[Salt] | None = None) -> list[Finding]:
    """The warnings naming every unprotected part of ``content`` (a wrapped document whose integrity holds).

    ``raw`` is the text it was read from (to see numbers' spelling; ``None`` when the caller gave a
    parsed mapping); ``salts`` the decoded v3 salts."""
    findings: list[Finding] = []
    if version == "2.0":
        extra = sorted(f"/{_esc(k)}" for k in content if k not in _V2_MEMBERS)
        # Inside privacy and signature only obfuscatedData and the proof's four members are read and hashed.
        for member, known in (("privacy", _V2_PRIVACY), ("signature", _V2_SIGNATURE)):
            value = content.get(member, {})
            if not isinstance(value, dict):
                extra.append(f"/{member}")
            else:
                extra.extend(f"/{member}/{_esc(k)}" for k in value if k not in known)
        _add(findings, "OA-UNPROTECTED-MEMBER", extra,
             "top-level member(s) outside data are not hashed: {parts}")
        scan = _Scan(content.get("data"), "/data")
        _add(findings, "OA-UNPROTECTED-STRUCTURE", scan.index_keyed,
             "object(s) keyed 0..n-1 hash exactly as an array would: {parts}")
        findings.extend(_numbers(raw, content, ("data",), scan))
        return findings
    body = {k: v for k, v in content.items() if k != "proof"}
    scan = _Scan(body, "")
    _add(findings, "OA-UNPROTECTED-STRUCTURE", scan.ambiguous,
         "key(s) holding '.', '[' or ']' make their path read as another structure: {parts}")
    if version == "3.0":
        leaves = list(traverse_v3(body))
        salted = {s.path for s in salts or ()}
        paths = {path for path, _, _ in leaves}
        loose = [pointer for path, _, pointer in leaves if path not in salted]
        seen: set[str] = set()
        for salt in salts or ():
            if salt.path not in paths or salt.path in seen:
                loose.append(f"salt {salt.path!r}")
            seen.add(salt.path)
        _add(findings, "OA-UNPROTECTED-LEAF", loose,
             "visible value(s) not hashed under their own path (or salts that reach no leaf): {parts}")
        _add(findings, "OA-UNPROTECTED-TYPE", [p for _, v, p in leaves if _type_ambiguous(v)],
             "value(s) whose JSON type is not hashed (1 and \"1\", true and \"true\" hash alike): {parts}")
        _add(findings, "OA-UNPROTECTED-EMPTY", scan.empties,
             "empty object(s) or array(s) are not hashed and may be added or removed: {parts}")
    findings.extend(_numbers(raw, content, None, scan))
    return findings


class _Scan:
    """One walk over a document (or its ``data``) gathering what the classes above look at: objects keyed
    like arrays, keys holding path syntax, empty containers below the root, integers that are not doubles,
    and whether any fraction is there (then numbers are read again from the text)."""

    def __init__(self, root: Any, pointer: str) -> None:
        self.index_keyed: list[str] = []
        self.ambiguous: list[str] = []
        self.empties: list[str] = []
        self.imprecise: list[str] = []
        self.fractions = False
        for node, where in _walk(root, pointer):
            if isinstance(node, dict):
                if not node:
                    if where != pointer:
                        self.empties.append(where)
                    continue
                if set(node) == {str(i) for i in range(len(node))}:
                    self.index_keyed.append(where)
                self.ambiguous.extend(f"{where}/{_esc(k)}" for k in node if "." in k or "[" in k or "]" in k)
            elif isinstance(node, list):
                if not node and where != pointer:
                    self.empties.append(where)
            elif isinstance(node, bool):
                continue
            elif isinstance(node, int):
                if _imprecise(node):
                    self.imprecise.append(where)
            elif isinstance(node, float):
                self.fractions = True


def _add(findings: list[Finding], code: str, parts: list[str], template: str) -> None:
    if not parts:
        return
    shown = ", ".join(parts[:_SHOWN]) + (f" and {len(parts) - _SHOWN} more" if len(parts) > _SHOWN else "")
    first = parts[0] if parts[0].startswith("/") else None
    findings.append(Finding(code, Severity.WARNING, template.format(parts=shown),
                            Location(pointer=first) if first else None, REFERENCE, {"parts": parts}))


def _esc(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _walk(node: Any, pointer: str) -> Iterator[tuple[Any, str]]:
    stack = [(node, pointer)]
    while stack:
        item, where = stack.pop()
        yield item, where
        if isinstance(item, dict):
            stack.extend((v, f"{where}/{_esc(k)}") for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((v, f"{where}/{i}") for i, v in reversed(list(enumerate(item))))


def _type_ambiguous(value: Any) -> bool:
    """Whether a v3 leaf's text is also the text of a value of another JSON type: every non-string does,
    and a string that reads as ``true``/``false``/``null`` or as JavaScript writes a number (``Infinity`` too:
    an integer beyond the double range is written so)."""
    if not isinstance(value, str):
        return True
    if value in ("true", "false", "null", "Infinity", "-Infinity"):
        return True
    try:
        number = float(value) if any(c in value for c in ".eE") else int(value)
    except ValueError:
        return False
    return _js.number_text(number) == value


def _imprecise(node: Any) -> bool:
    """Whether ``node`` (an int, or a Decimal read from the text) denotes another value than its double."""
    if isinstance(node, int):
        return _js.to_double(node) != node
    return isinstance(node, decimal.Decimal) and decimal.Decimal(repr(float(node))) != node


def _numbers(raw: bytes | None, content: Mapping[str, Any], only: tuple[str, ...] | None,
             scan: _Scan | None = None) -> list[Finding]:
    """Numbers whose text denotes another value than the double JavaScript hashes. Integers are exact in the
    parsed content; a decimal fraction is read again from ``raw`` (as a Decimal), only when there is one.
    ``scan`` is the walk already made over the same region (made here when not given)."""

    def region(tree: Any) -> list[tuple[Any, str]]:
        if only and isinstance(tree, dict):
            return [(tree.get(k), f"/{k}") for k in only]
        return [(tree, "")]

    scans = [scan] if scan is not None else [_Scan(root, pointer) for root, pointer in region(content)]
    parts = [where for one in scans for where in one.imprecise if not where.startswith("/proof")]
    if any(one.fractions for one in scans) and raw:
        try:
            exact = json.loads(raw.decode("utf-8-sig"), parse_float=decimal.Decimal)
        except ValueError:  # the loader read it: cannot happen, and then there is nothing more to see
            exact = None
        for root, pointer in region(exact) if exact is not None else ():
            parts.extend(where for node, where in _walk(root, pointer)
                         if isinstance(node, decimal.Decimal) and not where.startswith("/proof") and _imprecise(node))
    findings: list[Finding] = []
    _add(findings, "OA-UNPROTECTED-NUMBER", parts,
         "number(s) whose text is more precise than the double that is hashed: {parts}")
    return findings
