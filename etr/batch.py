"""Validate many inputs, in input order, optionally in a pool of processes.

Work is sent to the pool in chunks, and only a bounded window of chunks is in
flight at once, so memory stays flat however many files a batch has. Results
come back in input order as soon as the chunk holding them is done.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from .load import Source
from .model import Report
from .validate import Options, validate_source

DEFAULT_CHUNK = 32


def _work(chunk: list[Source], options: Options) -> list[Report]:
    return [validate_source(source, options) for source in chunk]


def run_batch(sources: Iterable[Source], options: Options, *, jobs: int = 1, chunk: int = DEFAULT_CHUNK
              ) -> Iterator[Report]:
    """Yield one report per source, in order; ``jobs > 1`` uses that many processes.

    Standard input is always read in this process.
    """
    if jobs <= 1:
        for source in sources:
            yield validate_source(source, options)
        return
    window = jobs * 4
    pending: deque[Future[list[Report]] | list[Report]] = deque()
    iterator = iter(sources)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        while True:
            while len(pending) < window:
                batch = list(itertools.islice(iterator, chunk))
                if not batch:
                    break
                if any(s.path is None and not s.missing for s in batch):  # stdin: read here, keep order
                    pending.append(_work(batch, options))
                else:
                    pending.append(pool.submit(_work, batch, options))
            if not pending:
                return
            head = pending.popleft()
            yield from (head if isinstance(head, list) else head.result())
