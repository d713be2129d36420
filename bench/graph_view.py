"""Time-to-ready of the graph view in headless Chromium for views of 100, 500 and 2,000 nodes.

    python bench/graph_view.py [--docs 190] [--sizes 100,500,2000] [--graph out/syn.trig] [--shots DIR]

Builds a seeded synthetic corpus (bench/synth.py) big enough for the largest view, serves it on loopback and
opens /graph?max_nodes=N in Chromium (Debian's, through Playwright). "Ready" is the moment the page has drawn the
laid-out view (window.__vizReady, set on vis-network's first afterDrawing), measured from the start of navigation,
so the server's work (view, layout, page) is included. It then checks that the page answers a script at once
(responsive) and that no node moves over half a second (layout still: physics is off). Prints one row per size.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def corpus_graph(docs: int, graph: Path | None) -> Path:
    if graph is not None and graph.exists():
        return graph
    work = Path(tempfile.mkdtemp(prefix="pia-graph-viewbench-"))
    out = graph or work / "syn.trig"
    subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), str(docs), "-o", str(work / "docs"),
                    "--seed", "1"], check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "pia_graph.cli", "build", str(work / "docs"), "-o", str(out), "-j", "0",
                    "--no-validate"], check=True, capture_output=True)
    return out


def measure(page, url: str) -> dict:
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function("window.__vizReady === true", timeout=60000, polling=20)
    ready = time.perf_counter() - t0
    t1 = time.perf_counter()
    page.evaluate("1 + 1")
    responsive = time.perf_counter() - t1
    before = page.evaluate("JSON.stringify(network.getPositions())")
    page.wait_for_timeout(500)
    still = page.evaluate("JSON.stringify(network.getPositions())") == before
    stats = page.evaluate("window.__vizStats")
    nodes = page.evaluate("nodes.get({filter: function (n) { return n.kind !== 'group'; }}).length")
    return {"nodes": nodes, "ready_s": ready, "responsive_ms": responsive * 1000, "still": still,
            "drawn": stats["nodes"], "edges_drawn": stats["edges"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=190, help="synthetic assessments to build (default 190: ~2,000 nodes)")
    ap.add_argument("--sizes", default="100,500,2000")
    ap.add_argument("--graph", type=Path, help="a graph file to use (built here and kept there if missing)")
    ap.add_argument("--shots", type=Path, help="save a screenshot per size into this folder")
    ap.add_argument("--rounds", type=int, default=3, help="page loads per size (the best and the median are shown)")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from pia_graph.server import create_app
    from pia_graph.store import load_dataset
    from test_server import running
    from test_server_browser import launch_args, _ensure_chromium

    graph = corpus_graph(args.docs, args.graph)
    ds = load_dataset(graph)
    rows = []
    with running(create_app(ds)) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_ensure_chromium(), headless=True, args=launch_args())
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        for size in [int(s) for s in args.sizes.split(",")]:
            url = f"{server.base}/graph?max_nodes={size}"
            runs = [measure(page, url) for _ in range(args.rounds)]
            times = sorted(r["ready_s"] for r in runs)
            r = runs[-1]
            rows.append((r["nodes"], times[0], times[len(times) // 2], r["responsive_ms"], r["still"], r["drawn"],
                         r["edges_drawn"]))
            if args.shots:
                args.shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.shots / f"graph-{size}.png"))
        browser.close()
    print(f"graph view in headless Chromium, 1366x768, {graph.name}")
    print(f"{'nodes':>6} {'ready best s':>12} {'ready median s':>14} {'script answers ms':>17} {'layout still':>12} "
          f"{'drawn at first sight':>20} {'edges drawn':>11}")
    for n, best, median, resp, still, drawn, edges in rows:
        print(f"{n:>6} {best:>12.2f} {median:>14.2f} {resp:>17.1f} {str(still):>12} {drawn:>20} {edges:>11}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
