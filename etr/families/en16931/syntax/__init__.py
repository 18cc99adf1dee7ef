"""EN 16931 syntax-binding rules: UBL-CR/SR/DT for UBL 2.1, CII-SR and the Factur-X CII rules.

The rules are data (``ubl.tsv``, ``cii.tsv``: rule id, flag, context, path, cardinality, terms),
derived from the official validation artefacts by ``tools/derive_en16931_syntax.py`` and evaluated
natively in one walk over the tree (:mod:`.engine`).
"""

from __future__ import annotations

from typing import Literal

from lxml import etree

from etr.model import Finding

from .engine import load_table

__all__ = ["check_syntax_rules"]


def check_syntax_rules(root: etree._Element, syntax: Literal["UBL", "CII"]) -> list[Finding]:
    """The syntax-binding findings for the invoice whose root element is ``root``.

    ``syntax`` "UBL" applies the UBL-CR/SR/DT rules of the CEN UBL binding (Invoice and CreditNote);
    "CII" applies the CII rules of the Factur-X EN16931 rule set (CII-SR, FX-SCH-A, PEPPOL-EN16931-R008).
    Each finding: code = the official rule id; severity error (flag fatal, or no flag) or warning;
    ``terms`` = the BT/BG terms the rule names; location = XPath and line of the offending element
    (the context element when the offending one is missing). Fragments are fine: a rule whose
    context is absent simply does not apply. Raises nothing on any well-formed tree; ``ValueError``
    for an unknown ``syntax``.
    """
    if syntax == "UBL":
        return load_table("ubl").check(root)
    if syntax == "CII":
        return load_table("cii").check(root)
    raise ValueError(f"unknown syntax {syntax!r}: 'UBL' or 'CII'")
