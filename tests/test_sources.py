"""Every document's text is kept beside its graph or store, so every source link opens, for any document (issue 17):
documents built from another folder, loaded into a store, uploaded to a running server; a dropped one's text goes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pia_graph.cli import app
from pia_graph.server import create_app, load_graph
from pia_graph.sources import SourceTexts
from pia_graph.stores import open_store

from conftest import SAMPLES, SEEDS
from renderings import RENDERINGS

runner = CliRunner()
NAME = "sapporo-copy.txt"          # not a sample's name: the samples folder cannot answer for it


def a_document_elsewhere(tmp_path):
    """Seed 001 under another name, with page numbers (so its lines differ from the sample's)."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    text = RENDERINGS[0]((SAMPLES / SEEDS[1]).read_text(encoding="utf-8"))
    (folder / NAME).write_text(text, encoding="utf-8")
    return folder, text.split("\n")


def kiko_source(client) -> tuple[str, int, int]:
    """The source reference of this document's first 機構 row, from the flagship query's CSV."""
    csv = client.get("/queries/files-to-kiko", params={"format": "csv"}).text
    ref = next(line.rsplit(",", 1)[1] for line in csv.splitlines()[1:] if NAME in line)
    name, start, end = re.fullmatch(r"(.+)#L(\d+)-L(\d+)", ref.strip()).groups()
    return name, int(start), int(end)


def test_a_built_graph_keeps_its_documents_texts_beside_it(tmp_path):
    folder, lines = a_document_elsewhere(tmp_path)
    graph = tmp_path / "out" / "g.trig"
    result = runner.invoke(app, ["build", str(folder), "-o", str(graph)])
    assert result.exit_code == 0, result.output
    texts = SourceTexts.beside(graph)
    assert [p.name for p in texts.folder.iterdir()] and texts.folder.name == "g.sources"
    with TestClient(create_app(load_graph(graph), samples_dir=SAMPLES, sources=[texts])) as client:
        name, start, end = kiko_source(client)
        page = client.get(f"/source/{name}", params={"lines": f"{start}-{end}"})
        assert page.status_code == 200
        shown = re.findall(r'id="L(\d+)"', page.text)
        assert len(shown) == len(lines)                     # the whole document, numbered as it was read
        assert any("機構" in line for line in lines[start - 1:end])   # the lines the row points at hold 機構
        assert client.get("/source/nowhere.txt").status_code == 404


def test_a_store_keeps_its_documents_texts_and_drops_them_with_the_document(tmp_path):
    folder, _ = a_document_elsewhere(tmp_path)
    store_dir = tmp_path / "store"
    assert runner.invoke(app, ["load", str(folder), "--store", str(store_dir)]).exit_code == 0
    store = open_store(store_dir, read_only=True)      # a reader holds no lock: the drop below can write
    try:
        [record] = store.documents()
        assert store.sources.get(record.sha256).startswith("\n[令和")    # the text as read, blank first line kept
        with TestClient(create_app(store=store, samples_dir=SAMPLES)) as client:
            name, start, _ = kiko_source(client)
            assert client.get(f"/source/{name}", params={"lines": str(start)}).status_code == 200
    finally:
        store.close()
    dropped = runner.invoke(app, ["load", "--store", str(store_dir), "--drop", NAME])
    assert dropped.exit_code == 0, dropped.output
    store = open_store(store_dir, read_only=True)      # a reader holds no lock: the drop below can write
    try:
        assert store.documents() == [] and store.sources.get(record.sha256) is None
    finally:
        store.close()


def test_an_uploaded_documents_text_is_kept_for_its_source_page(tmp_path):
    folder, _ = a_document_elsewhere(tmp_path)
    token = "t" * 24
    with TestClient(create_app(load_graph(None), samples_dir=SAMPLES, allow_ingest=True,
                               ingest_token=token)) as client:
        response = client.post("/api/ingest", params={"filename": NAME}, content=(folder / NAME).read_bytes(),
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        name, start, _ = kiko_source(client)
        assert client.get(f"/source/{name}", params={"lines": str(start)}).status_code == 200
