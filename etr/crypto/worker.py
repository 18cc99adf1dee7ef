"""The signature worker: a child process that checks JWS signatures, one after another, while the
calling process does every other check of a chain.

Why a process and not a thread: ``cryptography`` releases the GIL while it computes, but a second
*thread* must take the GIL back between two signatures, and a thread busy with Python code gives it up
only every few milliseconds (the switch interval); lending it by hand costs two thread wake-ups per
entry, about as much as an RSA verification. A child process shares no GIL: while it verifies the
signatures of one batch of entries, the calling process parses, links and replays the next. The child
checks one signature at a time, so a chain is never verified faster than one core verifies signatures.

How it runs:

- The child is ``python -m etr.crypto.worker`` started with the same interpreter and the same ``etr``
  (a clean interpreter: no fork of a process that may have threads, and no re-import of the caller's
  ``__main__``). It starts in the background on first use; until it says it is ready, batches are checked
  in the calling process, so starting it never makes a chain slower to verify.
- One child per process, lent to one chain at a time: :func:`open_batches` gives a chain that finds it
  busy (another thread is using it) an in-process :class:`Batches`.
- Requests on its stdin: a 4-byte big-endian length, then a pickle (only the parent writes to the
  child, so the child unpickles only what the same ``etr`` wrote): the DER public keys the child has not
  seen yet (by RFC 7638 thumbprint) and the batch, (thumbprint, alg, signing input, signature as it
  stands in the token) per signature. Answers on its stdout: the count and the request number (4 bytes
  each), then one byte per signature (1: valid); the parent unpickles nothing.
- Anything that goes wrong with the child (it cannot start, dies, answers out of turn or later than
  :data:`REPLY_TIMEOUT`) ends it; the batches it held are checked in the calling process and this process
  does not start another. The results never depend on the worker.
- The child ends when its stdin closes (its parent exited) or at the parent's exit; it ignores Ctrl-C,
  which is the parent's to handle.

POSIX only (it waits on pipes with ``poll``); elsewhere every signature is checked in the calling
process.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .keys import PublicKey

#: A chain of at least this many entries uses the worker by default (``parallel=None``) once it runs;
#: one of at least :data:`START_ENTRIES` starts it (it takes about 0.1 s to be ready, in which a one-off
#: command could check a few thousand signatures itself). :func:`start` starts it at once.
MIN_ENTRIES = 32
START_ENTRIES = 512
#: Signatures per request: the first is small, so that the child starts early; then up to this many
#: (fewer towards the end of the chain).
BATCH_FIRST, BATCH = 4, 64
#: Requests sent and not yet answered, at most: the calling process may run far ahead of the child (it
#: has other checks to do meanwhile); the child's answers to these many never fill the pipe back.
MAX_OUTSTANDING = 256
#: Seconds to wait for the child to answer a request (or to take one) before giving up on it.
REPLY_TIMEOUT = 30.0
#: Seconds either side polls for the other's next message before it blocks (see :func:`_await`).
SPIN = 0.002
#: Public keys the child keeps; past this, the parent tells it to forget them all and sends them again.
MAX_KEYS = 1024

log = logging.getLogger("etr.crypto.worker")

_HEADER = struct.Struct(">I")  # a request: its length, then a pickle
_ANSWER = struct.Struct(">II")  # an answer: how many signatures, the request number, then a byte each
_READY = b"R"
_Item = tuple[str, str, bytes, bytes]  # (thumbprint, alg, signing input, signature)


class WorkerError(Exception):
    """The child failed (internal: callers see the batch checked in-process instead)."""


class _Child:
    """The parent's end of one child process."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])  # the directory that holds this ``etr``
        env = dict(os.environ)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        to_child_r, self.wfd = os.pipe()
        self.rfd, from_child_w = os.pipe()
        try:
            self.process = subprocess.Popen([sys.executable, "-m", "etr.crypto.worker"], stdin=to_child_r,
                                            stdout=from_child_w, stderr=subprocess.DEVNULL, env=env, close_fds=True)
        except BaseException:
            for fd in (self.wfd, self.rfd):
                os.close(fd)
            raise
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        os.set_blocking(self.wfd, False)
        _widen(self.wfd)
        self.ready = False
        self.sequence = 0
        self.keys: set[str] = set()  # thumbprints the child holds

    def is_ready(self) -> bool:
        """Whether the child said it is ready (never waits)."""
        if not self.ready and _wait(self.rfd, select.POLLIN, 0.0):
            if os.read(self.rfd, 1) != _READY:
                raise WorkerError("the signature worker did not start")
            self.ready = True
        return self.ready

    def send(self, message: object) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(_HEADER.pack(len(data)) + data)
        deadline = time.monotonic() + REPLY_TIMEOUT
        while view:
            if not _wait(self.wfd, select.POLLOUT, deadline - time.monotonic()):
                raise WorkerError("the signature worker takes no more work")
            try:
                view = view[os.write(self.wfd, view):]
            except BlockingIOError:
                continue
            except OSError as exc:  # EPIPE: it died
                raise WorkerError(f"the signature worker is gone ({exc})") from None

    def receive(self) -> tuple[int, bytes]:
        """The next answer: (request number, one byte per signature). Never unpickled: the parent trusts
        nothing the child sends beyond these bytes."""
        size, sequence = _ANSWER.unpack(self._read(_ANSWER.size))
        if size > 1 << 24:
            raise WorkerError("the signature worker sent a malformed answer")
        return sequence, self._read(size)

    def _read(self, size: int) -> bytes:
        deadline = time.monotonic() + REPLY_TIMEOUT
        chunks: list[bytes] = []
        while size:
            if not _wait(self.rfd, select.POLLIN, 0.0, spin=SPIN) \
                    and not _wait(self.rfd, select.POLLIN, deadline - time.monotonic()):
                raise WorkerError("the signature worker does not answer")
            chunk = os.read(self.rfd, min(size, 1 << 20))
            if not chunk:
                raise WorkerError("the signature worker is gone")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.wfd)  # the child sees EOF and ends
        with contextlib.suppress(OSError):
            os.close(self.rfd)
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=5)


