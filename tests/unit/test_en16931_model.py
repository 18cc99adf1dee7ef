"""The EN 16931 semantic model: the same invoice in UBL and in CII gives the same business terms."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SHARED_DATA, need_shared
from en16931_documents import VALID_CII, VALID_UBL
from lxml import etree

from etr.families.en16931.model import HEADER, build_model


def test_ubl_and_cii_give_the_same_terms() -> None:
    ubl = build_model(etree.fromstring(VALID_UBL), "UBL")
    cii = build_model(etree.fromstring(VALID_CII), "CII")
    for term in ("BT-1", "BT-3", "BT-5", "BT-24", "BT-27", "BT-31", "BT-40", "BT-44", "BT-55", "BT-81", "BT-84"):
        assert ubl.get(term) is not None and cii.get(term) is not None, term
        assert ubl.terms[term].value == cii.terms[term].value, term
    for term in ("BT-106", "BT-107", "BT-109", "BT-110", "BT-112", "BT-115"):
        assert Decimal(ubl.terms[term].value) == Decimal(cii.terms[term].value), term
    assert ubl.get("BT-2") is not None and ubl.get("BT-2").value == "2024-05-01"  # type: ignore[union-attr]
    assert [line.get("BT-131").value for line in ubl.lines] == ["100.00", "100.00"]  # type: ignore[union-attr]
    assert [line.get("BT-151").value for line in cii.lines] == ["S", "S"]  # type: ignore[union-attr]
    assert [(b.get("BT-118").value, b.get("BT-119").value) for b in ubl.vat_breakdown] == [("S", "19")]  # type: ignore[union-attr]
    assert [a.get("BT-92").value for a in cii.allowances] == ["10.00"]  # type: ignore[union-attr]
    assert ubl.charges == () and cii.charges == ()
    assert ubl.get("BT-113") is None


def test_terms_keep_their_element_for_locations() -> None:
    model = build_model(etree.fromstring(VALID_UBL), "UBL")
    total = model.get("BT-106")
    assert total is not None
    assert total.location.xpath == "/*/cac:LegalMonetaryTotal/cbc:LineExtensionAmount"
    assert total.location.line == 1


def test_a_charge_gets_the_charge_terms() -> None:
    document = VALID_UBL.replace(b"<cbc:ChargeIndicator>false", b"<cbc:ChargeIndicator>true")
    model = build_model(etree.fromstring(document), "UBL")
    assert model.allowances == () and [c.get("BT-99").value for c in model.charges] == ["10.00"]  # type: ignore[union-attr]
    assert model.charges[0].get("BT-104") is not None and model.charges[0].get("BT-92") is None


def test_every_header_term_has_both_bindings() -> None:
    assert all(ubl and cii for _, ubl, cii in HEADER.values())
    with pytest.raises(ValueError, match="unknown syntax"):
        build_model(etree.fromstring(VALID_UBL), "EDI")  # type: ignore[arg-type]


def test_the_cen_example_in_both_syntaxes_reads_the_same() -> None:
    examples = need_shared(SHARED_DATA / "einvoice" / "en16931")
    ubl = build_model(etree.parse(str(Path(examples, "ubl/examples/ubl-tc434-example1.xml"))).getroot(), "UBL")
    cii = build_model(etree.parse(str(Path(examples, "cii/examples/CII_example1.xml"))).getroot(), "CII")
    for term in ("BT-1", "BT-5", "BT-27", "BT-31", "BT-44", "BT-84"):
        assert ubl.terms[term].value == cii.terms[term].value, term
    for term in ("BT-106", "BT-109", "BT-110", "BT-112", "BT-115"):
        assert Decimal(ubl.terms[term].value) == Decimal(cii.terms[term].value), term
    assert len(ubl.lines) == len(cii.lines) == 20
    assert [Decimal(line.terms["BT-131"][0].value) for line in ubl.lines] == \
        [Decimal(line.terms["BT-131"][0].value) for line in cii.lines]
