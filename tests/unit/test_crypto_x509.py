"""X.509 path validation of JWS ``x5c`` chains: one vector per rule of etr.crypto.x509_path.

Every vector is a root CA (the trust anchor), an intermediate and a leaf made with ``cryptography``,
with exactly one thing changed from a chain that resolves. The rules are RFC 5280's: critical
extensions etr does not process are refused (§4.2), basicConstraints (cA, pathLenConstraint §4.2.1.9),
keyUsage (§4.2.1.3: digitalSignature to sign, keyCertSign to issue), extendedKeyUsage (§4.2.1.12; the
accepted purposes are anyExtendedKeyUsage and id-kp-documentSigning, RFC 9336), validity at the time of
the signed event (§6.1.3 (a)(2)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID
from x509_factory import END, START, Ca, key_usage, name, unknown_extension, x5c

from etr.crypto.keys import KeyFileError
from etr.crypto.trust import TrustStore

AT = datetime(2026, 6, 1, tzinfo=UTC)
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
LEAF = name("platform.example", "Platform")


@dataclass
class Path3:
    root: Ca
    inter: Ca
    leaf: x509.Certificate

    def resolve(self, *, at: datetime = AT, extra: tuple[x509.Certificate, ...] = ()) -> tuple[str | None, str]:
        store = TrustStore()
        store.add_certificate(self.root.cert)
        result = store.resolve({"alg": "EdDSA", "x5c": x5c(self.leaf, *extra, self.inter.cert)}, platform=None, at=at)
        return result.code, result.message


SIGNER = ed25519.Ed25519PrivateKey.generate()


def chain(*, root: dict[str, Any] | None = None, inter: dict[str, Any] | None = None,
          leaf: dict[str, Any] | None = None, root_path_length: int | None = None,
          inter_path_length: int | None = 0) -> Path3:
    """root -> intermediate -> leaf, each with the given certificate options (see x509_factory.issue)."""
    r = Ca(name("Test Root CA"), path_length=root_path_length, options=root or {})
    i = r.sub_ca(name("Test Issuing CA"), path_length=inter_path_length, **(inter or {}))
    return Path3(r, i, i.leaf(LEAF, SIGNER.public_key(), **(leaf or {})))


def test_the_baseline_chain_resolves() -> None:
    assert chain().resolve()[0] is None


# --------------------------------------------------------------------------- critical extensions (§4.2)


@pytest.mark.parametrize("where", ["leaf", "inter", "root"])
def test_unknown_critical_extension_is_refused(where: str) -> None:
    options = {where: {"extra": [(unknown_extension(), True)]}}
    code, message = chain(**options).resolve()
    assert code == "TRUST-X5C-INVALID" and "1.3.6.1.4.1.32473.1.1" in message, (where, message)


def test_unknown_non_critical_extension_is_ignored() -> None:
    assert chain(leaf={"extra": [(unknown_extension(), False)]}).resolve()[0] is None


def test_critical_extensions_etr_knows_but_does_not_enforce_are_refused() -> None:
    # nameConstraints restricts what an intermediate may certify; etr does not enforce it, so it may not ignore it.
    constraints = x509.NameConstraints(permitted_subtrees=[x509.DNSName("example")], excluded_subtrees=None)
    code, message = chain(inter={"extra": [(constraints, True)]}).resolve()
    assert code == "TRUST-X5C-INVALID" and "nameConstraints" in message
    policies = x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier("2.23.140.1.2.1"), None)])
    assert chain(leaf={"extra": [(policies, True)]}).resolve()[0] == "TRUST-X5C-INVALID"
    assert chain(leaf={"extra": [(policies, False)]}).resolve()[0] is None


def test_critical_extensions_etr_processes_are_accepted() -> None:
    san = x509.SubjectAlternativeName([x509.DNSName("platform.example")])
    eku = x509.ExtendedKeyUsage([DOCUMENT_SIGNING])
    assert chain(leaf={"extra": [(san, True), (eku, True)]}).resolve()[0] is None


# --------------------------------------------------------------------------- basicConstraints (§4.2.1.9)


def test_leaf_that_is_a_ca_is_refused() -> None:
    r = Ca(name("Test Root CA"))
    i = r.sub_ca(name("Test Issuing CA"))
    store = TrustStore()
    store.add_certificate(r.cert)
    assert store.resolve({"x5c": x5c(i.cert)}, platform=None, at=AT).code == "TRUST-X5C-INVALID"


@pytest.mark.parametrize("variant", ["ca-false", "no-basic-constraints"])
def test_issuer_without_the_ca_flag_is_refused(variant: str) -> None:
    r = Ca(name("Test Root CA"))
    options: dict[str, Any] = {"usage": key_usage(cert_sign=True)}
    if variant == "ca-false":
        options["ca"] = False
    else:
        options.update(ca=False, basic_constraints=False)
    from x509_factory import issue

    middle_key = ed25519.Ed25519PrivateKey.generate()
    middle = issue(name("Not A CA"), middle_key.public_key(), r.subject, r.key, **options)
    leaf = issue(LEAF, SIGNER.public_key(), middle.subject, middle_key, ca=False)
    store = TrustStore()
    store.add_certificate(r.cert)
    result = store.resolve({"x5c": x5c(leaf, middle)}, platform=None, at=AT)
    assert result.code == "TRUST-X5C-INVALID" and "not a CA certificate" in result.message


def test_path_length_is_enforced() -> None:
    # The root allows no CA below it; the intermediate is one.
    code, message = chain(root_path_length=0).resolve()
    assert code == "TRUST-X5C-INVALID" and "path length" in message
    assert chain(root_path_length=1).resolve()[0] is None
    # The intermediate (pathLen 0) issues a sub-CA, which issues the leaf.
    base = chain()
    sub = base.inter.sub_ca(name("Sub CA"))
    store = TrustStore()
    store.add_certificate(base.root.cert)
    leaf = sub.leaf(LEAF, SIGNER.public_key())
    result = store.resolve({"x5c": x5c(leaf, sub.cert, base.inter.cert)}, platform=None, at=AT)
    assert result.code == "TRUST-X5C-INVALID" and "path length" in result.message


# --------------------------------------------------------------------------- keyUsage (§4.2.1.3)


@pytest.mark.parametrize("usage", [key_usage(), key_usage(commitment=True)])
def test_leaf_without_digital_signature_is_refused(usage: x509.KeyUsage) -> None:
    code, message = chain(leaf={"usage": usage}).resolve()
    assert code == "TRUST-X5C-INVALID" and "digitalSignature" in message


def test_leaf_without_key_usage_may_sign() -> None:
    assert chain(leaf={"usage": None}).resolve()[0] is None


def test_issuer_without_key_cert_sign_is_refused() -> None:
    code, message = chain(inter={"usage": key_usage(signing=True)}).resolve()
    assert code == "TRUST-X5C-INVALID" and "keyCertSign" in message
    assert chain(inter={"usage": None}).resolve()[0] is None  # no keyUsage: the CA flag decides


# --------------------------------------------------------------------------- extendedKeyUsage (§4.2.1.12)


@pytest.mark.parametrize(("purposes", "accepted"), [
    ([ExtendedKeyUsageOID.SERVER_AUTH], False),
    ([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.CODE_SIGNING], False),
    ([ExtendedKeyUsageOID.EMAIL_PROTECTION], False),
    ([DOCUMENT_SIGNING], True),
    ([ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE], True),
    ([ExtendedKeyUsageOID.SERVER_AUTH, DOCUMENT_SIGNING], True),
])
def test_leaf_extended_key_usage_must_allow_signing_documents(purposes: list[x509.ObjectIdentifier],
                                                              accepted: bool) -> None:
    code, message = chain(leaf={"eku": purposes}).resolve()
    if accepted:
        assert code is None, message
    else:
        assert code == "TRUST-X5C-INVALID" and "extendedKeyUsage" in message


def test_issuer_extended_key_usage_constrains_the_path() -> None:
    code, message = chain(inter={"eku": [ExtendedKeyUsageOID.SERVER_AUTH]}).resolve()
    assert code == "TRUST-X5C-INVALID" and "serverAuth" in message
    assert chain(inter={"eku": [DOCUMENT_SIGNING]}).resolve()[0] is None


# --------------------------------------------------------------------------- validity at the event time (§6.1.3)


@pytest.mark.parametrize("where", ["leaf", "inter", "root"])
def test_each_certificate_is_checked_at_the_time_of_the_event(where: str) -> None:
    window = {"not_before": AT - timedelta(days=30), "not_after": AT + timedelta(days=30)}
    path = chain(**{where: window})
    assert path.resolve()[0] is None
    code, message = path.resolve(at=AT + timedelta(days=31))
    assert code == "TRUST-X5C-EXPIRED"
    # the time it was checked at is written as every time etr prints: RFC 3339, UTC, milliseconds, Z
    checked = (AT + timedelta(days=31)).astimezone(UTC)
    assert f"checked at {checked:%Y-%m-%dT%H:%M:%S}.{checked.microsecond // 1000:03d}Z)" in message
    assert path.resolve(at=AT - timedelta(days=31))[0] == "TRUST-X5C-NOT-YET-VALID"
    # the bounds themselves are inside the validity period (RFC 5280 §4.1.2.5)
    assert path.resolve(at=AT + timedelta(days=30))[0] is None
    assert path.resolve(at=START)[0] == "TRUST-X5C-NOT-YET-VALID"
    assert path.resolve(at=END - timedelta(days=1))[0] == "TRUST-X5C-EXPIRED"


# --------------------------------------------------------------------------- certificates in the trust store


def test_a_leaf_certificate_that_may_not_sign_is_refused_when_loaded(tmp_path: Path) -> None:
    tls_only = chain(leaf={"eku": [ExtendedKeyUsageOID.SERVER_AUTH]}).leaf
    path = tmp_path / "platform.crt"
    path.write_bytes(tls_only.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(KeyFileError) as info:
        TrustStore.from_paths(path)
    assert info.value.code == "KEY-CERT-UNUSABLE" and "serverAuth" in str(info.value)
    with pytest.raises(KeyFileError):
        TrustStore().add_certificate(chain(leaf={"extra": [(unknown_extension(), True)]}).leaf)


def test_an_anchor_with_an_unprocessed_critical_extension_anchors_nothing() -> None:
    path = chain(root={"extra": [(unknown_extension(), True)]})
    store = TrustStore()
    store.add_certificate(path.root.cert)  # loading is fine: the refusal comes when a path uses it
    result = store.resolve({"x5c": x5c(path.leaf, path.inter.cert)}, platform=None, at=AT)
    assert result.code == "TRUST-X5C-INVALID"