def _wait(fd: int, event: int, seconds: float, *, spin: float = 0.0) -> bool:
    """Whether ``fd`` is ready for ``event`` (or closed) within ``seconds``, polled without blocking for
    the first ``spin`` of them (see :func:`_await`). ``poll``, not ``select``: a service may hold more
    than FD_SETSIZE descriptors."""
    poller = select.poll()
    poller.register(fd, event)
    if spin:
        deadline = time.perf_counter() + spin
        while time.perf_counter() < deadline:
            if poller.poll(0):
                return True
    return bool(poller.poll(max(0, int(seconds * 1000 + 0.999))))


def _widen(fd: int) -> None:
    """Let the pipe to the child hold every outstanding request (Linux; elsewhere a no-op): with the default
    64 KiB, writing a request would wait until the child has finished the one before and read it."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)  # type: ignore[attr-defined,unused-ignore]
    except (ImportError, AttributeError, OSError):
        pass


_LOCK = threading.Lock()  # held by the chain using the child
_STATE: dict[str, Any] = {"child": None, "failed": False, "answered": 0}
_INHERITED: list[_Child] = []  # a forked process keeps its parent's child object, unused (see _forget)


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _child() -> _Child | None:
    """The running child, started if needed; None when there cannot be one."""
    child: _Child | None = _STATE["child"]
    if child is None and not _STATE["failed"]:
        try:
            child = _STATE["child"] = _Child()
        except (OSError, ValueError, subprocess.SubprocessError):
            _STATE["failed"] = True
    return child


def _give_up(child: _Child, why: object = None) -> None:
    """The child misbehaved: end it, and do not start another in this process."""
    log.debug("signature worker given up: %s", why)
    child.close()
    _STATE["child"], _STATE["failed"] = None, True


def shutdown() -> None:
    """End the child, if any (at exit; tests). A later chain may start a new one."""
    child = _STATE["child"]
    _STATE["child"] = None
    if child is not None:
        child.close()


def _forget() -> None:
    """In a forked process: the parent's child is not ours to talk to (its pipes are shared)."""
    global _LOCK
    if _STATE["child"] is not None:
        _INHERITED.append(_STATE["child"])  # kept, never closed: closing would end the parent's child
    _STATE["child"] = None
    _LOCK = threading.Lock()


atexit.register(shutdown)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)


