"""The store's answer book: an answer is served only for the store it was computed from, never a stale one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from pia_graph.stores.answers import AnswerBook
from pia_graph.services import ingest, prepare
from pia_graph.stores.oxigraph import OxigraphStore
from pia_graph.cli import app
from pia_graph.namespaces import ID
from pia_graph.pipeline import collect
from pia_graph.query import FLAGSHIP, canned_text, party_files_query

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FLAGSHIP_TEXT = canned_text(FLAGSHIP)


def organizations(answer) -> set[str]:
    i = answer.columns.index("organization")
    return {r[i] for r in answer.rows}


@pytest.fixture()
def store_without_sapporo(tmp_path):
    docs = [p for p in collect([SAMPLES]) if not p.name.startswith("001")]
    st = OxigraphStore(tmp_path / "db")
    ingest(st, docs, jobs=1)
    yield st
    st.close()


def test_answer_is_kept_and_served_until_the_store_changes(store_without_sapporo):
    st = store_without_sapporo
    first = st.answer(FLAGSHIP_TEXT)
    assert not first.cached and first.rows
    again = st.answer(FLAGSHIP_TEXT)
    assert again.cached and again.rows == first.rows and again.columns == first.columns
    assert "札幌市長" not in organizations(first)
    # the same question with other white space is the same question
    assert st.answer("\n  ".join(FLAGSHIP_TEXT.split("\n"))).cached

    ingest(st, [next(SAMPLES.glob("001*"))], jobs=1)
    after = st.answer(FLAGSHIP_TEXT)
    assert not after.cached, "the store changed: the old answer must not be served"
    assert "札幌市長" in organizations(after)
    assert after.rows == st.query(FLAGSHIP_TEXT)[1]

    assert st.drop(next(SAMPLES.glob("001*")).name)
    dropped = st.answer(FLAGSHIP_TEXT)
    assert not dropped.cached and "札幌市長" not in organizations(dropped)
    assert sorted(dropped.rows) == sorted(first.rows)


def test_answer_computed_during_a_write_is_never_served(store_without_sapporo):
    st = store_without_sapporo
    during = {}

    def ask_while_writing(p):   # runs inside the write, after the documents are loaded, before the commit
        during["answer"] = st.answers.answer(FLAGSHIP_TEXT, lambda: (["organization"], [["stale"]]))

    st.hook = ask_while_writing
    st.write_many([prepare(next(SAMPLES.glob("001*")))])
    st.hook = None
    assert during["answer"].rows == [["stale"]]
    served = st.answer(FLAGSHIP_TEXT)
    assert not served.cached and "stale" not in organizations(served) and "札幌市長" in organizations(served)


def test_replacing_a_document_changes_the_answer(tmp_path):
    src = next(SAMPLES.glob("001*"))
    doc = tmp_path / "in" / src.name
    doc.parent.mkdir()
    shutil.copy(src, doc)
    st = OxigraphStore(tmp_path / "db")
    ingest(st, [doc], jobs=1)
    assert "札幌市長" in organizations(st.answer(FLAGSHIP_TEXT))
    doc.write_text(src.read_text(encoding="utf-8").replace("札幌市長", "函館市長"), encoding="utf-8")
    assert ingest(st, [doc], jobs=1).outcomes[0].action == "replaced"
    assert organizations(st.answer(FLAGSHIP_TEXT)) == {"函館市長"}
    st.close()


def test_recovery_after_a_crash_changes_the_generation(tmp_path):
    st = OxigraphStore(tmp_path / "db")
    ingest(st, [next(SAMPLES.glob("003*"))], jobs=1)
    st.answer(FLAGSHIP_TEXT)
    # what a crash inside a batched write leaves: a document graph no manifest entry lists
    orphan = ox.NamedNode(str(ID["graph/0123456789abcdef"]))
    st.raw.add(ox.Quad(ox.NamedNode("https://example.org/x"), ox.NamedNode(str(ID["p"])), ox.Literal("x"), orphan))
    before = st.answers.generation()
    st.close()
    reopened = OxigraphStore(tmp_path / "db")
    assert reopened.answers.generation() != before
    assert not reopened.answer(FLAGSHIP_TEXT).cached
    reopened.close()


def test_unreadable_answer_file_is_evaluated_again(store_without_sapporo):
    st = store_without_sapporo
    good = st.answer(FLAGSHIP_TEXT)
    for f in st.answers.dir.glob("*.json"):
        f.write_text('{"generation": "', encoding="utf-8")       # torn
    again = st.answer(FLAGSHIP_TEXT)
    assert not again.cached and again.rows == good.rows
    for f in st.answers.dir.glob("*.json"):
        data = json.loads(f.read_text(encoding="utf-8"))
        data["generation"] = "someone-else"
        f.write_text(json.dumps(data), encoding="utf-8")
    assert not st.answer(FLAGSHIP_TEXT).cached


def test_book_refuses_an_answer_from_an_older_generation(tmp_path):
    book = AnswerBook(tmp_path / "answers")
    g = book.generation()
    book.changed()
    assert not book.put("SELECT * {}", ["x"], [["1"]], g, 0.1)
    assert book.get("SELECT * {}") is None
    assert book.put("SELECT * {}", ["x"], [["1"]], book.generation(), 0.1)
    assert book.get("SELECT * {}").rows == [["1"]]


def test_cli_load_answers_the_flagship_and_query_reads_it(tmp_path):
    runner = CliRunner()
    db = tmp_path / "db"
    r = runner.invoke(app, ["load", *[str(p) for p in collect([SAMPLES]) if not p.name.startswith("001")],
                            "--store", str(db)])
    assert r.exit_code == 0, r.output
    assert "files-to-kiko:" in r.output and "answered in" in r.output
    fresh = runner.invoke(app, ["query", FLAGSHIP, "--store", str(db), "-f", "csv", "--fresh"])
    stored = runner.invoke(app, ["query", FLAGSHIP, "--store", str(db), "-f", "csv"])
    assert fresh.exit_code == stored.exit_code == 0
    assert "answered from" in stored.stderr and "answered from" not in fresh.stderr
    assert stored.stdout == fresh.stdout and "久留米市長" in stored.stdout and "札幌市長" not in stored.stdout
    r = runner.invoke(app, ["load", str(next(SAMPLES.glob("001*"))), "--store", str(db), "--no-warm"])
    assert r.exit_code == 0 and "files-to-kiko:" not in r.output
    after = runner.invoke(app, ["query", FLAGSHIP, "--store", str(db), "-f", "csv"])
    # never the book's answer from before the load: the rows the store keeps per document, settled by the load
    assert str(db / "answers") not in after.stderr and "rows.sqlite" in after.stderr and "札幌市長" in after.stdout
    refreshed = runner.invoke(app, ["query", FLAGSHIP, "--store", str(db), "-f", "csv", "--fresh"])
    assert sorted(after.stdout.splitlines()) == sorted(refreshed.stdout.splitlines())


def test_party_page_query_is_the_flagship_for_any_party():
    text = party_files_query("https://w3id.org/pia-graph/id/party/x")
    assert text.startswith("SELECT ?row ?articleNode ?assessment")
    # both 機構 patterns (the rows and the legal-basis block) take the party
    assert text.count("VALUES ?kiko { <https://w3id.org/pia-graph/id/party/x> }") == 2 and "j-lis" not in text


def test_cli_store_queries_that_the_book_does_not_keep(tmp_path):
    """A CONSTRUCT is evaluated every time and printed as Turtle; a malformed query is one clear line."""
    runner = CliRunner()
    db = tmp_path / "db"
    assert runner.invoke(app, ["load", str(next(SAMPLES.glob("004*"))), "--store", str(db), "--no-warm"]).exit_code == 0
    q = "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a pia:Party ; rdfs:label ?l }"
    r = runner.invoke(app, ["query", q, "--store", str(db), "-f", "turtle"])
    assert r.exit_code == 0, r.output
    assert "rdfs:label" in r.stdout and "千葉県" in r.stdout and "answered from" not in r.stderr
    assert list((db / "answers").glob("*.json")) == []
    bad = runner.invoke(app, ["query", "SELECT ?x WHERE { ?x", "--store", str(db)])
    assert bad.exit_code == 2 and "error" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
