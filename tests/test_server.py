"""The served graph: the SPARQL 1.1 Protocol endpoint against a real uvicorn on loopback, pages, API, graph view."""

from __future__ import annotations

import re
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from pia_graph.namespaces import ID, PIA, PROV
from pia_graph.query import resolve_query, rows, run, with_prefixes
from pia_graph.server import build_samples, create_app
from pia_graph.store import load_dataset
from pia_graph.viz import write_viz

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
KIKO = "https://w3id.org/pia-graph/id/party/j-lis"
SD = "http://www.w3.org/ns/sparql-service-description#"
XSS = "<script>alert(1)</script>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory) -> Path:
    return build_samples(SAMPLES, tmp_path_factory.mktemp("graph") / "samples.trig")


@pytest.fixture(scope="module")
def ds(graph_file) -> Dataset:
    return load_dataset(graph_file)


@contextmanager
def running(app):
    """uvicorn serving app on 127.0.0.1 (a free port) in a background thread, stopped on exit."""
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        assert thread.is_alive(), "server thread died"
        time.sleep(0.05)
    try:
        yield type("S", (), {"base": f"http://127.0.0.1:{port}", "endpoint": f"http://127.0.0.1:{port}/sparql",
                             "site": app.state.site, "app": app})
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def server(ds):
    """uvicorn serving the sample graph on 127.0.0.1 in a background thread."""
    app = create_app(ds, samples_dir=SAMPLES, query_timeout=10.0, max_results=10000)
    with running(app) as s:
        yield s


def flagship_text() -> str:
    return with_prefixes(resolve_query("files-to-kiko"))


def expected_rows(ds) -> set[tuple]:
    header, body = rows(run(ds, resolve_query("files-to-kiko")))
    return header, {tuple(r) for r in body}


# -- SPARQL protocol, from real clients ------------------------------------------------------------------

def test_flagship_from_sparqlwrapper_matches_cli(server, ds):
    from SPARQLWrapper import JSON, XML, SPARQLWrapper

    header, want = expected_rows(ds)
    assert want, "the sample graph should send some file to 機構"
    for fmt, method in ((JSON, "GET"), (JSON, "POST"), (XML, "GET")):
        sw = SPARQLWrapper(server.endpoint)
        sw.setQuery(flagship_text())
        sw.setMethod(method)
        sw.setReturnFormat(fmt)
        res = sw.query().convert()
        if fmt == JSON:
            assert res["head"]["vars"] == header
            got = {tuple(b.get(v, {}).get("value", "") for v in header) for b in res["results"]["bindings"]}
        else:
            got = set()
            for result in res.getElementsByTagName("result"):
                cells = {b.getAttribute("name"): b.firstChild.firstChild.data if b.firstChild.firstChild else ""
                         for b in result.getElementsByTagName("binding")}
                got.add(tuple(cells.get(v, "") for v in header))
        assert got == want, (fmt, method)


def test_flagship_from_rdflib_sparqlstore_matches_cli(server, ds):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    header, want = expected_rows(ds)
    remote = Graph(store=SPARQLStore(server.endpoint, returnFormat="xml"))
    res = remote.query(flagship_text())
    got = {tuple("" if r[v] is None else str(r[v]) for v in res.vars) for r in res}
    assert [str(v) for v in res.vars] == header
    assert got == want
    # JSON too, and a CONSTRUCT comes back as a graph
    remote = Graph(store=SPARQLStore(server.endpoint, returnFormat="json"))
    assert len(list(remote.query(flagship_text()))) == len(list(run(ds, resolve_query("files-to-kiko"))))
    g = remote.query(with_prefixes("CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a pia:Party ; rdfs:label ?l }")).graph
    assert (URIRef(KIKO), RDFS.label, Literal("地方公共団体情報システム機構", lang="ja")) in g


