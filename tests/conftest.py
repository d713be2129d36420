"""Shared fixtures: the bundled seeds, their hand-read expectations, and one build of the sample graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EXPECTED = Path(__file__).resolve().parent / "expected"
SEEDS = sorted(p.name for p in SAMPLES.glob("*.txt"))


def expected_for(name: str) -> dict:
    return json.loads((EXPECTED / (Path(name).stem + ".json")).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def extracted():
    from pia_graph.pipeline import extract
    return {name: extract(SAMPLES / name) for name in SEEDS}


@pytest.fixture(scope="session")
def sample_graph(tmp_path_factory):
    """The five seeds built through the real CLI into a TriG file (validation included). Seed 002 names a fourth
    file in Ⅰ whose Ⅱ the text does not hold: the build says so, exits 1 and writes the graph all the same."""
    from typer.testing import CliRunner

    from pia_graph.cli import app

    out = tmp_path_factory.mktemp("graph") / "pia.trig"
    result = CliRunner().invoke(app, ["build", str(SAMPLES), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "Ⅱ of file (4) コンビニ交付用ファイル could not be read" in result.output
    assert "1 violation(s)" in result.output and out.exists()
    return out
