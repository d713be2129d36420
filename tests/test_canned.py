"""Canned queries answered from the rows a store keeps per document (pia_graph/canned.py) answer what SPARQL over
the whole store answers: the same rows, the same count, the first page in the query's order; after a first load,
a second one, a replacement, a drop and a crash; and where one document's statutes add to what another's rows see
(an ordinance two documents name with two titles)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from pia_graph import services
from pia_graph.canned import spec_of, specs
from pia_graph.query import bind_values, canned_queries
from pia_graph.stores.oxigraph import OxigraphStore

from conftest import SAMPLES

ROOT = Path(__file__).resolve().parent.parent

# another value for each parameter: a prefecture as the party, 番号法 as the law
OTHER_VALUES = {"party": "https://w3id.org/pia-graph/id/party/pref-13", "kiko": "https://w3id.org/pia-graph/id/party/pref-13",
                "law": "https://w3id.org/pia-graph/id/law/425AC0000000027"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "bench"))
    import synth
    where = tmp_path_factory.mktemp("corpus")
    synth.generate(36, where, seed=1)      # seed 1: two documents name one ordinance two ways by the 8th
    return sorted(where.glob("*.txt"))


def assert_same_as_sparql(store: OxigraphStore) -> int:
    """Every canned query, with its default and another value of each parameter: kept rows against SPARQL over
    the whole store. Returns the rows compared."""
    compared = 0
    for q in canned_queries():
        spec = spec_of(q)
        assert store.kept_rows(q.name) is not None, f"{q.name}: rows not kept"
        for values in ({}, {p: OTHER_VALUES[p] for p in spec.params}):
            if not spec.params and values:
                continue
            columns, want = store.query(bind_values(q.text, values))
            got_columns, got = services.canned_export(store, q.name, values)
            got = list(got)
            assert got_columns == columns, q.name
            assert Counter(map(tuple, got)) == Counter(map(tuple, want)), (
                f"{q.name} {values}: only kept {sorted(Counter(map(tuple, got)) - Counter(map(tuple, want)))[:3]}, "
                f"only SPARQL {sorted(Counter(map(tuple, want)) - Counter(map(tuple, got)))[:3]}")
            page = services.canned_page(store, q.name, values, offset=0, limit=100)
            assert page.kept and page.total == len(want) and page.columns == columns
            # the first page in the query's order: the order keys row by row (ties may come in any order)
            keys = [columns.index(v) for v, _ in spec.order if v in columns]
            assert [[r[k] for k in keys] for r in page.rows] == [[r[k] for k in keys] for r in want[:100]], q.name
            assert page.rows == got[:100]
            compared += len(want)
    return compared


def test_kept_rows_answer_what_sparql_answers(tmp_path, corpus):
    store = OxigraphStore(tmp_path / "db")
    report = services.ingest(store, [SAMPLES, *corpus[:24]], jobs=2)
    assert report.count("added") == 29 and report.validated["documents"] == 29
    assert report.rows["varying shared nodes"] > 0 and report.rows["redone"] > 0   # ordinances named two ways
    assert assert_same_as_sparql(store) > 2000

    # a second load: the new documents' rows, and those of earlier documents whose shared nodes they add to
    report = services.ingest(store, corpus[24:], jobs=1)
    assert report.count("added") + report.count("unchanged") == len(corpus) - 24 and report.count("added") > 8
    assert_same_as_sparql(store)

    # a document dropped: its rows go
    name = corpus[0].name
    assert store.drop(name)
    assert store.kept_rows("files-to-kiko") is None          # not settled: evaluated, never stale
    assert services.canned_page(store, "files-to-kiko").kept is False
    store.settle_rows()
    assert assert_same_as_sparql(store) > 2000
    store.close()

    # reopened for reading: the rows are still kept and still match
    reader = OxigraphStore(tmp_path / "db", read_only=True)
    assert reader.kept_rows("systems") is not None
    assert services.canned_page(reader, "systems", limit=5).kept
    reader.close()


def test_a_replaced_document_replaces_its_rows_and_report(tmp_path, corpus):
    store = OxigraphStore(tmp_path / "db")
    services.ingest(store, corpus[:6], jobs=1)
    changed = tmp_path / "in" / corpus[2].name
    changed.parent.mkdir()
    changed.write_text(corpus[2].read_text(encoding="utf-8").replace("住民基本台帳", "住民基本臺帳", 3), encoding="utf-8")
    report = services.ingest(store, [changed], jobs=1)
    assert report.count("replaced") == 1
    assert_same_as_sparql(store)
    reports = store.query("SELECT ?r WHERE { ?a pia:validationReport ?r }")[1]
    assert len(reports) == 6          # one report per current document: the replaced one's went with it
    store.close()


def test_a_crash_before_the_rows_are_settled_leaves_them_unused_then_settled(tmp_path, corpus):
    store = OxigraphStore(tmp_path / "db")
    services.ingest(store, corpus[:4], jobs=1)

    def crash(p):
        raise KeyboardInterrupt("killed mid-write")
    store.hook = crash
    with pytest.raises(KeyboardInterrupt):
        services.ingest(store, corpus[4:8], jobs=1)
    store.close()
    store = OxigraphStore(tmp_path / "db")             # recovery drops what the crash left uncommitted
    assert store.kept_rows("provisions") is None       # the rows of the crashed load were never stamped
    store.settle_rows()
    assert_same_as_sparql(store)
    assert {r.name for r in store.documents()} == {p.name for p in corpus[:4]}
    store.close()


def test_every_canned_query_keeps_its_rows_per_document():
    # a canned query added without saying how its rows combine is evaluated, never answered from rows; the ones
    # shipped all say it (and test_kept_rows_answer_what_sparql_answers holds them to it)
    assert {s.name for s in specs()} == {q.name for q in canned_queries()}
