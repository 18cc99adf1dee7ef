"""The registry answers about the envelope as received, not about the chain it stored (both backends).

An envelope whose entries are already recorded still has its own transport document, manifest and, for an
entry signed again, its own signature: each is checked, so a DUPE or RECE never answers an envelope that
``etr verify`` (same trust, same time) FAILs. The property test draws envelopes — valid, tampered, signed
again, relinked, forked, truncated — and holds the registry's acceptance against the verifier's answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pint_simulator import VERIFY_AT, RawChain, World, payload_of
from registry_support import BACKENDS, assert_intact, build, registry_url, stored_chains

import etr.registry
from etr.crypto.digests import sha256_hex
from etr.crypto.keys import generate_key
from etr.model import Outcome
from etr.registry import Registry
from etr.transfer.sign import canonical_json
from etr.transfer.verify import verify_envelope

WORLD = World("ES256")  # ECDSA signs with a fresh nonce: signing the same payload again gives another JWS
CHAIN = build(WORLD, [("TRANSFER", "alice", "bob"), ("TRANSFER", "bob", "carol"), ("TRANSFER", "carol", "dave"),
                      ("TRANSFER", "dave", "alice")])
FORK = RawChain(WORLD, td=CHAIN.td, tokens=CHAIN.tokens[:2]).add("TRANSFER", "bob", "dave").add(
    "TRANSFER", "dave", "carol")


@pytest.fixture(params=BACKENDS)
def reg(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Registry]:
    for url in registry_url(request.param, tmp_path):
        registry = etr.registry.open(url)
        registry.init()
        yield registry
        registry.close()


def answers(reg: Registry, env: dict[str, Any]) -> tuple[etr.registry.Recording, Any]:
    """(the registry's recording, the verifier's result) for one envelope, with the same trust and time."""
    rec = reg.record(json.dumps(env).encode(), trust=WORLD.trust, at=VERIFY_AT)
    return rec, verify_envelope(env, WORLD.trust, at=VERIFY_AT, validate_document=False)


def resigned(token: str) -> str:
    """The same payload signed again by the same platform: another JWS."""
    copy = CHAIN.sign(canonical_json(payload_of(token)), payload_of(token)["eblPlatform"])
    assert copy != token
    return copy


def relinked(tokens: list[str], start: int) -> list[str]:
    """``tokens`` with every entry after ``start`` signed again so it names the JWS before it (a sound chain)."""
    out = list(tokens)
    for j in range(start + 1, len(out)):
        payload = payload_of(out[j])
        payload["previousEnvelopeTransferChainEntrySignedContentChecksum"] = sha256_hex(out[j - 1].encode())
        out[j] = CHAIN.sign(canonical_json(payload), payload["eblPlatform"])
    return out


def bad_signature(token: str) -> str:
    head, body, _ = token.split(".")
    other = CHAIN.tokens[0].split(".")[2]
    return f"{head}.{body}.{other}"


def _envelope(tokens: list[str], **kwargs: Any) -> dict[str, Any]:
    return CHAIN.envelope(tokens=tokens, **kwargs)


# Each builds an envelope over the recorded entries 0-1 that the verifier FAILs.
TAMPERED = {
    "transport document changed": lambda: {**_envelope(CHAIN.tokens[:2]), "transportDocument": {
        **CHAIN.td, "shippedOnBoardDate": "1999-01-01"}},
    "garbage manifest": lambda: {**_envelope(CHAIN.tokens[:2]), "envelopeManifestSignedContent": "a.b.c"},
    "manifest missing": lambda: {k: v for k, v in _envelope(CHAIN.tokens[:2]).items()
                                 if k != "envelopeManifestSignedContent"},
    "manifest signed by another platform": lambda: _envelope(CHAIN.tokens[:2], platform="EBL3"),
    "manifest names another last entry": lambda: {**_envelope(CHAIN.tokens[:2]), "envelopeManifestSignedContent":
                                                  _envelope(CHAIN.tokens[:3])["envelopeManifestSignedContent"]},
    "stale copy with a manifest over the whole chain": lambda: {**_envelope(CHAIN.tokens[:1]),
                                                                "envelopeManifestSignedContent": _envelope(
                                                                    CHAIN.tokens[:2])["envelopeManifestSignedContent"]},
    "last entry's signature broken": lambda: _envelope([CHAIN.tokens[0], bad_signature(CHAIN.tokens[1])]),
    "last entry signed by an unknown key": lambda: _envelope([CHAIN.tokens[0], CHAIN.sign(
        canonical_json(payload_of(CHAIN.tokens[1])), "EBL1", key=generate_key("ES256", kid="mallory"))]),
    "entry 1 signed again, entry 2 linking to the recorded entry 1": lambda: _envelope(
        [CHAIN.tokens[0], resigned(CHAIN.tokens[1]), CHAIN.tokens[2]]),
}


@pytest.mark.parametrize("name", sorted(TAMPERED))
def test_a_recorded_envelope_that_does_not_verify_is_refused_as_the_verifier_refuses_it(reg: Registry,
                                                                                        name: str) -> None:
    assert reg.record(json.dumps(_envelope(CHAIN.tokens[:2])).encode(), trust=WORLD.trust,
                      at=VERIFY_AT).response == "RECE"
    before = stored_chains(reg.url)
    rec, result = answers(reg, TAMPERED[name]())
    assert result.outcome is Outcome.FAIL, name
    assert rec.outcome is Outcome.FAIL and rec.response == result.response_code, (rec.response, rec.codes)
    assert rec.accepted == 0 and rec.entries == 2 and stored_chains(reg.url) == before
    status = reg.status(rec.key)  # type: ignore[arg-type]
    assert status is not None and status.conflicts == 0


def test_an_envelope_whose_new_entries_follow_a_re_signed_copy_is_refused_and_says_why(reg: Registry) -> None:
    """Sound on its own (the verifier passes it), but its entry 2 names a JWS of entry 1 the registry does not
    hold: the registry never replaces a recorded JWS, so it cannot extend its chain from that copy."""
    assert reg.record(json.dumps(_envelope(CHAIN.tokens[:2])).encode(), trust=WORLD.trust,
                      at=VERIFY_AT).response == "RECE"
    spliced = relinked([CHAIN.tokens[0], resigned(CHAIN.tokens[1]), CHAIN.tokens[2]], 1)
    rec, result = answers(reg, _envelope(spliced))
    assert result.outcome is Outcome.PASS
    assert (rec.response, rec.codes[-1], rec.accepted, rec.entries) == ("BENV", "REG-RESIGNED-LINK", 0, 2)
    assert "PINT-CHAIN-LINK" not in rec.codes
    # The same chain sent with the recorded entry 1 is recorded.
    assert reg.record(json.dumps(_envelope(CHAIN.tokens[:3])).encode(), trust=WORLD.trust,
                      at=VERIFY_AT).response == "RECE"
    assert_intact(reg.url)


def test_a_sound_retransmission_is_still_dupe(reg: Registry) -> None:
    reg.record(json.dumps(_envelope(CHAIN.tokens[:3])).encode(), trust=WORLD.trust, at=VERIFY_AT)
    for tokens in (CHAIN.tokens[:3], [*CHAIN.tokens[:2], resigned(CHAIN.tokens[2])], CHAIN.tokens[:2]):
        rec, result = answers(reg, _envelope(tokens))
        assert result.outcome is Outcome.PASS and rec.response == "DUPE" and rec.outcome is not Outcome.FAIL


# --------------------------------------------------------------------------- the property


@st.composite
def envelopes(draw: st.DrawFn) -> dict[str, Any]:
    source = draw(st.sampled_from([CHAIN, FORK]))
    tokens = list(source.tokens[:draw(st.integers(1, len(source.tokens)))])
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, len(tokens) - 1))
        how = draw(st.sampled_from(["resign", "resign-relink", "bad-signature", "drop", "swap"]))
        if how == "resign":
            tokens[i] = resigned(tokens[i])
        elif how == "resign-relink":
            tokens[i] = resigned(tokens[i])
            tokens = relinked(tokens, i)
        elif how == "bad-signature":
            tokens[i] = bad_signature(tokens[i])
        elif how == "drop" and len(tokens) > 1:
            del tokens[i]
        elif how == "swap" and i + 1 < len(tokens):
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
    env = _envelope(tokens, platform=draw(st.sampled_from([None, "EBL2"])))
    outside = draw(st.sampled_from(["none", "td", "manifest", "manifest-of-source"]))
    if outside == "td":
        env["transportDocument"] = {**env["transportDocument"], "shippedOnBoardDate": "1999-01-01"}
    elif outside == "manifest":
        env["envelopeManifestSignedContent"] = "a.b.c"
    elif outside == "manifest-of-source":
        env["envelopeManifestSignedContent"] = source.envelope()["envelopeManifestSignedContent"]
    return env


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.integers(1, 3), drawn=st.lists(envelopes(), min_size=1, max_size=4))
def test_the_registry_never_accepts_what_the_verifier_fails(reg: Registry, first: int,
                                                           drawn: list[dict[str, Any]]) -> None:
    """RECE or DUPE only for an envelope the verifier does not FAIL, whatever the registry already holds."""
    reg.record(json.dumps(_envelope(CHAIN.tokens[:first])).encode(), trust=WORLD.trust, at=VERIFY_AT)
    for env in drawn:
        rec, result = answers(reg, env)
        if rec.response in ("RECE", "DUPE"):
            assert result.outcome is not Outcome.FAIL, (rec.response, rec.codes, result.response_code,
                                                        [f.code for f in result.findings])
            assert rec.outcome is not Outcome.FAIL
        else:
            assert rec.outcome is Outcome.FAIL
    assert_intact(reg.url)
