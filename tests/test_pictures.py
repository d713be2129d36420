"""The pictures: each drawn from a canned query's rows, every mark linking to exactly the rows it counts, a CSV of
the figures, and totals that agree with a SPARQL count over the same graph."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from pia_graph.pictures import PICTURES
from pia_graph.query import canned_text, rows, run
from pia_graph.server import create_app
from test_server import SAMPLES, ds, graph_file  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def client(ds):  # noqa: F811
    return TestClient(create_app(ds, samples_dir=SAMPLES))


def count(ds, text: str) -> int:  # noqa: F811
    return int(rows(run(ds, text))[1][0][0])


def marks(html: str) -> list[tuple[str, str]]:
    """(link, text) of every mark in the picture (matrix cells and bars link to #rows)."""
    return [(unescape(h), re.sub(r"<[^>]+>", "", t)) for h, t in re.findall(r'<a href="(/pictures/[^"]+#rows)"[^>]*>(.*?)</a>', html)]


def rows_on(client, link: str) -> int:
    page = client.get(link.replace("#rows", ""))
    assert page.status_code == 200
    return int(re.search(r"class=\"muted\">(\d+) row\(s\)", page.text).group(1))


@pytest.mark.parametrize("name", [p.name for p in PICTURES])
def test_every_picture_draws_links_and_downloads(client, name):
    page = client.get(f"/pictures/{name}")
    assert page.status_code == 200 and "<script" not in page.text.lower()
    found = marks(page.text)
    assert found, f"{name}: no marks drawn"
    figures = client.get(f"/pictures/{name}.csv")
    assert figures.status_code == 200 and figures.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(figures.text)))
    assert len(table) - 1 == len(found), "one CSV line per mark"
    for link, _ in found[:12]:
        assert rows_on(client, link) >= 1, link
        assert client.get(link.replace("#rows", "") + "&format=csv").text.count("\n") >= 2


def test_marks_count_the_rows_they_link_to(client, ds):  # noqa: F811
    page = client.get("/pictures/citations").text
    total = 0
    for link, text in marks(page):
        n = rows_on(client, link)
        assert int(text) == n, link
        total += n
    assert total == count(ds, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a pia:Citation ; pia:citesLaw ?l }")
    page = client.get("/pictures/kiko-matrix").text
    behind = sum(rows_on(client, link) for link, _ in marks(page))
    assert behind == len(rows(run(ds, canned_text("files-to-kiko")))[1])


def test_vendor_share_counts_bodies(client, ds):  # noqa: F811
    page = client.get("/pictures/vendors").text
    for link, text in marks(page):
        n = int(text.split()[0])
        listed = client.get(link.replace("#rows", "") + "&format=csv").text
        bodies = {r["organization"] for r in csv.DictReader(io.StringIO(listed))}
        assert n == len(bodies), link


def test_declared_vs_found_marks_differences(client, ds):  # noqa: F811
    page = client.get("/pictures/declared-vs-found").text
    files = count(ds, "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a pia:PersonalInformationFile ; pia:sourceRef ?s }")
    assert page.count('<th class="rl">') == files
    differ = re.search(r"(\d+) count\(s\) where the rows found differ", page).group(1)
    assert int(differ) == page.count('class="mc d-differ"')
