"""The requirements and profiles of the assessment, read from ``requirements.toml`` (data, shipped in the wheel).

A :class:`Requirement` is one row of the assessment: its id, the check that decides it, the evidence it
reads, and per profile the articles it implements and, where the law words it otherwise, the profile's
own title. A :class:`Profile` (``mletr``, ``uk-etda-2023``, ``sg-eta-2021``) lists the requirements that
have a table for it, in the file's order.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..errors import EnvironmentProblem, UsageError
from ..model import Outcome

__all__ = ["DEFAULT_PROFILE", "EVIDENCE_KINDS", "Profile", "Requirement", "profile", "profiles", "requirements"]

DEFAULT_PROFILE = "mletr"
#: The evidence kinds of the reference's evidence model (§A6).
EVIDENCE_KINDS = ("E-DOC", "E-SIG", "E-CHAIN", "E-REG", "E-ID", "E-PLAT", "E-ATTEST")


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement: ``articles`` and ``titles`` map a profile id to its references and its wording."""

    id: str
    title: str
    function: str
    evidence: tuple[str, ...]
    check: str
    outcomes: tuple[Outcome, ...]
    transferable_only: bool
    attestation: str | None
    articles: Mapping[str, tuple[str, ...]]
    titles: Mapping[str, str]

    @property
    def code(self) -> str | None:
        """The finding code of a FAIL or WARN row (``MLETR-R10-1B-III-INTEGRITY``); ``None`` when the
        requirement can be neither."""
        if Outcome.FAIL in self.outcomes or Outcome.WARN in self.outcomes:
            return "MLETR-" + self.id.upper()
        return None

    def title_in(self, profile_id: str) -> str:
        return self.titles.get(profile_id, self.title)


@dataclass(frozen=True, slots=True)
class Profile:
    """A jurisdiction's list: ``requirements`` in report order; ``reliability`` says the standard in its words."""

    id: str
    title: str
    short: str
    reliability: str
    requirements: tuple[Requirement, ...]


def _fail(message: str) -> EnvironmentProblem:
    return EnvironmentProblem(f"etr/mletr/requirements.toml: {message}", code="ETR-CATALOGUE-INVALID",
                              hint="reinstall etr; the requirement data shipped with it is damaged")


@functools.cache
def _load() -> tuple[tuple[Requirement, ...], tuple[Profile, ...]]:
    try:
        data = tomllib.loads(resources.files("etr.mletr").joinpath("requirements.toml").read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise _fail(str(exc)) from None
    reqs: list[Requirement] = []
    for raw in data.get("requirement", []):
        reqs.append(_requirement(raw))
    from .checks import CHECKS

    for req in reqs:
        if req.check not in CHECKS:
            raise _fail(f"{req.id}: unknown check {req.check!r}")
    profs = tuple(Profile(p["id"], p["title"], p["short"], p["reliability"],
                          tuple(r for r in reqs if p["id"] in r.articles)) for p in data.get("profile", []))
    return tuple(reqs), profs


def _requirement(raw: Mapping[str, Any]) -> Requirement:
    try:
        tables = raw.get("profiles", {})
        return Requirement(raw["id"], raw["title"], raw["function"], tuple(raw["evidence"]), raw["check"],
                           tuple(Outcome(o) for o in raw["outcomes"]), bool(raw["transferable_only"]),
                           raw.get("attestation"),
                           {p: tuple(t["articles"]) for p, t in tables.items()},
                           {p: t["title"] for p, t in tables.items() if "title" in t})
    except (KeyError, TypeError, ValueError) as exc:
        raise _fail(f"requirement {raw.get('id', '?')}: missing or bad member {exc}") from None


def requirements() -> tuple[Requirement, ...]:
    """Every requirement, in report order."""
    return _load()[0]


def profiles() -> tuple[Profile, ...]:
    """The profiles: ``mletr`` (the default), ``uk-etda-2023``, ``sg-eta-2021``."""
    return _load()[1]


def profile(profile_id: str) -> Profile:
    """The profile called ``profile_id``.

    Raises:
        UsageError: ``MLETR-PROFILE``: no such profile.
    """
    for p in profiles():
        if p.id == profile_id:
            return p
    raise UsageError(f"unknown profile {profile_id!r}", code="MLETR-PROFILE",
                     hint=f"choose one of: {', '.join(p.id for p in profiles())}")
