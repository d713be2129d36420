"""Headless Chromium (Debian's, driven by Playwright) sees what a person sees: the home page, the 機構 page, an
assessment page, a picture and the graph view, with Japanese drawn in a real font (not tofu boxes).

Checks that the graph is drawn laid out and still, that a closed group opens on a click, that no script error is
logged, and saves screenshots to tests/artifacts/. Installs Playwright (pip), Chromium and the CJK fonts (apt,
Debian's fonts-noto-cjk) when missing; skips loudly only when Chromium cannot be had."""

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


def _ensure_cjk_fonts() -> None:
    """Debian's Noto CJK fonts: without them Chromium draws every Japanese character as the same empty box."""
    def have() -> bool:
        try:
            return bool(subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, timeout=60).stdout.strip())
        except (OSError, subprocess.TimeoutExpired):
            return False
    if have() or not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for steps in ([["apt-get", "install", "-y", "--no-install-recommends", "fonts-noto-cjk"]],
                  [["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "fonts-noto-cjk"]]):
        for cmd in steps:
            subprocess.run(cmd, check=False, capture_output=True, timeout=600, env=env)
        if have():
            return


# Two different kanji drawn in the page's own font: identical bitmaps mean both came out as the missing-glyph box.
TOFU_CHECK = """() => {
    const font = getComputedStyle(document.body).fontFamily;
    const draw = (ch) => { const c = document.createElement('canvas'); c.width = 40; c.height = 40;
        const x = c.getContext('2d'); x.font = '32px ' + font; x.fillText(ch, 2, 32);
        return Array.from(x.getImageData(0, 0, 40, 40).data).join(','); };
    return draw('機') !== draw('構') && draw('構') !== draw('評');
}"""


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
    _ensure_cjk_fonts()
    sync_playwright = _ensure_playwright()
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=launch_args())
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text} at {m.location.get('url')}") if m.type == "error" else None)
        page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))

        page.goto(server.base + "/")
        assert "評価書" in page.title() or "pia-graph" in page.title()
        assert page.locator(".counts b").count() >= 6
        assert page.evaluate(TOFU_CHECK), "Japanese is drawn as tofu boxes: no CJK font (fonts-noto-cjk)"
        page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

        page.goto(server.base + "/id/party/j-lis")
        assert page.locator("h1").inner_text() == "地方公共団体情報システム機構"
        assert page.locator("a[href^='/source/']").count() > 0
        page.screenshot(path=str(ARTIFACTS / "kiko.png"), full_page=True)

        # an assessment page, a picture and a canned question: they fit a 1,366 px window
        assessment = server.site.assessments()[1].page
        for name, url in (("assessment", assessment), ("picture", "/pictures/kiko-matrix"),
                          ("canned", "/queries/files-to-kiko")):
            page.goto(server.base + url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 1366, f"{name}: {width} px wide in a 1,366 px window"
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        page.goto(server.base + assessment)
        assert "評価実施機関" in page.locator("p.lead").inner_text()

        for name, url in (("graph-kiko", "/graph?focus=https://w3id.org/pia-graph/id/party/j-lis&depth=2"),
                          ("graph", "/graph")):
            page.goto(server.base + url)
            page.wait_for_function("window.__vizReady === true", timeout=20000)
            drawn = page.evaluate("window.__vizStats.nodes")
            assert drawn > 5, name
            before = page.evaluate("JSON.stringify(network.getPositions())")
            page.wait_for_timeout(300)
            assert page.evaluate("JSON.stringify(network.getPositions())") == before, f"{name}: the layout moves"
            painted = page.evaluate("""() => { const c = document.querySelector('#mynetwork canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0; for (let i = 0; i < d.length; i += 4 * 97) { if (d[i + 3] > 0) n++; } return n; }""")
            assert painted > 0, f"{name}: the canvas is blank"
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"))

        # the default view starts with groups closed; a click on one opens it in place
        closed = page.evaluate("""() => { const g = JSON.parse(document.getElementById('viz-groups').textContent);
            return Object.values(g).filter(x => x.cluster && !x.open).map(x => [x.cluster, x.members.length]); }""")
        assert closed, "the samples' default view groups its bodies"
        cluster, members = closed[0]
        before = page.evaluate("window.__vizStats.nodes")
        pos = page.evaluate("""(id) => { const p = network.canvasToDOM(network.getPositions([id])[id]);
            const r = document.getElementById('mynetwork').getBoundingClientRect();
            return {x: p.x + r.left, y: p.y + r.top}; }""", cluster)
        page.mouse.click(pos["x"], pos["y"])
        page.wait_for_function(f"window.__vizStats.nodes === {before - 1 + members}", timeout=5000)

        # a click-through: double-clicking a node opens its page
        page.goto(server.base + "/graph?focus=https://w3id.org/pia-graph/id/party/j-lis")
        page.wait_for_function("window.__vizReady === true", timeout=20000)
        pos = page.evaluate("""() => { const id = 'https://w3id.org/pia-graph/id/party/j-lis';
            const p = network.canvasToDOM(network.getPositions([id])[id]);
            const r = document.getElementById('mynetwork').getBoundingClientRect();
            return {x: p.x + r.left, y: p.y + r.top}; }""")
        page.mouse.dblclick(pos["x"], pos["y"])
        page.wait_for_url("**/id/party/j-lis", timeout=10000)
        browser.close()
    assert not errors, errors
