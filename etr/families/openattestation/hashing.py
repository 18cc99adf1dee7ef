"""The OpenAttestation digests: keccak256, the v2 ``targetHash``, the v3/v4 salted leaves, the Merkle proof.

Each function follows the reference algorithm of open-attestation (see
``../shared/reference/openattestation.md`` §1.2, §1.4, §2.1, §2.2) step for
step, including where it is weak; what it leaves unprotected is named by
:mod:`.exposure`, not "fixed" here, so that a document is VALID here exactly
when the reference verifier says VALID.

keccak256 is the original Keccak (Ethereum's), not FIPS SHA3-256: the padding
differs, so ``hashlib.sha3_256`` would give other digests. It comes from
pycryptodome.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from Crypto.Hash import keccak

from . import _js

_HEX64 = re.compile(r"[0-9a-f]{64}")


def keccak256(data: bytes) -> bytes:
    """The 32-byte Keccak-256 (Ethereum) digest of ``data``."""
    return keccak.new(data=data, digest_bits=256).digest()


def keccak256_hex(data: bytes) -> str:
    """:func:`keccak256` as 64 lower-case hex characters."""
    return keccak.new(data=data, digest_bits=256).hexdigest()


def is_hash(value: object) -> bool:
    """Whether ``value`` is a hash as OpenAttestation writes it: 64 lower-case hex characters, no ``0x``."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def hash_list_digest(hashes: Sequence[str]) -> str:
    """keccak256 of ``JSON.stringify`` of the hashes sorted by plain string order (lodash ``sortBy``)."""
    return keccak256_hex(("[" + ",".join(f'"{h}"' for h in sorted(hashes)) + "]").encode())


# --------------------------------------------------------------------------- v2


class KeyDelimiterError(ValueError):
    """A key of a v2 document's ``data`` contains ``.``: the reference flattener refuses it."""

    def __init__(self, path: str, pointer: str) -> None:
        super().__init__(f"key {path!r} contains '.'")
        self.path = path
        self.pointer = pointer


def flatten_v2(data: Any) -> Iterator[tuple[str, Any, str]]:
    """The leaves of a v2 ``data`` as flatley gives them: ``(path, value, JSON Pointer)``.

    Paths join keys and array indices with ``.``; recursion enters only non-empty
    objects and arrays, so an empty ``{}`` or ``[]`` is a leaf itself.

    Raises:
        KeyDelimiterError: a key contains ``.`` (the reference throws there).
    """
    stack: list[tuple[Any, str, str]] = [(data, "", "")]
    while stack:
        node, path, pointer = stack.pop()
        if isinstance(node, dict) and node:
            items = list(node.items())
            for key, value in reversed(items):
                if "." in key:
                    raise KeyDelimiterError(f"{path}.{key}" if path else key,
                                            f"{pointer}/{_escape(key)}")
                stack.append((value, f"{path}.{key}" if path else key, f"{pointer}/{_escape(key)}"))
        elif isinstance(node, list) and node:
            for index in range(len(node) - 1, -1, -1):
                stack.append((node[index], f"{path}.{index}" if path else str(index), f"{pointer}/{index}"))
        else:
            yield path, node, pointer or ""


def v2_leaf_hash(path: str, value: Any) -> str:
    """keccak256 of ``JSON.stringify({[path]: value})``: one leaf of a v2 document (also an obfuscated hash)."""
    return keccak256_hex(("{" + _js.stringify(path) + ":" + _js.stringify(value) + "}").encode())


def v2_target_hash(data: Any, obfuscated: Sequence[str]) -> str:
    """The v2 ``targetHash`` of ``data`` with the hashes of ``privacy.obfuscatedData``.

    Raises:
        KeyDelimiterError: as :func:`flatten_v2`.
    """
    leaves = [v2_leaf_hash(path, value) for path, value, _ in flatten_v2(data)]
    return hash_list_digest([*obfuscated, *leaves])


# --------------------------------------------------------------------------- v3 / v4


@dataclass(frozen=True, slots=True)
class Salt:
    """One decoded salt of a v3/v4 document: its ``path`` and random ``value`` (64 hex characters)."""

    path: str
    value: str


class SaltError(ValueError):
    """``proof.salts`` cannot be decoded as the reference decodes it (base64 of a JSON array of
    ``{value, path}``, each value 64 hex characters)."""


