"""The command line end to end: bad documents in a batch, formats, validation exit codes, malformed queries."""

from __future__ import annotations

import json
import shutil

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF
from typer.testing import CliRunner

from pia_graph.cli import app
from pia_graph.namespaces import ID, PIA

from conftest import SAMPLES, SEEDS

runner = CliRunner()


@pytest.fixture(scope="module")
def messy_batch(tmp_path_factory):
    """One good seed and every kind of bad input a real batch brings."""
    d = tmp_path_factory.mktemp("batch")
    shutil.copy(SAMPLES / SEEDS[0], d / SEEDS[0])
    text = (SAMPLES / SEEDS[1]).read_text(encoding="utf-8")
    (d / "sapporo-cp932.txt").write_bytes(text.encode("cp932", errors="replace"))
    (d / "truncated.txt").write_text("\n".join(text.split("\n")[:1100]), encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (d / "recipe.txt").write_text("カレーの作り方\n玉ねぎを炒める。\n", encoding="utf-8")
    return d


def test_bad_documents_are_named_and_the_batch_goes_on(messy_batch, tmp_path):
    out = tmp_path / "g.trig"
    summary = tmp_path / "summary.json"
    result = runner.invoke(app, ["build", str(messy_batch), "-o", str(out), "--summary-json", str(summary), "--no-validate"])
    assert result.exit_code == 1, "some documents failed, so the exit code must say so"
    rows = {r["document"]: r for r in json.loads(summary.read_text(encoding="utf-8"))}
    assert "empty.txt: empty" in rows["empty.txt"]["error"]
    assert "image.txt: binary" in rows["image.txt"]["error"]
    assert "recipe.txt: not-an-assessment" in rows["recipe.txt"]["error"]
    for good in (SEEDS[0], "sapporo-cp932.txt", "truncated.txt"):
        assert "error" not in rows[good], rows[good]
    assert rows["sapporo-cp932.txt"]["body"] == "札幌市長" and rows["sapporo-cp932.txt"]["provisions"] == 4
    ds = Dataset(default_union=True)
    ds.parse(out, format="trig")
    assessments = set(ds.subjects(RDF.type, PIA.Assessment))
    assert len(assessments) == 3
    lacks = {str(o) for o in ds.objects(None, PIA.lacks)}
    assert {"III", "VI"} <= lacks, "the truncated document must say which sections it lacks"


@pytest.mark.parametrize("suffix,fmt", [(".nq", "nquads"), (".ttl", "turtle"), (".jsonld", "json-ld")])
def test_output_formats(suffix, fmt, tmp_path):
    out = tmp_path / ("g" + suffix)
    result = runner.invoke(app, ["build", str(SAMPLES / SEEDS[3]), "-o", str(out), "--no-validate"])
    assert result.exit_code == 0, result.output
    ds = Dataset(default_union=True)
    ds.parse(out, format=fmt)
    assert any(ds.subjects(RDF.type, PIA.Assessment))


def test_trig_holds_exactly_the_quads_built(tmp_path):
    # TriG is written by pyoxigraph from rdflib's N-Quads; nothing may be lost or changed on the way, including
    # literals that need escaping, language tags, datatypes and the named graphs
    from rdflib import XSD
    from pia_graph.mapping import add_document, assessment_triples, new_dataset
    from pia_graph.pipeline import extract
    from pia_graph.store import write_dataset

    doc = extract(SAMPLES / SEEDS[1])
    ds = new_dataset()
    g, shared, _ = assessment_triples(doc)
    hard = {(URIRef(ID["x/1"]), PIA.note, Literal('引用 "第9条"\n改行\\と\ttab', lang="ja")),
            (URIRef(ID["x/1"]), PIA.lineCount, Literal("12", datatype=XSD.integer)),
            (URIRef(ID["x/1"]), PIA.sourceRef, Literal("a b#c.txt#L1-L2"))}
    add_document(ds, doc.sha256, g | hard, shared)
    out = tmp_path / "g.trig"
    write_dataset(ds, out)
    back = Dataset()
    back.parse(out, format="trig")
    assert sorted(map(str, back.quads())) == sorted(map(str, ds.quads()))
    assert "@prefix pia: <https://w3id.org/pia-graph/ontology#>" in out.read_text(encoding="utf-8")


def test_unknown_format_leaves_existing_output_untouched(tmp_path):
    out = tmp_path / "g.xyz"
    out.write_text("precious", encoding="utf-8")
    result = runner.invoke(app, ["build", str(SAMPLES / SEEDS[3]), "-o", str(out)])
    assert result.exit_code == 2 and "unknown graph format" in result.output
    assert out.read_text(encoding="utf-8") == "precious"


def test_validate_reports_the_seeds_one_violation_and_fails_on_a_broken_graph(sample_graph, tmp_path):
    """The seeds hold one violation: 002 names a fourth file in Ⅰ whose Ⅱ its text does not hold."""
    seeds = runner.invoke(app, ["validate", str(sample_graph), "--no-warnings"])
    assert seeds.exit_code == 1, seeds.output
    assert "violations: 1 " in seeds.output and "コンビニ交付用ファイル" in seeds.output
    ds = Dataset()
    ds.parse(sample_graph, format="trig")
    g = ds.graph(ID["graph/broken"])
    row = URIRef(str(ID) + "assessment/broken/file/1/provision/1")
    g.add((row, RDF.type, PIA.Provision))
    g.add((row, PIA.kind, Literal("提供", lang="ja")))
    broken = tmp_path / "broken.trig"
    ds.serialize(broken, format="trig")
    bad = runner.invoke(app, ["validate", str(broken), "--no-warnings"])
    assert bad.exit_code == 1
    assert "Violation" in bad.output


def test_malformed_query_is_a_clear_error(sample_graph):
    result = runner.invoke(app, ["query", "SELECT ?x WHERE { ?x ", "--data", str(sample_graph)])
    assert result.exit_code == 2
    assert "malformed SPARQL" in result.output


def test_query_formats(sample_graph):
    result = runner.invoke(app, ["query", "files-to-kiko", "--data", str(sample_graph), "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows and {"assessment", "fileName", "article", "source"} <= set(rows[0])


def test_extract_prints_the_model(tmp_path):
    result = runner.invoke(app, ["extract", str(SAMPLES / SEEDS[4]), "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["body"] == "千葉県知事" and len(doc["files"]) == 2


def test_extract_names_the_file_when_it_is_not_an_assessment(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("会議メモ\n来週の予定\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(p)])
    assert result.exit_code == 1
    assert "notes.txt: not-an-assessment" in result.output


def test_load_into_a_store_is_idempotent_and_answers_like_the_file(sample_graph, tmp_path):
    store = tmp_path / "store"
    first = runner.invoke(app, ["load", str(SAMPLES), "--store", str(store)])
    assert first.exit_code == 0, first.output
    assert "added 5" in first.output
    again = runner.invoke(app, ["load", str(SAMPLES), "--store", str(store)])
    assert "added 0, replaced 0, unchanged 5" in again.output
    from_store = runner.invoke(app, ["query", "files-to-kiko", "--store", str(store), "-f", "json"])
    from_file = runner.invoke(app, ["query", "files-to-kiko", "--data", str(sample_graph), "-f", "json"])
    key = lambda r: (r["source"], r["article"])  # noqa: E731
    assert sorted(json.loads(from_store.stdout), key=key) == sorted(json.loads(from_file.stdout), key=key)


def test_parallel_build_gives_the_same_graph(tmp_path):
    one, two = tmp_path / "one.trig", tmp_path / "two.trig"
    for out, jobs in ((one, "1"), (two, "2")):
        r = runner.invoke(app, ["build", str(SAMPLES / SEEDS[0]), str(SAMPLES / SEEDS[3]), "-o", str(out), "-j", jobs])
        assert r.exit_code == 0, r.output
    a, b = Dataset(), Dataset()
    a.parse(one, format="trig")
    b.parse(two, format="trig")
    assert sorted(map(str, a.quads())) == sorted(map(str, b.quads()))


def test_terminal_output_fits_120_columns(sample_graph):
    """The flagship as a compact table (all 13 variables with --columns all or -f csv), the build summary with whole
    names: no line wider than 120 cells when not writing to a terminal."""
    from rich.cells import cell_len

    runner = CliRunner()
    table = runner.invoke(app, ["query", "files-to-kiko", "--data", str(sample_graph)])
    assert table.exit_code == 0, table.output
    assert max(cell_len(line) for line in table.output.splitlines()) <= 120
    header = next(line for line in table.output.splitlines() if "organization" in line).split()
    assert header == ["organization", "fileName", "kind", "recipient", "lawName", "article", "source"]
    csv_out = runner.invoke(app, ["query", "files-to-kiko", "--data", str(sample_graph), "-f", "csv"]).output
    assert len(csv_out.splitlines()[0].split(",")) == 13
    rows = len(csv_out.splitlines()) - 1
    assert f"{rows} row(s)" in table.output
    for line in csv_out.splitlines()[1:]:
        assert line.rsplit(",", 1)[1] in table.output, "source references are never cut"
    picked = runner.invoke(app, ["query", "files-to-kiko", "--data", str(sample_graph), "--columns", "fileName,article"])
    assert picked.exit_code == 0 and "organization" not in picked.output
    bad = runner.invoke(app, ["query", "files-to-kiko", "--data", str(sample_graph), "--columns", "nope"])
    assert bad.exit_code == 2 and "nope" in bad.output
    build = runner.invoke(app, ["build", str(SAMPLES), "-o", str(sample_graph.parent / "again.trig"), "--no-validate"])
    # The summary fits; messages on stderr (a violation, a count the rows do not match) stay one line each.
    assert max(cell_len(line) for line in build.stdout.splitlines()) <= 120
    for name in SEEDS:
        assert name in build.output, "document names are shown whole"
