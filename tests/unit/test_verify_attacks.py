"""Attacks found by the fresh-user pass on ``etr verify`` whose fix lies in ``etr/transfer`` or ``etr/crypto``
(being reworked by another helper when they were found). Each test states the behaviour the project's
contracts demand; each failed before its fix.
"""

from __future__ import annotations

import base64
import json

import pytest
from pint_simulator import PLATFORMS, Pki, RawChain, World, registry_csv, tx_dict

from etr.crypto.trust import TrustStore
from etr.errors import KeyFileError
from etr.model import Outcome
from etr.transfer.sign import canonical_json


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _store_binding(world: World, platforms: tuple[str, ...]) -> TrustStore:
    """Every platform's public key trusted, but a registry that binds only ``platforms``."""
    store = TrustStore()
    for key in world.keys.values():
        store.add_key(key.public)
    store.add_registry(registry_csv({p: world.key(p) for p in platforms}), "<partial registry>")
    return store


def test_a_platforms_key_signing_for_a_platform_the_registry_does_not_list_does_not_pass() -> None:
    # EBL2's own key signs an entry that claims to come from EBL1. The registry lists CAR1 and EBL2 only
    # (a row forgotten, or a code spelled in lower case), so nothing binds any key to EBL1.
    world = World("EdDSA")
    store = _store_binding(world, ("CAR1", "EBL2"))
    chain = RawChain(world).issue("alice").add("TRANSFER", "alice", "bob", key=world.key("EBL2"))
    envelope = chain.envelope(key=world.key("EBL2"))
    from etr.transfer.verify import verify_envelope

    result = verify_envelope(envelope, store, at="2026-07-01T00:00:00Z", validate_document=False)
    # README: "An entry is accepted only when the trust store binds its key to the platform the entry names".
    assert result.outcome is not Outcome.PASS, result.codes


def test_any_certificate_of_a_shared_ca_does_not_speak_for_an_unregistered_platform() -> None:
    world = World("ES256")
    pki = Pki()
    store = TrustStore()
    store.add_certificate(pki.root)
    store.add_key(world.key("CAR1").public)
    store.add_registry(registry_csv({"CAR1": world.key("CAR1")}), "<registry>")
    attacker = world.key("EBL3")  # anyone the shared CA certified
    leaf = pki.leaf("attacker.example", attacker)
    chain = RawChain(world).issue("alice").add("TRANSFER", "alice", "bob", key=attacker, x5c_chain=leaf)
    envelope = chain.envelope(key=attacker, x5c_chain=leaf)
    from etr.transfer.verify import verify_envelope

    result = verify_envelope(envelope, store, at="2026-07-01T00:00:00Z", validate_document=False)
    # DESIGN, security rules: a certificate from a shared CA proves nothing about who holds the key.
    assert result.outcome is Outcome.FAIL, result.codes
    assert result.response_code == "BSIG"


def test_a_null_kid_is_an_ill_typed_header_like_any_other() -> None:
    world = World("EdDSA")
    chain = RawChain(world).issue("alice")
    payload = chain.payload("EBL1", [tx_dict("TRANSFER", "alice", "bob", 1)])
    head = _b64(json.dumps({"alg": "EdDSA", "kid": None}).encode())
    body = _b64(canonical_json(payload))
    signature = world.key("EBL1").key.sign(f"{head}.{body}".encode())
    chain.tokens.append(f"{head}.{body}.{_b64(signature)}")
    result = world.verify(chain.envelope())
    assert "PINT-JWS-HEADER" in result.codes, result.codes


def test_a_registry_csv_with_an_unterminated_quote_is_refused() -> None:
    world = World("EdDSA")
    rows = registry_csv({p: world.key(p) for p in PLATFORMS}).decode().splitlines()
    # The first platform row's Site opens a quote that is never closed: the rows after it vanish.
    code, site, rest = rows[1].split(",", 2)
    broken = "\n".join([rows[0], f'{code},"{site},{rest}', *rows[2:]]) + "\n"
    store = TrustStore()
    with pytest.raises(KeyFileError):
        store.add_registry(broken.encode(), "<broken registry>")


def test_a_kid_label_two_stored_keys_share_binds_neither() -> None:
    """Two platforms' keys stored under one label (``key-1``): the registry row that lists ``key-1`` must not let
    the other platform's key, named in the header by its own thumbprint, speak for it."""
    from datetime import UTC, datetime

    from etr.crypto.keys import generate_key

    car, ebl = generate_key("ES256", kid="key-1"), generate_key("ES256", kid="key-1")
    store = TrustStore()
    store.add_key(car.public)
    store.add_key(ebl.public)
    store.add_registry(b"Code,Site,jwks_endpoint,manual_key_id,key_thumbprint\n"
                       b"CAR1,a,,key-1,\n" + f"EBL1,b,,,{ebl.public.thumbprint}\n".encode())
    at = datetime(2026, 7, 1, tzinfo=UTC)
    forged = store.resolve({"alg": "ES256", "kid": ebl.public.thumbprint}, platform="CAR1", at=at)
    assert not forged.ok, forged
    assert store.platforms_binding(ebl.public) == ["EBL1"]
    # Pinned by its thumbprint, EBL1's key still speaks for EBL1.
    assert store.resolve({"alg": "ES256", "kid": ebl.public.thumbprint}, platform="EBL1", at=at).ok


def test_a_key_bound_to_one_platform_does_not_sign_for_a_platform_listed_without_keys() -> None:
    """CAR1 is listed with only a JWKS endpoint (its binding cannot be checked offline); EBL1's key, which the
    registry binds to EBL1, signing the ISSUE as CAR1 is a mismatch, not NOT_EVALUABLE."""
    world = World("EdDSA")
    store = TrustStore()
    for key in world.keys.values():
        store.add_key(key.public)
    rows = "".join(f"{p},,,{world.key(p).kid}\n" for p in PLATFORMS if p != "CAR1")
    store.add_registry(("Code,Site,jwks_endpoint,manual_key_id\nCAR1,,https://car1.example/jwks.json,\n"
                        + rows).encode(), "<registry>")
    chain = RawChain(world).issue("alice", key=world.key("EBL1"))
    from etr.transfer.verify import verify_envelope

    result = verify_envelope(chain.envelope(key=world.key("EBL1")), store, at="2026-07-01T00:00:00Z",
                             validate_document=False)
    assert result.outcome is Outcome.FAIL and result.response_code == "BSIG", result.codes
