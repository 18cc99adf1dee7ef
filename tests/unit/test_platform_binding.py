"""Platform binding: which key speaks for which platform.

The attack: platforms EBL1 and EBL2 hold certificates from one shared, trusted CA. EBL2 signs an entry
that claims EBL1 (``eblPlatform: EBL1``), carries its own certificate in ``x5c`` and copies the key id
the registry lists for EBL1 into the JWS header. A certificate that merely chains to a trusted CA proves
nothing about which platform holds the key: the trust store must bind it (a pinned certificate, EBL1's
own key under its registered kid, or a registered kid that is the key's RFC 7638 thumbprint).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import need_shared
from cryptography import x509
from pint_simulator import RawChain, World
from x509_factory import Ca, name, sha256_hex, x5c

from etr.crypto.jws import parse_compact
from etr.crypto.keys import KeyFileError, SigningKey, generate_key
from etr.crypto.trust import KeyResolution, TrustError, TrustStore
from etr.model import Outcome
from etr.transfer.verify import verify_envelope

AT = datetime(2026, 6, 1, tzinfo=UTC)
HEADER = "Code,Site,jwks_endpoint,manual_key_id"


class Platforms:
    """A shared CA; EBL1 and EBL2 each with a key and a certificate from it; CAR1 likewise."""

    def __init__(self) -> None:
        self.ca = Ca(name("Shared PINT CA", "Trust Services"))
        self.keys = {"CAR1": generate_key("ES256", kid="car1-key"), "EBL1": generate_key("EdDSA", kid="ebl1-key"),
                     "EBL2": generate_key("ES256", kid="ebl2-key")}
        self.certs = {p: self.ca.leaf(name(f"{p.lower()}.example", f"Platform {p}"), k.key.public_key(),
                                      san=[x509.DNSName(f"{p.lower()}.example")])
                      for p, k in self.keys.items()}

    def chain(self, platform: str) -> list[str]:
        return x5c(self.certs[platform], self.ca.cert)

    def store(self, *rows: str, columns: str = HEADER) -> TrustStore:
        store = TrustStore()
        store.add_certificate(self.ca.cert)
        store.add_registry("\n".join([columns, *rows, ""]).encode(), "registry.csv")
        return store

    def header(self, signer: str, kid: str | None) -> dict[str, Any]:
        """The protected header ``signer`` writes: its own certificate chain, and ``kid``."""
        out: dict[str, Any] = {"alg": self.keys[signer].alg, "x5c": self.chain(signer)}
        if kid is not None:
            out["kid"] = kid
        return out


@pytest.fixture(scope="module")
def p() -> Platforms:
    return Platforms()


def resolve(store: TrustStore, header: dict[str, Any], platform: str | None) -> KeyResolution:
    return store.resolve(header, platform=platform, at=AT)


# --------------------------------------------------------------------------- the attack, at the trust store


def test_shared_ca_certificate_with_a_copied_kid_does_not_speak_for_a_platform(p: Platforms) -> None:
    store = p.store("EBL1,,,ebl1-key", "EBL2,,,ebl2-key")
    forged = resolve(store, p.header("EBL2", "ebl1-key"), "EBL1")
    assert not forged.ok and forged.key is None
    assert forged.code == "TRUST-PLATFORM-UNBOUND"
    # The message says how to fix the trust store, naming the certificate's pins.
    assert "pin" in forged.message and "cert_sha256" in forged.message
    assert sha256_hex(p.certs["EBL2"]) in forged.message
    # EBL1 itself is in the same position: nothing in this store tells its certificate from EBL2's.
    honest = resolve(store, p.header("EBL1", "ebl1-key"), "EBL1")
    assert honest.code == "TRUST-PLATFORM-UNBOUND"
    # EBL2's certificate under another kid than the registered one for EBL1 is a mismatch.
    assert resolve(store, p.header("EBL2", "ebl2-key"), "EBL1").code == "TRUST-PLATFORM-MISMATCH"
    # No kid at all proves nothing either.
    assert resolve(store, p.header("EBL2", None), "EBL1").code == "TRUST-PLATFORM-UNBOUND"
    # A caller who wants an exception gets the same code.
    with pytest.raises(TrustError) as raised:
        forged.key_or_raise()
    assert raised.value.code == "TRUST-PLATFORM-UNBOUND"


@pytest.mark.parametrize("pin", ["cert_sha256", "key_thumbprint", "subject", "san", "san-untyped", "subject+san"])
def test_a_pinned_certificate_binds_its_platform_and_only_it(p: Platforms, pin: str) -> None:
    cert = p.certs["EBL1"]
    value = {"cert_sha256": sha256_hex(cert).upper(), "key_thumbprint": p.keys["EBL1"].public.thumbprint,
             "subject": cert.subject.rfc4514_string(), "san": "DNS:ebl1.example", "san-untyped": "EBL1.example"}
    if pin == "subject+san":
        columns, row = f"{HEADER},subject,san", f'EBL1,,,ebl1-key,"{value["subject"]}",DNS:ebl1.example'
    else:
        column = pin.removesuffix("-untyped")
        columns, row = f"{HEADER},{column}", f'EBL1,,,ebl1-key,"{value[pin]}"'
    store = p.store(row, "EBL2,,,ebl2-key,", columns=columns)
    honest = resolve(store, p.header("EBL1", "ebl1-key"), "EBL1")
    assert honest.ok and honest.platform_binding == "registered", honest.message
    assert honest.bound_by == pin.replace("-untyped", "").replace("_", "-")
    # The key keeps its own name: it is never relabelled with the header's kid.
    assert honest.key is not None and honest.key.kid == p.keys["EBL1"].public.thumbprint
    forged = resolve(store, p.header("EBL2", "ebl1-key"), "EBL1")
    assert forged.code == "TRUST-PLATFORM-UNBOUND", forged.message


def test_subject_and_san_must_both_match_when_both_are_pinned(p: Platforms) -> None:
    subject = p.certs["EBL1"].subject.rfc4514_string()
    store = p.store(f'EBL1,,,,"{subject}",DNS:other.example', columns=f"{HEADER},subject,san")
    assert resolve(store, p.header("EBL1", None), "EBL1").code == "TRUST-PLATFORM-UNBOUND"


def test_a_pin_binds_but_does_not_make_a_certificate_trusted(p: Platforms) -> None:
    rogue = Ca(name("Rogue CA"))
    cert = rogue.leaf(name("ebl1.example"), p.keys["EBL1"].key.public_key())
    store = p.store(f"EBL1,,,,{sha256_hex(cert)}", columns=f"{HEADER},cert_sha256")
    result = resolve(store, {"alg": "EdDSA", "x5c": x5c(cert, rogue.cert)}, "EBL1")
    assert result.code == "TRUST-X5C-UNTRUSTED"


@pytest.mark.parametrize("length", [43, 16, 24])
def test_a_registered_thumbprint_kid_pins_the_key(p: Platforms, length: int) -> None:
    kid = p.keys["EBL1"].public.thumbprint[:length]
    store = p.store(f"EBL1,,,{kid}", f"EBL2,,,{p.keys['EBL2'].public.thumbprint[:16]}")
    honest = resolve(store, p.header("EBL1", kid), "EBL1")
    assert honest.ok and honest.platform_binding == "registered" and honest.bound_by == "thumbprint"
    assert honest.key is not None and honest.key.kid == p.keys["EBL1"].public.thumbprint
    # The header's kid is only a label: the certificate's key is what the registry pins.
    assert resolve(store, p.header("EBL1", None), "EBL1").ok
    # EBL2's certificate, with EBL1's thumbprint kid copied into the header: the kid does not match the key.
    forged = resolve(store, p.header("EBL2", kid), "EBL1")
    assert forged.code == "TRUST-KID-MISMATCH", forged.message
    assert p.keys["EBL2"].public.thumbprint in forged.message
    with pytest.raises(TrustError) as raised:
        forged.key_or_raise()
    assert raised.value.code == "TRUST-KID-MISMATCH"
    # ... and under its own kid or none, EBL2's certificate is not EBL1's.
    assert resolve(store, p.header("EBL2", None), "EBL1").code == "TRUST-PLATFORM-UNBOUND"


def test_a_short_prefix_is_not_a_thumbprint_pin(p: Platforms) -> None:
    kid = p.keys["EBL1"].public.thumbprint[:15]
    store = p.store(f"EBL1,,,{kid}")
    assert resolve(store, p.header("EBL1", kid), "EBL1").code == "TRUST-PLATFORM-UNBOUND"


def test_a_thumbprint_shaped_kid_must_match_the_key_it_is_used_with(p: Platforms) -> None:
    store = p.store("EBL1,,,ebl1-key", "EBL2,,,ebl2-key")
    other = generate_key("EdDSA").public.thumbprint
    # 43 base64url characters are a thumbprint claim wherever they appear, registered or not.
    for platform in (None, "EBL1", "NOT-REGISTERED"):
        result = resolve(store, p.header("EBL1", other), platform)
        assert result.code == "TRUST-KID-MISMATCH", (platform, result.message)
    # A registered kid of 16+ base64url characters is read as a thumbprint prefix (pint-demo's convention).
    store = p.store("EBL1,,,ebl1-key", f"EBL9,,,{other[:20]}")
    assert resolve(store, p.header("EBL1", other[:20]), None).code == "TRUST-KID-MISMATCH"
    # An unregistered label of the same length is just a label: a pinned certificate still binds.
    label = "platform-one-signing-2026"
    store = p.store(f"EBL1,,,,{sha256_hex(p.certs['EBL1'])}", columns=f"{HEADER},cert_sha256")
    result = resolve(store, p.header("EBL1", label), "EBL1")
    assert result.ok and result.bound_by == "cert-sha256"


def test_a_kid_naming_another_stored_key_than_the_certificate_is_invalid(p: Platforms) -> None:
    store = p.store("EBL1,,,ebl1-key", "EBL2,,,ebl2-key")
    store.add_key(p.keys["EBL1"].public)
    assert resolve(store, p.header("EBL2", "ebl1-key"), "EBL1").code == "TRUST-X5C-INVALID"
    # EBL1's own key, under its registered kid, is bound (with or without its certificate in the header).
    assert resolve(store, {"alg": "EdDSA", "kid": "ebl1-key"}, "EBL1").bound_by == "kid"
    assert resolve(store, p.header("EBL1", "ebl1-key"), "EBL1").bound_by == "kid"


def test_a_stored_key_of_another_platform_is_a_mismatch(p: Platforms) -> None:
    store = p.store("EBL1,,,ebl1-key", "EBL2,,,ebl2-key")
    store.add_key(p.keys["EBL2"].public)
    assert resolve(store, {"alg": "ES256", "kid": "ebl2-key"}, "EBL1").code == "TRUST-PLATFORM-MISMATCH"
    assert resolve(store, p.header("EBL2", None), "EBL1").code == "TRUST-PLATFORM-MISMATCH"


def test_unknown_binding_stays_visible(p: Platforms) -> None:
    """A row without kid or pin (a JWKS endpoint only, never fetched): accepted, reported as unknown (the
    binding cannot be checked offline). A platform with no row at all: nothing binds a key to it."""
    store = p.store("EBL1,https://ebl1.example,https://ebl1.example/jwks.json,")
    result = resolve(store, p.header("EBL2", "ebl1-key"), "EBL1")
    assert result.ok and result.platform_binding == "unknown" and result.bound_by is None
    for platform in ("EBL7", "ebl1"):  # not listed; platform codes are compared as written
        unlisted = resolve(store, p.header("EBL2", "ebl1-key"), platform)
        assert unlisted.code == "TRUST-PLATFORM-UNBOUND" and "registry has no row" in unlisted.message
    assert resolve(store, p.header("EBL2", None), None).platform_binding == "not-checked"


def test_platforms_binding_lists_the_platforms_a_key_speaks_for(p: Platforms) -> None:
    store = p.store(f"EBL1,,,ebl1-key,{sha256_hex(p.certs['EBL1'])}",
                    f"EBL2,,,{p.keys['EBL2'].public.thumbprint[:16]},",
                    "CAR1,,,car1-key,", columns=f"{HEADER},cert_sha256")
    store.add_key(p.keys["CAR1"].public)
    assert store.platforms_binding(p.keys["EBL1"].public) == []
    assert store.platforms_binding(p.keys["EBL1"].public, certificate=p.certs["EBL1"]) == ["EBL1"]
    assert store.platforms_binding(p.keys["EBL2"].public) == ["EBL2"]
    assert store.platforms_binding(p.keys["CAR1"].public) == ["CAR1"]
    assert store.platforms_binding(generate_key("EdDSA", kid="ebl1-key").public) == []


# --------------------------------------------------------------------------- the attack, end to end


def _envelope(p: Platforms, entry_signer: str, entry_kid: str | None) -> dict[str, Any]:
    """CAR1 issues to alice (EBL1); then an entry claiming EBL1 (alice -> bob) signed by ``entry_signer``'s
    certificate with ``entry_kid`` in its header; the manifest likewise."""
    world = World()
    chain = RawChain(world)
    car1 = _keyed(p.keys["CAR1"], "car1-key")
    chain.issue(issuance=chain.issuance(key=car1, x5c_chain=p.chain("CAR1")), key=car1, x5c_chain=p.chain("CAR1"))
    signer = _keyed(p.keys[entry_signer], entry_kid)
    chain.add("TRANSFER", "alice", "bob", platform="EBL1", key=signer, x5c_chain=p.chain(entry_signer))
    return chain.envelope(key=signer, x5c_chain=p.chain(entry_signer))


def _keyed(key: SigningKey, kid: str | None) -> SigningKey:
    """``key`` writing ``kid`` into its JWS headers (the attacker chooses the header freely)."""
    return SigningKey(key.key, key.alg, kid or key.public.thumbprint)


def _verify(envelope: dict[str, Any], store: TrustStore) -> tuple[Outcome, str | None, list[tuple[str, Any]]]:
    result = verify_envelope(envelope, store, at=datetime(2026, 7, 1, tzinfo=UTC), validate_document=False)
    trust = [(f.code, (f.detail or {}).get("trustCode")) for f in result.findings if f.detail and
             f.detail.get("entry") == 1]
    return result.outcome, result.response_code, trust


def test_the_impersonation_fails_verification_with_bsig(p: Platforms) -> None:
    rows = [f"CAR1,,,car1-key,{sha256_hex(p.certs['CAR1'])}", "EBL1,,,ebl1-key,", "EBL2,,,ebl2-key,"]
    store = p.store(*rows, columns=f"{HEADER},cert_sha256")
    outcome, response, findings = _verify(_envelope(p, "EBL2", "ebl1-key"), store)
    assert outcome is Outcome.FAIL and response == "BSIG"
    assert any(code == "TRUST-PLATFORM-UNBOUND" for _, code in findings), findings
    # Pinning EBL1's certificate lets EBL1 pass, and EBL2 still fails.
    rows[1] = f"EBL1,,,ebl1-key,{sha256_hex(p.certs['EBL1'])}"
    store = p.store(*rows, columns=f"{HEADER},cert_sha256")
    assert _verify(_envelope(p, "EBL1", "ebl1-key"), store)[:2] == (Outcome.PASS, "RECE")
    outcome, response, findings = _verify(_envelope(p, "EBL2", "ebl1-key"), store)
    assert outcome is Outcome.FAIL and response == "BSIG"
    assert any(code == "TRUST-PLATFORM-UNBOUND" for _, code in findings), findings


def test_the_thumbprint_kid_impersonation_fails_verification_with_bsig(p: Platforms) -> None:
    kid = p.keys["EBL1"].public.thumbprint[:16]
    store = p.store(f"CAR1,,,{p.keys['CAR1'].public.thumbprint}", f"EBL1,,,{kid}", "EBL2,,,ebl2-key")
    assert _verify(_envelope(p, "EBL1", kid), store)[:2] == (Outcome.PASS, "RECE")
    outcome, response, findings = _verify(_envelope(p, "EBL2", kid), store)
    assert outcome is Outcome.FAIL and response == "BSIG"
    assert any(code == "TRUST-KID-MISMATCH" for _, code in findings), findings


# --------------------------------------------------------------------------- registry format


def test_registry_pin_columns_are_checked_when_read() -> None:
    bad: Sequence[tuple[str, str]] = [
        ("cert_sha256", "abc"), ("cert_sha256", "zz" * 32), ("key_thumbprint", "short"),
        ("key_thumbprint", "+" * 43), ("subject", "not a distinguished name"), ("san", "FTP:host"),
        ("san", "IP:999.1.1.1")]
    for column, value in bad:
        with pytest.raises(KeyFileError) as info:
            TrustStore().add_registry(f'Code,{column}\nEBL1,"{value}"\n'.encode(), "r.csv")
        assert info.value.code == "KEY-REGISTRY" and "line 2" in str(info.value), (column, value)
    with pytest.raises(KeyFileError) as info:
        TrustStore().add_registry(b"Code,Site\nEBL1,https://one.example\n")
    assert info.value.code == "KEY-REGISTRY"


def test_registry_rows_for_one_platform_must_agree() -> None:
    store = TrustStore()
    store.add_registry(b"Code,manual_key_id,san\nEBL1,k1,DNS:one.example\n")
    store.add_registry(b"Code,manual_key_id,san\nEBL1,k1,dns:ONE.example\n")  # the same, spelled otherwise
    with pytest.raises(KeyFileError):
        store.add_registry(b"Code,manual_key_id,san\nEBL1,k1,DNS:two.example\n")


def test_dcsa_columns_alone_still_work() -> None:
    store = TrustStore()
    store.add_registry(f"{HEADER}\nEBL1,https://one.example/,,k1 k2\n".encode())
    assert store.registry == {"EBL1": ("k1", "k2")}
    registration = store.platform("EBL1")
    assert registration is not None and registration.kids == ("k1", "k2") and not registration.cert_sha256


# --------------------------------------------------------------------------- shared data


def test_pint_demo_certificates_bind_by_thumbprint_prefix_kids(shared_data: Path) -> None:
    demo = shared_data / "dcsa" / "pint-demo"
    store = TrustStore.from_paths([demo / "certs" / "root-ca.crt", demo / "platform-registry"])
    when = datetime(2026, 6, 1, tzinfo=UTC)

    def header(leaf: str, kid: str) -> dict[str, Any]:
        chain = x509.load_pem_x509_certificates((demo / "certs" / f"{leaf}-fullchain.crt").read_bytes())
        return {"alg": "EdDSA", "kid": kid, "x5c": x5c(*chain)}

    ebl1 = store.resolve(header("ed25519-eblplatform.example.com", "YLFVnyMkSsFTvj-H"), platform="EBL1", at=when)
    assert ebl1.ok and ebl1.bound_by == "thumbprint", ebl1.message
    # The carrier's certificate (same CA) with EBL1's kid copied into its header.
    forged = store.resolve(header("ed25519-carrier.example.com", "YLFVnyMkSsFTvj-H"), platform="EBL1", at=when)
    assert forged.code == "TRUST-KID-MISMATCH"
    forged = store.resolve(header("ed25519-carrier.example.com", "sBq4Mgu7lhEcfph7"), platform="EBL1", at=when)
    assert forged.code == "TRUST-PLATFORM-MISMATCH"


def _leap_case(shared_cases: Path) -> Path:
    return need_shared(shared_cases / "2026-11-30" / "15-leap-second-action-time")


def _car1_header(case: Path) -> dict[str, Any]:
    import json

    envelope = json.loads((case / "b-one-second-earlier.json").read_bytes())
    return parse_compact(envelope["envelopeTransferChain"][0]).header


def test_leap_second_case_trust_needs_a_pin_for_its_x5c_entry(shared_cases: Path, tmp_path: Path) -> None:
    """Case 15's trust folder binds CAR1 by the kid ``car1`` only, and holds no key under it: its x5c entry
    rests on the kid claim, which no longer counts. With CAR1's certificate pinned it binds."""
    case = _leap_case(shared_cases)
    header = _car1_header(case)
    signed = datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)
    as_given = TrustStore.from_paths(case / "trust").resolve(header, platform="CAR1", at=signed)
    assert as_given.code == "TRUST-PLATFORM-UNBOUND"
    pinned = tmp_path / "trust"
    shutil.copytree(case / "trust", pinned)
    leaf = x509.load_der_x509_certificate(__import__("base64").b64decode(header["x5c"][0]))
    (pinned / "platforms.csv").write_text(
        "Code,Site,jwks_endpoint,manual_key_id,subject\n"
        f'CAR1,https://car1.example,,car1,"{leaf.subject.rfc4514_string()}"\n'
        "EBL1,https://ebl1.example,,ebl1,\nEBL2,https://ebl2.example,,ebl2,\n")
    bound = TrustStore.from_paths(pinned).resolve(header, platform="CAR1", at=signed)
    assert bound.ok and bound.bound_by == "subject", bound.message


def test_a_registry_with_an_error_adds_nothing() -> None:
    store = TrustStore()
    with pytest.raises(KeyFileError):
        store.add_registry(b"Code,manual_key_id,cert_sha256\nEBL1,k1,\nEBL2,k2,not-a-fingerprint\n")
    with pytest.raises(KeyFileError):
        store.add_registry(b"Code,manual_key_id\nEBL1,k1\nEBL1,k2\n")
    assert store.registry == {} and store.is_empty()
