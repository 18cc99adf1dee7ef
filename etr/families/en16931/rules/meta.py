"""What each EN 16931 business rule says: severity (the official flag: fatal is an error, warning a
warning), the BT/BG terms it concerns and a one-line message, read from the data file ``rules.toml`` next
to this module (facts of the CEN validation artefacts v1.3.16; the messages are etr's).

``RULES`` has every rule that can fire: 219 of the 223 BR rules. The four on allowance and charge reasons
(BR-CO-05 to 08: a reason code and its text "shall indicate the same type") are not machine-checkable; the
official artefacts assert true() for them, so they never fire and are listed nowhere.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import NamedTuple

__all__ = ["CATEGORY_RULES", "RULES", "RuleInfo"]


class RuleInfo(NamedTuple):
    """One business rule: ``severity`` "error" | "warning", ``terms`` (BT-/BG- ids), ``message``."""

    severity: str
    terms: tuple[str, ...]
    message: str


def _load() -> dict[str, RuleInfo]:
    data = tomllib.loads(resources.files(__package__).joinpath("rules.toml").read_text(encoding="utf-8"))
    return {rule: RuleInfo(str(entry["severity"]), tuple(entry["terms"]), str(entry["message"]))
            for rule, entry in data.items()}


#: Rule id -> what it says, in catalogue order.
RULES: dict[str, RuleInfo] = _load()

#: The rules of each VAT category (by its UNTDID 5305 code), by rule number:
#: ``CATEGORY_RULES["K"][11]`` is ``"BR-IC-11"``.
CATEGORY_RULES: dict[str, dict[int, str]] = {
    "S": {1: "BR-S-01", 2: "BR-S-02", 3: "BR-S-03", 4: "BR-S-04", 5: "BR-S-05", 6: "BR-S-06", 7: "BR-S-07",
        8: "BR-S-08", 9: "BR-S-09", 10: "BR-S-10"},
    "Z": {1: "BR-Z-01", 2: "BR-Z-02", 3: "BR-Z-03", 4: "BR-Z-04", 5: "BR-Z-05", 6: "BR-Z-06", 7: "BR-Z-07",
        8: "BR-Z-08", 9: "BR-Z-09", 10: "BR-Z-10"},
    "E": {1: "BR-E-01", 2: "BR-E-02", 3: "BR-E-03", 4: "BR-E-04", 5: "BR-E-05", 6: "BR-E-06", 7: "BR-E-07",
        8: "BR-E-08", 9: "BR-E-09", 10: "BR-E-10"},
    "AE": {1: "BR-AE-01", 2: "BR-AE-02", 3: "BR-AE-03", 4: "BR-AE-04", 5: "BR-AE-05", 6: "BR-AE-06", 7: "BR-AE-07",
        8: "BR-AE-08", 9: "BR-AE-09", 10: "BR-AE-10"},
    "K": {1: "BR-IC-01", 2: "BR-IC-02", 3: "BR-IC-03", 4: "BR-IC-04", 5: "BR-IC-05", 6: "BR-IC-06", 7: "BR-IC-07",
        8: "BR-IC-08", 9: "BR-IC-09", 10: "BR-IC-10", 11: "BR-IC-11", 12: "BR-IC-12"},
    "G": {1: "BR-G-01", 2: "BR-G-02", 3: "BR-G-03", 4: "BR-G-04", 5: "BR-G-05", 6: "BR-G-06", 7: "BR-G-07",
        8: "BR-G-08", 9: "BR-G-09", 10: "BR-G-10"},
    "O": {1: "BR-O-01", 2: "BR-O-02", 3: "BR-O-03", 4: "BR-O-04", 5: "BR-O-05", 6: "BR-O-06", 7: "BR-O-07",
        8: "BR-O-08", 9: "BR-O-09", 10: "BR-O-10", 11: "BR-O-11", 12: "BR-O-12", 13: "BR-O-13", 14: "BR-O-14"},
    "L": {1: "BR-AF-01", 2: "BR-AF-02", 3: "BR-AF-03", 4: "BR-AF-04", 5: "BR-AF-05", 6: "BR-AF-06", 7: "BR-AF-07",
        8: "BR-AF-08", 9: "BR-AF-09", 10: "BR-AF-10"},
    "M": {1: "BR-AG-01", 2: "BR-AG-02", 3: "BR-AG-03", 4: "BR-AG-04", 5: "BR-AG-05", 6: "BR-AG-06", 7: "BR-AG-07",
        8: "BR-AG-08", 9: "BR-AG-09", 10: "BR-AG-10"},
}
