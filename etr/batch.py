"""Run one function over many inputs, in input order, optionally in a pool of processes.

The same path serves ``etr validate`` and ``etr verify`` (and later ``etr assess``):
the caller gives the sources and a *work* function turning one
:class:`~etr.load.Source` into one result. With ``jobs > 1`` the work function is
sent once to each worker process (so it must be picklable: a module-level
function, or a :func:`functools.partial` of one over picklable options), and the
sources travel in chunks. Only a bounded window of chunks is in flight at once,
so memory stays flat however many files a batch has; results come back in input
order as soon as the chunk holding them is done.

Standard input is always read in this process (a worker has no access to it).
"""

from __future__ import annotations

import itertools
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from .load import Source

R = TypeVar("R")

DEFAULT_CHUNK = 32
#: Chunks in flight per worker: enough to keep every worker busy, few enough to keep memory flat.
WINDOW_PER_JOB = 4

# The work function of this worker process, installed once by the pool's initializer.
_work: Callable[[Source], Any] | None = None


def _install(work: Callable[[Source], Any]) -> None:
    global _work
    _work = work
    # Ctrl-C signals the terminal's whole process group. The parent stops the batch (and the pool);
    # a worker that took the signal itself would only print a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_chunk(chunk: list[Source]) -> list[Any]:
    assert _work is not None, "the pool initializer installs the work function"
    return [_work(source) for source in chunk]


def run_batch(sources: Iterable[Source], work: Callable[[Source], R], *, jobs: int = 1,
              chunk: int = DEFAULT_CHUNK) -> Iterator[R]:
    """Yield ``work(source)`` for each source, in input order; ``jobs > 1`` uses that many processes.

    ``work`` must not raise for a bad input (a bad input is a finding in its
    result); an exception it raises ends the batch and propagates here.

    Raises:
        ValueError: ``jobs`` or ``chunk`` is below 1.
    """
    if jobs < 1 or chunk < 1:
        raise ValueError("jobs and chunk must be at least 1")
    if jobs == 1:
        for source in sources:
            yield work(source)
        return
    pending: deque[Future[list[R]] | list[R]] = deque()
    iterator = iter(sources)
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_install, initargs=(work,))
    try:
        while True:
            while len(pending) < jobs * WINDOW_PER_JOB:
                batch = list(itertools.islice(iterator, chunk))
                if not batch:
                    break
                if any(s.path is None and not s.missing for s in batch):  # stdin: read here, keep order
                    pending.append([work(s) for s in batch])
                else:
                    pending.append(pool.submit(_run_chunk, batch))
            if not pending:
                return
            head = pending.popleft()
            yield from (head if isinstance(head, list) else head.result())
    finally:  # also when the consumer stops early (a closed pipe): drop the chunks not started
        pool.shutdown(wait=True, cancel_futures=True)
