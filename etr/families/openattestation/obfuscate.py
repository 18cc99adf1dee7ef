"""Selective disclosure: hide fields of a wrapped OpenAttestation document so that it still verifies.

As the reference does (open-attestation src/2.0/obfuscate.ts, src/3.0/obfuscate.ts),
each hidden leaf is replaced by its leaf hash in the document's list of obfuscated
hashes (v2 ``privacy.obfuscatedData``; v3/v4 ``proof.privacy.obfuscated``, its salt
removed). Unlike the reference, the result always verifies:

* an object or array emptied by the hiding is removed too (the reference leaves
  ``{}``, which v2 and v4 then hash as a new leaf: the copy no longer verifies);
* an array item can be hidden only at the end of its array (hiding one in the middle
  would leave a hole, written ``null`` in JSON, which is hashed: refused instead).

Fields are named by their path in the document's own syntax (v2: ``recipient.name``,
``issuers.0.name``, relative to ``data``; v3/v4: ``credentialSubject.name``, ``a.b[0]``)
or by a JSON Pointer into the whole document (``/data/recipient/name``). Naming an
object or array hides every value in it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import DocumentError, UsageError
from ...model import Outcome
from .forms import classify
from .hashing import (
    decode_salts,
    encode_salts,
    flatten_v2,
    traverse_v3,
    v2_leaf_hash,
    v3_leaf_hash,
    v4_leaf_hash,
)

_V3_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _refuse(message: str) -> DocumentError:
    """The document cannot give a copy that verifies (the document's fault, not the request's)."""
    return DocumentError(message, code="OA-OBFUSCATE-FORMAT", hint="run etr verify on it first")


def _fail(message: str, code: str = "OA-OBFUSCATE-FIELD") -> UsageError:
    return UsageError(message, code=code, hint="name fields as the document's paths (v2: recipient.name; v3: "
                                               "credentialSubject.name, a[0]) or as JSON Pointers "
                                               "(/data/recipient/name)")


def _keys(field: str, version: str) -> list[str | int]:
    """The keys of ``field`` from the document root (v2 paths are relative to ``data``)."""
    if field.startswith("/"):
        parts: list[str | int] = [p.replace("~1", "/").replace("~0", "~") for p in field.split("/")[1:]]
        return parts
    if version == "2.0":
        return ["data", *field.split(".")]
    keys: list[str | int] = []
    position = 0
    for match in _V3_PART.finditer(field):
        if match.start() != position and field[position:match.start()] != ".":
            raise _fail(f"--field {field!r} is not a path of this document (a.b[0].c)")
        keys.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    if position != len(field) or not keys:
        raise _fail(f"--field {field!r} is not a path of this document (a.b[0].c)")
    return keys


def _resolve(root: Any, keys: list[str | int], field: str) -> list[tuple[Any, str | int]]:
    """The chain of (container, key) from the root down to the field."""
    chain: list[tuple[Any, str | int]] = []
    node = root
    for key in keys:
        if isinstance(node, dict) and str(key) in node:
            chain.append((node, str(key)))
            node = node[str(key)]
        elif isinstance(node, list) and str(key).isdigit() and int(key) < len(node):
            chain.append((node, int(key)))
            node = node[int(key)]
        else:
            raise _fail(f"--field {field!r}: no such field in the document")
    return chain


def obfuscate(document: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """A copy of the wrapped ``document`` with ``fields`` hidden (their hashes kept), which still verifies.

    Raises:
        DocumentError: ``OA-OBFUSCATE-FORMAT``: not a wrapped OA document, one whose integrity does not
            hold (it is verified first, and the copy after), or a field without a salt of its own.
        UsageError: ``OA-OBFUSCATE-FIELD``: a field
            that does not exist, the proof itself, or no field; ``OA-OBFUSCATE-ARRAY``: an array item
            that is not at the end of its array (it would leave a hole that breaks the hash).
    """
    form = classify(document)
    if form is None or form.form != "wrapped" or form.version is None:
        raise _refuse("only a wrapped OpenAttestation document can be obfuscated")
    if not fields:
        raise _fail("name at least one field to hide")
    from .verify import verify_document

    before = verify_document(document, "<document>").check("integrity")
    if before is None or before.outcome is not Outcome.PASS:
        raise _refuse(f"the document's integrity does not hold ({before.reason if before else 'not verifiable'}): "
                      "hiding fields of it would not make a copy that verifies")
    out = copy.deepcopy(dict(document))
    version = form.version
    targets: list[list[tuple[Any, str | int]]] = []
    for field in fields:
        chain = _resolve(out, _keys(field, version), field)
        top = chain[0][1]
        if (version == "2.0" and (top != "data" or len(chain) < 2)) or (version != "2.0" and top == "proof"):
            raise _fail(f"--field {field!r}: only the document's data can be hidden, not its proof")
        targets.append(chain)
    targets = _outermost(targets)
    if version == "2.0" and "privacy" in out and not isinstance(out["privacy"], dict):
        # The reference reads privacy.obfuscatedData of a non-object as []; etr would have to replace the
        # member to add hashes to it, which changes what a reader sees: refused instead.
        raise _refuse("privacy is not an object: the hidden fields' hashes have nowhere to go")
    hashes: list[str] = []
    salts = None if version == "2.0" else {s.path: s for s in decode_salts(out["proof"].get("salts"))}
    removed: set[tuple[int, str | int]] = set()
    for chain in targets:
        container, key = chain[-1]
        if (id(container), key) in removed:
            continue
        node = container[key]
        if version == "2.0":
            prefix = ".".join(str(k) for _, k in chain[1:])
            for path, value, _ in flatten_v2(node):
                full = f"{prefix}.{path}" if path else prefix
                hashes.append(v2_leaf_hash(full, value))
        else:
            assert salts is not None
            prefix = _v3_path([k for _, k in chain])
            for path, value, _ in traverse_v3(node, empty_leaves=version == "4.0") if isinstance(node, dict | list) \
                    else [("", node, "")]:
                full = prefix + (path if path.startswith("[") or not path else f".{path}")
                salt = salts.pop(full, None)
                if salt is None:
                    raise _refuse(f"{full!r} has no salt of its own (OA-UNPROTECTED-LEAF): it cannot be hidden")
                hashes.append((v3_leaf_hash if version == "3.0" else v4_leaf_hash)(full, salt.value, value))
        removed.add((id(container), key))
    _remove(out, targets)
    if version == "2.0":
        privacy = out.setdefault("privacy", {})
        privacy["obfuscatedData"] = [*privacy.get("obfuscatedData", []), *hashes]
    else:
        assert salts is not None
        proof = out["proof"]
        proof["salts"] = encode_salts(list(salts.values()))
        privacy = proof.setdefault("privacy", {})
        privacy["obfuscated"] = [*privacy.get("obfuscated", []), *hashes]
    after = verify_document(out, "<copy>").check("integrity")
    if after is None or after.outcome is not Outcome.PASS:
        # Possible only for a document whose salts do not match its leaves one to one (OA-UNPROTECTED-LEAF).
        raise _refuse(f"the copy would not verify ({after.reason if after else 'not verifiable'}): the document's "
                      "salts do not match its values one to one")
    return out


def _outermost(targets: list[list[tuple[Any, str | int]]]) -> list[list[tuple[Any, str | int]]]:
    """The targets that lie inside no other target (a field named twice, or inside another named field,
    is hidden once: hashing it twice would add a hash the document never had)."""
    keys = [tuple(k for _, k in chain) for chain in targets]
    return [chain for chain, key in zip(targets, keys, strict=True)
            if not any(other != key and other == key[:len(other)] for other in keys)]


def _v3_path(keys: list[str | int]) -> str:
    path = ""
    for key in keys:
        path += f"[{key}]" if isinstance(key, int) else (f".{key}" if path else key)
    return path


def _remove(root: dict[str, Any], targets: list[list[tuple[Any, str | int]]]) -> None:
    """Delete each target, then every container its deletion emptied (upwards); items of an array only
    when they end it."""
    by_list: dict[int, tuple[list[Any], set[int]]] = {}
    for chain in targets:
        container, key = chain[-1]
        if isinstance(container, list):
            by_list.setdefault(id(container), (container, set()))[1].add(int(key))
    for items, indices in by_list.values():
        if indices != set(range(len(items) - len(indices), len(items))):
            raise _fail("an array item can be hidden only at the end of its array (a hole would be hashed as "
                        "null and the copy would not verify)", "OA-OBFUSCATE-ARRAY")
    for chain in sorted(targets, key=len, reverse=True):
        _delete_up(chain)


def _delete_up(chain: list[tuple[Any, str | int]]) -> None:
    for depth in range(len(chain) - 1, -1, -1):
        container, key = chain[depth]
        if isinstance(container, dict):
            if key not in container:
                return
            del container[key]
        else:
            if not isinstance(key, int) or key >= len(container):
                return
            if key != len(container) - 1:
                raise _fail("an array item can be hidden only at the end of its array (a hole would be hashed as "
                            "null and the copy would not verify)", "OA-OBFUSCATE-ARRAY")
            container.pop()
        if container or depth == 0:
            return
        # the container is now empty: it goes too (an emptied {} or [] would be hashed as a new leaf)
