"""``etr pint`` prints party names from the command line or a document escaped: a line break, a carriage
return or an escape sequence in ``--to-name`` cannot forge or hide lines of the summary."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from test_pint_cli import REPO, TO_ALICE, key, run

from etr.cli import main


def test_a_control_character_in_to_name_is_escaped_in_the_summary(tmp_path: Path) -> None:
    keys, trust = tmp_path / "keys", tmp_path / "trust"
    trust.mkdir()
    for platform in ("CAR1", "EBL1"):
        kid = f"{platform.lower()}-key"
        run(["keys", "generate", "--alg", "EdDSA", "--out", str(keys), "--kid", kid])
        (trust / f"{kid}.public.jwk").write_bytes((keys / f"{kid}.public.jwk").read_bytes())
    (trust / "registry.csv").write_text("Code,Site,jwks_endpoint,manual_key_id\nCAR1,,,car1-key\nEBL1,,,ebl1-key\n")
    td = json.loads((REPO / "samples" / "ebl" / "valid" / "to-order-blank-endorsed-bl.json").read_bytes())
    (tmp_path / "td.json").write_text(json.dumps(td))
    world = {"keys": keys}
    e0 = str(tmp_path / "e0.json")
    run(["pint", "issue", str(tmp_path / "td.json"), *key(world, "CAR1"), "--platform", "CAR1", *TO_ALICE,
         "-o", e0])
    evil = "Bank\r\nentry 9 signed by CAR1\x1b[2K\u202e"
    for out in ([], ["-o", str(tmp_path / "e1.json")]):
        result = CliRunner().invoke(main, ["pint", "transfer", e0, "--trust", str(trust), *key(world, "EBL1"),
                                           "--to-name", evil, "--to-platform", "EBL1", "--to-code", "EBL1:bank",
                                           *out])
        assert result.exit_code == 0, result.output
        summary = result.stderr
        assert summary.count("\n") == 1 and "\r" not in summary and "\x1b" not in summary, repr(summary)
        assert "Bank\\r\\nentry 9 signed by CAR1\\x1b[2K\\u202e" in summary
        if not out:  # the envelope on stdout is JSON: the name is escaped by JSON itself
            assert "\r" not in result.stdout and "\x1b" not in result.stdout
            assert json.loads(result.stdout)
