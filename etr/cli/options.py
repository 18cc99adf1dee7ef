"""Options shared by the commands, each defined once here.

Every command that reads documents (``validate``, ``verify``) takes the same
inputs and the same batch options; every command that checks signatures takes
the same ``--trust``. A decorator adds its options and hands the command one
ready value (``fail_on``, ``limits``, ``trust_store`` …) instead of raw flags.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..load import Limits
from ..model import Severity
from ..render import FORMATS

if TYPE_CHECKING:
    from ..crypto.trust import TrustStore

F = TypeVar("F", bound=Callable[..., Any])
_DEFAULTS = Limits()

VALIDATE_EXIT_HELP = """\b
Exit status:
  0  no input fails: no error finding (nor one at the --fail-on severity)
  1  at least one input fails, unreadable and hostile inputs included
  2  usage error: bad option, unknown family or version, a directory
     or pattern with no input
"""

VERIFY_EXIT_HELP = """\b
Exit status:
  0  no input fails: each is PASS, WARN or NOT_EVALUABLE (e.g. a
     control tracking registry is named, an OpenAttestation document's
     issuance needs the chain), with no finding at the --fail-on severity
  1  at least one input FAILs, unreadable and hostile inputs included,
     an envelope without --trust (PINT-NO-TRUST), or the trust store
     (or the --registry) cannot be read
  2  usage error: bad option, unknown --schema-version, a directory or
     pattern with no input

\b
A FAIL carries the PINT response code a receiving platform would answer:
BSIG (signature), BENV (envelope), DISE (disputed: fork or replay),
INCD (document mismatch), MDOC (document missing).
"""


def _apply(command: F, *options: Callable[[F], F]) -> F:
    for option in reversed(options):  # listed in --help in the order given here
        command = option(command)
    return command


def batch_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--format``, ``-q``, ``--strict``/``--fail-on``, ``-j``, ``--max-bytes``/``--max-depth``.

    The command receives ``fmt: str``, ``quiet: bool``, ``jobs: int``,
    ``fail_on: Severity`` (the lowest severity that fails an input) and
    ``limits: Limits``.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, strict: bool, fail_on: str | None, max_bytes: int | None, max_depth: int | None,
                **kwargs: Any) -> Any:
        if strict and fail_on == "error":
            raise click.UsageError("--strict and --fail-on error contradict each other")
        kwargs["fail_on"] = Severity(fail_on) if fail_on else (Severity.WARNING if strict else Severity.ERROR)
        kwargs["limits"] = Limits(max_bytes or _DEFAULTS.max_bytes, max_depth or _DEFAULTS.max_depth)
        return command(*args, **kwargs)

    return _apply(
        wrapper,
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="text: for people, one block per input and a summary; json: one run document; "
                          "jsonl: one object per input and line."),
        click.option("-q", "--quiet", is_flag=True,
                     help="Text lists only the inputs that fail (and the summary); no progress bar."),
        click.option("--strict", is_flag=True, help="Warnings fail too (same as --fail-on warning)."),
        click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
                     help="Lowest severity that makes an input fail [default: error]."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Work in N processes; output keeps input order."),
        click.option("--max-bytes", type=click.IntRange(min=1), default=None,
                     help=f"Largest input accepted [{_DEFAULTS.max_bytes // 2**20} MiB]."),
        click.option("--max-depth", type=click.IntRange(min=1), default=None,
                     help=f"Deepest nesting accepted [{_DEFAULTS.max_depth}]."),
    )


def schema_version_option(help: str) -> Callable[[F], F]:
    """``--schema-version VERSION``, passed as ``version``; ``help`` says what it applies to."""
    return click.option("--schema-version", "version", metavar="VERSION", help=help)


# --------------------------------------------------------------------------- trust

_trust = click.option(
    "--trust", "trust_paths", multiple=True, metavar="PATH", type=click.Path(exists=True, path_type=Path),
    help="Trusted keys: JWK/JWKS, PEM public keys, X.509 CA or leaf certificates (PEM/DER), and the platform "
         "registry CSV that binds them to platforms (a key no row binds speaks for no platform), OpenAttestation "
         "trusted-issuers files (TOML, format = \"etr-trusted-issuers\"), or a directory of them. Repeatable. "
         "Nothing is fetched.")


def trust_paths_option(command: F) -> F:
    """Repeatable ``--trust PATH``, passed as ``trust_paths: tuple[Path, ...]`` (for commands that hand the
    paths on, e.g. to worker processes, each of which builds the store once)."""
    return _trust(command)


def trust_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Repeatable ``--trust PATH``, passed as ``trust_store: TrustStore``.

    The store is built inside the callback (cryptography is imported only
    then); with no ``--trust`` it is empty. Errors in trust files surface as
    :class:`~etr.crypto.keys.KeyFileError` (exit 1 at the CLI boundary).
    """

    @functools.wraps(command)
    def wrapper(*args: Any, trust_paths: tuple[Path, ...] = (), **kwargs: Any) -> Any:
        kwargs["trust_store"] = build_trust_store(trust_paths)
        return command(*args, **kwargs)

    return _trust(wrapper)


def build_trust_store(paths: tuple[Path, ...]) -> TrustStore:
    """A store from ``--trust`` paths (empty when none).

    Raises:
        KeyFileError: a path holds no usable trust material, or a private key.
    """
    from ..crypto.trust import TrustStore

    return TrustStore.from_paths(paths)


# --------------------------------------------------------------------------- registry of record

#: ``--registry URL`` for a command that reads a registry of record beside what it checks (``etr verify``),
#: passed as ``registry: str | None``.
registry_option = click.option(
    "--registry", "registry", metavar="URL",
    help="A registry of record (sqlite:///path or postgresql://…): say whether each envelope is its chain, a "
         "stale copy (warning REG-VIEW-STALE) or a forked one (error REG-VIEW-FORK, DISE).")
