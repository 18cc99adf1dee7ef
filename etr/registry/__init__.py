"""The registry of record: one authoritative DCSA PINT chain per transferable record.

MLETR's singularity and exclusive control cannot be shown from one envelope: something must remember every
chain it has accepted and refuse a second successor of an entry (two people holding "the original"). A
platform, a bank or a customs system runs this registry next to etr::

    import etr.registry
    reg = etr.registry.open("sqlite:///var/etr/registry.db")   # or "postgresql://user@host/db"
    reg.init()                                                  # create or migrate the schema (idempotent)
    rec = reg.record(envelope_bytes, trust=trust)               # RECE, DUPE, DISE, BSIG or BENV
    reg.status(rec.key).holder, reg.history(rec.key), reg.find("MAEU", "BL123")

One object per process, safe across threads (a connection per thread). Every guarantee is the database's:
exactly one successor per chain entry under any concurrency (constraints and transactions), and no
accepted entry lost nor a partial one visible after a crash (SQLite: WAL, ``synchronous=FULL``, explicit
transactions; PostgreSQL: its own). :mod:`etr.registry.core` says how an envelope is judged;
:mod:`etr.registry.migrations` holds the schema.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from ..errors import UsageError
from .backend import redact_url
from .core import Registry
from .model import ChainView, HistoryEntry, Recording, RecordKey, RecordStatus

__all__ = ["ChainView", "HistoryEntry", "RecordKey", "RecordStatus", "Recording", "Registry", "open", "redact_url"]

_URL_HINT = "e.g. sqlite:///registry.db (relative), sqlite:////var/etr/registry.db (absolute), " \
            "postgresql://user:password@host:5432/database"


def open(url: str) -> Registry:
    """The registry at ``url``: ``sqlite:///path`` (a file; three slashes then the path, so four for an
    absolute one) or ``postgresql://…`` / ``postgres://…`` (psycopg 3: ``pip install 'etr[postgres]'``).
    Nothing is opened yet: the first operation connects (:meth:`Registry.init` creates the schema).

    Raises:
        UsageError: ``REG-URL``: not such a URL (an in-memory SQLite database is refused: a registry of
            record must outlive the process).
        RegistryDriverMissing: a PostgreSQL URL without psycopg installed.
    """
    if not isinstance(url, str) or not url.strip():
        raise UsageError(f"registry URL {str(url)[:80]!r} is empty or not a string", code="REG-URL", hint=_URL_HINT)
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "sqlite":
        from .sqlite import SqliteBackend

        parts = urlsplit(url)
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if parts.netloc or not path or path == ":memory:" or parts.query or parts.fragment:
            raise UsageError(f"registry URL {redact_url(url)[:200]!r}: a SQLite registry is a file, "
                             "sqlite:///path", code="REG-URL", hint=_URL_HINT)
        return Registry(SqliteBackend(url, path))
    if scheme in ("postgresql", "postgres"):
        from .postgres import PostgresBackend

        return Registry(PostgresBackend(url))
    raise UsageError(f"registry URL {redact_url(url)[:200]!r}: etr keeps a registry in SQLite (sqlite:///path) or "
                     "PostgreSQL (postgresql://…)", code="REG-URL", hint=_URL_HINT)