def start(timeout: float = 0.0) -> bool:
    """Start the worker now (a long-running service may do so at start-up, so that its first long chain
    finds it ready) and wait up to ``timeout`` seconds for it; return whether it is ready. Never raises."""
    if not available():
        return False
    with _LOCK:
        child = _child()
        deadline = time.monotonic() + timeout
        while child is not None:
            try:
                if child.is_ready():
                    return True
                if time.monotonic() >= deadline:
                    return False
                _wait(child.rfd, select.POLLIN, min(0.05, deadline - time.monotonic()))
            except (WorkerError, OSError, ValueError) as exc:
                _give_up(child, exc)
                return False
    return False


def answered() -> int:
    """How many signatures the worker has checked for this process so far (tests; diagnostics)."""
    count: int = _STATE["answered"]
    return count


def available() -> bool:
    """Whether this process can use a worker at all (POSIX, 2 or more usable CPUs, not given up)."""
    return os.name == "posix" and not _STATE["failed"] and _usable_cpus() >= 2


class Batches:
    """The signatures of one chain: :meth:`add` them in order, then :meth:`results` gives one bool each,
    in the same order. With a child, batches go to it once it is ready; otherwise (or meanwhile) they are
    checked here with ``check``. Use as a context manager: leaving it lends the child to the next chain."""

    def __init__(self, check: Callable[[str, PublicKey, bytes, bytes], bool], child: _Child | None = None,
                 expected: int = 0) -> None:
        self._check = check
        self._child = child
        self._pending: list[tuple[str, PublicKey, bytes, bytes]] = []
        self._size = BATCH_FIRST
        self._left = expected  # signatures still to come (about): the last requests are made smaller
        self._sent = 0
        #: Per batch, in order: its results, or (sequence, items) while the child has it.
        self._slots: list[list[bool] | tuple[int, list[tuple[str, PublicKey, bytes, bytes]]]] = []
        self._outstanding: list[int] = []  # slot indexes the child has, oldest first

    @property
    def parallel(self) -> bool:
        """Whether a child was lent to this chain (it may still check everything here)."""
        return self._child is not None

    def __enter__(self) -> Batches:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, alg: str, key: PublicKey, signing_input: bytes, signature: bytes) -> None:
        self._pending.append((alg, key, signing_input, signature))
        if len(self._pending) >= self._size:
            self._flush()

    def flush(self) -> None:
        """Hand over the signatures added since the last request (the caller has no more for a while)."""
        if self._pending:
            self._flush()

    def results(self) -> list[bool]:
        """Every signature's outcome, in the order added (waits for the child)."""
        self.flush()
        while self._outstanding:
            self._collect()
        out: list[bool] = []
        for slot in self._slots:
            assert isinstance(slot, list)
            out.extend(slot)
        return out

    def close(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        if self._outstanding and _STATE["child"] is child:  # left half-way (an exception): answers would be stale
            _give_up(child, "a chain was left half-way")
            _STATE["failed"] = False  # not the child's fault: the next chain may start a new one
        _LOCK.release()

    # -- internals

    def _flush(self) -> None:
        items, self._pending = self._pending, []
        # Requests grow with what was sent (a quarter of it: the child, which may check a signature in
        # about the time this process reads an entry, is never left waiting for a big one) up to BATCH,
        # and shrink towards the end, so that the child's work left when the last entry has been read
        # (which the caller waits for) is a few signatures.
        self._left -= len(items)
        self._sent += len(items)
        self._size = max(BATCH_FIRST, min(self._sent // 4, BATCH, self._left // 4))
        child = self._child
        if child is not None:
            try:
                if child.is_ready():
                    if len(self._outstanding) >= MAX_OUTSTANDING:
                        self._collect()
                    self._send(child, items)
                    return
            except (WorkerError, OSError, ValueError, pickle.PickleError, EOFError) as exc:
                self._fail(child, exc)
        self._slots.append([self._check(*item) for item in items])

    def _send(self, child: _Child, items: list[tuple[str, PublicKey, bytes, bytes]]) -> None:
        reset = len(child.keys) > MAX_KEYS
        if reset:
            child.keys.clear()
        new: list[tuple[str, bytes]] = []
        wire: list[_Item] = []
        for alg, key, signing_input, signature in items:
            thumb = key.thumbprint
            if thumb not in child.keys:
                child.keys.add(thumb)
                new.append((thumb, _der(key)))
            wire.append((thumb, alg, signing_input, signature))
        child.sequence += 1
        child.send((child.sequence, reset, new, wire))  # raises before anything is recorded: checked here then
        self._slots.append((child.sequence, items))
        self._outstanding.append(len(self._slots) - 1)

    def _collect(self) -> None:
        """Take the child's answer to the oldest outstanding batch."""
        index = self._outstanding[0]
        slot = self._slots[index]
        assert isinstance(slot, tuple)
        sequence, items = slot
        child = self._child
        try:
            if child is None:
                raise WorkerError("no child")
            answer = child.receive()
            if answer[0] != sequence & 0xFFFFFFFF or len(answer[1]) != len(items) or answer[1].strip(b"\x00\x01"):
                raise WorkerError("the signature worker answered out of turn")
        except (WorkerError, OSError, ValueError, struct.error) as exc:
            if child is not None:
                self._fail(child, exc)
            return
        self._outstanding.pop(0)
        self._slots[index] = [byte == 1 for byte in answer[1]]
        _STATE["answered"] += len(items)

    def _fail(self, child: _Child, why: object) -> None:
        """Check here everything the child held; use it no more."""
        if _STATE["child"] is child:
            _give_up(child, why)
        for index in self._outstanding:
            slot = self._slots[index]
            assert isinstance(slot, tuple)
            self._slots[index] = [self._check(*item) for item in slot[1]]
        self._outstanding.clear()
        if self._child is child:
            self._child = None
            _LOCK.release()


def _der(key: PublicKey) -> bytes:
    """The SubjectPublicKeyInfo DER of ``key``, as the child loads it (once per key per child)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def open_batches(check: Callable[[str, PublicKey, bytes, bytes], bool], entries: int,
                 parallel: bool | None) -> Batches:
    """The :class:`Batches` for a chain of ``entries`` signatures: lent the child when ``parallel`` is
    True (chains of 2 or more) or None (chains of :data:`MIN_ENTRIES` or more while it runs, of
    :data:`START_ENTRIES` or more to start it) and the worker is :func:`available` and free; else checked
    with ``check`` in this process."""
    if parallel is False or entries < (2 if parallel else MIN_ENTRIES) or not available():
        return Batches(check)
    if parallel is None and entries < START_ENTRIES and _STATE["child"] is None:
        return Batches(check)  # not worth starting one for this chain
    if not _LOCK.acquire(blocking=False):
        return Batches(check)  # another thread's chain has it
    child = _child()
    if child is None:
        _LOCK.release()
        return Batches(check)
    return Batches(check, child, entries)


# --------------------------------------------------------------------------- the child


def _serve() -> int:
    import signal

    from cryptography.hazmat.primitives.serialization import load_der_public_key

    from .jws import _signature_ok, b64url_segment_bytes

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    rfd, wfd = 0, os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing printed by accident can corrupt the frames
    keys: dict[str, Any] = {}

    os.set_blocking(rfd, False)
    poller = select.poll()
    poller.register(rfd, select.POLLIN)

    def read(size: int) -> bytes | None:
        chunks = []
        while size:
            try:
                chunk = os.read(rfd, min(size, 1 << 20))
            except BlockingIOError:
                _await(poller)
                continue
            if not chunk:
                return None
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def write(data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(wfd, view):]

    write(_READY)
    while True:
        head = read(_HEADER.size)
        body = read(_HEADER.unpack(head)[0]) if head is not None else None
        if body is None:
            return 0  # the parent closed the pipe
        sequence, reset, new, items = pickle.loads(body)
        if reset:
            keys.clear()
        for thumb, der in new:
            keys[thumb] = load_der_public_key(der)
        out = bytearray(len(items))
        for i, (thumb, alg, signing_input, signature) in enumerate(items):
            key = keys.get(thumb)
            out[i] = key is not None and _signature_ok(alg, key, signing_input, b64url_segment_bytes(signature))
        write(_ANSWER.pack(len(out), sequence & 0xFFFFFFFF) + bytes(out))


def _await(poller: select.poll, spin: float = SPIN) -> None:
    """Wait until the registered descriptor is readable: polled for up to ``spin`` seconds first, then
    blocked. While a chain is being checked its requests follow each other closely, and a process that
    blocks lets its (virtual) CPU sleep: waking it again costs tens of microseconds, every request."""
    deadline = time.perf_counter() + spin
    while time.perf_counter() < deadline:
        if poller.poll(0):
            return
    poller.poll()


if __name__ == "__main__":
    sys.exit(_serve())
