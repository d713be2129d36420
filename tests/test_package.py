"""The package as a user installs it: the wheel, in a fresh venv, used from a folder that is not the checkout."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["pyproject.toml", "README.md", "pia_graph", "ontology", "shapes", "queries", "samples"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from a copy of the sources (so that the build leaves nothing in the checkout; pip fetches the
    build backend, setuptools, as a user's pip does) and installed
    into a fresh venv. Its dependencies are this venv's, seen through a .pth line (site-packages of this venv is on
    the new one's path after its own): the test is about what the wheel holds, and downloading the dependencies
    again would cost a minute of every CI run."""
    src = tmp_path_factory.mktemp("src")
    for name in SHIPPED:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                            "-w", str(dist), str(src)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(dist.glob("pia_graph-*.whl"))
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                              str(wheel)], capture_output=True, text=True)
    if install.returncode != 0 and "--python" in install.stderr:     # a pip older than 22.3
        install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                                  str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    return env, wheel


def run(env: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(env / "bin" / "pia-graph"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def test_the_wheel_holds_the_package_and_the_analysts_files(installed):
    import zipfile
    _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("pia_graph/parse/assessment.py", "pia_graph/stores/remote.py", "pia_graph/ontology/pia.ttl",
                     "pia_graph/shapes/pia-shapes.ttl", "pia_graph/queries/files-to-kiko.rq"):
        assert expected in names, expected
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "pia_graph").rglob("*.py")}
    assert sorted(modules - names) == [], "modules left out of the wheel (a subpackage missing from pyproject.toml?)"
    assert {p.name for p in (ROOT / "queries").glob("*.rq")} == {Path(n).name for n in names
                                                                if n.startswith("pia_graph/queries/")
                                                                and n.endswith(".rq")}


def test_build_query_validate_from_another_folder(installed, tmp_path, sample_graph):
    env, _ = installed
    work = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "samples", work / "docs", ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    where = subprocess.run([str(env / "bin" / "python"), "-c", "import pia_graph; print(pia_graph.__file__)"],
                           cwd=work, capture_output=True, text=True)
    assert where.returncode == 0 and str(env) in where.stdout and str(ROOT) not in where.stdout, where

    from typer.testing import CliRunner
    from pia_graph.cli import app
    built = run(env, work, "build", "docs", "-o", "out/g.trig")
    here = CliRunner().invoke(app, ["build", str(work / "docs"), "-o", str(tmp_path / "here.trig")])
    # the exit code the checkout gives (1 when a sample has a part that could not be read, which is said loudly)
    assert built.returncode == here.exit_code and built.returncode in (0, 1), built.stderr[-2000:]
    assert (work / "out" / "g.trig").exists() and "Traceback" not in built.stderr

    queried = run(env, work, "query", "files-to-kiko", "--data", "out/g.trig", "-f", "csv")
    assert queried.returncode == 0, queried.stderr
    # the same rows as the checkout gives for the same documents
    here = CliRunner().invoke(app, ["query", "files-to-kiko", "--data", str(sample_graph), "-f", "csv"])
    as_rows = lambda text: sorted(csv.reader(io.StringIO(text)))  # noqa: E731
    assert as_rows(queried.stdout) == as_rows(here.stdout) and len(as_rows(here.stdout)) > 1

    validated = run(env, work, "validate", "out/g.trig", "--no-warnings")
    here = CliRunner().invoke(app, ["validate", str(work / "out" / "g.trig"), "--no-warnings"])
    assert "Traceback" not in validated.stderr, validated.stderr[-2000:]
    assert validated.returncode == here.exit_code
    totals = lambda text: [line.strip() for line in text.splitlines() if line.strip().startswith("violations:")]  # noqa: E731
    assert totals(validated.stdout) == totals(here.stdout) and totals(here.stdout)
    listed = run(env, work, "queries")
    assert listed.returncode == 0 and "files-to-kiko" in listed.stdout
