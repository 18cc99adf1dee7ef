"""The business-rule engine every family uses.

A rule is a small function registered on a family's :class:`RuleSet`. It is given a
context (the document, read once by the family into whatever shape its rules need)
and returns what is wrong as ``(where, message)`` pairs, usually none. ``where`` is
relative to what the rule was given; the driver makes it absolute:

* JSON (:class:`JsonLocator`): ``where`` is a JSON Pointer relative to the document
  the rules were given; the driver puts the base pointer in front (``""`` for a
  document read on its own, ``/transportDocument`` for one inside a PINT envelope);
* XML (:class:`XmlLocator`): ``where`` is an lxml element, or an XPath relative to the
  element the rules were given (``""`` for that element); the driver records the
  element's absolute path (``getroottree().getpath(el)``) and its ``sourceline``. A
  relative path that selects nothing (a missing member) is reported as that path under
  the base element, at the base element's line.

A rule states the versions it applies to (``since`` / ``until`` on the family's ordered
version list, or an explicit ``versions`` tuple) and is skipped outside them. A rule that
raises is never skipped silently: it becomes the warning ``ETR-RULE-ERROR`` naming the rule
and the exception type ("rule X not evaluated"), and the other rules still run.

Rules return lists (or :data:`NO_HITS`) rather than being generators: with a few dozen
rules per document, generator set-up alone costs more than most checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .model import Finding, Location, Severity

__all__ = [
    "NO_HITS",
    "RULE_ERROR",
    "Hit",
    "Hits",
    "JsonLocator",
    "Locator",
    "Rule",
    "RuleSet",
    "XmlLocator",
    "rule_error",
]

log = logging.getLogger("etr")

#: The code of the finding that replaces the output of a rule that raised.
RULE_ERROR = "ETR-RULE-ERROR"
_ENGINE_REFERENCE = "etr rule engine"

#: ``(where, message)``: ``where`` is a relative JSON Pointer (str), or for XML an lxml element
#: or a relative XPath (str).
Hit = tuple[Any, str]
Hits = Sequence[Hit]
NO_HITS: Hits = ()

C = TypeVar("C")
Check = Callable[[C], Hits]
#: Turns a rule's ``where`` into an absolute :class:`~etr.model.Location`.
Locator = Callable[[Any], Location]


@dataclass(frozen=True, slots=True)
class Rule(Generic[C]):
    """One business rule: a stable code, a severity, the versions it applies to, and the check.

    ``versions`` are the family versions the rule applies to, in the family's order;
    ``since`` / ``until`` are how it was stated, kept for the code catalogue.
    """

    code: str
    severity: Severity
    summary: str
    reference: str
    check: Check[C]
    versions: tuple[str, ...]
    since: str | None = None
    until: str | None = None

    def applies_to(self, version: str) -> bool:
        """Whether the rule is part of ``version`` of the standard."""
        return version in self.versions


def rule_error(code: str, exc: BaseException) -> Finding:
    """The ``ETR-RULE-ERROR`` warning for rule ``code`` that raised ``exc`` (logged with its traceback for ``-v``)."""
    log.info("rule %s raised %s", code, type(exc).__name__, exc_info=exc)
    return Finding(RULE_ERROR, Severity.WARNING, f"rule {code} not evaluated: {type(exc).__name__}",
                   reference=_ENGINE_REFERENCE, detail={"rule": code, "exception": type(exc).__name__})


class RuleSet(Generic[C]):
    """The rules of one family, in registration order, over the family's ordered ``versions``.

    Register with the :meth:`rule` decorator; run with :meth:`run`.
    """

    def __init__(self, family: str, versions: Sequence[str]) -> None:
        self.family = family
        self.versions: tuple[str, ...] = tuple(versions)
        self._rules: list[Rule[C]] = []
        self._plans: dict[str, tuple[tuple[Check[C], str, Severity, str], ...]] = {}

    @property
    def rules(self) -> tuple[Rule[C], ...]:
        """Every rule, in the order it runs."""
        return tuple(self._rules)

    def _span(self, since: str | None, until: str | None, versions: Iterable[str] | None) -> tuple[str, ...]:
        known = self.versions
        for edge in (since, until, *(versions or ())):
            if edge is not None and edge not in known:
                raise ValueError(f"{self.family}: unknown version {edge!r}; expected one of {', '.join(known)}")
        if versions is not None:
            if since is not None or until is not None:
                raise ValueError("give either versions or since/until, not both")
            chosen = set(versions)
            return tuple(v for v in known if v in chosen)
        first = known.index(since) if since is not None else 0
        last = known.index(until) if until is not None else len(known) - 1
        if first > last:
            raise ValueError(f"{self.family}: since {since} is after until {until}")
        return known[first:last + 1]

    def rule(self, code: str, severity: Severity, summary: str, *, reference: str, since: str | None = None,
             until: str | None = None, versions: Iterable[str] | None = None) -> Callable[[Check[C]], Check[C]]:
        """Register the decorated check under ``code`` for the versions ``since`` .. ``until``
        (both inclusive; open ends mean the first / latest version), or exactly ``versions``.

        Raises:
            ValueError: ``code`` is already registered; a version the family does not know;
                ``since`` after ``until``; ``versions`` together with ``since``/``until``.
        """
        span = self._span(since, until, versions)

        def register(check: Check[C]) -> Check[C]:
            if any(r.code == code for r in self._rules):
                raise ValueError(f"duplicate rule code {code}")
            self._rules.append(Rule(code, severity, summary, reference, check, span, since, until))
            self._plans.clear()
            return check

        return register

    def plan(self, version: str) -> tuple[tuple[Check[C], str, Severity, str], ...]:
        """The rules that apply to ``version``, unpacked once (attribute access per rule and document adds up).

        Raises:
            ValueError: ``version`` is not one of the family's versions.
        """
        plan = self._plans.get(version)
        if plan is None:
            if version not in self.versions:
                raise ValueError(f"unknown {self.family} version {version!r}; expected one of "
                                 f"{', '.join(self.versions)}")
            plan = tuple((r.check, r.code, r.severity, r.reference) for r in self._rules if version in r.versions)
            self._plans[version] = plan
        return plan

    def run(self, version: str, context: Callable[[], C], locate: Locator) -> Iterator[Finding]:
        """The findings of the rules of ``version``, rule by rule in registration order.

        ``context`` builds the rules' argument (called once; if it raises, the result is one
        ``ETR-RULE-ERROR`` for the whole set). ``locate`` makes each rule's ``where`` absolute.

        Raises:
            ValueError: ``version`` is not one of the family's versions (raised by the call
                itself, before iteration).
        """
        return self._run(self.plan(version), context, locate)

    def _run(self, plan: tuple[tuple[Check[C], str, Severity, str], ...], context: Callable[[], C],
             locate: Locator) -> Iterator[Finding]:
        try:
            built = context()
        except Exception as exc:  # the context only reads, but no document shape may sink validation
            yield rule_error(f"{self.family} (all rules)", exc)
            return
        for check, code, severity, reference in plan:
            try:
                hits = check(built)
                if not hits:  # the common case: nothing to locate
                    continue
                located = [(locate(where), message) for where, message in hits]
            except Exception as exc:  # reported, never dropped: the rule was not evaluated
                yield rule_error(code, exc)
                continue
            for location, message in located:
                yield Finding(code, severity, message, location, reference)


class JsonLocator:
    """Makes a rule's relative JSON Pointer absolute by putting ``base`` in front of it."""

    __slots__ = ("attachment", "base")

    def __init__(self, base: str = "", attachment: str | None = None) -> None:
        self.base = base
        self.attachment = attachment

    def __call__(self, where: Any) -> Location:
        if not isinstance(where, str) or (where and not where.startswith("/")):
            raise TypeError(f"a JSON rule must give a JSON Pointer, not {where!r}")
        return Location(pointer=self.base + where, attachment=self.attachment)


class XmlLocator:
    """Makes a rule's element or relative XPath absolute: the element's path in its tree and its line.

    ``namespaces`` are the prefixes the rules' relative paths use.
    """

    __slots__ = ("attachment", "base", "namespaces", "tree")

    def __init__(self, base: Any, namespaces: Mapping[str, str] | None = None, attachment: str | None = None) -> None:
        self.base = base
        self.tree = base.getroottree()
        self.namespaces = dict(namespaces or {})
        self.attachment = attachment

    def __call__(self, where: Any) -> Location:
        if isinstance(where, str):
            if not where:
                element = self.base
            else:
                found = self.base.xpath(where, namespaces=self.namespaces)
                element = found[0] if isinstance(found, list) and found and hasattr(found[0], "sourceline") else None
                if element is None:
                    return Location(xpath=f"{self.tree.getpath(self.base)}/{where}", line=self.base.sourceline,
                                    attachment=self.attachment)
        else:
            element = where
        if not hasattr(element, "getroottree"):
            raise TypeError(f"an XML rule must give an element or a relative XPath, not {where!r}")
        return Location(xpath=element.getroottree().getpath(element), line=element.sourceline,
                        attachment=self.attachment)
