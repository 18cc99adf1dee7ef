"""Cryptography for etr: digests, keys, compact JWS and trust stores.

Modules (import the one you need; this package imports none of them, so
``import etr.crypto`` stays cheap):

- :mod:`etr.crypto.digests` — SHA-256 hex and RFC 8785 (JCS) canonical JSON.
- :mod:`etr.crypto.keys` — signing and public keys, JWK/PEM, RFC 7638 thumbprints.
- :mod:`etr.crypto.jws` — compact JWS with an algorithm allow-list (never ``none``
  nor HMAC).
- :mod:`etr.crypto.trust` — trust stores (JWK/JWKS, PEM, X.509 CAs, platform
  registry) and key resolution from a JWS header, offline.
"""
