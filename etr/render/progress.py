"""A progress bar for batches, on a terminal's stderr.

Results go to stdout, the bar to stderr; on a terminal both land on the same
screen. The bar is drawn without a newline, so before anything is written to
stdout the bar is erased (:meth:`Progress.hide`: carriage return, spaces,
carriage return) and drawn again after it: a result line never starts in the
middle of the bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO


class Progress:
    """``[#####-----] 120/400, 3 failed`` on ``stream``, for batches of :data:`MIN_INPUTS` inputs or more.

    ``total`` 0 disables it (not a terminal, ``-q``, standard input among the inputs).
    """

    MIN_INPUTS = 20
    WIDTH = 30
    #: Seconds between two redraws while nothing else is written (a fast batch would flood the terminal).
    INTERVAL = 0.1

    def __init__(self, total: int, stream: TextIO, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.enabled = total >= self.MIN_INPUTS
        self.stream = stream
        self.clock = clock
        self.count = 0
        self.failed = 0
        self.shown = 0  # characters of the bar on screen; 0 when none is
        self.drawn_at = 0.0

    def step(self, failed: bool) -> None:
        """One more input done: redraw the bar when it is hidden or stale."""
        self.count += 1
        self.failed += failed
        if not self.enabled:
            return
        now = self.clock()
        if self.shown and now - self.drawn_at < self.INTERVAL and self.count != self.total:
            return
        done = self.WIDTH * self.count // max(self.total, 1)
        text = f"[{'#' * done}{'-' * (self.WIDTH - done)}] {self.count}/{self.total}, {self.failed} failed"
        self.stream.write("\r" + text)  # never shorter than the bar it replaces: the counts only grow
        self.stream.flush()
        self.shown = len(text)
        self.drawn_at = now

    def hide(self) -> None:
        """Erase the bar, if it is on screen, and leave the cursor at the start of its line."""
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0

    def close(self) -> None:
        """The batch is done: erase the bar for good."""
        self.hide()
        self.enabled = False
