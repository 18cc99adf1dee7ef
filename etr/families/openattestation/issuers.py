"""Trusted issuers of OpenAttestation documents: the file ``--trust`` takes to answer identity offline.

The reference proves an issuer's identity online (a DNS TXT record at the
issuer's domain naming its contract, or DID resolution). Offline, the caller
states whom they trust, in a TOML (or JSON) file::

    format = "etr-trusted-issuers"

    [[issuer]]
    name = "Demo Issuer"                                       # optional, for people
    domain = "demo-tradetrust.openattestation.com"             # the DNS-TXT / DNS-DID location it owns
    document-store = "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca"   # each of these: a string or a list
    token-registry = ["0x142Ca30e3b78A840a82192529cA047ED759a6F7e"]
    did = "did:ethr:0xE712878f6E8d5d4F9e87E10DA604F9cB564C9a89"

(JSON: ``{"format": "etr-trusted-issuers", "issuers": [{...the same keys...}]}``.)

An issuer of a document is then trusted when

* DNS-TXT: its document store (or certificate store) / token registry is listed for its domain;
* DNS-DID: the DID of its signing key is listed for its domain;
* DID: its DID is listed (and the document's DID signature holds).

Addresses and DIDs compare case-insensitively, domains without case and without a trailing dot.
A file is recognised by its ``format`` value, so it may be given beside PINT trust material
(``--trust keys/ --trust issuers.toml``); inside a directory only ``*.toml`` files are read for it.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import KeyFileError

FORMAT = "etr-trusted-issuers"
MAX_BYTES = 4 * 1024 * 1024
_KEYS = frozenset({"name", "domain", "document-store", "token-registry", "certificate-store", "did"})


@dataclass(frozen=True, slots=True)
class TrustedIssuer:
    """One trusted issuer: its ``domain`` and the contracts and DIDs it speaks through (all lower case)."""

    name: str | None = None
    domain: str | None = None
    document_stores: frozenset[str] = frozenset()
    token_registries: frozenset[str] = frozenset()
    dids: frozenset[str] = frozenset()
    source: str = ""


@dataclass(frozen=True, slots=True)
class TrustedIssuers:
    """The trusted issuers read from one or more files (empty: identity stays NOT_EVALUABLE)."""

    issuers: tuple[TrustedIssuer, ...] = ()
    sources: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.issuers)

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path]) -> TrustedIssuers:
        """The issuers of every trusted-issuers file among ``paths`` (files, or ``*.toml`` in directories).

        Raises:
            KeyFileError: ``OA-TRUST-FILE``: a file that says it is a trusted-issuers file is malformed.
        """
        issuers: list[TrustedIssuer] = []
        sources: list[str] = []
        for path in paths:
            for file in _candidates(Path(path)):
                data = read_issuers_file(file)
                if data is None:
                    continue
                sources.append(str(file))
                issuers.extend(_parse(data, str(file)))
        return cls(tuple(issuers), tuple(sources))

    def match_address(self, domain: str | None, address: str, member: str) -> TrustedIssuer | None:
        """The trusted issuer owning ``domain`` that lists ``address`` as a ``member`` (documentStore,
        certificateStore, tokenRegistry), if any."""
        want = address.lower()
        for issuer in self.issuers:
            listed = issuer.token_registries if member == "tokenRegistry" else issuer.document_stores
            if want in listed and _same_domain(issuer.domain, domain):
                return issuer
        return None

    def match_did(self, did: str, domain: str | None = None, *, need_domain: bool = False) -> TrustedIssuer | None:
        """The trusted issuer listing ``did`` (and owning ``domain`` when ``need_domain``), if any."""
        want = did.lower()
        for issuer in self.issuers:
            if want in issuer.dids and (not need_domain or _same_domain(issuer.domain, domain)):
                return issuer
        return None


def _same_domain(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower().rstrip(".") == b.lower().rstrip(".")


def _candidates(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".toml"
                      and not p.name.startswith("."))
    return [path]


def read_issuers_file(path: Path) -> Mapping[str, Any] | None:
    """The parsed content of ``path`` when it is a trusted-issuers file (its ``format`` says so), else ``None``.

    Raises:
        KeyFileError: ``OA-TRUST-FILE``: it cannot be read, or is larger than 4 MiB.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise KeyFileError(f"{path}: {exc.strerror or exc}", code="OA-TRUST-FILE") from None
    if FORMAT.encode() not in data:
        return None
    if len(data) > MAX_BYTES:
        raise KeyFileError(f"{path}: a trusted-issuers file is larger than 4 MiB", code="OA-TRUST-FILE")
    text = data.decode("utf-8-sig", "replace")
    parsed: Any
    try:
        parsed = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise KeyFileError(f"{path}: the trusted-issuers file is neither TOML nor JSON: {str(exc)[:120]}",
                           code="OA-TRUST-FILE") from None
    if not isinstance(parsed, dict) or parsed.get("format") != FORMAT:
        return None
    return parsed


