"""Stores (memory, pyoxigraph): identical canned-query results, idempotent and incremental ingest, whole documents after a crash."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rdflib import URIRef

from pia_graph.services import ingest, prepare
from pia_graph.stores import open_store
from pia_graph.stores.memory import MemoryStore
from pia_graph.stores.manifest import is_document_graph, is_report_graph, report_graph_iri
from pia_graph.stores.oxigraph import OxigraphStore
from pia_graph.pipeline import collect
from pia_graph.query import canned_queries

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="module")
def prepared():
    return [prepare(p) for p in collect([SAMPLES])]


@pytest.fixture(scope="module")
def stores(prepared, tmp_path_factory):
    mem, oxi = MemoryStore(), OxigraphStore(tmp_path_factory.mktemp("oxi"))
    for p in prepared:
        assert p.error is None, p.error
        assert mem.write(p).action == "added"
        assert oxi.write(p).action == "added"
    return mem, oxi


def _copy(tmp_path, name, text=None):
    src = next(SAMPLES.glob(name + "*"))
    dst = tmp_path / "in" / src.name
    dst.parent.mkdir(exist_ok=True)
    if text is None:
        shutil.copy(src, dst)
    else:
        dst.write_text(text, encoding="utf-8")
    return dst


def _graph_triples(store, graph):
    _, rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0][0])


@pytest.mark.parametrize("name", [q.name for q in canned_queries()])
def test_canned_queries_identical_across_backends(stores, name):
    mem, oxi = stores
    q = next(q for q in canned_queries() if q.name == name)
    h1, r1 = mem.query(q.text)
    h2, r2 = oxi.query(q.text)
    assert h1 == h2
    assert sorted(r1) == sorted(r2)
    assert r1, f"{name} gave no rows over the five seeds"


def test_open_store_picks_backend(tmp_path):
    assert isinstance(open_store(None), MemoryStore)
    s = open_store(str(tmp_path / "db"))
    assert isinstance(s, OxigraphStore)
    s.close()


@pytest.mark.parametrize("kind", ["memory", "oxigraph"])
def test_reingest_is_noop_and_new_version_replaces(kind, tmp_path):
    store = MemoryStore() if kind == "memory" else OxigraphStore(tmp_path / "db")
    path = _copy(tmp_path, "003")
    first = ingest(store, [path], jobs=1).outcomes[0]
    assert first.action == "added"
    before = store.triple_count()
    again = ingest(store, [path], jobs=1).outcomes[0]
    assert again.action == "unchanged" and store.triple_count() == before
    assert store.write(prepare(path)).action == "unchanged"
    assert len(store.documents()) == 1

    # a new version of the same file (another body): replaces the graph, the old one is gone
    text = path.read_text(encoding="utf-8").replace("いわき市", "郡山市")
    path.write_text(text, encoding="utf-8")
    second = ingest(store, [path], jobs=1).outcomes[0]
    assert second.action == "replaced" and second.replaced == first.graph and second.graph != first.graph
    docs = store.documents()
    assert [d.graph for d in docs] == [second.graph]
    _, rows = store.query("SELECT DISTINCT ?o WHERE { ?a pia:assessingBody/rdfs:label ?o }")
    assert [r[0] for r in rows] == ["郡山市長"]
    assert store.documents(include_history=True) == docs

    # a third version with history kept: the second stays as a superseded version, outside query results
    path.write_text(text.replace("郡山市", "福島市"), encoding="utf-8")
    third = ingest(store, [path], jobs=1, keep_history=True).outcomes[0]
    assert third.action == "replaced" and third.history == second.graph
    _, rows = store.query("SELECT DISTINCT ?o WHERE { ?a pia:assessingBody/rdfs:label ?o }")
    assert [r[0] for r in rows] == ["福島市長"]
    hist = store.documents(include_history=True)
    assert {(d.graph, d.status) for d in hist} == {(second.graph, "superseded"), (third.graph, "current")}
    assert all(d.superseded_at for d in hist if d.status == "superseded")
    if kind == "oxigraph":
        assert store.history_triples(second.graph) == second.triples
    else:
        assert len(store.meta.graph(URIRef(second.graph))) == second.triples

    # drop removes the document and its history
    assert store.drop(path.name)
    assert store.documents(include_history=True) == []
    _, rows = store.query("SELECT ?a WHERE { ?a a pia:Assessment }")
    assert rows == []
    assert not store.drop(path.name)


def test_parallel_ingest_bad_document_does_not_stop_batch(tmp_path):
    for n in ("000", "003"):
        _copy(tmp_path, n)
    (tmp_path / "in" / "zz_not_an_assessment.txt").write_text("これは評価書ではありません。\n" * 20, encoding="utf-8")
    store = OxigraphStore(tmp_path / "db")
    report = ingest(store, [tmp_path / "in"], jobs=2)
    assert report.count("added") == 2 and report.count("error") == 1
    assert len(store.documents()) == 2
    report = ingest(store, [tmp_path / "in"], jobs=2)
    assert report.count("unchanged") == 2 and report.count("added") == 0


CRASH = textwrap.dedent("""
    import os, sys
    from pia_graph.services import ingest
    from pia_graph.stores.oxigraph import OxigraphStore
    store = OxigraphStore(sys.argv[1])
    k = int(sys.argv[3]); seen = []
    def hook(p):
        seen.append(p.name)
        if len(seen) > k:
            os._exit(17)          # the process dies while writing document k+1: no cleanup, no flush
    store.hook = hook
    ingest(store, [sys.argv[2]], jobs=1, batch=int(sys.argv[4]))
    store.close()