def decode_salts(encoded: object) -> list[Salt]:
    """The salts of ``proof.salts``.

    Raises:
        SaltError: not base64, not a JSON array of ``{value, path}`` strings, or a value that is not
            64 hex characters (the reference's ``decodeSalt`` refuses these).
    """
    if not isinstance(encoded, str):
        raise SaltError("proof.salts is not a string")
    try:
        decoded = json.loads(base64.b64decode(encoded, validate=True).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise SaltError("proof.salts is not base64 of a JSON array") from None
    if not isinstance(decoded, list):
        raise SaltError("proof.salts does not decode to a JSON array")
    salts = []
    for index, item in enumerate(decoded):
        if not (isinstance(item, dict) and isinstance(item.get("path"), str) and isinstance(item.get("value"), str)):
            raise SaltError(f"salt {index} is not an object with string path and value")
        if not re.fullmatch(r"[0-9a-fA-F]{64}", item["value"]):
            raise SaltError(f"salt {index} ({item['path'][:60]!r}) is not 64 hex characters")
        salts.append(Salt(item["path"], item["value"]))
    return salts


def encode_salts(salts: Sequence[Salt]) -> str:
    """``proof.salts`` for ``salts`` (base64 of compact JSON, as the reference writes it)."""
    text = "[" + ",".join('{"value":' + json.dumps(s.value) + ',"path":' + json.dumps(s.path, ensure_ascii=False)
                          + "}" for s in salts) + "]"
    return base64.b64encode(text.encode()).decode()


def traverse_v3(document: Any, *, empty_leaves: bool = False) -> Iterator[tuple[str, Any, str]]:
    """The leaves of a v3 (``empty_leaves=False``) or v4 (``True``) document: ``(path, value, pointer)``.

    Paths write object keys after ``.`` and array indices as ``[i]`` (``a.b[0].c``). Every string,
    number, boolean and null is a leaf; in v4 an empty object or array is one too, in v3 it yields nothing.
    """
    stack: list[tuple[Any, str, str]] = [(document, "", "")]
    while stack:
        node, path, pointer = stack.pop()
        if isinstance(node, dict):
            if not node:
                if empty_leaves and pointer:
                    yield path, node, pointer
                continue
            for key, value in reversed(list(node.items())):
                stack.append((value, f"{path}.{key}" if path else key, f"{pointer}/{_escape(key)}"))
        elif isinstance(node, list):
            if not node:
                if empty_leaves:
                    yield path, node, pointer
                continue
            for index in range(len(node) - 1, -1, -1):
                stack.append((node[index], f"{path}[{index}]", f"{pointer}/{index}"))
        else:
            yield path, node, pointer


#: What lodash ``get`` returns for a path that does not resolve.
UNDEFINED: Any = type("Undefined", (), {"__repr__": lambda self: "undefined"})()

_DEEP = re.compile(r"\.|\[(?:[^\[\]]*|([\"'])(?:(?!\1)[^\\]|\\.)*?\1)\]")
_PLAIN = re.compile(r"^\w*$")
_PROP = re.compile(r"[^.\[\]]+|\[(?:(-?\d+(?:\.\d+)?)|([\"'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))")


def lodash_path(root: Any, path: str) -> list[str]:
    """The keys lodash ``castPath`` makes of ``path`` for ``root``: the path itself when it is a key of
    ``root`` or has no ``.``/``[``; else split on ``.`` and ``[i]`` / ``["key"]``."""
    if (isinstance(root, dict) and path in root) or _PLAIN.match(path) or not _DEEP.search(path):
        return [path]
    keys: list[str] = []
    if path.startswith("."):
        keys.append("")
    for match in _PROP.finditer(path):
        number, quote, quoted = match.group(1), match.group(2), match.group(3)
        if quote:
            keys.append(re.sub(r"\\(\\)?", r"\1", quoted))
        elif number is not None:
            keys.append(number)
        else:
            keys.append(match.group(0))
    return keys


def lodash_get(root: Any, path: str) -> Any:
    """lodash ``get(root, path)`` over JSON values, or :data:`UNDEFINED`.

    An object gives its own member; an array its item at a canonical index, or its ``length``; a
    string its ``length`` or the character at an index. JavaScript's inherited properties
    (``constructor``, ``toString``…) are not emulated: a path through one is :data:`UNDEFINED` here.
    """
    node = root
    for key in lodash_path(root, path):
        if isinstance(node, dict):
            node = node.get(key, UNDEFINED)
        elif isinstance(node, list | str):
            if key == "length":
                node = len(node)
            elif key.isdigit() and (key == "0" or not key.startswith("0")) and int(key) < len(node):
                node = node[int(key)]
            else:
                return UNDEFINED
        else:
            return UNDEFINED
        if node is UNDEFINED:
            return UNDEFINED
    return node


def v3_leaf_hash(path: str, salt: str, value: Any) -> str:
    """keccak256 of ``JSON.stringify({[path]: `${salt}:${value}`})``: one leaf of a v3 document."""
    return keccak256_hex(_js.string_key_object(path, f"{salt}:{_js.template_text(value)}"))


def v3_target_hash(document: Mapping[str, Any], salts: Sequence[Salt], obfuscated: Sequence[str]) -> str:
    """The v3 ``targetHash``: each salt whose path resolves (lodash ``get``, not undefined) hashed with
    the value found there, plus ``privacy.obfuscated``, sorted, hashed. ``document`` is without ``proof``."""
    leaves = []
    for salt in salts:
        value = lodash_get(document, salt.path)
        if value is not UNDEFINED:
            leaves.append(v3_leaf_hash(salt.path, salt.value, value))
    return hash_list_digest([*obfuscated, *leaves])


def v4_type(value: Any) -> str:
    """The type tag of a v4 leaf: string, number, boolean, null, object or array."""
    if isinstance(value, list):
        return "array"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int | float):
        return "number"
    return "object"


