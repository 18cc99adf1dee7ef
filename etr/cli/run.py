"""The loop behind every command that reads inputs: expand them, run the work in the batch pool,
render each result as it comes, draw the progress bar, and exit with the run's status.

``etr validate`` and ``etr verify`` differ only in their work function and options.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, NoReturn, TextIO

from .. import __version__
from ..batch import run_batch
from ..errors import UsageError
from ..load import DIRECTORY_SUFFIXES, Source, expand_inputs
from ..model import Result, Severity
from ..render import Renderer, make_renderer
from ..render.progress import Progress
from . import EXIT_FAIL, EXIT_OK

_GLOB = re.compile(r"[*?\[]")


def run_inputs(command: str, inputs: Iterable[str], work: Callable[[Source], Result], *, fmt: str, jobs: int,
               quiet: bool, fail_on: Severity, show_document: bool = False,
               make: Callable[..., Renderer] | None = None) -> NoReturn:
    """Run ``work`` over every input and render the results; exit 0, or 1 when an input fails.

    ``make`` builds the renderer instead of :func:`~etr.render.make_renderer` (same keywords, the format
    given by the caller): a command with a format of its own (``etr assess --format html``).

    Raises:
        UsageError: a directory or a pattern yields no input.
        SystemExit: always, with the run's exit status.
    """
    inputs = tuple(inputs)
    require_input(inputs)
    interactive = not quiet and sys.stderr.isatty() and "-" not in inputs
    progress = Progress(sum(1 for _ in expand_inputs(inputs)) if interactive else 0, sys.stderr)
    # JSON is UTF-8 (RFC 8259 §8.1); text is in the terminal's encoding.
    encoding = "utf-8" if fmt != "text" else (sys.stdout.encoding or "utf-8")
    out = Output(sys.stdout, encoding, before_write=progress.hide)
    if make is None:
        renderer = make_renderer(fmt, out, command=command, tool_version=__version__, quiet=quiet, fail_on=fail_on,
                                 show_document=show_document)
    else:
        renderer = make(out, command=command, tool_version=__version__, quiet=quiet, fail_on=fail_on)
    renderer.start()
    for result in run_batch(displayed(expand_inputs(inputs)), work, jobs=jobs):
        failed = renderer.add(result)
        if progress.enabled:
            out.flush()  # the result is on screen before the bar is drawn again
        progress.step(failed)
    progress.close()
    renderer.finish()
    out.flush()
    raise SystemExit(EXIT_FAIL if renderer.failed else EXIT_OK)


def require_input(inputs: Iterable[str]) -> None:
    """A directory or a glob pattern that yields no input is a usage error (a named missing file is not:
    it is reported as a ``LOAD-NOT-FOUND`` finding).

    Raises:
        UsageError: ``ETR-NO-INPUT``, naming the directory or pattern; ``ETR-STDIN-TWICE``: ``-`` given
            more than once.
    """
    inputs = list(inputs)
    if inputs.count("-") > 1:  # the first would read all of stdin and the second nothing (LOAD-EMPTY)
        raise UsageError("- (standard input) is given more than once; it can be read only once",
                         code="ETR-STDIN-TWICE", hint="name - once")
    for item in inputs:
        if item == "-":
            continue
        path = Path(item)
        try:
            path.stat()
        except FileNotFoundError:
            pass
        except OSError:  # too long a name, …: not a usage error, the input's LOAD-IO finding says why
            continue
        if path.is_dir():
            if next(expand_inputs([item]), None) is None:
                raise UsageError(f"no input in directory {display_name(item)}: it holds no "
                                 f"{', '.join(sorted(DIRECTORY_SUFFIXES))} file", code="ETR-NO-INPUT",
                                 hint="a file named on the command line is read whatever its name")
        elif not path.exists() and _GLOB.search(item):
            first = next(expand_inputs([item]), None)
            if first is None or first.missing:
                raise UsageError(f"no input matches the pattern {display_name(item)}", code="ETR-NO-INPUT",
                                 hint="quote the pattern for etr to expand it (** walks directories)")


def display_name(name: str) -> str:
    """``name`` as valid Unicode: the bytes of a file name that are not UTF-8 (which Python keeps as lone
    surrogates) become ``\\xNN`` escapes, so every output format is valid UTF-8."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        raw = name.encode("utf-8", "surrogateescape")  # the file system's bytes, as os.fsencode gives them
    except UnicodeEncodeError:  # a surrogate that is no escaped byte
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def displayed(sources: Iterable[Source]) -> Iterator[Source]:
    """The sources, named for display (see :func:`display_name`); each still reads its own path."""
    for source in sources:
        name = display_name(source.name)
        yield source if name == source.name else Source(name, source.path, source.missing)


class Output:
    """Standard output for a renderer: text encoded once, in ``encoding`` (UTF-8 for JSON), characters the
    encoding cannot take escaped rather than fatal, and ``before_write`` called first (it erases the
    progress bar). Bytes go to the stream's binary buffer when it has one."""

    def __init__(self, stream: TextIO, encoding: str, *, before_write: Callable[[], None]) -> None:
        stream.flush()  # anything written before keeps its place
        self.stream = stream
        self.binary: BinaryIO | None = getattr(stream, "buffer", None)
        self.encoding = encoding
        self.before_write = before_write

    def write(self, text: str) -> int:
        self.before_write()
        data = text.encode(self.encoding, "backslashreplace")
        if self.binary is not None:
            self.binary.write(data)
        else:  # a text-only stream (a test's StringIO): the same characters
            self.stream.write(data.decode(self.encoding))
        return len(text)

    def flush(self) -> None:
        (self.binary or self.stream).flush()