""")


@pytest.mark.parametrize("batch", [1, 2])
def test_crash_mid_batch_leaves_whole_documents(tmp_path, prepared, batch):
    """batch=1: the process dies before document 3's transaction. batch=2: documents 1-2 are committed, 3-4 are
    bulk-loaded and the process dies before their manifest commit; reopening drops the graphs nothing lists."""
    import pyoxigraph as ox
    for n in ("000", "001", "003", "004"):
        _copy(tmp_path, n)
    db = tmp_path / "db"
    script = tmp_path / "crash.py"
    script.write_text(CRASH)
    r = subprocess.run([sys.executable, str(script), str(db), str(tmp_path / "in"), "2", str(batch)], cwd=ROOT)
    assert r.returncode == 17
    raw = ox.Store(str(db / "live"))
    left = [g for g in raw.named_graphs() if is_document_graph(g.value)]
    assert len(left) == (2 if batch == 1 else 4)   # batch=2: two graphs the crash left uncommitted
    reports = [g for g in raw.named_graphs() if is_report_graph(g.value)]
    assert len(reports) == len(left)               # each document's validation report, written with it
    del raw
    store = OxigraphStore(db)
    docs = store.documents()
    assert len(docs) == 2
    expected = {p.sha256: p.triples for p in prepared}
    for d in docs:   # each document present is whole: all of its triples, none missing
        assert _graph_triples(store, d.graph) == expected[d.sha256] == d.triples
    _, graphs = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    doc_graphs = {g for (g,) in graphs if is_document_graph(g)}
    assert doc_graphs == {d.graph for d in docs}
    # recovery drops the reports of the documents it drops
    assert {g for (g,) in graphs if is_report_graph(g)} == {report_graph_iri(d.graph) for d in docs}
    report = ingest(store, [tmp_path / "in"], jobs=1)
    assert report.count("unchanged") == 2 and report.count("added") == 2
    assert len(store.documents()) == 4
    for d in store.documents():
        assert _graph_triples(store, d.graph) == expected[d.sha256]


def test_write_many_skips_duplicates_and_replaces_through_write(tmp_path, prepared):
    """A batch with the same bytes twice and a new version of a document already current: one added, one unchanged,
    the new version replaces the old one (write()), and the manifest lists exactly the current documents."""
    import dataclasses
    store = OxigraphStore(tmp_path / "db")
    a, b = prepared[0], prepared[3]
    assert store.write(a).action == "added"
    newer = dataclasses.replace(prepared[4], name=a.name)  # another version of a's file
    out = store.write_many([b, dataclasses.replace(b), newer])
    assert [o.action for o in out] == ["added", "unchanged", "replaced"]
    assert out[2].replaced == a.graph
    assert {d.graph for d in store.documents()} == {b.graph, newer.graph}
    assert _graph_triples(store, b.graph) == b.triples and _graph_triples(store, newer.graph) == newer.triples
    assert _graph_triples(store, a.graph) == 0


def _store_quads(store):
    """Every quad of the documents and the shared graph, as sortable text (the manifest's times differ)."""
    _, rows = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                          "FILTER(CONTAINS(STR(?g), '/graph/') && !STRENDS(STR(?g), '/manifest')) }")
    return sorted(map(tuple, rows))


def test_bulk_writer_in_background_loads_equals_one_transaction_each(tmp_path, prepared):
    """Loads of two documents each, run in a background thread while later documents spool, give the same store
    as one transaction per document; a new version of a document whose load is still in flight waits for it and
    replaces it (it is not missed because its manifest entry was not written yet); the spools are removed."""
    import dataclasses
    one = OxigraphStore(tmp_path / "one")
    for p in prepared:
        one.write(p)
    bulk = OxigraphStore(tmp_path / "bulk")
    writer = bulk.bulk_writer(max_documents=2)
    for p in prepared:
        writer.add(p)
    out = writer.finish()
    assert [o.action for o in out] == ["added"] * len(prepared)
    assert _store_quads(bulk) == _store_quads(one)
    assert sorted(d.graph for d in bulk.documents()) == sorted(d.graph for d in one.documents())
    assert list((tmp_path / "bulk" / "spool").iterdir()) == []

    again = OxigraphStore(tmp_path / "again")
    writer = again.bulk_writer(max_documents=1)            # a's load starts at once, in the background
    a, newer = prepared[0], dataclasses.replace(prepared[1], name=prepared[0].name)
    writer.add(a)
    writer.add(newer)
    writer.add(dataclasses.replace(a))                      # the same bytes as a: written once
    out = writer.finish()
    assert [o.action for o in out] == ["added", "replaced", "unchanged"]
    assert [d.graph for d in again.documents()] == [newer.graph]