def test_protocol_post_forms_and_negotiation(server):
    q = "SELECT ?l WHERE { <%s> rdfs:label ?l FILTER(lang(?l) = 'ja') }" % KIKO
    with httpx.Client(timeout=20) as c:
        r = c.post(server.endpoint, content=q.encode(), headers={"Content-Type": "application/sparql-query",
                                                                  "Accept": "text/csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.text.splitlines() == ["l", "地方公共団体情報システム機構"]
        r = c.post(server.endpoint, data={"query": q}, headers={"Accept": "text/tab-separated-values"})
        assert r.status_code == 200 and r.text.splitlines()[1] == '"地方公共団体情報システム機構"@ja'
        r = c.get(server.endpoint, params={"query": q}, headers={"Accept": "application/sparql-results+xml"})
        assert r.headers["content-type"].startswith("application/sparql-results+xml") and "機構" in r.text
        r = c.get(server.endpoint, params={"query": "ASK { ?s a pia:Assessment }"})
        assert r.json() == {"head": {}, "boolean": True}
        construct = "CONSTRUCT WHERE { <%s> ?p ?o }" % KIKO
        for mime, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt"),
                          ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")):
            r = c.get(server.endpoint, params={"query": construct}, headers={"Accept": mime})
            assert r.status_code == 200 and r.headers["content-type"].startswith(mime), mime
            assert (URIRef(KIKO), RDF.type, PIA.Party) in Graph().parse(data=r.text, format=fmt), mime


def test_dataset_parameters(server, ds):
    shared = "https://w3id.org/pia-graph/id/graph/shared"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with httpx.Client(timeout=20) as c:
        r = c.get(server.endpoint, params={"query": count, "default-graph-uri": shared}, headers={"Accept": "text/csv"})
        assert int(r.text.splitlines()[1]) == len(ds.graph(URIRef(shared)))
        q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        r = c.post(server.endpoint, data={"query": q, "named-graph-uri": shared}, headers={"Accept": "text/csv"})
        assert r.text.splitlines()[1:] == [shared]


def test_service_description(server):
    r = httpx.get(server.endpoint, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(server.endpoint), RDF.type, URIRef(SD + "Service")) in g
    assert (URIRef(server.endpoint), URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in g


# -- read-only, limits, errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, word", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "read-only"),
    ("DELETE WHERE { ?s ?p ?o }", "read-only"),
    ("LOAD <http://127.0.0.1:9/evil.ttl>", "LOAD"),
    ("DROP ALL", "read-only"),
])
def test_updates_refused(server, ds, text, word):
    before = len(ds)
    with httpx.Client(timeout=20) as c:
        for r in (c.get(server.endpoint, params={"query": text}),
                  c.post(server.endpoint, data={"update": text}),
                  c.post(server.endpoint, content=text.encode(), headers={"Content-Type": "application/sparql-update"}),
                  c.post(server.endpoint, content=text.encode(), headers={"Content-Type": "application/sparql-query"})):
            assert r.status_code == 403, r.text
            assert "read-only" in r.text or word in r.text
        r = c.get(server.endpoint, params={"query": text})
        assert word in r.text
    assert len(ds) == before


def test_service_refused(server):
    from SPARQLWrapper import JSON, SPARQLWrapper
    from urllib.error import HTTPError

    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = httpx.get(server.endpoint, params={"query": text})
    assert r.status_code == 403 and "SERVICE is refused" in r.text
    sw = SPARQLWrapper(server.endpoint)
    sw.setQuery(text)
    sw.setReturnFormat(JSON)
    with pytest.raises(Exception) as e:
        sw.query()
    assert "SERVICE" in str(e.value) or isinstance(e.value, HTTPError)


def test_malformed_query_is_400_with_parser_message(server):
    from SPARQLWrapper import JSON, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    r = httpx.get(server.endpoint, params={"query": "SELEC ?x WHERE { ?x ?y ?z }"})
    assert r.status_code == 400 and "malformed SPARQL query" in r.text and "Expected" in r.text
    sw = SPARQLWrapper(server.endpoint)
    sw.setQuery("SELECT ?x WHERE { ?x ?y }")
    sw.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed):
        sw.query()


