"""Trust stores: loading, x5c chain validation at a given time, kid/platform resolution.

Most tests build a tiny PKI in memory (Ed25519 root, P-256 intermediate, ES256 leaf), so they run
without shared data; the pint-demo tests (``ETR_SHARED_DATA``) skip when it is absent.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import need_shared
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from etr.cli.options import trust_options
from etr.crypto.jws import parse_compact, sign_compact, verify_compact
from etr.crypto.keys import KeyFileError, SigningKey, generate_key, load_public_keys
from etr.crypto.trust import KeyResolution, TrustError, TrustStore
from etr.errors import UsageError

REPO = Path(__file__).parents[2]
SHARED_DATA = Path(os.environ.get("ETR_SHARED_DATA", REPO.parent / "shared" / "data"))
PINT_DEMO = SHARED_DATA / "dcsa" / "pint-demo"

START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2030, 1, 1, tzinfo=UTC)
AT = datetime(2026, 6, 1, tzinfo=UTC)


# --------------------------------------------------------------------------- a tiny PKI

def make_cert(cn: str, key: object, issuer_cn: str, issuer_key: object, *, ca: bool, path_length: int | None = None,
              not_before: datetime = START, not_after: datetime = END, key_usage: bool = True,
              unknown_critical: bool = False) -> x509.Certificate:
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
               .public_key(key.public_key())  # type: ignore[attr-defined]
               .serial_number(x509.random_serial_number())
               .not_valid_before(not_before)
               .not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True))
    if key_usage:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=not ca, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False),
            critical=True)
    if unknown_critical:
        builder = builder.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"),
                                                                   b"\x05\x00"), critical=True)
    algorithm = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(issuer_key, algorithm)  # type: ignore[arg-type]


def x5c(*certs: x509.Certificate) -> list[str]:
    return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in certs]


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


@dataclass
class Pki:
    root_key: ed25519.Ed25519PrivateKey
    root: x509.Certificate
    inter_key: ec.EllipticCurvePrivateKey
    inter: x509.Certificate
    leaf_key: SigningKey
    leaf: x509.Certificate
    rogue_root_key: ed25519.Ed25519PrivateKey
    rogue_root: x509.Certificate
    rogue_leaf: x509.Certificate

    def store(self, *certs: x509.Certificate) -> TrustStore:
        store = TrustStore()
        for cert in certs or (self.root,):
            store.add_certificate(cert)
        return store


@pytest.fixture(scope="module")
def pki() -> Pki:
    root_key = ed25519.Ed25519PrivateKey.generate()
    root = make_cert("Root", root_key, "Root", root_key, ca=True)
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter = make_cert("Intermediate", inter_key, "Root", root_key, ca=True, path_length=0)
    leaf_key = generate_key("ES256", kid="leaf-1")
    leaf = make_cert("platform.example", leaf_key.key, "Intermediate", inter_key, ca=False)
    rogue_root_key = ed25519.Ed25519PrivateKey.generate()
    rogue_root = make_cert("Root", rogue_root_key, "Root", rogue_root_key, ca=True)  # same name, other key
    rogue_leaf = make_cert("platform.example", leaf_key.key, "Root", rogue_root_key, ca=False)
    return Pki(root_key, root, inter_key, inter, leaf_key, leaf, rogue_root_key, rogue_root, rogue_leaf)


def resolve(store: TrustStore, header: dict[str, object], *, platform: str | None = None,
            at: datetime = AT) -> KeyResolution:
    return store.resolve(header, platform=platform, at=at)


# --------------------------------------------------------------------------- x5c

def test_chain_to_root_verifies_and_signs(pki: Pki) -> None:
    store = pki.store()
    token = sign_compact(b'{"a":1}', pki.leaf_key, x5c=x5c(pki.leaf, pki.inter))
    parsed = parse_compact(token)
    result = resolve(store, parsed.header)
    assert result.ok and result.how == "x5c" and result.code is None
    assert [c.subject for c in result.chain] == [pki.leaf.subject, pki.inter.subject, pki.root.subject]
    # the key keeps its own name (its thumbprint), never the header's kid
    assert result.key is not None and result.key.kid == pki.leaf_key.public.thumbprint
    verify_compact(parsed, result.key_or_raise())


def test_chain_including_root_and_intermediate_anchor(pki: Pki) -> None:
    assert resolve(pki.store(), {"x5c": x5c(pki.leaf, pki.inter, pki.root)}).how == "x5c"
    # every CA certificate in the store is an anchor, intermediates included
    only_inter = pki.store(pki.inter)
    result = resolve(only_inter, {"x5c": x5c(pki.leaf)})
    assert result.ok and len(result.chain) == 2


def test_untrusted_root(pki: Pki) -> None:
    result = resolve(pki.store(), {"x5c": x5c(pki.rogue_leaf, pki.rogue_root)})
    assert result.code == "TRUST-X5C-UNTRUSTED" and result.key is None
    # a chain that stops at the leaf whose issuer is unknown
    assert resolve(pki.store(pki.rogue_root), {"x5c": x5c(pki.leaf)}).code == "TRUST-X5C-UNTRUSTED"
    with pytest.raises(TrustError) as info:
        result.key_or_raise()
    assert info.value.code == "TRUST-X5C-UNTRUSTED"


def test_same_name_other_key_is_not_a_link(pki: Pki) -> None:
    # rogue root has the same subject as the real root: the signature check, not the name, decides
    result = resolve(pki.store(pki.rogue_root), {"x5c": x5c(pki.leaf, pki.inter)})
    assert result.code == "TRUST-X5C-UNTRUSTED"
    result = resolve(pki.store(), {"x5c": x5c(pki.rogue_leaf, pki.root)})
    assert result.code == "TRUST-X5C-UNTRUSTED"
    # the next certificate is not the leaf's issuer: no path, whatever follows
    assert resolve(pki.store(), {"x5c": x5c(pki.leaf, pki.root)}).code == "TRUST-X5C-UNTRUSTED"
    # order in the header does not matter as long as a path exists
    assert resolve(pki.store(), {"x5c": x5c(pki.leaf, pki.root, pki.inter)}).ok


@pytest.mark.parametrize(("where", "code"), [
    ("leaf-expired", "TRUST-X5C-EXPIRED"),
    ("leaf-future", "TRUST-X5C-NOT-YET-VALID"),
    ("inter-expired", "TRUST-X5C-EXPIRED"),
    ("root-expired", "TRUST-X5C-EXPIRED"),
])
def test_validity_is_checked_for_every_certificate_at_the_given_time(pki: Pki, where: str, code: str) -> None:
    past = dict(not_before=START, not_after=AT - timedelta(days=1))
    future = dict(not_before=AT + timedelta(days=1), not_after=END)
    root_key, root, inter_key, inter = pki.root_key, pki.root, pki.inter_key, pki.inter
    if where == "root-expired":
        root = make_cert("Root", root_key, "Root", root_key, ca=True, **past)  # type: ignore[arg-type]
    if where == "inter-expired":
        inter = make_cert("Intermediate", inter_key, "Root", root_key, ca=True, **past)  # type: ignore[arg-type]
    leaf_times = past if where == "leaf-expired" else future if where == "leaf-future" else {}
    leaf = make_cert("platform.example", pki.leaf_key.key, "Intermediate", inter_key, ca=False,
                     **leaf_times)  # type: ignore[arg-type]
    store = pki.store(root)
    result = resolve(store, {"x5c": x5c(leaf, inter)})
    assert result.code == code, result.message
    # the same chain is fine at a time when everything was valid
    good_time = START + timedelta(days=1) if where != "leaf-future" else AT + timedelta(days=2)
    assert resolve(store, {"x5c": x5c(leaf, inter)}, at=good_time).ok


@pytest.mark.parametrize("case", ["leaf-is-ca", "issuer-not-ca", "no-keycertsign", "pathlen", "unknown-critical",
                                  "garbage-base64", "urlsafe-base64", "not-der", "empty", "too-long", "not-list"])
def test_invalid_chains(pki: Pki, case: str) -> None:
    store = pki.store()
    chain: object
    if case == "leaf-is-ca":
        chain = x5c(pki.inter)
    elif case == "issuer-not-ca":
        middle_key = ec.generate_private_key(ec.SECP256R1())
        middle = make_cert("Middle", middle_key, "Intermediate", pki.inter_key, ca=False)
        leaf = make_cert("platform.example", pki.leaf_key.key, "Middle", middle_key, ca=False)
        chain = x5c(leaf, middle, pki.inter)
    elif case == "no-keycertsign":
        weak_inter = make_cert("Intermediate", pki.inter_key, "Root", pki.root_key, ca=True, key_usage=False)
        k = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
        weak_inter = (x509.CertificateBuilder().subject_name(weak_inter.subject).issuer_name(weak_inter.issuer)
                      .public_key(pki.inter_key.public_key()).serial_number(1)
                      .not_valid_before(START).not_valid_after(END)
                      .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                      .add_extension(k, critical=True).sign(pki.root_key, None))
        chain = x5c(pki.leaf, weak_inter)
    elif case == "pathlen":
        # the intermediate has pathLen 0, so it may not issue another CA
        sub_key = ec.generate_private_key(ec.SECP256R1())
        sub = make_cert("Sub CA", sub_key, "Intermediate", pki.inter_key, ca=True)
        leaf = make_cert("platform.example", pki.leaf_key.key, "Sub CA", sub_key, ca=False)
        chain = x5c(leaf, sub, pki.inter)
    elif case == "unknown-critical":
        leaf = make_cert("platform.example", pki.leaf_key.key, "Intermediate", pki.inter_key, ca=False,
                         unknown_critical=True)
        chain = x5c(leaf, pki.inter)
    elif case == "garbage-base64":
        chain = ["not base64 at all!"]
    elif case == "urlsafe-base64":
        chain = [x5c(pki.leaf)[0].replace("+", "-").replace("/", "_") + "-_"]
    elif case == "not-der":
        chain = [base64.b64encode(b"hello world").decode()]
    elif case == "empty":
        chain = []
    elif case == "too-long":
        chain = x5c(pki.leaf, pki.inter) * 6
    else:  # not-list
        chain = x5c(pki.leaf)[0]
    result = resolve(store, {"x5c": chain})
    assert result.code == "TRUST-X5C-INVALID", (case, result.code, result.message)
    assert result.key is None


def test_kid_naming_another_trusted_key_than_x5c_is_invalid(pki: Pki) -> None:
    store = pki.store()
    other = generate_key("EdDSA", kid="other")
    store.add_key(other.public)
    result = resolve(store, {"kid": "other", "x5c": x5c(pki.leaf, pki.inter)})
    assert result.code == "TRUST-X5C-INVALID"


def test_unanchored_chain_is_ignored_when_the_leaf_key_is_trusted(pki: Pki) -> None:
    store = TrustStore()
    store.add_key(pki.leaf_key.public)
    result = resolve(store, {"kid": "leaf-1", "x5c": x5c(pki.rogue_leaf, pki.rogue_root)})
    assert result.ok and result.how == "kid" and result.chain == ()
    result = resolve(store, {"x5c": x5c(pki.rogue_leaf, pki.rogue_root)})
    assert result.ok and result.how == "thumbprint"


def test_chain_cache_is_reset_when_anchors_change(pki: Pki) -> None:
    store = TrustStore()
    header = {"x5c": x5c(pki.leaf, pki.inter)}
    assert resolve(store, header).code == "TRUST-X5C-UNTRUSTED"
    store.add_certificate(pki.root)
    assert resolve(store, header).ok


def test_naive_time_is_a_usage_error(pki: Pki) -> None:
    with pytest.raises(UsageError):
        pki.store().resolve({"x5c": x5c(pki.leaf, pki.inter)}, platform=None, at=datetime(2026, 6, 1))


# --------------------------------------------------------------------------- kid, platform, registry

REGISTRY = b"""Code,Site,jwks_endpoint,manual_key_id
EBL1,https://one.example/,,k-one
EBL2,https://two.example/,https://two.example/jwks.json,
MULTI,https://multi.example/,,k-one k-two
"""


@pytest.fixture()
def keyed() -> tuple[TrustStore, dict[str, SigningKey]]:
    keys = {kid: generate_key("EdDSA", kid=kid) for kid in ("k-one", "k-two", "k-three")}
    store = TrustStore()
    for key in keys.values():
        store.add_key(key.public, source="test")
    store.add_registry(REGISTRY, "registry.csv")
    return store, keys


def test_kid_and_thumbprint(keyed: tuple[TrustStore, dict[str, SigningKey]]) -> None:
    store, keys = keyed
    result = resolve(store, {"alg": "EdDSA", "kid": "k-one"})
    assert result.ok and result.how == "kid" and result.key == keys["k-one"].public
    tp = keys["k-two"].public.thumbprint
    result = resolve(store, {"kid": tp})
    assert result.ok and result.how == "thumbprint" and result.key is not None and result.key.kid == "k-two"
    result = resolve(store, {"kid": tp[:16]})  # pint-demo convention: kid = thumbprint prefix
    assert result.ok and result.how == "thumbprint"
    assert resolve(store, {"kid": tp[:15]}).code == "TRUST-UNKNOWN-KEY"
    assert resolve(store, {"kid": "nobody"}).code == "TRUST-UNKNOWN-KEY"
    assert resolve(store, {"kid": 5}).code == "TRUST-UNKNOWN-KEY"


def test_platform_binding(keyed: tuple[TrustStore, dict[str, SigningKey]]) -> None:
    store, _ = keyed
    assert resolve(store, {"kid": "k-one"}, platform="EBL1").platform_binding == "registered"
    mismatch = resolve(store, {"kid": "k-two"}, platform="EBL1")
    assert mismatch.code == "TRUST-PLATFORM-MISMATCH" and mismatch.key is None
    # known platform without a kid (JWKS endpoint only, never fetched): a key no row binds is accepted, flagged
    # as unknown; a key the registry binds to another platform (k-two: MULTI) is a mismatch
    assert resolve(store, {"kid": "k-three"}, platform="EBL2").platform_binding == "unknown"
    assert resolve(store, {"kid": "k-two"}, platform="EBL2").code == "TRUST-PLATFORM-MISMATCH"
    # a platform the registry does not list: nothing binds a key to it, so no key speaks for it
    unlisted = resolve(store, {"kid": "k-two"}, platform="NOPE")
    assert unlisted.code == "TRUST-PLATFORM-UNBOUND" and unlisted.key is None
    assert resolve(store, {"kid": "k-two"}).platform_binding == "not-checked"
    assert resolve(store, {"kid": "k-two"}, platform="MULTI").platform_binding == "registered"


def test_keys_for(keyed: tuple[TrustStore, dict[str, SigningKey]]) -> None:
    store, keys = keyed
    assert store.keys_for(kid="k-one", platform="EBL1") == [keys["k-one"].public]
    assert store.keys_for(kid="k-two", platform="EBL1") == []
    assert store.keys_for(kid=None, platform="EBL1") == [keys["k-one"].public]
    assert {k.kid for k in store.keys_for(kid=None, platform="MULTI")} == {"k-one", "k-two"}
    assert len(store.keys_for(kid=None, platform="EBL2")) == 3
    assert store.keys_for(kid="k-three", platform=None) == [keys["k-three"].public]


def test_header_without_kid(keyed: tuple[TrustStore, dict[str, SigningKey]]) -> None:
    store, keys = keyed
    result = resolve(store, {"alg": "EdDSA"}, platform="EBL1")
    assert result.ok and result.how == "platform" and result.key == keys["k-one"].public
    ambiguous = resolve(store, {"alg": "EdDSA"}, platform="MULTI")
    assert ambiguous.code == "TRUST-AMBIGUOUS-KEY" and len(ambiguous.candidates) == 2
    assert resolve(store, {"alg": "EdDSA"}).code == "TRUST-UNKNOWN-KEY"
    single = TrustStore()
    single.add_key(keys["k-three"].public)
    assert resolve(single, {"alg": "EdDSA"}).how == "only-key"


def test_x5c_platform_binding_rests_on_the_store_not_on_the_header(pki: Pki) -> None:
    store = pki.store()
    store.add_registry(b"Code,Site,jwks_endpoint,manual_key_id\nP1,,,leaf-1\nP2,,,other\nP3,,," +
                       pki.leaf_key.public.thumbprint[:16].encode() + b"\n")
    header = {"kid": "leaf-1", "x5c": x5c(pki.leaf, pki.inter)}
    # The registered kid in the header, with no key stored under it, binds nothing (it was "claimed" before).
    assert resolve(store, header, platform="P1").code == "TRUST-PLATFORM-UNBOUND"
    assert resolve(store, header, platform="P2").code == "TRUST-PLATFORM-MISMATCH"
    p3 = resolve(store, header, platform="P3")
    assert p3.platform_binding == "registered" and p3.bound_by == "thumbprint"
    store.add_key(pki.leaf_key.public)
    p1 = resolve(store, header, platform="P1")
    assert p1.platform_binding == "registered" and p1.bound_by == "kid"


def test_leaf_certificate_in_store_is_trusted_within_its_validity(pki: Pki) -> None:
    store = TrustStore()
    store.add_certificate(pki.leaf)
    result = resolve(store, {"kid": pki.leaf_key.public.thumbprint})
    assert result.ok and result.key is not None and result.key.same_key(pki.leaf_key.public)
    assert resolve(store, {"kid": pki.leaf_key.public.thumbprint},
                   at=END + timedelta(days=1)).code == "TRUST-KEY-EXPIRED"
    assert resolve(store, {"kid": pki.leaf_key.public.thumbprint},
                   at=START - timedelta(days=1)).code == "TRUST-KEY-NOT-YET-VALID"


def test_registry_errors() -> None:
    store = TrustStore()
    with pytest.raises(KeyFileError) as info:
        store.add_registry(b"Name,Key\nA,B\n")
    assert info.value.code == "KEY-REGISTRY"
    store.add_registry(b"Code,manual_key_id\nA,k1\n")
    store.add_registry(b"Code,manual_key_id\nA,k1\n")  # same content again is fine
    with pytest.raises(KeyFileError):
        store.add_registry(b"Code,manual_key_id\nA,k2\n")


# --------------------------------------------------------------------------- loading from files

def test_from_paths_mixed_directory(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "root.crt").write_bytes(pem(pki.root))
    (tmp_path / "inter.der").write_bytes(pki.inter.public_bytes(serialization.Encoding.DER))
    key = generate_key("ES256", kid="jwk-key")
    (tmp_path / "k.jwk").write_text(json.dumps({"keys": [key.public.jwk()]}))
    (tmp_path / "k2.pem").write_bytes(generate_key("PS256").public.pem())
    (tmp_path / "registry.csv").write_bytes(REGISTRY)
    (tmp_path / "notes.txt").write_text("ignored: not a trust suffix")
    (tmp_path / ".hidden.pem").write_text("ignored: hidden")
    store = TrustStore.from_paths([tmp_path])
    assert len(store) == 2 and len(store.anchors) == 2 and "EBL1" in store.registry
    assert resolve(store, {"kid": "jwk-key"}).ok
    assert resolve(store, {"x5c": x5c(pki.leaf)}).ok


def test_from_paths_takes_one_path_given_alone(pki: Pki, tmp_path: Path) -> None:
    """A str is iterable (of characters): given alone it is one path, as a Path is."""
    (tmp_path / "root.crt").write_bytes(pem(pki.root))
    (tmp_path / "registry.csv").write_bytes(REGISTRY)
    for given in (str(tmp_path), tmp_path, str(tmp_path / "root.crt"), tmp_path / "root.crt"):
        store = TrustStore.from_paths(given)
        assert len(store.anchors) == 1 and store.sources[0].startswith(str(tmp_path)), given
    assert "EBL1" in TrustStore.from_paths(str(tmp_path)).registry
    assert len(TrustStore.from_paths([str(tmp_path), str(tmp_path / "root.crt")]).anchors) == 1
    with pytest.raises(KeyFileError) as info:
        TrustStore.from_paths(str(tmp_path / "missing"))
    assert "missing: no such file" in str(info.value)


def test_private_keys_are_refused(tmp_path: Path) -> None:
    key = generate_key("EdDSA")
    (tmp_path / "leaked.pem").write_bytes(key.private_pem())
    with pytest.raises(KeyFileError) as info:
        TrustStore.from_paths([tmp_path])
    assert info.value.code == "KEY-PRIVATE"
    jwk_file = tmp_path / "leaked.jwk"
    jwk_file.write_text(json.dumps(key.private_jwk()))
    with pytest.raises(KeyFileError) as info:
        TrustStore.from_paths([jwk_file])
    assert info.value.code == "KEY-PRIVATE"


def test_missing_and_empty_paths(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError):
        TrustStore.from_paths([tmp_path / "missing"])
    with pytest.raises(KeyFileError):
        TrustStore.from_paths([tmp_path])  # empty directory
    assert TrustStore.from_paths([]).is_empty()


def test_trust_options_decorator(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "root.crt").write_bytes(pem(pki.root))

    @click.command()
    @trust_options
    def cmd(trust_store: TrustStore) -> None:
        click.echo(f"anchors={len(trust_store.anchors)} keys={len(trust_store)}")

    runner = CliRunner()
    assert runner.invoke(cmd, ["--trust", str(tmp_path / "root.crt"), "--trust", str(tmp_path)]).output \
        == "anchors=1 keys=0\n"
    assert runner.invoke(cmd, []).output == "anchors=0 keys=0\n"
    assert runner.invoke(cmd, ["--trust", str(tmp_path / "nope")]).exit_code == 2
    assert "--trust PATH" in runner.invoke(cmd, ["--help"]).output


# --------------------------------------------------------------------------- pint-demo data

def _pint(*parts: str) -> Path:
    path = PINT_DEMO.joinpath(*parts)
    return need_shared(path)


def _fullchain(name: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(_pint("certs", f"{name}-fullchain.crt").read_bytes())


VALID_LEAVES = ["ed25519-carrier.example.com", "ed25519-eblplatform.example.com", "rsa-carrier.example.com",
                "rsa-eblplatform.example.com"]


@pytest.mark.parametrize("name", VALID_LEAVES)
def test_pint_demo_fullchains_verify_against_root(name: str) -> None:
    store = TrustStore.from_paths([_pint("certs", "root-ca.crt")])
    chain = _fullchain(name)
    not_before = max(c.not_valid_before_utc for c in chain)
    # The brief suggested 2026-01-01, but these certificates start on 2026-03-07: check their own dates.
    assert not_before.date() == date(2026, 3, 7)
    result = resolve(store, {"x5c": x5c(*chain)}, at=not_before + timedelta(days=90))
    assert result.ok and result.how == "x5c" and len(result.chain) == 3, result.message
    # only leaf + intermediate in the header also reaches the root
    assert resolve(store, {"x5c": x5c(*chain[:2])}, at=not_before + timedelta(days=90)).ok
    early = resolve(store, {"x5c": x5c(*chain)}, at=datetime(2026, 1, 1, tzinfo=UTC))
    assert early.code == "TRUST-X5C-NOT-YET-VALID"


def test_pint_demo_expired_leaf() -> None:
    store = TrustStore.from_paths([_pint("certs", "root-ca.crt")])
    chain = _fullchain("ed25519-eblplatform-expired.example.com")
    not_after = chain[0].not_valid_after_utc
    assert not_after == datetime(2026, 3, 8, 18, 48, 22, tzinfo=UTC)
    assert resolve(store, {"x5c": x5c(*chain)}, at=not_after + timedelta(days=1)).code == "TRUST-X5C-EXPIRED"
    assert resolve(store, {"x5c": x5c(*chain)}, at=not_after - timedelta(hours=1)).ok


def test_pint_demo_invalid_leaf_is_untrusted() -> None:
    store = TrustStore.from_paths([_pint("certs", "root-ca.crt")])
    chain = _fullchain("ed25519-eblplatform-invalid.example.com")
    assert resolve(store, {"x5c": x5c(*chain)}).code == "TRUST-X5C-UNTRUSTED"
    store.add_path(_pint("certs", "untrusted-ca.crt"))  # trusting its CA makes it acceptable
    assert resolve(store, {"x5c": x5c(*chain)}).ok


def test_pint_demo_registry_kids_equal_jwk_kids() -> None:
    store = TrustStore.from_paths([_pint("platform-registry"), _pint("keys", "public")])
    registry = store.registry
    assert registry["EBL1"] == ("YLFVnyMkSsFTvj-H",)
    assert registry["CAR2"] == ()  # JWKS endpoint only: never fetched, binding unknown
    jwk_kids = {k.kid: k for path in _pint("keys", "public").glob("*.jwk") for k in load_public_keys(path)}
    for code, kids in registry.items():
        for kid in kids:
            assert kid in jwk_kids, (code, kid)
    # pint-demo kids are the first 16 characters of the RFC 7638 thumbprint (the CTK kids are not)
    assert jwk_kids["YLFVnyMkSsFTvj-H"].thumbprint.startswith("YLFVnyMkSsFTvj-H")
    assert not jwk_kids["d554a38fd3bbe54f"].thumbprint.startswith("d554a38fd3bbe54f")
    assert store.keys_for(kid=None, platform="EBL1") == [jwk_kids["YLFVnyMkSsFTvj-H"]]
    assert resolve(store, {"kid": "sBq4Mgu7lhEcfph7"}, platform="EBL1").code == "TRUST-PLATFORM-MISMATCH"


@pytest.mark.parametrize("trust", [("certs/root-ca.crt", "platform-registry"), ("keys/public", "platform-registry"),
                                   ("keys/pem", "platform-registry")])
def test_pint_demo_envelopes_resolve_and_verify(trust: tuple[str, ...]) -> None:
    store = TrustStore.from_paths([_pint(*t.split("/")) for t in trust])
    seen = 0
    for name in ("ed25519", "rsa"):
        envelope = json.loads(_pint("pint-transfers", f"HHL71800000-ebl-envelope-{name}.json").read_bytes())
        for token in envelope["envelopeTransferChain"]:
            parsed = parse_compact(token)
            platform = json.loads(parsed.payload)["eblPlatform"]
            result = resolve(store, parsed.header, platform=platform)
            assert result.ok, (trust, platform, result.code, result.message)
            assert result.platform_binding == ("unknown" if platform == "CAR2" else "registered")
            verify_compact(parsed, result.key_or_raise())
            seen += 1
    assert seen == 4


def test_resolve_memo_answers_as_resolve_at_every_time(pki: Pki) -> None:
    """A remembered success is reused only while the certificates it rests on stay valid."""
    anchored = pki.store()
    leaf_in_store = TrustStore()
    leaf_in_store.add_certificate(pki.leaf)
    bare = TrustStore()
    bare.add_key(pki.leaf_key.public)
    cases = [(anchored, {"alg": "ES256", "x5c": x5c(pki.leaf, pki.inter)}),
             (leaf_in_store, {"alg": "ES256", "kid": pki.leaf_key.public.thumbprint}),
             (bare, {"alg": "ES256", "kid": "leaf-1"}),
             (bare, {"alg": "ES256", "kid": "nobody"}),
             (bare, {"alg": "ES256", "kid": 7}),
             (anchored, {"alg": "ES256", "x5c": "not a list"})]
    times = [AT, START - timedelta(days=1), AT + timedelta(days=1), END + timedelta(seconds=1), START, END, AT]
    for store, header in cases:
        memo: dict[object, object] = {}
        for when in times:
            for platform in (None, "P1"):
                expected = store.resolve(header, platform=platform, at=when)
                got = store.resolve_memo(header, platform=platform, at=when, memo=memo)
                assert (got.key, got.how, got.code, got.message, got.platform_binding, got.chain) == \
                    (expected.key, expected.how, expected.code, expected.message, expected.platform_binding,
                     expected.chain), (header, when, platform)
    with pytest.raises(UsageError):
        bare.resolve_memo({"kid": "leaf-1"}, platform=None, at=datetime(2026, 1, 1), memo={})
