"""The graph view: filters that combine in any order, clear errors, and a layout made before the page opens
(groups per body and type, closed when the view is large, one edge per link, positions for every node)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pia_graph.cli import app as cli
from pia_graph.server import create_app
from pia_graph.viz import FONT_FACE, build_view, fair_shares, render_html
from pia_graph.viz_layout import FIRST_SIGHT, SMALL_VIEW, layout, one_edge_per_link
from test_server import KIKO, SAMPLES, ds, graph_file  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def client(ds):  # noqa: F811
    return TestClient(create_app(ds, samples_dir=SAMPLES))


def node_ids(resp) -> set[str]:
    assert resp.status_code == 200, resp.text
    return {n["id"] for n in resp.json()["nodes"]}


def test_type_filters_combine_in_any_order(client):
    for cap in (40, 2000):
        one = client.get("/api/graph", params=[("type", "choice"), ("type", "file"), ("max_nodes", cap)])
        two = client.get("/api/graph", params=[("type", "file"), ("type", "choice"), ("max_nodes", cap)])
        assert node_ids(one) == node_ids(two)
        kinds = {n["type"] for n in one.json()["nodes"]}
        assert kinds == {"choice", "file"}, f"cap {cap}: both types drawn, not the first one given only"
        assert one.json()["edges"], "files and their checkbox states are linked"


def test_fair_shares_do_not_depend_on_order():
    sizes = {"choice": 5000, "file": 13, "party": 300}
    shares = fair_shares(sizes, 2000)
    assert shares["file"] == 13 and sum(shares.values()) == 2000
    assert shares == fair_shares(dict(reversed(list(sizes.items()))), 2000)
    assert fair_shares({"a": 3, "b": 4}, 5) in ({"a": 2, "b": 3}, {"a": 3, "b": 2})


def test_unknown_type_or_focus_is_an_error(client, graph_file, tmp_path):  # noqa: F811
    r = client.get("/api/graph", params={"type": "bogus"})
    assert r.status_code == 400 and "bogus" in r.json()["detail"] and "assessment" in r.json()["detail"]
    r = client.get("/api/graph", params={"focus": "https://example.org/nothing"})
    assert r.status_code == 400 and "https://example.org/nothing" in r.json()["detail"]
    page = client.get("/graph", params={"type": "bogus"})
    assert page.status_code == 400 and "unknown node type" in page.text
    runner = CliRunner()
    for args, said in ((["--type", "bogus"], "unknown node type 'bogus'"),
                       (["--focus", "https://example.org/nothing"], "no node https://example.org/nothing"),
                       (["--under", "https://example.org/nothing"], "no node https://example.org/nothing")):
        out = tmp_path / "v.html"
        result = runner.invoke(cli, ["viz", str(graph_file), "-o", str(out), *args])
        assert result.exit_code == 2, result.output
        assert said in result.output and not out.exists()


def test_font_names_keep_their_spaces(ds):  # noqa: F811
    page = render_html(ds, build_view(ds, focus=KIKO))
    options = re.search(r"var options = (\{.*?\});\n", page, re.S).group(1)
    assert json.loads(options)["nodes"]["font"]["face"] == FONT_FACE
    assert "Noto Sans CJK JP" in FONT_FACE and json.loads(options)["physics"] == {"enabled": False}


def test_one_edge_per_link():
    f, row, a = "f", "row", "a"
    edges = [(f, row, "pia:hasDisclosure"), (row, f, "pia:ofFile"), (row, a, "pia:inAssessment"),
             (a, f, "pia:hasFile"), (f, a, "pia:inAssessment")]
    kept = one_edge_per_link(edges)
    assert {(s, o) for s, o, _ in kept} == {(f, row), (a, f)}, kept


def test_default_view_is_laid_out_and_grouped(ds):  # noqa: F811
    from pia_graph.viz import label_of
    view = build_view(ds)
    assert len(view.nodes) > SMALL_VIEW, "the samples' default view is large enough to be grouped"
    drawing = layout(ds, view.nodes, view.edges, lambda n: label_of(ds, n))
    assert drawing.clustered
    assert set(drawing.positions) == set(view.nodes)
    drawn = [g for g in drawing.groups.values() if g.open]
    closed = [g for g in drawing.groups.values() if not g.open]
    assert closed and sum(len(g.members) for g in drawn) + len(closed) <= max(FIRST_SIGHT, len(drawing.groups))
    # every assessment with a body is in that body's group; the fragment (no body) in the no-body group
    bodies = {g.label for g in drawing.groups.values() if g.kind == "body"}
    from pia_graph.namespaces import PIA
    named = {label_of(ds, b) for b in ds.objects(None, PIA.assessingBody)}
    assert named <= bodies and len(bodies) == len(named) + 1
    # what is drawn at first sight does not overlap: distinct positions at least a label's height apart
    shown = [drawing.positions[m] for g in drawn for m in g.members] + [(g.x, g.y) for g in closed]
    for i, (x1, y1) in enumerate(shown):
        for x2, y2 in shown[i + 1:]:
            assert abs(x1 - x2) > 40 or abs(y1 - y2) > 20, ((x1, y1), (x2, y2))


def test_focus_group_starts_open(ds):  # noqa: F811
    view = build_view(ds, focus=KIKO, depth=3)
    drawing = layout(ds, view.nodes, view.edges, str, keep_open={view.focus})
    assert drawing.groups[drawing.group_of[view.focus]].open


def test_viz_cli_writes_a_laid_out_page(graph_file, tmp_path):  # noqa: F811
    out = tmp_path / "view.html"
    result = CliRunner().invoke(cli, ["viz", str(graph_file), "-o", str(out), "--type", "party", "--type", "file"])
    assert result.exit_code == 0, result.output
    text = Path(out).read_text(encoding="utf-8")
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", text, re.S).group(1))
    assert nodes and all("x" in n and "y" in n for n in nodes)
