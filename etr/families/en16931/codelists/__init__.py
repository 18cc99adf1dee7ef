"""The code lists the EN 16931 BR-CL rules check, as data files (one code a line; ``#`` lines give title,
version and source). Each list is read once per process."""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["code_set", "codes", "joined"]


@functools.cache
def codes(name: str) -> tuple[str, ...]:
    """The codes of list ``name`` (a file stem, e.g. ``"iso4217"``), in file order.

    Raises FileNotFoundError for an unknown list (a programming error)."""
    text = resources.files(__package__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@functools.cache
def joined(name: str) -> str:
    """The list as one space-padded string (``" A B C "``), the form the official rules search in: some
    rules test substring containment rather than membership, and the native rules mirror that."""
    return " " + " ".join(codes(name)) + " "


@functools.cache
def code_set(name: str) -> frozenset[str]:
    """The codes of list ``name`` as a set. No code contains a space (the data files have one code a line),
    so for a value without a space, membership here is the official ``contains(' A B C ', ' value ')``
    (see :func:`joined`) in one hash lookup instead of a scan of the whole list."""
    return frozenset(codes(name))
