"""``etr schemas``: what schemas etr ships."""

from __future__ import annotations

import json

import click


@click.group("schemas")
def schemas_cmd() -> None:
    """List the schemas shipped with etr."""


@schemas_cmd.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_cmd(fmt: str) -> None:
    """List each packaged schema: family, versions, file and $id."""
    from ..schemas import all_schemas, schema_root

    rows = list(all_schemas())
    if fmt == "json":
        click.echo(json.dumps({"root": str(schema_root()), "schemas": [
            {"family": r.family, "versions": list(r.versions), "path": r.path, "id": r.id, "title": r.title}
            for r in rows]}, indent=2))
        return
    for r in rows:
        click.echo(f"{r.family:<10} {','.join(r.versions):<32} {r.path}")
        click.echo(f"{'':<10} {r.title} <{r.id}>")
