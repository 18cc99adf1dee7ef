"""``etr codes``: the finding-code catalogue (:mod:`etr.codes`)."""

from __future__ import annotations

import json

import click

EXIT_HELP = """\b
Exit status:
  0  the codes were listed
  2  usage error (unknown family or code)
"""


def _families_help() -> str:
    """The catalogue's families, from its file names (each file is one family: etr/codes.py), without
    reading the files (``etr --help`` stays fast), as a block click does not rewrap (a name is never
    split at its hyphen)."""
    from importlib import resources

    names = sorted(p.name.removesuffix(".toml") for p in resources.files("etr.catalogue").iterdir()
                   if p.name.endswith(".toml"))
    lines, line = [], "  "
    for name in names:
        if len(line) + len(name) > 70:
            lines.append(line.rstrip())
            line = "  "
        line += name + ", "
    lines.append(line.rstrip(", "))
    return "\b\nFamilies and areas (--family):\n" + "\n".join(lines) + "\n"


@click.command("codes", epilog=_families_help() + "\n" + EXIT_HELP)
@click.argument("codes", nargs=-1, metavar="[CODE]...")
@click.option("--family", metavar="FAMILY", help="Only this family or area (listed below).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per code; json: one document (format etr-codes).")
def codes_cmd(codes: tuple[str, ...], family: str | None, fmt: str) -> None:
    """List every finding and error code etr can emit: its severity (or, for
    a code that is only raised, who is at fault), the PINT response code where
    one applies, a one-line title and the clause or rule it comes from.

    Give CODEs to look up only those (e.g. etr codes PINT-CHAIN-FORK).
    """
    from .. import __version__
    from ..codes import select, text_lines, to_document

    chosen = select(family, codes)
    if fmt == "json":
        click.echo(json.dumps(to_document(chosen, etr_version=__version__), indent=2, ensure_ascii=False))
        return
    for line in text_lines(chosen):
        click.echo(line)