def test_bulk_writer_plans_one_background_load_then_the_rest(tmp_path, prepared):
    """Told five documents are coming, the writer loads the first 60 % (three) in the background as soon as they
    are spooled and the other two at the end, in the adding thread; told nothing, it loads all five at the end
    (its size bounds are far off). Each load is seen by the store's hook, document by document, in the thread
    that ran it."""
    import threading

    def loads(store, **options):
        seen = []
        store.hook = lambda q: seen.append((threading.get_ident(), q.name))
        writer = store.bulk_writer(**options)
        for p in prepared:
            writer.add(p)
        assert [o.action for o in writer.finish()] == ["added"] * len(prepared)
        groups = []
        for ident, name in seen:
            if not groups or groups[-1][0] != ident:
                groups.append((ident, []))
            groups[-1][1].append(name)
        return [(ident == threading.get_ident(), names) for ident, names in groups]

    names = [p.name for p in prepared]
    assert len(names) == 5
    planned = loads(OxigraphStore(tmp_path / "planned"), expected=5)
    assert planned == [(False, names[:3]), (True, names[3:])]
    assert loads(OxigraphStore(tmp_path / "unplanned")) == [(True, names)]


def test_bulk_writer_failed_load_retries_each_document_alone(tmp_path, prepared):
    """A load the bulk loader refuses as a whole (here one document's quads are malformed) costs only that
    document: the others are written one transaction each, and no half-loaded graph is left."""
    import dataclasses
    store = OxigraphStore(tmp_path / "db")
    bad = dataclasses.replace(prepared[2], doc_nq=prepared[2].doc_nq + b"<not an iri .\n")
    writer = store.bulk_writer(max_documents=10)
    for p in [prepared[0], bad, prepared[3]]:
        writer.add(p)
    out = writer.finish()
    assert [o.action for o in out] == ["added", "error", "added"]
    assert bad.name in out[1].name and out[1].error
    assert {d.graph for d in store.documents()} == {prepared[0].graph, prepared[3].graph}
    assert _graph_triples(store, bad.graph) == 0
    for p in (prepared[0], prepared[3]):
        assert _graph_triples(store, p.graph) == p.triples


def test_load_puts_the_ontology_in_the_store_so_validation_there_sees_what_validate_sees(tmp_path):
    """The store's graphs alone (no ontology given to pyshacl) give the violations the shapes give with the ontology
    beside the data, as `validate` runs them, because `load` put the ontology in; without that graph the sub-class
    axioms are missing and the shapes report violations that are not there."""
    import pyoxigraph as ox
    import pyshacl
    from rdflib import Dataset, Graph
    from rdflib.namespace import RDF as _RDF
    from typer.testing import CliRunner

    from pia_graph.cli import app
    from pia_graph.namespaces import SH
    from pia_graph.stores import ONTOLOGY_GRAPH
    from pia_graph.validate import ontology_graph, shapes_graph

    CliRunner().invoke(app, ["load", str(SAMPLES), "--store", str(tmp_path / "db")])
    store = OxigraphStore(tmp_path / "db", read_only=True)
    assert store.documents()
    dump = Dataset()
    dump.parse(data=store.raw.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    store.close()
    everything, data = Graph(), Graph()
    for g in dump.graphs():
        everything += g
        if g.identifier != ONTOLOGY_GRAPH:
            data += g
    assert len(data) < len(everything)

    def violations(graph, ontology=None):
        report = pyshacl.validate(graph, shacl_graph=shapes_graph(), ont_graph=ontology, inference="none",
                                  advanced=True, allow_warnings=True)[1]
        return {(str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultMessage)))
                for r in report.subjects(_RDF.type, SH.ValidationResult)
                if report.value(r, SH.resultSeverity) == SH.Violation}
    as_validate_sees = violations(data, ontology_graph())
    assert violations(everything) == as_validate_sees
    assert violations(data) > as_validate_sees


def test_cli_drop_needs_no_path_and_load_needs_something_to_do(tmp_path):
    from typer.testing import CliRunner

    from pia_graph.cli import app
    runner = CliRunner()
    db = str(tmp_path / "db")
    docs = [str(_copy(tmp_path, n)) for n in ("000", "003")]
    assert runner.invoke(app, ["load", *docs, "--store", db]).exit_code == 0
    name = Path(docs[0]).name
    r = runner.invoke(app, ["load", "--store", db, "--drop", name])
    assert r.exit_code == 0 and f"dropped {name}" in r.stdout, r.output
    r = runner.invoke(app, ["load", "--store", db, "--drop", name])
    assert r.exit_code == 0 and "not in the store" in r.stdout
    with OxigraphStore(db, read_only=True) as store:
        assert [d.name for d in store.documents()] == [Path(docs[1]).name]
    r = runner.invoke(app, ["load", "--store", db])
    assert r.exit_code == 2 and "--drop" in r.stderr
