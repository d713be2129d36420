"""Extraction time of two source trees, side by side in one window: before/after figures for a change.

This VM's speed drifts by up to 3x within the hour, so figures from two runs minutes apart cannot be compared.
Here one long-lived process per tree extracts one seed at a time, the trees alternating document by document, so
the drift falls on both alike; each seed's best round is reported.

    git worktree add /tmp/before <commit>
    .venv/bin/python bench/compare.py before=/tmp/before after=. --rounds 30
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import sys, time
from pia_graph.pipeline import extract
for line in sys.stdin:
    t0 = time.perf_counter()
    extract(line.strip())
    print(time.perf_counter() - t0, flush=True)
"""


def compare(trees: dict[str, Path], seeds: list[Path], rounds: int) -> dict[str, dict[str, float]]:
    """Best seconds per tree and seed; the first round only warms the processes up."""
    procs = {name: subprocess.Popen([sys.executable, "-c", _CHILD], cwd="/", text=True,
                                    env=dict(os.environ, PYTHONPATH=str(tree.resolve())),
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
             for name, tree in trees.items()}
    best: dict[str, dict[str, float]] = {name: {} for name in trees}
    try:
        for r in range(rounds + 1):
            for seed in seeds:
                for name, proc in procs.items():
                    proc.stdin.write(f"{seed}\n")
                    proc.stdin.flush()
                    line = proc.stdout.readline()
                    if not line:
                        raise SystemExit(f"{name} ({trees[name]}): the extracting process stopped on {seed.name}")
                    if r:
                        best[name][seed.name] = min(best[name].get(seed.name, float("inf")), float(line))
    finally:
        for proc in procs.values():
            proc.stdin.close()
            proc.wait()
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="+", metavar="NAME=DIR", help="a source tree (a checkout or git worktree)")
    ap.add_argument("--rounds", type=int, default=30)
    a = ap.parse_args(argv)
    trees = {}
    for spec in a.trees:
        name, _, tree = spec.partition("=")
        if not tree or not (Path(tree) / "pia_graph").is_dir():
            ap.error(f"{spec}: give NAME=DIR where DIR holds pia_graph/")
        trees[name] = Path(tree)
    seeds = sorted((ROOT / "samples").glob("*.txt"))
    best = compare(trees, seeds, a.rounds)
    print("| seed | size | " + " | ".join(f"{n} ms | {n} MB/s" for n in trees) + " |")
    print("|---|---:|" + "---:|---:|" * len(trees))
    for seed in seeds:
        size = seed.stat().st_size / 1e6
        cells = [f"{best[n][seed.name] * 1000:.1f} | {size / best[n][seed.name]:.2f}" for n in trees]
        print(f"| {seed.name[:3]} | {size * 1000:.0f} KB | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
