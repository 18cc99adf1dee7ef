"""The batch path behind ``-j N``: one ordered, chunked process pool for every command's work function."""

from __future__ import annotations

import functools
import os
import pickle
from pathlib import Path

import pytest

import etr
from etr.batch import DEFAULT_CHUNK, run_batch
from etr.load import Limits, Source
from etr.validate import Options as ValidateOptions
from etr.validate import validate_source
from etr.verify import Options as VerifyOptions
from etr.verify import verify_source

REPO = Path(__file__).resolve().parents[2]
PINT = REPO / "samples" / "pint"
EBL = REPO / "samples" / "ebl"
AT = "2026-12-01T00:00:00Z"


def where(source: Source) -> tuple[str, int]:
    """A work function that says which process did the work."""
    return source.name, os.getpid()


def explode(source: Source) -> str:
    if source.name == "boom":
        raise RuntimeError("a bug in the work function")
    return source.name


def sources(n: int) -> list[Source]:
    return [Source(f"s{i}", Path(f"s{i}")) for i in range(n)]


@pytest.mark.parametrize(("jobs", "chunk"), [(1, DEFAULT_CHUNK), (2, 1), (2, 3), (3, DEFAULT_CHUNK)])
def test_results_keep_input_order(jobs: int, chunk: int) -> None:
    names = [name for name, _ in run_batch(sources(100), where, jobs=jobs, chunk=chunk)]
    assert names == [f"s{i}" for i in range(100)]


def test_jobs_run_in_other_processes_and_stdin_in_this_one() -> None:
    later = [Source(f"t{i}", Path(f"t{i}")) for i in range(39)]
    items = [*sources(40), Source("<stdin>"), *later]
    done = list(run_batch(items, where, jobs=2, chunk=4))
    assert [name for name, _ in done] == [s.name for s in items]
    # Chunks of 4: the one holding standard input (items 40 to 43) runs here, since a worker cannot read this
    # process's standard input; every other chunk runs in a worker.
    here = {name for name, pid in done if pid == os.getpid()}
    assert here == {"<stdin>", "t0", "t1", "t2"}
    assert all(pid == os.getpid() for _, pid in run_batch(sources(5), where, jobs=1))


def test_a_missing_source_goes_to_the_pool_like_any_other() -> None:
    items = [Source("gone", Path("gone"), missing=True), *sources(3)]
    assert [name for name, _ in run_batch(items, where, jobs=2, chunk=1)] == ["gone", "s0", "s1", "s2"]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        list(run_batch(sources(1), where, jobs=0))
    with pytest.raises(ValueError):
        list(run_batch(sources(1), where, jobs=2, chunk=0))


def test_an_exception_in_the_work_function_ends_the_batch() -> None:
    items = [*sources(10), Source("boom", Path("boom")), *sources(10)]
    for jobs in (1, 2):
        with pytest.raises(RuntimeError, match="a bug in the work function"):
            list(run_batch(items, explode, jobs=jobs, chunk=2))


def test_a_consumer_may_stop_early() -> None:
    batch = run_batch(sources(10_000), where, jobs=2, chunk=8)
    first = [next(batch) for _ in range(5)]
    batch.close()  # the pool is shut down; the chunks not started are dropped
    assert [name for name, _ in first] == ["s0", "s1", "s2", "s3", "s4"]


def test_validate_and_verify_share_the_path(tmp_path: Path) -> None:
    """The real work functions of both commands give the same results in one process and in a pool."""
    documents = [Source(str(p), p) for p in sorted(EBL.glob("*/*.json"))]
    work = functools.partial(validate_source, options=ValidateOptions(limits=Limits()))
    assert [r.to_dict() for r in run_batch(documents, work, jobs=2, chunk=2)] == [
        r.to_dict() for r in run_batch(documents, work)]
    envelopes = [Source(str(p), p) for p in sorted(PINT.glob("*/*.json"))] * 3
    envelopes.append(Source(str(tmp_path / "missing.json"), tmp_path / "missing.json", missing=True))
    options = VerifyOptions((str(PINT / "trust"),), at=AT)
    options.check()
    check = functools.partial(verify_source, options=options)
    serial = [r.to_dict() for r in run_batch(envelopes, check)]
    assert [r.to_dict() for r in run_batch(envelopes, check, jobs=2, chunk=2)] == serial
    assert [r["outcome"] for r in serial[:6]] == ["FAIL", "PASS", "PASS", "PASS", "PASS", "PASS"]
    assert serial[-1]["findings"][0]["code"] == "LOAD-NOT-FOUND"


def test_the_options_and_results_of_verify_travel_between_processes() -> None:
    options = VerifyOptions((str(PINT / "trust"),), mode="legacy", at=AT, expected_recipient="EBL1",
                            supporting_documents={"a.pdf": b"%PDF"}, td_version="3.0.2")
    assert pickle.loads(pickle.dumps(options)) == options
    result = etr.verify(PINT / "valid" / "5-accepted.json", PINT / "trust", at=AT)
    again = pickle.loads(pickle.dumps(result))
    assert again.to_dict() == result.to_dict() and again.current_holder == result.current_holder
    report = etr.validate(EBL / "valid" / "straight-bl.json")
    assert pickle.loads(pickle.dumps(report)) == report
