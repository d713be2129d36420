"""Pages read well: labels not IRIs, the assessing body on every assessment page, change history by number and
date, verdicts by stage in line order, and counts that agree with SPARQL over the same graph and with the CLI."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pia_graph.cli import app as cli
from pia_graph.namespaces import PIA
from pia_graph.query import canned_text, rows, run
from pia_graph.server import create_app
from pia_graph.viz import label_of, page_path
from rdflib.namespace import RDF
from test_server import SAMPLES, ds, graph_file  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def client(ds):  # noqa: F811
    return TestClient(create_app(ds, samples_dir=SAMPLES))


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_assessment_pages_name_their_body_and_sort_changes(client, ds):  # noqa: F811
    for a in ds.subjects(RDF.type, PIA.Assessment):
        page = client.get(page_path(a)).text
        body = ds.value(a, PIA.assessingBody)
        header = re.search(r'<p class="lead">(.*?)</p>', page, re.S).group(1)
        assert (label_of(ds, body) if body is not None else "not stated") in text_of(header)
        numbers = [int(n) for n in re.findall(r'<tr><td><a href="/id/[^"]+/change/\d+"[^>]*>(\d+)</a>', page)]
        dates = re.findall(r"<summary>([^<]+?) — (\d+) change", page)
        assert len(numbers) == len(set(ds.objects(a, PIA.hasChange)))
        assert sum(int(n) for _, n in dates) == len(numbers)
        start = 0
        for _, n in dates:                       # within each date, by number
            chunk = numbers[start:start + int(n)]
            assert chunk == sorted(chunk)
            start += int(n)


def test_file_verdicts_by_stage_in_line_order(client, ds):  # noqa: F811
    checked = 0
    for f in ds.subjects(RDF.type, PIA.PersonalInformationFile):
        page = client.get(page_path(f)).text
        section = page.split("<h2>Risk verdicts</h2>")[1].split("</table>")[0]
        stages = re.findall(r'<th rowspan="\d+">([^<]+)</th>', section)
        assert len(stages) == len(set(stages)), "each stage once"
        for block in re.split(r'<th rowspan="\d+">', section)[1:]:
            lines = [int(x) for x in re.findall(r"#L(\d+)-", block)]
            assert lines == sorted(lines)
            checked += len(lines)
        assert "<td>リスクへの対策は十分か</td>" not in section
    assert checked, "the samples have verdicts"


def test_kiko_page_counts_bodies_not_fragments(client, ds):  # noqa: F811
    header, body = rows(run(ds, canned_text("files-to-kiko")))
    org = header.index("organization")
    named = {r[org] for r in body if r[org]}
    fragment_rows = sum(1 for r in body if not r[org])
    said = text_of(client.get("/id/party/j-lis").text)
    m = re.search(r"(\d+) row\(s\) from (\d+) bod(?:y|ies)(?: and (\d+) row\(s\) from a fragment)?", said)
    assert m, said[:2000]
    assert int(m.group(1)) == len(body) and int(m.group(2)) == len(named)
    assert int(m.group(3) or 0) == fragment_rows


def test_home_page_and_build_summary_count_the_same_files(client, ds, tmp_path):  # noqa: F811
    summary = tmp_path / "summary.json"
    result = CliRunner().invoke(cli, ["build", str(SAMPLES), "-o", str(tmp_path / "g.trig"), "--no-validate",
                                      "--summary-json", str(summary)])
    assert result.exit_code == 1, result.output       # 002's fourth file has no Ⅱ in its text
    built = {r["document"]: r["files"] for r in json.loads(summary.read_text(encoding="utf-8"))}
    home = client.get("/").text
    for a in client.get("/api/assessments").json():
        assert a["files"] == built[a["fileName"]], a["fileName"]
        assert f"<td>{a['files']}</td>" in home


def test_canned_results_show_labels_not_iris(client):
    page = client.get("/queries/files-to-kiko").text
    links = re.findall(r'<a href="/id/[^"]+"[^>]*>([^<]*)</a>', page)
    assert links and not [t for t in links if t.startswith(("assessment/", "https://", "law/"))]
