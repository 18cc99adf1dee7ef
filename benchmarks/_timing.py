"""The timing loops the benchmarks share (a script in this folder imports it as ``_timing``: Python puts the
script's own folder first on ``sys.path``). Each returns measured rates; none asserts anything."""

from __future__ import annotations

import time
from collections.abc import Callable


def rate(fn: Callable[[], object], seconds: float, warm: int = 1, batch: int = 1) -> float:
    """Calls per second of ``fn`` over about ``seconds``, after ``warm`` calls; the clock is read every
    ``batch`` calls (a larger batch for a call of a few microseconds, whose cost the clock would blur)."""
    for _ in range(warm):
        fn()
    n, start = 0, time.perf_counter()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def interleaved(work: Callable[[], object], bound: Callable[[], object], seconds: float, rounds: int = 5,
                block: float = 0.025) -> tuple[float, float, float]:
    """(calls/s of ``work``, calls/s of ``bound``, ratio bound/work): blocks of about ``block`` seconds of each
    in turn, for about ``seconds`` of ``work``, in ``rounds``. Each rate is that of its best round (noise only
    ever adds time); the ratio is the median of the rounds' own ratios (a round's two rates saw the same load)."""
    start = time.perf_counter()
    work()
    count = max(1, int(block / max(time.perf_counter() - start, 1e-6)))
    bound()
    best_work = best_bound = 0.0
    ratios = []
    for _ in range(rounds):
        spent = bound_spent = 0.0
        done = 0
        while spent < seconds / rounds:
            start = time.perf_counter()
            for _ in range(count):
                work()
            spent += time.perf_counter() - start
            start = time.perf_counter()
            for _ in range(count):
                bound()
            bound_spent += time.perf_counter() - start
            done += count
        best_work, best_bound = max(best_work, done / spent), max(best_bound, done / bound_spent)
        ratios.append(bound_spent / spent)
    return best_work, best_bound, sorted(ratios)[len(ratios) // 2]
