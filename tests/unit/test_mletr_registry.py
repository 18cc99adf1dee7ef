"""The assessment against a real registry of record (``etr.registry``, SQLite in a temporary directory):
``--registry URL`` opens it once per process and compares each chain with the recorded one."""

from __future__ import annotations

import json
from pathlib import Path

import mletr_world as mw
import pytest
from pint_simulator import VERIFY_AT, RawChain, World

import etr
from etr.model import Outcome

registry = pytest.importorskip("etr.registry")


@pytest.fixture()
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    registry.open(url).init()
    return url


def _record(url: str, world: World, envelope: dict[str, object]) -> str:
    rec = registry.open(url).record(json.dumps(envelope).encode(), trust=world.trust, at=VERIFY_AT)
    return str(rec.response)


def test_the_registry_current_stale_ahead_and_fork(url: str) -> None:
    world = World()
    base = RawChain(world, td=mw.td()).issue()
    one = RawChain(world, base.td, list(base.tokens)).add("TRANSFER", "alice", "bob")
    two = RawChain(world, one.td, list(one.tokens)).add("TRANSFER", "bob", "carol")
    fork = RawChain(world, base.td, list(base.tokens)).add("TRANSFER", "alice", "dave")
    assert _record(url, world, one.envelope()) == "RECE"

    def assess(chain: RawChain) -> etr.Assessment:
        return etr.assess(json.dumps(chain.envelope()).encode(), world.trust, at=mw.AT, registry=url)

    current = assess(one)
    assert current.registry is not None and current.registry.relation == "current"
    assert current.outcomes["R10-1b-i-SINGULAR"] is Outcome.PASS
    ahead = assess(two)
    assert ahead.registry is not None and ahead.registry.relation == "ahead"
    assert ahead.outcomes["R10-1b-i-SINGULAR"] is Outcome.WARN
    forked = assess(fork)
    assert forked.registry is not None and forked.registry.relation == "fork"
    assert forked.outcomes["R10-1b-i-SINGULAR"] is Outcome.FAIL
    assert forked.outcomes["R11-1a-EXCLUSIVE"] is Outcome.FAIL
    assert _record(url, world, two.envelope()) == "RECE"
    stale = assess(one)
    assert stale.registry is not None and stale.registry.relation == "stale"
    assert stale.outcomes["R10-1b-i-SINGULAR"] is Outcome.FAIL
    assert stale.outcomes["R11-1b-IDENTIFY-CONTROLLER"] is Outcome.FAIL  # the registry's holder is Carol


def test_a_registry_without_its_schema_is_not_evaluable(tmp_path: Path) -> None:
    world = World()
    url = f"sqlite:///{tmp_path / 'none.db'}"
    a = etr.assess(json.dumps(mw.live_chain(world)[0]).encode(), world.trust, at=mw.AT, registry=url)
    assert a.registry is not None and a.registry.error is not None
    assert a.outcomes["R10-1b-i-SINGULAR"] is Outcome.NOT_EVALUABLE
    assert not (tmp_path / "none.db").exists() or (tmp_path / "none.db").stat().st_size == 0


def test_the_command_line_reads_the_registry_in_every_worker(url: str, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from pint_simulator import registry_csv

    from etr.cli import main

    world = World()
    chain = RawChain(world, td=mw.td()).issue().add("TRANSFER", "alice", "bob")
    assert _record(url, world, chain.envelope()) == "RECE"
    stale_copy = RawChain(world, chain.td, chain.tokens[:1])
    (tmp_path / "current.json").write_text(json.dumps(chain.envelope()))
    (tmp_path / "stale.json").write_text(json.dumps(stale_copy.envelope()))
    trust = tmp_path / "trust"
    trust.mkdir()
    for platform, key in world.keys.items():
        (trust / f"{platform}.jwk").write_text(json.dumps(key.public.jwk()))
    (trust / "platforms.csv").write_bytes(registry_csv(world.keys))
    result = CliRunner().invoke(main, ["assess", str(tmp_path / "current.json"), str(tmp_path / "stale.json"),
                                       "--trust", str(trust), "--registry", url, "--at", mw.AT, "--format", "json",
                                       "-j", "2"])
    assert result.exit_code == 1, result.output  # the stale copy is not the record
    reports = json.loads(result.stdout)["reports"]
    assert [r["registry"]["relation"] for r in reports] == ["current", "stale"]
    assert [{r["id"]: r["outcome"] for r in rep["requirements"]}["R10-1b-i-SINGULAR"] for rep in reports] == [
        "PASS", "FAIL"]
