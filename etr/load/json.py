"""Strict JSON: strict UTF-8, no duplicate keys (two parsers may disagree on which one counts, a
classic signature-bypass vector), no NaN/Infinity (nor numbers that overflow to infinity), no lone
surrogates, bounded nesting and size (RFC 8259 §§ 2-8, read strictly; I-JSON, RFC 7493 § 2)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..model import Finding, Severity
from .document import Document, Limits, LoadError, check_size, line_col

_DEFAULT_LIMITS = Limits()


class _Reject(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _Reject("LOAD-JSON-DUPLICATE-KEY", f"duplicate object key {dup[:60]!r}")
    return obj


def _constant(name: str) -> Any:
    raise _Reject("LOAD-JSON-CONSTANT", f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Reject("LOAD-JSON-CONSTANT", f"number {text[:40]} overflows to infinity")
    return value


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float)
_SCAN = _DECODER.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__
_SPACE = re.compile(r"[ \t\n\r]*")
# A string literal, unrolled for speed; used only to blank strings out before counting brackets.
# An unterminated string runs to the end of the input: a match never fails, so blanking stays linear
# (a pattern that fails at each of many quotes would rescan the rest of the input from each one).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


#: From this size on, opening brackets are counted by jumping from one to the next (``bytes.find``, a
#: ``memchr``) and only up to the limit, not by reading every byte twice (``bytes.count``): a PINT envelope
#: of a 1,000-entry chain is a megabyte of base64 with a few dozen brackets. Below it ``count`` is quicker.
_JUMP_FROM = 32 * 1024


def _brackets_at_most(data: bytes, limit: int) -> bool:
    """Whether ``data`` holds at most ``limit`` opening brackets (``{`` and ``[``, strings included)."""
    if len(data) < _JUMP_FROM:
        return data.count(b"{") + data.count(b"[") <= limit
    found = 0
    for bracket in (b"{", b"["):
        pos = data.find(bracket)
        while pos != -1:
            found += 1
            if found > limit:
                return False
            pos = data.find(bracket, pos + 1)
    return True


def json_depth_exceeds(data: bytes, max_depth: int) -> bool:
    """True when the JSON text nests deeper than ``max_depth`` (cheap, no parse)."""
    if _brackets_at_most(data, max_depth):
        return False  # cannot nest deeper than it has brackets
    skeleton = _STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    skeleton = skeleton.replace(b"{", b"[").replace(b"}", b"]")
    for _ in range(max_depth):
        inner = skeleton.replace(b"[]", b"")
        if len(inner) == len(skeleton):
            return False  # unbalanced: the parser will say where
        skeleton = inner
        if not skeleton:
            return False
    return True


def load_json(data: bytes, source: str = "<bytes>", limits: Limits | None = None, *, _start: int = 0) -> Document:
    """Parse strict JSON. See :func:`load_bytes` for what it raises."""
    value = json_value(data, limits or _DEFAULT_LIMITS, _start)
    findings: tuple[Finding, ...] = ()
    if _start:
        findings = (Finding("LOAD-BOM", Severity.INFO, "UTF-8 byte order mark ignored", reference="RFC 8259 §8.1"),)
    return Document(source, "json", value, data, findings)


def has_duplicate_key(data: bytes) -> bool:
    """Whether the JSON text ``data`` has an object with a key twice: the strict scan of
    :func:`json_value` alone, its value discarded, for a text another parser has already read.

    Raises:
        LoadError: ``data`` is not strict UTF-8 JSON after all.
    """
    try:
        text = data.decode("utf-8")
        _SCAN(text, _SPACE.match(text, 0).end())  # type: ignore[union-attr]
    except _Reject as exc:
        if exc.code == "LOAD-JSON-DUPLICATE-KEY":
            return True
        raise LoadError(exc.code, str(exc)) from None
    except (StopIteration, ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise LoadError("LOAD-JSON-SYNTAX", "malformed JSON") from None
    return False


def json_value(data: bytes, limits: Limits, start: int = 0) -> Any:
    """The value of strict JSON ``data`` (from byte ``start``, after a BOM): :func:`load_json` without the
    :class:`Document` around it, for callers that parse many small texts (JWS payloads).

    Raises:
        LoadError: as :func:`load_bytes`.
    """
    if len(data) > limits.max_bytes:
        check_size(len(data), limits)
    try:
        text = data[start:].decode("utf-8") if start else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = line_col(data, exc.start + start)
        raise LoadError("LOAD-ENCODING", f"invalid UTF-8 at byte {exc.start + start}", line=line, column=col) from None
    if json_depth_exceeds(data, limits.max_depth):
        raise LoadError("LOAD-JSON-DEPTH", f"JSON nests deeper than the limit of {limits.max_depth}")
    try:
        # JSONDecoder.decode without its Python wrappers: the C scanner, then "only whitespace may follow".
        value, end = _SCAN(text, _SPACE.match(text, 0).end())  # type: ignore[union-attr]
        if end != len(text) and _SPACE.match(text, end).end() != len(text):  # type: ignore[union-attr]
            raise json.JSONDecodeError("Extra data", text, _SPACE.match(text, end).end())  # type: ignore[union-attr]
    except StopIteration as exc:
        line, col = line_col(text, exc.value)
        raise LoadError("LOAD-JSON-SYNTAX", "malformed JSON: expecting a value", line=line, column=col) from None
    except _Reject as exc:
        raise LoadError(exc.code, str(exc)) from None
    except json.JSONDecodeError as exc:
        raise LoadError("LOAD-JSON-SYNTAX", f"malformed JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise LoadError("LOAD-JSON-DEPTH", "JSON nests too deeply to parse") from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        raise LoadError("LOAD-JSON-NUMBER", f"number cannot be read: {str(exc)[:80]}") from None
    # No backslash, no surrogate escape: skip the regex. (One byte is looked for with memchr; the two of
    # "\\u" would be compared byte by byte, a millisecond per megabyte.)
    if b"\\" in data and _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise LoadError("LOAD-JSON-SURROGATE", "string contains a lone UTF-16 surrogate escape") from None
    return value


def check_json_value(value: Any, limits: Limits) -> None:
    """Raise unless ``value``, a JSON value a caller parsed itself, is one strict parsing could give:
    objects are ``dict`` with ``str`` keys, arrays ``list``, numbers finite ``int``/``float``, strings
    without lone surrogates, nesting within ``limits.max_depth`` (a cyclic value nests for ever).

    The families read what :func:`json_value` returns; anything else (a date, a set, a tuple that a
    rule would not take for an array) would be judged on a shape the standard does not have.

    Raises:
        LoadError: ``LOAD-JSON-TYPE`` (a type JSON has no, or a key that is not a string),
            ``LOAD-JSON-CONSTANT`` (NaN, infinity), ``LOAD-JSON-SURROGATE``, ``LOAD-JSON-DEPTH``;
            each located by the JSON Pointer of the value (of the object, for a key).
    """
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, pointer, depth = stack.pop()
        where = pointer or "/"
        if isinstance(node, dict | list):
            if depth >= limits.max_depth:
                raise LoadError("LOAD-JSON-DEPTH", f"the object nests deeper than the limit of {limits.max_depth} "
                                                   f"(or contains itself)", pointer=where)
            if isinstance(node, list):
                stack.extend((item, f"{pointer}/{i}", depth + 1) for i, item in enumerate(node))
                continue
            for key, item in node.items():
                if not isinstance(key, str):
                    raise LoadError("LOAD-JSON-TYPE", f"object key {key!r:.60} is a {type(key).__name__}; JSON "
                                                      f"keys are strings", pointer=where)
                _check_string(key, where)
                stack.append((item, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}", depth + 1))
        elif isinstance(node, str):
            _check_string(node, where)
        elif isinstance(node, float):
            if not math.isfinite(node):
                raise LoadError("LOAD-JSON-CONSTANT", f"{node} is not a JSON number", pointer=where)
        elif node is not None and not isinstance(node, int):  # bool is an int
            raise LoadError("LOAD-JSON-TYPE", f"a {type(node).__name__} is not a JSON value (objects are dict, "
                                              f"arrays list)", pointer=where)


def _check_string(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise LoadError("LOAD-JSON-SURROGATE", "string contains a lone UTF-16 surrogate", pointer=where) from None
