"""MLETR reliability assessment: requirements as data, evidence, the assessor, jurisdiction profiles.

``etr.assess(item, trust=…, profile="mletr")`` (:mod:`etr.assess`) is the door; this package holds the
parts: :mod:`.requirements` (the rows, from ``requirements.toml``; profiles ``mletr``, ``uk-etda-2023``,
``sg-eta-2021``), :mod:`.evidence` (adapters from etr's results to neutral evidence), :mod:`.attestation`
(the platform attestation file), :mod:`.checks` (one check per requirement), :mod:`.assessor` and
:mod:`.result` (:class:`~etr.mletr.result.Assessment`, ``kind = "assessment"``).
"""

from __future__ import annotations

from .assessor import AssessOptions, assess_evidence, assess_source
from .attestation import Attestation, load_attestation, parse_attestation
from .evidence import Evidence
from .requirements import DEFAULT_PROFILE, Profile, Requirement, profile, profiles, requirements
from .result import Assessment, Row

__all__ = [
    "DEFAULT_PROFILE",
    "AssessOptions",
    "Assessment",
    "Attestation",
    "Evidence",
    "Profile",
    "Requirement",
    "Row",
    "assess_evidence",
    "assess_source",
    "load_attestation",
    "parse_attestation",
    "profile",
    "profiles",
    "requirements",
]