def v4_leaf_hash(path: str, salt: str, value: Any) -> str:
    """keccak256 of ``JSON.stringify({[path]: `${salt}:${type}:${value}`})``: one leaf of a v4 document."""
    return keccak256_hex(_js.string_key_object(path, f"{salt}:{v4_type(value)}:{_js.template_text(value)}"))


class SaltNotFoundError(ValueError):
    """A v4 leaf has no salt (the reference's ``SaltNotFoundError``: the document is not valid)."""

    def __init__(self, path: str, pointer: str) -> None:
        super().__init__(f"no salt for {path!r}")
        self.path = path
        self.pointer = pointer


def v4_target_hash(document: Mapping[str, Any], salts: Sequence[Salt], obfuscated: Sequence[str]) -> str:
    """The v4 ``targetHash``: every leaf of the document (empty objects and arrays included) hashed with
    the salt of its path (the last one given for a path), plus ``privacy.obfuscated``.

    Raises:
        SaltNotFoundError: a leaf has no salt (or an empty one).
    """
    by_path = {s.path: s.value for s in salts}
    leaves = []
    if document:
        for path, value, pointer in traverse_v3(document, empty_leaves=True):
            salt = by_path.get(path)
            if not salt:
                raise SaltNotFoundError(path, pointer)
            leaves.append(v4_leaf_hash(path, salt, value))
    return hash_list_digest([*obfuscated, *leaves])


# --------------------------------------------------------------------------- Merkle proof


def combine(a: bytes, b: bytes) -> bytes:
    """One Merkle step: keccak256 of the two 32-byte nodes, the smaller (bytewise) first."""
    return keccak256(a + b if a <= b else b + a)


def merkle_root_of(target_hash: str, proof: Sequence[str]) -> str:
    """The root the proof leads to from ``target_hash`` (hex strings, already checked with :func:`is_hash`)."""
    node = bytes.fromhex(target_hash)
    for sibling in proof:
        node = combine(node, bytes.fromhex(sibling))
    return node.hex()


def merkle_tree(target_hashes: Sequence[str]) -> tuple[str, dict[str, list[str]]]:
    """The root of a batch and each document's proof (the reference's ``MerkleTree``: leaves sorted
    bytewise, pairs combined, an odd last node carried up). Used to wrap documents in tests and benchmarks."""
    layer = sorted(bytes.fromhex(h) for h in target_hashes)
    proofs: dict[bytes, list[str]] = {leaf: [] for leaf in layer}
    members: list[list[bytes]] = [[leaf] for leaf in layer]
    while len(layer) > 1:
        next_layer, next_members = [], []
        for i in range(0, len(layer), 2):
            if i + 1 == len(layer):
                next_layer.append(layer[i])
                next_members.append(members[i])
                continue
            left, right = layer[i], layer[i + 1]
            for leaf in members[i]:
                proofs[leaf].append(right.hex())
            for leaf in members[i + 1]:
                proofs[leaf].append(left.hex())
            next_layer.append(combine(left, right))
            next_members.append(members[i] + members[i + 1])
        layer, members = next_layer, next_members
    return layer[0].hex(), {leaf.hex(): proof for leaf, proof in proofs.items()}


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
