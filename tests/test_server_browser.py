"""Headless Chromium (Debian's, driven by Playwright) opens the home page, the 機構 page and the graph view.

Checks that the graph draws nodes and that no script error is logged, and saves screenshots to tests/artifacts/.
Installs Playwright (pip) and Chromium (apt) when missing; skips loudly only when Chromium cannot be had."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from test_server import ds, graph_file, server  # noqa: F401  (fixtures: the real server on loopback)

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"


def _skip(reason: str):
    warnings.warn(f"BROWSER TEST SKIPPED: {reason}")
    pytest.skip(f"BROWSER TEST SKIPPED: {reason}")


def _ensure_chromium() -> str:
    path = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if path:
        return path
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        # A fresh machine may have no package lists yet: refresh them when the first install finds nothing.
        for steps in ([["apt-get", "install", "-y", "chromium"]],
                      [["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]]):
            try:
                for cmd in steps:
                    subprocess.run(cmd, check=False, capture_output=True, timeout=600, env=env)
            except (OSError, subprocess.TimeoutExpired):
                pass
            if shutil.which("chromium"):
                break
        path = shutil.which("chromium")
        if path:
            return path
    _skip("Chromium is not installed and `apt-get install -y chromium` did not install it")


def _ensure_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "playwright"], check=False, capture_output=True,
                       timeout=300)
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            _skip("Playwright is not installed and `pip install playwright` failed")
    return sync_playwright


def launch_args() -> list[str]:
    return ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]


def test_browser_home_kiko_and_graph(server):  # noqa: F811
    chromium = _ensure_chromium()
    sync_playwright = _ensure_playwright()
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text} at {m.location.get('url')}") if m.type == "error" else None)
        page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))

        page.goto(server.base + "/")
        assert "評価書" in page.title() or "pia-graph" in page.title()
        assert page.locator(".counts b").count() >= 6
        page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

        page.goto(server.base + "/id/party/j-lis")
        assert page.locator("h1").inner_text() == "地方公共団体情報システム機構"
        assert page.locator("a[href^='/source/']").count() > 0
        page.screenshot(path=str(ARTIFACTS / "kiko.png"), full_page=True)

        for name, url in (("graph-kiko", "/graph?focus=https://w3id.org/pia-graph/id/party/j-lis&depth=2"),
                          ("graph", "/graph")):
            page.goto(server.base + url)
            page.wait_for_function("window.__vizReady === true", timeout=20000)
            drawn = page.evaluate("network.body.data.nodes.length")
            assert drawn > 5, name
            page.wait_for_function("document.querySelector('#mynetwork canvas') !== null", timeout=10000)
            # let the physics settle a little, then check the canvas holds more than background
            page.wait_for_timeout(2500)
            painted = page.evaluate("""() => { const c = document.querySelector('#mynetwork canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0; for (let i = 0; i < d.length; i += 4 * 97) { if (d[i + 3] > 0) n++; } return n; }""")
            assert painted > 0, f"{name}: the canvas is blank"
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"))

        # a click-through: double-clicking a node opens its page
        page.goto(server.base + "/graph?focus=https://w3id.org/pia-graph/id/party/j-lis")
        page.wait_for_function("window.__vizReady === true", timeout=20000)
        page.wait_for_timeout(1500)
        pos = page.evaluate("""() => { const id = 'https://w3id.org/pia-graph/id/party/j-lis';
            const p = network.canvasToDOM(network.getPositions([id])[id]);
            const r = document.getElementById('mynetwork').getBoundingClientRect();
            return {x: p.x + r.left, y: p.y + r.top}; }""")
        page.mouse.dblclick(pos["x"], pos["y"])
        page.wait_for_url("**/id/party/j-lis", timeout=10000)
        browser.close()
    assert not errors, errors