def test_time_limit(server):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    site = server.site
    old = site.timeout
    site.timeout = 0.3
    try:
        t0 = time.monotonic()
        r = httpx.get(server.endpoint, params={"query": heavy}, timeout=30)
        elapsed = time.monotonic() - t0
    finally:
        site.timeout = old
    assert r.status_code == 503 and "time limit" in r.text and "0.3 s" in r.text
    assert r.headers["x-pia-graph-limit"] == "time"
    assert elapsed < 5
    # the worker was stopped: the server answers the next query at once
    t0 = time.monotonic()
    r = httpx.get(server.endpoint, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert r.status_code == 200 and time.monotonic() - t0 < 2


def test_result_limit(server):
    site = server.site
    old = site.max_results
    site.max_results = 50
    try:
        r = httpx.get(server.endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        r2 = httpx.get(server.endpoint, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
        ok = httpx.get(server.endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"})
    finally:
        site.max_results = old
    assert r.status_code == 503 and "result limit" in r.text and "50" in r.text
    assert r.headers["x-pia-graph-limit"] == "results"
    assert r2.status_code == 503 and "result limit" in r2.text
    assert ok.status_code == 200 and len(ok.json()["results"]["bindings"]) == 50


# -- pages, API, graph view ------------------------------------------------------------------------------------

def test_pages(server, ds):
    with httpx.Client(base_url=server.base, timeout=30) as c:
        home = c.get("/")
        assert home.status_code == 200 and "assessments" in home.text and "/id/party/j-lis" in home.text
        kiko = c.get("/id/party/j-lis")
        assert kiko.status_code == 200 and "地方公共団体情報システム機構" in kiko.text
        for body in {r[1] for r in expected_rows(ds)[1] if r[1]}:
            assert body in kiko.text
        assert "/source/" in kiko.text and "?lines=" in kiko.text
        src = c.get("/source/002_528b050b7c0b5747.txt", params={"lines": "10-12"})
        assert src.status_code == 200 and 'id="L10" class="hl"' in src.text and 'id="L13" class="hl"' not in src.text
        assert c.get("/source/..%2Fpyproject.toml").status_code == 404
        assert c.get("/source/pyproject.toml").status_code == 404
        queries = c.get("/queries")
        assert "Files that go to 機構" in queries.text and "/queries/files-to-kiko" in queries.text
        run_page = c.get("/queries/files-to-kiko")
        assert run_page.status_code == 200 and "本人確認情報ファイル" in run_page.text
        csv_ = c.get("/queries/files-to-kiko", params={"format": "csv"})
        assert csv_.headers["content-type"].startswith("text/csv")
        assert len(csv_.text.strip().splitlines()) == len(list(run(ds, resolve_query("files-to-kiko")))) + 1
        assert c.get("/query", params={"example": "systems"}).status_code == 200
        bad = c.get("/query", params={"query": "SELECT ?x WHERE {"})
        assert "malformed SPARQL query" in bad.text
        api = c.get("/api/parties/j-lis/files").json()
        assert len(api) == len(list(run(ds, resolve_query("files-to-kiko"))))
        assert c.get("/api/summary").json()["assessments"] >= 4
        paths = c.get("/openapi.json").json()["paths"]
        assert "/api/parties/{party_id}/files" in paths and "/sparql" in paths
        view = c.get("/graph", params={"focus": KIKO})
        assert view.status_code == 200 and "vis.Network" in view.text and "cdn.jsdelivr" not in view.text
        assert c.get("/graph").status_code == 200
        assert c.get("/api/graph", params={"type": "party"}).json()["nodes"]


def test_write_viz_offline(ds, tmp_path):
    out = tmp_path / "x.html"
    n = write_viz(ds, out, focus=KIKO, depth=2)
    text = out.read_text(encoding="utf-8")
    assert n > 1 and "vis.Network" in text and "id=\"legend\"" in text
    assert "cdn.jsdelivr" not in text and "cdnjs.cloudflare" not in text and "<script src=" not in text
    assert write_viz(ds, tmp_path / "y.html", max_nodes=10) <= 10


# -- escaping ------------------------------------------------------------------------------------------------------

def hostile_dataset(tmp_path: Path) -> tuple[Dataset, Path]:
    name = "evil.txt"
    (tmp_path / name).write_text(f"line one\n{XSS}\n\"quoted\" & <b>bold</b>\n", encoding="utf-8")
    ds = Dataset(default_union=True)
    g = ds.graph(ID["graph/evil"])
    a, f, row, party, doc = (ID["assessment/evil"], ID["assessment/evil/file/1"], ID["assessment/evil/file/1/provision/1"],
                             ID["party/j-lis"], ID["document/evil"])
    g.add((doc, RDF.type, PIA.SourceDocument))
    g.add((doc, PIA.fileName, Literal(name)))
    g.add((a, RDF.type, PIA.Assessment))
    g.add((a, RDFS.label, Literal(XSS, lang="ja")))
    g.add((a, PROV.wasDerivedFrom, doc))
    g.add((a, PIA.assessingBody, ID["party/evil"]))
    g.add((ID["party/evil"], RDF.type, PIA.Party))
    g.add((ID["party/evil"], RDFS.label, Literal(XSS + " href", lang="ja")))
    g.add((a, PIA.hasFile, f))
    g.add((f, RDF.type, PIA.PersonalInformationFile))
    g.add((f, RDFS.label, Literal(XSS, lang="ja")))
    g.add((f, PIA.hasDisclosure, row))
    g.add((row, RDF.type, PIA.Provision))
    g.add((row, PIA.ofFile, f))
    g.add((row, PIA.kind, Literal("提供", lang="ja")))
    g.add((row, RDFS.label, Literal(XSS, lang="ja")))
    g.add((row, PIA.recipientText, Literal(XSS, lang="ja")))
    g.add((row, PIA.sourceRef, Literal(f"{name}#L2-L2")))
    g.add((row, URIRef("https://w3id.org/dpv#hasRecipient"), party))
    g.add((party, RDF.type, PIA.Party))
    g.add((party, RDFS.label, Literal(XSS, lang="ja")))
    return ds, tmp_path


def test_document_text_is_escaped_everywhere(tmp_path):
    from fastapi.testclient import TestClient

    ds, samples = hostile_dataset(tmp_path)
    client = TestClient(create_app(ds, samples_dir=samples))
    urls = ["/", "/id/party/j-lis", "/id/party/evil", "/id/assessment/evil", "/id/assessment/evil/file/1",
            "/id/assessment/evil/file/1/provision/1", "/source/evil.txt?lines=2-2", "/queries",
            "/queries/files-to-kiko", "/query?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
            "/graph", "/graph?focus=" + KIKO, "/graph?type=party&type=file&type=assessment",
            "/api/parties/j-lis/files", "/api/node?iri=" + str(ID["assessment/evil"])]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        if url.startswith("/api/"):   # JSON data keeps the text as it is; it is never served as HTML
            assert r.headers["content-type"].startswith("application/json")
            assert r.headers["x-content-type-options"] == "nosniff"
            assert XSS in str(r.json())
            continue
        assert XSS not in r.text, url
        assert "<script>alert" not in r.text, url
    page = client.get("/id/party/j-lis").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    view = client.get("/graph?focus=" + KIKO).text
    assert "\\u003cscript\\u003ealert(1)" in view          # inside the embedded JSON, escaped
    assert "popup.innerHTML" not in view   # pyvis's HTML tooltip mode (triggered by "href" in a title) stays off
    out = tmp_path / "v.html"
    write_viz(ds, out)
    assert XSS not in out.read_text(encoding="utf-8")


# -- request-size limits ------------------------------------------------------------------------------------

def test_request_size_limit(ds):
    """Bodies over the limit get 413 with the limit in the message (declared or streamed); long URLs get 414;
    the server answers normally afterwards."""
    app = create_app(ds, samples_dir=SAMPLES, max_request_bytes=4096, max_url_bytes=8192)
    filler = "# " + "x" * 5000 + "\n"
    big = filler + "ASK { ?s ?p ?o }"
    with running(app) as s, httpx.Client(timeout=20) as c:
        for r in (c.post(s.endpoint, content=big.encode(), headers={"Content-Type": "application/sparql-query"}),
                  c.post(s.endpoint, data={"query": big}),
                  c.post(s.base + "/api/summary", content=b"x" * 5000),
                  c.post(s.endpoint, content=iter([b"# x\n"] * 2000),          # chunked: no Content-Length
                         headers={"Content-Type": "application/sparql-query"})):
            assert r.status_code == 413, r.text
            assert "too large" in r.text and "4096 bytes" in r.text
        r = c.get(s.endpoint, params={"query": "# " + "y" * 9000 + "\nASK { ?s ?p ?o }"})
        assert r.status_code == 414 and "too long" in r.text and "POST" in r.text
        small = c.post(s.endpoint, content=b"ASK { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query"})
        assert small.status_code == 200 and small.json()["boolean"] is True
        assert c.get(s.base + "/api/summary").status_code == 200


# -- ingest -------------------------------------------------------------------------------------------------

TOKEN = "s3cret-token-for-tests"


def count_assessments(c, endpoint) -> int:
    r = c.get(endpoint, params={"query": "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pia:Assessment }"},
              headers={"Accept": "text/csv"})
    return int(r.text.splitlines()[1])


def test_ingest_off_by_default(server):
    r = httpx.post(server.base + "/api/ingest", params={"filename": "x.txt"}, content=b"hello",
                   headers={"Authorization": "Bearer anything"})
    assert r.status_code == 404 and "ingest is off" in r.text
    assert "/api/ingest" not in httpx.get(server.base + "/openapi.json").json()["paths"]
    with pytest.raises(ValueError):
        create_app(Dataset(), allow_ingest=True)        # never on without a token


def test_ingest_with_token(graph_file, tmp_path):
    ds = load_dataset(graph_file)                      # a copy of its own: this test writes to it
    seed = SAMPLES / "002_528b050b7c0b5747.txt"
    text = seed.read_bytes()
    limit = len(text) + 10_000
    app = create_app(ds, samples_dir=SAMPLES, allow_ingest=True, ingest_token=TOKEN, max_ingest_bytes=limit)
    url = "/api/ingest"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with running(app) as s, httpx.Client(base_url=s.base, timeout=60) as c:
        assert "/api/ingest" in c.get("/openapi.json").json()["paths"]
        n0 = count_assessments(c, s.endpoint)
        graphs0 = {g.identifier for g in ds.graphs()}
        # no token, wrong token, wrong scheme
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                        {"Authorization": f"Bearer {TOKEN}x"}):
            r = c.post(url, params={"filename": "new.txt"}, content=text, headers=headers)
            assert r.status_code == 401 and "unauthorized" in r.text, headers
            assert r.headers["www-authenticate"].startswith("Bearer")
        # bad file names
        for name in ("../evil.txt", "a/b.txt", "", "x.exe", "..", "<script>.txt"):
            r = c.post(url, params={"filename": name}, content=text, headers=auth)
            assert r.status_code == 400 and "bad file name" in r.text, name
        # a document that is not an assessment: 422 with the pipeline's one-line error, nothing stored
        r = c.post(url, params={"filename": "notes.txt"}, content="買い物リスト\n牛乳\n".encode(), headers=auth)
        assert r.status_code == 422 and "notes.txt" in r.text and len(r.text.strip().splitlines()) == 1, r.text
        assert str(tmp_path) not in r.text and "pia-graph-ingest" not in r.text
        r = c.post(url, params={"filename": "empty.txt"}, content=b"", headers=auth)
        assert r.status_code == 422 and "empty.txt" in r.text
        r = c.post(url, params={"filename": "big.txt"}, content=b"x" * (limit + 1), headers=auth)
        assert r.status_code == 413 and "document too large" in r.text
        assert {g.identifier for g in ds.graphs()} == graphs0 and count_assessments(c, s.endpoint) == n0
        # a new document under a new name: one more assessment, its source page served (assessments are
        # content-addressed, so the upload differs from the loaded seed in one place)
        first = text.replace("久留米市".encode(), "久留米市Ａ".encode(), 1)
        r = c.post(url, content=first, headers={**auth, "X-Filename": "uploaded-002.txt"}, params={"validate": "false"})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["fileName"] == "uploaded-002.txt" and out["triples"] > 100 and out["replaced"] == []
        assert out["summary"]["files"] >= 1
        assert count_assessments(c, s.endpoint) == n0 + 1
        assert c.get("/source/uploaded-002.txt").status_code == 200
        # a changed version under the same name replaces it (validated this time)
        changed = text.replace("久留米市".encode(), "久留米市役所".encode(), 1)
        assert changed != text
        r2 = c.post(url, params={"filename": "uploaded-002.txt"}, content=changed, headers=auth)
        assert r2.status_code == 200, r2.text
        assert r2.json()["replaced"] == [out["graph"]] and r2.json()["graph"] != out["graph"]
        assert set(r2.json()["findings"]) >= {"Violation", "Warning"}
        assert count_assessments(c, s.endpoint) == n0 + 1
        assert URIRef(out["graph"]) not in {g.identifier for g in ds.graphs()}
        q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }" % r2.json()["graph"]
        assert int(c.get(s.endpoint, params={"query": q}, headers={"Accept": "text/csv"}).text.splitlines()[1]) > 100


HOSTILE = [XSS, '"><img src=x onerror=alert(2)>', "javascript:alert(3)", "' onmouseover='alert(4)' x='",
           "</script><script>alert(5)</script>", "<!--<script>"]
JS_IRI = "javascript:alert(6)"


def hostile_labels_dataset(tmp_path: Path) -> Dataset:
    ds, _ = hostile_dataset(tmp_path)
    g = ds.graph(ID["graph/evil"])
    party, row = ID["party/j-lis"], ID["assessment/evil/file/1/provision/1"]
    for i, text in enumerate(HOSTILE):
        node = ID[f"party/hostile-{i}"]
        g.add((node, RDF.type, PIA.Party))
        g.add((node, RDFS.label, Literal(text, lang="ja")))
        g.add((row, URIRef("https://w3id.org/dpv#hasRecipient"), node))
        g.add((row, RDFS.comment, Literal(text)))
    g.add((row, RDFS.seeAlso, URIRef(JS_IRI)))            # a javascript: IRI as a node
    g.add((URIRef(JS_IRI), RDF.type, PIA.Party))
    g.add((URIRef(JS_IRI), RDFS.label, Literal(JS_IRI)))
    g.add((party, URIRef("https://w3id.org/dpv#hasDataProcessor"), URIRef(JS_IRI)))
    return ds


def assert_inert(text: str, where: str) -> None:
    """Parse the page as a browser would: no element, attribute or script that a hostile label made.
    (Escaped text such as "&lt;img src=x onerror=…&gt;" is only text and passes.)"""
    from html.parser import HTMLParser

    found = []

    class Check(HTMLParser):
        script = False

        def handle_starttag(self, tag, attrs):
            if tag == "img" and dict(attrs).get("src") == "x":
                found.append("<img src=x> element")
            for name, value in attrs:
                v = (value or "").strip().lower()
                if name.startswith("on") and "alert(" in v:
                    found.append(f"handler attribute {name}={value!r}")
                if name in ("href", "src", "action", "formaction") and v.startswith(("javascript:", "data:")):
                    found.append(f"{name}={value!r}")
                if name in ("x", "onmouseover"):
                    found.append(f"attribute {name} injected")
            self.script = tag == "script"

        def handle_endtag(self, tag):
            self.script = False

        def handle_data(self, data):
            # an injected script is one whose whole body is the payload (labels inside the view's JSON are data)
            if self.script and data.strip().startswith("alert("):
                found.append("injected script element: " + data.strip()[:80])

    Check(convert_charrefs=True).feed(text)
    assert not found, (where, found[:5])
    assert "<script>alert" not in text.lower() and "</script><script>" not in text.lower(), where


def test_hostile_labels_never_become_markup(tmp_path):
    from fastapi.testclient import TestClient

    ds = hostile_labels_dataset(tmp_path)
    client = TestClient(create_app(ds, samples_dir=tmp_path))
    evil_q = "SELECT ?x WHERE { ?x ?y " + XSS + ' "><img src=x onerror=alert(2)> }'
    pages = ["/", "/id/party/j-lis", "/id/party/hostile-1", "/id/assessment/evil/file/1",
             "/id/assessment/evil/file/1/provision/1", "/resource?iri=" + quote(JS_IRI, safe=""),
             "/queries", "/queries/files-to-kiko", "/queries/files-to-kiko?kiko=" + quote(XSS, safe=""),
             "/query?query=" + quote(evil_q, safe=""), "/query?query=" + quote(XSS, safe=""),
             "/id/" + quote(XSS, safe=""), "/source/" + quote("<script>.txt", safe=""),
             "/graph", "/graph?focus=" + quote(KIKO, safe=""),
             "/graph?focus=" + quote(str(ID["assessment/evil/file/1/provision/1"]), safe="") + "&depth=2",
             "/graph?focus=" + quote(XSS, safe=""), "/graph?under=" + quote(XSS, safe="")]
    for url in pages:
        r = client.get(url)
        assert r.status_code < 500, url
        if r.headers["content-type"].startswith("text/html"):
            assert_inert(r.text, url)
            if not url.startswith("/graph"):
                assert "script-src 'none'" in r.headers["content-security-policy"], url
                assert "<script" not in r.text.lower(), url
    # error messages that echo the query: escaped in the page, plain text (nosniff) from the endpoint
    page = client.get("/query", params={"query": evil_q}).text
    assert "malformed SPARQL query" in page and "&lt;script&gt;" in page
    r = client.get("/sparql", params={"query": evil_q})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
    assert r.headers["x-content-type-options"] == "nosniff"
    r = client.get("/queries/" + quote(XSS, safe=""))
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
    r = client.get("/queries/files-to-kiko", params={"kiko": XSS, "format": "csv"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
    # graph views: labels only inside the escaped JSON; a javascript: node gets no link
    for url in ("/graph?depth=2&focus=" + quote(KIKO, safe=""), "/graph?type=party"):
        view = client.get(url).text
        assert "\\u003cscript\\u003ealert(1)" in view and "\\u003cimg src=x onerror=alert(2)\\u003e" in view
        assert '"url": "javascript:' not in view and "popup.innerHTML" not in view
    out = tmp_path / "v.html"
    write_viz(ds, out, focus=KIKO, depth=2)                 # standalone: nodes link to their own IRIs
    text = out.read_text(encoding="utf-8")
    assert_inert(text, "write_viz")
    assert JS_IRI in text and '"url": "javascript:' not in text and '"url": null' in text
    # JSON API keeps the text as data, served as JSON with nosniff
    r = client.get("/api/graph", params={"focus": KIKO})
    assert r.headers["content-type"].startswith("application/json") and r.headers["x-content-type-options"] == "nosniff"
    assert {n["label"] for n in r.json()["nodes"]} >= {XSS, JS_IRI}


# -- SPARQL 1.1 Protocol: content negotiation refuses what it cannot send (406) ------------------------------------

def test_unacceptable_accept_is_406(server):
    select = "SELECT ?s WHERE { ?s a pia:Assessment } LIMIT 1"
    construct = "CONSTRUCT { ?s a pia:Assessment } WHERE { ?s a pia:Assessment } LIMIT 1"
    with httpx.Client(base_url=server.base) as c:
        for query, accept in ((select, "image/png"), (construct, "text/csv"), (construct, "image/png, text/html")):
            r = c.get("/sparql", params={"query": query}, headers={"Accept": accept})
            assert r.status_code == 406, (query, accept, r.text)
            assert "not acceptable" in r.text and accept in r.text
        r = c.get("/sparql", params={"query": construct, "format": "csv"})
        assert r.status_code == 406 and "turtle" in r.text
        # what a client may ask for still works: wildcards, a listed type with lower q, a type family
        for query, accept, want in ((select, "image/png, */*;q=0.1", "application/sparql-results+json"),
                                    (select, "text/*", "text/csv"), (construct, "text/csv, text/turtle;q=0.5", "text/turtle"),
                                    (construct, "application/*", "application/n-triples")):
            r = c.get("/sparql", params={"query": query}, headers={"Accept": accept})
            assert r.status_code == 200 and r.headers["content-type"].startswith(want), (accept, r.headers)


def test_api_docs_served_offline(server):
    with httpx.Client(base_url=server.base) as c:
        for url in ("/docs", "/redoc"):
            page = c.get(url)
            assert page.status_code == 200
            srcs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
            assert srcs and all(s.startswith("/") for s in srcs), srcs      # nothing from another host
            for s in srcs:
                asset = c.get(s)
                assert asset.status_code == 200 and (len(asset.content) > 1000 or s == "/favicon.ico"), s