def _parse(data: Mapping[str, Any], name: str) -> list[TrustedIssuer]:
    entries = data.get("issuer", data.get("issuers"))
    unknown = set(data) - {"format", "issuer", "issuers"}
    if "issuer" in data and "issuers" in data:  # one of the two lists would be ignored
        raise KeyFileError(f"{name}: a trusted-issuers file has either 'issuer' or 'issuers', not both",
                           code="OA-TRUST-FILE", hint="see `etr verify --help` for the format")
    if unknown or not isinstance(entries, list) or not entries:
        raise KeyFileError(f"{name}: a trusted-issuers file has 'format' and a non-empty list of issuers "
                           f"('[[issuer]]' in TOML, 'issuers' in JSON)"
                           + (f"; unknown key(s): {', '.join(sorted(unknown))}" if unknown else ""),
                           code="OA-TRUST-FILE", hint="see `etr verify --help` for the format")
    out = []
    for index, entry in enumerate(entries):
        where = f"{name}: issuer {index + 1}"
        if not isinstance(entry, dict):
            raise KeyFileError(f"{where} is not a table", code="OA-TRUST-FILE")
        bad = set(entry) - _KEYS
        if bad:
            raise KeyFileError(f"{where}: unknown key(s) {', '.join(sorted(bad))} (known: {', '.join(sorted(_KEYS))})",
                               code="OA-TRUST-FILE")
        domain = entry.get("domain")
        if domain is not None and not (isinstance(domain, str) and domain.strip()):
            raise KeyFileError(f"{where}: domain must be a non-empty string", code="OA-TRUST-FILE")
        stores = _strings(entry, "document-store", where) | _strings(entry, "certificate-store", where)
        registries = _strings(entry, "token-registry", where)
        dids = _strings(entry, "did", where)
        if (stores or registries) and domain is None:
            raise KeyFileError(f"{where}: a document store or token registry is trusted for a domain: give "
                               "'domain'", code="OA-TRUST-FILE")
        if not (stores or registries or dids):
            raise KeyFileError(f"{where}: names no document-store, token-registry or did", code="OA-TRUST-FILE")
        for address in stores | registries:
            if not (len(address) == 42 and address.startswith("0x")
                    and all(c in "0123456789abcdef" for c in address[2:])):
                raise KeyFileError(f"{where}: {address!r} is not an Ethereum address (0x + 40 hex)",
                                   code="OA-TRUST-FILE")
        for did in dids:
            if not did.startswith("did:") or "#" in did:
                raise KeyFileError(f"{where}: {did!r} is not a DID (did:method:id, without #fragment)",
                                   code="OA-TRUST-FILE")
        name_ = entry.get("name")
        out.append(TrustedIssuer(name_ if isinstance(name_, str) else None, domain, stores, registries, dids, name))
    return out


def _strings(entry: Mapping[str, Any], key: str, where: str) -> frozenset[str]:
    value = entry.get(key)
    if value is None:
        return frozenset()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise KeyFileError(f"{where}: {key} must be a string or a list of strings", code="OA-TRUST-FILE")
    return frozenset(i.lower() for i in items)
