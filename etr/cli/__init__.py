"""The ``etr`` command line. Commands are thin: parse options, call the library, render.

Subcommands are imported only when run, so ``etr --help`` stays fast.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from .. import __version__

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

#: command name -> "module:attribute" (imported lazily) and its one-line help.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("etr.cli.validate:validate_cmd", "Validate documents against their standard's schema and rules."),
    "schemas": ("etr.cli.schemas:schemas_cmd", "List the schemas shipped with etr."),
    "pint": ("etr.cli.pint:pint_cmd", "Sign DCSA PINT envelopes: issue, transfer, endorse, surrender, accept, reject."),
    "verify": ("etr.cli.verify:verify_cmd", "Verify DCSA PINT envelopes and TradeTrust / OpenAttestation documents."),
    "keys": ("etr.cli.keys:keys_cmd", "Generate and inspect signing keys."),
    "assess": ("etr.cli.assess:assess_cmd", "Assess transferable records against MLETR, UK ETDA 2023 or SG ETA."),
    "oa": ("etr.cli.oa:oa_cmd", "TradeTrust / OpenAttestation documents: selective disclosure (obfuscate)."),
    "codes": ("etr.cli.codes:codes_cmd", "List every finding and error code etr can emit, with its meaning."),
    "registry": ("etr.cli.registry:registry_cmd", "Keep one authoritative PINT chain per record: record, status."),
}

#: The exit statuses every command shares; ``etr validate`` and ``etr verify`` spell out their own
#: (:mod:`etr.cli.options`).
EXIT_CODES_HELP = """\b
Exit status:
  0  success: every input passes, or the step was done
  1  failure: an input fails (an error finding or a FAIL, unreadable and
     hostile inputs included), or the step was refused
  2  usage error: bad option, no input
"""


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, attr = COMMANDS[cmd_name][0].partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        _accept_verbose(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Show short help without importing every command module.
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from ..errors import EtrError, UsageError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except UsageError as exc:
            click.echo(f"etr: {exc.diagnostics()}", err=True)
            ctx.exit(EXIT_USAGE)
        except EtrError as exc:
            _maybe_traceback(ctx)
            click.echo(f"etr: {exc.diagnostics()}", err=True)
            ctx.exit(EXIT_FAIL)
        except KeyboardInterrupt:
            click.echo("etr: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(EXIT_FAIL)
        except Exception as exc:  # the single error boundary: no traceback unless -v
            _maybe_traceback(ctx)
            click.echo(f"etr: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("  hint: rerun with -v for the traceback, and please report it", err=True)
            ctx.exit(EXIT_FAIL)


def _more_verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value:
        root = ctx.find_root()
        root.obj = root.obj or {}
        root.obj["verbose"] = root.obj.get("verbose", 0) + value
        _configure_logging(root.obj["verbose"])


def _accept_verbose(command: click.Command) -> None:
    """Let ``-v`` follow the subcommand too (``etr validate -v x.json``), as users type it."""
    if not any(p.name == "verbose" for p in command.params):
        command.params.append(click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_more_verbose,
                                           help="More diagnostics on stderr; tracebacks on internal errors."))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_verbose(sub)


def _configure_logging(verbose: int) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.INFO, stream=sys.stderr,
                        format="etr: %(levelname)s: %(message)s", force=True)


def _maybe_traceback(ctx: click.Context) -> None:
    if (ctx.obj or {}).get("verbose"):
        import traceback

        traceback.print_exc()


@click.group(cls=LazyGroup, epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="etr")
@click.option("-v", "--verbose", count=True, help="More diagnostics on stderr; tracebacks on internal errors.")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """etr checks electronic trade documents offline: is a document well
    formed (validate), who controls a transferable record, as its signed
    transfer chain proves (verify), and what the evidence shows against the
    law's reliability requirements for electronic transferable records
    (assess)."""
    ctx.obj = {"verbose": verbose}
    if verbose:
        _configure_logging(verbose)
