"""``etr oa``: TradeTrust / OpenAttestation documents. ``etr oa obfuscate`` writes a selectively disclosed copy."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import EXIT_CODES_HELP


@click.group("oa", epilog=EXIT_CODES_HELP)
def oa_cmd() -> None:
    """TradeTrust / OpenAttestation documents (verify them with etr verify)."""


@oa_cmd.command("obfuscate", epilog=EXIT_CODES_HELP)
@click.argument("document", metavar="FILE")
@click.option("--field", "fields", multiple=True, required=True, metavar="PATH",
              help="A field to hide: its path in the document (v2: recipient.name, issuers.0.name, relative to "
                   "data; v3/v4: credentialSubject.name, a[0]) or a JSON Pointer (/data/recipient/name). An object "
                   "or array hides all it holds. Repeatable.")
@click.option("-o", "--output", required=True, metavar="OUT", help="Where to write the copy (- for standard output).")
def obfuscate_cmd(document: str, fields: tuple[str, ...], output: str) -> None:
    """Write a copy of the wrapped FILE with the --field values hidden: each is replaced by its hash, so the
    copy keeps the same targetHash and merkleRoot and still verifies (signature included).

    Unlike the reference library, an object or array the hiding empties is removed too (an empty {} would
    be hashed as a new value), and an array item can be hidden only at the end of its array. The copy is
    verified before it is written: FILE must verify itself (integrity) first.
    """
    from ..errors import EnvironmentProblem
    from ..families.openattestation import obfuscate, verify_document
    from ..load import Limits, Source, load_bytes

    source = Source.of_path(document, Path(document)) if document != "-" else Source("<stdin>", None)
    # A missing, unreadable or hostile FILE raises its LoadError (LOAD-…, exit 1).
    loaded = load_bytes(source.read(Limits(), sys.stdin.buffer if document == "-" else None), source.name, Limits())
    copy = obfuscate(loaded.content, fields)  # verifies the document first, and the copy after
    text = json.dumps(copy, ensure_ascii=False, indent=2) + "\n"
    if output == "-":
        sys.stdout.buffer.write(text.encode())
        sys.stdout.flush()
    else:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise EnvironmentProblem(f"-o {output}: {exc.strerror or exc}", code="OA-OBFUSCATE-OUTPUT") from None
    click.echo(f"etr: {len(fields)} field(s) hidden; targetHash {verify_document(copy, output).target_hash} "
               "unchanged", err=True)
