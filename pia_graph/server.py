"""Serve the graph: SPARQL 1.1 Protocol endpoint, web pages, JSON API and graph view."""

from __future__ import annotations

from functools import partial
import hmac
import importlib.resources
from html import escape as html_escape
import os
import re
import shutil
import sys
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import (HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response,
                               StreamingResponse)
from starlette.concurrency import run_in_threadpool
from jinja2 import DictLoader, Environment, select_autoescape
from pydantic import BaseModel
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS

from . import __version__
from .sources import SourceTexts
from .stores.answers import AnswerBook
from .namespaces import ID, PIA, bind_all, sparql_prologue
from .query import (FLAGSHIP, SAFE_IRI, QueryError, bind_values, canned_queries, canned_text, format_rows,
                    party_files_query,
                    query_params, rows as result_rows)
from .sparql_endpoint import (EndpointError, LimitExceeded, content_type, execute, negotiate, refuse_update,
                              native_engine, query_kind, service_description, translate)
from .viz import DEFAULT_VIEW_TYPES, MAX_NODES, TYPES, ViewError, build_view, label_of, page_path, qname, render_html
from .web_docs import mount_api_docs
from .web_pictures import ROWS_PER_PAGE, TEMPLATES as PICTURE_TEMPLATES, mount_pictures, paged
from .web_templates import TEMPLATES

# samples/ at the top of the repository, shipped in the wheel as pia_graph.samples: what `serve` shows by default
SAMPLES_DIR = Path(str(importlib.resources.files("pia_graph.samples")))
KIKO_IRI = ID["party/j-lis"]
SOURCE_REF = re.compile(r"^(?P<name>[^\s#/\\]+)#L(?P<start>\d+)-L(?P<end>\d+)$")
FAVICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="4" cy="4" r="3" fill="#1f77b4"/>'
           '<circle cx="12" cy="12" r="3" fill="#d62728"/><path d="M4 4L12 12" stroke="#555"/></svg>')
PAGE_CSP = ("default-src 'self'; script-src 'none'; object-src 'none'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

# ---------------------------------------------------------------------------------------------------
# JSON API models


class Counts(BaseModel):
    assessments: int
    bodies: int
    files: int
    parties: int
    articles: int
    triples: int


class NodeRef(BaseModel):
    iri: str
    label: str
    page: str


class AssessmentOut(BaseModel):
    iri: str
    label: str
    body: str | None = None
    bodyLabel: str | None = None
    form: str | None = None
    files: int
    fileName: str | None = None
    page: str


class PartyOut(BaseModel):
    iri: str
    label: str
    rows: int
    page: str


class PartyFileRow(BaseModel):
    """One row of the flagship question: a file that goes to the party, with the article cited."""
    assessment: str
    organization: str | None = None
    file: str
    fileName: str
    kind: str
    recipient: str | None = None
    row: str
    law: str | None = None
    lawName: str | None = None
    article: str | None = None
    articleNode: str | None = None
    articleLabel: str | None = None
    source: str | None = None
    sourcePage: str | None = None


class CitingRow(BaseModel):
    owner: str
    ownerLabel: str
    organization: str | None = None
    file: str | None = None
    fileName: str | None = None
    text: str | None = None
    source: str | None = None


class NodeOut(BaseModel):
    iri: str
    label: str
    types: list[str]
    properties: list[dict]
    page: str


class CannedOut(BaseModel):
    name: str
    title: str
    description: str
    parameters: dict[str, str]
    page: str


class TableOut(BaseModel):
    columns: list[str]
    rows: list[list[str | None]]


class IngestOut(BaseModel):
    """What an ingest added: the named graph (replacing earlier versions of the same file name)."""
    graph: str
    assessment: str
    fileName: str
    triples: int
    replaced: list[str]
    findings: dict[str, int]
    summary: dict


class GraphOut(BaseModel):
    title: str
    notes: list[str]
    nodes: list[dict]
    edges: list[dict]


# ---------------------------------------------------------------------------------------------------
# helpers


PARTY_PAGE = 200   # bodies per page of a party's listing
CANNED_MAX_ROWS = 1_000_000


def page_number(request: Request) -> int:
    try:
        return int(request.query_params.get("page") or 1)
    except ValueError:
        return 1


def _s(v) -> str | None:
    return None if v is None else str(v)


def source_link(ref: str) -> str:
    m = SOURCE_REF.match(ref or "")
    if not m:
        return "#"
    start = int(m.group("start"))
    return f"/source/{quote(m.group('name'))}?lines={start}-{m.group('end')}#L{max(1, start - 3)}"


def first_line(ref: str | None) -> int:
    """The first line of a source reference ("x.txt#L198-L205" -> 198); references without lines sort last."""
    m = SOURCE_REF.match(ref or "")
    return int(m.group("start")) if m else 10**9


def article_text(article: str) -> str:
    """"30の7" -> "第30条の7" (the branch number follows 条)."""
    main, _, branch = str(article).partition("の")
    return f"第{main}条" + (f"の{branch}" if branch else "")


def bind_params(text: str, values: dict[str, str]) -> str:
    """query.bind_values with the HTTP status a bad parameter deserves."""
    try:
        return bind_values(text, values)
    except QueryError as e:
        raise EndpointError(str(e), 400) from None


class AnswerCache:
    """Answers already computed for the graph as it is now, so a question asked again is not evaluated again.

    Why: on a national store the flagship listing costs seconds of index look-ups (about 14,000 rows at 10,000
    assessments, ~15 look-ups each) while the graph changes only when a document is ingested; every analyst who
    opens the 機構 page asks the same question. Entries are keyed by the graph's generation, which every ingest
    advances (and clears the cache), so an answer is never older than the graph it is served from. Bounded by an
    estimate of the bytes held; least recently used answers go first."""

    def __init__(self, max_bytes: int = 256 << 20):
        self.max_bytes = max_bytes
        self.generation = 0
        self.token = os.urandom(4).hex()     # a restarted server may serve a changed store: new ETags
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return hit[0]

    def put(self, key, value, size: int, generation: int) -> None:
        """Keep an answer computed at `generation` (dropped if an ingest happened meanwhile)."""
        if size > self.max_bytes // 4:
            return
        with self._lock:
            if generation != self.generation:
                return
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (_, gone) = self._entries.popitem(last=False)
                self._bytes -= gone

    def advance(self) -> None:
        """The graph changed: forget every answer."""
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self._bytes = 0

    def etag(self, key) -> str:
        import hashlib
        digest = hashlib.sha1(repr(key).encode("utf-8")).hexdigest()[:16]
        return f'"{self.token}-{self.generation}-{digest}"'

    def answer(self, key, compute, size_of=lambda v: 1024):
        """The cached answer for key, else compute() kept for next time. Errors are not kept."""
        value = self.get(key)
        if value is None:
            generation = self.generation
            value = compute()
            self.put(key, value, size_of(value), generation)
        return value


def _table_rows_size(table) -> int:
    columns, rows = table
    return 64 * (len(columns) + 1) * (len(rows) + 1)


class Site:
    """The loaded graph and the lookups the pages share."""

    def __init__(self, ds: Dataset, samples_dir: Path | None, timeout: float, max_results: int,
                 book: AnswerBook | None = None, store=None, sources: list[SourceTexts] | None = None):
        self.ds = ds
        self._store = store     # what an upload is written to (made on the first upload when not given)
        self.samples_dir = Path(samples_dir) if samples_dir else None
        # the documents' texts, by SHA-256: beside the graph file, in the store, and the uploads'
        self.sources = list(sources or []) + ([store.sources] if getattr(store, "sources", None) else [])
        self.timeout = timeout
        self.max_results = max_results
        self.lock = RWLock()
        self.upload_texts: SourceTexts | None = None    # uploaded documents' texts, when no store keeps them
        self.answers = AnswerCache()
        self.book = book       # a store's answers on disk (serve --store): computed once per store generation

    def from_book(self, text: str, evaluate) -> tuple[list[str], list[list[str]]]:
        """A SELECT's columns and string rows, from the store's answer book when it holds them for the store as it
        is; evaluate() otherwise (and the answer is kept there for the next server too)."""
        if self.book is None:
            return evaluate()
        a = self.book.answer(text, evaluate)
        return a.columns, a.rows

    def select(self, text: str, **bindings) -> list[dict]:
        if native_engine(self.ds):    # the text to oxigraph's engine (see native_engine)
            res = self.ds.query(sparql_prologue() + text, initBindings=bindings or {})
        else:
            res = self.ds.query(translate(sparql_prologue() + text), initBindings=bindings or None)
        return [{str(v): r[v] for v in res.vars} for r in res]

    def label(self, node) -> str:
        return label_of(self.ds, node)

    def counts(self) -> Counts:
        def n(q):
            return int(self.select(q)[0]["n"])
        return Counts(
            assessments=n("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pia:Assessment }"),
            bodies=n("SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?a pia:assessingBody ?b }"),
            files=n("SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a pia:PersonalInformationFile }"),
            parties=n("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pia:Party }"),
            articles=n("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pia:Article }"),
            triples=sum(len(g) for g in self.ds.graphs()),
        )

    def assessments(self) -> list[AssessmentOut]:
        rows = self.select("""
            SELECT ?a (SAMPLE(?l) AS ?label) (SAMPLE(?b) AS ?body) (SAMPLE(?bl) AS ?bodyLabel) (SAMPLE(?fl) AS ?form)
                   (COUNT(DISTINCT ?f) AS ?files) (SAMPLE(?fn) AS ?fileName)
            WHERE { ?a a pia:Assessment ; rdfs:label ?l .
              OPTIONAL { ?a pia:assessingBody ?b . ?b rdfs:label ?bl FILTER(lang(?bl) = "ja") }
              OPTIONAL { ?a pia:form/skos:prefLabel ?fl FILTER(lang(?fl) = "ja") }
              OPTIONAL { ?a pia:hasFile ?f }
              OPTIONAL { ?a prov:wasDerivedFrom/pia:fileName ?fn } }
            GROUP BY ?a ORDER BY ?fileName""")
        return [AssessmentOut(iri=str(r["a"]), label=str(r["label"]), body=_s(r["body"]), bodyLabel=_s(r["bodyLabel"]),
                              form=_s(r["form"]), files=int(r["files"]), fileName=_s(r["fileName"]),
                              page=page_path(r["a"])) for r in rows]

    def parties(self) -> list[PartyOut]:
        rows = self.select("""
            SELECT ?p (COUNT(DISTINCT ?row) AS ?n) WHERE { ?p a pia:Party .
              OPTIONAL { { ?row dpv:hasRecipient ?p } UNION { ?row dpv:hasDataProcessor ?p } } }
            GROUP BY ?p ORDER BY DESC(?n)""")
        return [PartyOut(iri=str(r["p"]), label=self.label(r["p"]), rows=int(r["n"]), page=page_path(r["p"])) for r in rows]

    def party_files(self, party: URIRef) -> list[PartyFileRow]:
        return self.answers.answer(("party-files", str(party)), lambda: self._party_files(party),
                                   lambda rows: 1024 * (len(rows) + 1))

    def _party_files(self, party: URIRef) -> list[PartyFileRow]:
        try:
            text = party_files_query(str(party))
        except QueryError as e:
            raise EndpointError(str(e), 400) from None

        def evaluate():
            found = self.select(text)
            names = list(found[0]) if found else []
            return names, [["" if r[v] is None else str(r[v]) for v in names] for r in found]

        columns, rows = self.from_book(text, evaluate)
        out = []
        for values in rows:
            r = {c: (v or None) for c, v in zip(columns, values)}
            out.append(PartyFileRow(
                assessment=r["assessment"], organization=r["organization"], file=r["file"],
                fileName=r["fileName"] or "", kind=r["kind"] or "", recipient=r["recipient"], row=r["row"],
                law=r["law"], lawName=r["lawName"], article=r["article"],
                articleNode=r["articleNode"], articleLabel=r["articleLabel"], source=r["source"],
                sourcePage=source_link(r["source"]) if r["source"] else None))
        return out

    def citing(self, target: URIRef) -> list[CitingRow]:
        rows = self.select("""
            SELECT DISTINCT ?owner ?organization ?file ?fileName ?text ?source WHERE {
              { ?cit pia:citesArticle ?target } UNION { ?cit pia:cites ?target } UNION { ?cit pia:citesLaw ?target }
              UNION { ?cit pia:citesCurrent ?target }
              ?owner dpv:hasLegalBasis ?cit .
              OPTIONAL { ?cit pia:citationText ?text }
              OPTIONAL { ?cit pia:sourceRef ?source }
              OPTIONAL { ?owner pia:ofFile ?file . ?file rdfs:label ?fileName . ?a1 pia:hasFile ?file }
              OPTIONAL { ?a2 pia:hasAffair ?owner }
              BIND(COALESCE(?a1, ?a2) AS ?a)
              OPTIONAL { ?a pia:assessingBody/rdfs:label ?organization FILTER(lang(?organization) = "ja") }
            } ORDER BY ?organization ?fileName ?owner""", target=target)
        return [CitingRow(owner=str(r["owner"]), ownerLabel=self.label(r["owner"]), organization=_s(r["organization"]),
                          file=_s(r["file"]), fileName=_s(r["fileName"]), text=_s(r["text"]), source=_s(r["source"]))
                for r in rows]

    def node(self, iri: URIRef) -> NodeOut:
        props = []
        for p, o in sorted(self.ds.predicate_objects(iri), key=lambda x: (qname(x[0]), str(x[1]))):
            if isinstance(o, Literal):
                props.append({"property": qname(p), "value": str(o), "lang": o.language, "kind": "literal"})
            else:
                props.append({"property": qname(p), "value": str(o), "label": self.label(o), "kind": "iri"})
        return NodeOut(iri=str(iri), label=self.label(iri), types=[qname(t) for t in self.ds.objects(iri, RDF.type)],
                       properties=props, page=page_path(iri))

    def exists(self, iri: URIRef) -> bool:
        return (iri, None, None) in self.ds or (None, None, iri) in self.ds

    def document_lines(self, name: str) -> list[str] | None:
        """A source document's lines, as they were numbered when it was read, by the name the graph knows it by:
        from the texts kept beside the graph or store (by the document's SHA-256), else from the samples folder."""
        from .read import InputError, read_source

        documents = list(self.ds.subjects(PIA.fileName, Literal(name)))
        if not documents or Path(name).name != name:
            return None
        for sha in (self.ds.value(d, PIA.sha256) for d in documents):
            for texts in self.sources:
                text = texts.get(str(sha)) if sha is not None else None
                if text is not None:
                    return text.split("\n")
        if self.samples_dir is not None and (self.samples_dir / name).is_file():
            try:
                return list(read_source(self.samples_dir / name).lines)
            except InputError:
                return None
        return None

    @property
    def store(self):
        """The store uploads are written to: the one served (serve --store), else the served graph as an in-memory
        store (its documents entered in the manifest from the data, so an upload replaces one of the same name)."""
        if self._store is None:
            from .stores.memory import MemoryStore
            self._store = MemoryStore(self.ds)
        return self._store



# ---------------------------------------------------------------------------------------------------
# request-size limits and the store's read/write lock


class RWLock:
    """Many readers or one writer (writers first, so an ingest is not starved by a stream of queries)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    def try_read(self) -> bool:
        with self._cond:
            if self._writer or self._writers_waiting:
                return False
            self._readers += 1
            return True

    def acquire_read(self) -> None:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1

    def release_read(self) -> None:
        with self._cond:
            self._readers -= 1
            if not self._readers:
                self._cond.notify_all()

    def acquire_write(self) -> None:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writer = True

    def release_write(self) -> None:
        with self._cond:
            self._writer = False
            self._cond.notify_all()


INGEST_PATH = "/api/ingest"


async def _send_text(send, status: int, message: str, headers: list | None = None) -> None:
    body = (message + "\n").encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                            (b"x-content-type-options", b"nosniff"), (b"connection", b"close"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """Outermost ASGI layer: refuses requests over the size limits before any handler sees them (413 for a body,
    414 for a URL), and holds the store's read lock while a request is answered (an ingest takes the write lock)."""

    def __init__(self, app, max_body: int, max_ingest_body: int, max_url: int, lock: RWLock, ingest_gate=None):
        self.app, self.max_body, self.max_ingest_body, self.max_url, self.lock = app, max_body, max_ingest_body, max_url, lock
        self.ingest_gate = ingest_gate    # headers -> None or (status, message, headers): checked before the body is read

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        ingest = path == INGEST_PATH
        limit = self.max_ingest_body if ingest else self.max_body
        url_len = len(scope.get("raw_path") or path.encode("utf-8", "replace")) + len(scope.get("query_string") or b"")
        if url_len > self.max_url:
            return await _send_text(send, 414, f"request URL too long: {url_len} bytes, the server's limit is "
                                    f"{self.max_url} bytes; send a long query with POST (application/sparql-query)")
        if ingest and self.ingest_gate is not None and scope.get("method") == "POST":
            refused = self.ingest_gate(scope.get("headers") or [])
            if refused:
                return await _send_text(send, *refused)
        declared = None
        for k, v in scope.get("headers") or []:
            if k == b"content-length":
                try:
                    declared = int(v)
                except ValueError:
                    return await _send_text(send, 400, "bad Content-Length header")
        what = "document" if ingest else "request body"
        too_big = (f"{what} too large: the server's request-size limit for {path} is {limit} bytes "
                   f"({limit / 1048576:g} MB)")
        if declared is not None and declared > limit:
            return await _send_text(send, 413, too_big + f"; this one declares {declared} bytes")
        chunks, total = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                return await _send_text(send, 413, too_big)
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        if ingest:      # takes the write lock itself, only around the store update
            return await self.app(scope, replay, send)
        if not self.lock.try_read():
            await run_in_threadpool(self.lock.acquire_read)
        try:
            await self.app(scope, replay, send)
        finally:
            self.lock.release_read()

# ---------------------------------------------------------------------------------------------------
# the app


MAX_REQUEST_BYTES = 1 << 20          # 1 MB: a query body or form
MAX_INGEST_BYTES = 50 << 20          # 50 MB: an uploaded document
MAX_URL_BYTES = 64 << 10             # 64 KB: path and query string (GET ?query=)
INGEST_TOKEN_ENV = "PIA_GRAPH_INGEST_TOKEN"
INGEST_NAME = re.compile(r"^[^/\\\x00-\x1f<>:\"|?*]{1,200}$")


def create_app(dataset: Dataset | None = None, samples_dir: Path | None = None, query_timeout: float = 10.0,
               max_results: int = 10000, max_request_bytes: int = MAX_REQUEST_BYTES,
               max_ingest_bytes: int = MAX_INGEST_BYTES, max_url_bytes: int = MAX_URL_BYTES,
               allow_ingest: bool = False, ingest_token: str | None = None, book: AnswerBook | None = None,
               warm: bool = False, store=None, sources: list[SourceTexts] | None = None) -> FastAPI:
    """The web app over a loaded dataset (default graph = union of the named graphs).

    Limits: query_timeout seconds and max_results rows/triples per query; max_request_bytes per request body
    (413 above it), max_ingest_bytes for an uploaded document, max_url_bytes for the URL (414).
    allow_ingest turns on POST /api/ingest, which needs `Authorization: Bearer <ingest_token>`.
    store: a store opened by stores.open_store (serve --store): served, and uploads written to it; its answer book
    is used unless book is given. book: a store's answer book; warm: answer the flagship question (the 機構 page and its canned
    query) in the background as soon as the server starts, so the first analyst does not wait for it.
    sources: where the documents' texts are kept (SourceTexts.beside a graph file); a store's own are added."""
    if allow_ingest and not ingest_token:
        raise ValueError("ingest needs a token: pass ingest_token or set " + INGEST_TOKEN_ENV)
    if store is not None:
        dataset = store.dataset() if dataset is None else dataset
        book = book if book is not None else getattr(store, "answers", None)
    site = Site(dataset, samples_dir, query_timeout, max_results, book=book, store=store, sources=sources)
    env = Environment(loader=DictLoader({**TEMPLATES, **PICTURE_TEMPLATES}), autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals.update(page=page_path, source_link=source_link, is_ref=lambda v: bool(SOURCE_REF.match(v or "")),
                       label_for=lambda v: site.label(URIRef(v)))
    app = FastAPI(title="pia-graph", version=__version__, docs_url=None, redoc_url=None,
                  description="特定個人情報保護評価書 (My Number privacy impact assessments) as a knowledge graph: "
                              "SPARQL endpoint at /sparql, web pages, and this JSON API.")
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"])
    def ingest_refusal(headers) -> tuple | None:
        """Why an ingest request is refused before its body is read: ingest off (404) or no valid token (401)."""
        if not allow_ingest:
            return 404, "not found: ingest is off (start the server with --allow-ingest)"
        auth = next((v.decode("latin-1") for k, v in headers if k.lower() == b"authorization"), "")
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("utf-8", "replace"),
                                                                 ingest_token.encode("utf-8")):
            return (401, "unauthorized: send Authorization: Bearer <ingest token>",
                    [(b"www-authenticate", b'Bearer realm="pia-graph ingest"')])
        return None

    app.add_middleware(Guard, max_body=max_request_bytes, max_ingest_body=max_ingest_bytes, max_url=max_url_bytes,
                       lock=site.lock, ingest_gate=ingest_refusal)
    app.state.site = site
    mount_api_docs(app)      # Swagger UI and Redoc with their scripts served from here (offline)

    @app.middleware("http")
    async def no_sniff(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        path = request.url.path
        if (response.headers.get("content-type", "").startswith("text/html")
                and not path.startswith(("/graph", "/docs", "/redoc"))):
            # the server-rendered pages have no script at all: should escaping ever fail, nothing runs
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        return response

    def render(_template: str, **ctx) -> str:
        return env.get_template(_template).render(**ctx)

    def page(_template: str, status: int = 200, **ctx) -> HTMLResponse:
        return HTMLResponse(render(_template, **ctx), status_code=status)

    # -- SPARQL 1.1 Protocol ----------------------------------------------------------------------
    def sparql_response(request: Request, query: str | None, dg: list[str], ng: list[str], fmt: str | None):
        if query is None:
            accept = request.headers.get("accept", "")
            endpoint = str(request.url).split("?")[0]
            sd = service_description(endpoint, site.ds, site.timeout, site.max_results)
            if "text/html" in accept and "turtle" not in accept:
                return RedirectResponse("/query", status_code=303)
            return Response(sd, media_type="text/turtle; charset=utf-8")
        try:
            kind = query_kind(query)
            mime = negotiate(kind, request.headers.get("accept"), fmt)
            key = ("sparql", query, tuple(dg), tuple(ng), mime)
            etag = site.answers.etag(key)
            if etag in request.headers.get("if-none-match", ""):
                return Response(status_code=304, headers={"ETag": etag})
            body = site.answers.answer(key, lambda: execute(
                site.ds, query, dg, ng, timeout=site.timeout, max_results=site.max_results, serialize_as=mime)[2], len)
        except LimitExceeded as e:
            return PlainTextResponse(e.message + "\n", status_code=e.status, headers={"X-PIA-Graph-Limit": e.limit})
        except EndpointError as e:
            return PlainTextResponse(e.message + "\n", status_code=e.status)
        headers = {"ETag": etag}
        if fmt in ("csv", "tsv") or mime in ("text/csv", "text/tab-separated-values"):
            headers["Content-Disposition"] = 'inline; filename="results.' + ("csv" if "csv" in mime else "tsv") + '"'
        return Response(body, media_type=content_type(mime), headers=headers)

    graph_params = [
        {"name": "default-graph-uri", "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}},
         "description": "a named graph to use as the default graph (repeatable)"},
        {"name": "named-graph-uri", "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}},
         "description": "a named graph to make available to GRAPH (repeatable)"},
        {"name": "format", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "json, xml, csv, tsv, turtle, nt, json-ld (overrides Accept)"},
    ]
    sparql_get_doc = {"parameters": [
        {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "the SPARQL query (without it: the service description)"}, *graph_params]}
    sparql_post_doc = {"parameters": graph_params, "requestBody": {"required": True, "content": {
        "application/sparql-query": {"schema": {"type": "string"}},
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["query"], "properties": {
            "query": {"type": "string"}, "default-graph-uri": {"type": "string"},
            "named-graph-uri": {"type": "string"}}}}}}}
    limit_responses = {400: {"description": "malformed query (the parser's message)"},
                       403: {"description": "SPARQL Update, LOAD or SERVICE refused"},
                       413: {"description": "request body over the size limit"},
                       503: {"description": "time or result limit (X-PIA-Graph-Limit says which)"}}

    @app.get("/sparql", tags=["sparql"], summary="SPARQL 1.1 query (GET); service description without ?query",
             openapi_extra=sparql_get_doc, responses=limit_responses)
    def sparql_get(request: Request):
        qs = parse_qs(request.url.query, keep_blank_values=True)
        if "update" in qs:
            return PlainTextResponse(refuse_update().message + "\n", status_code=403)
        query = qs.get("query", [None])[0]
        fmt = (qs.get("format") or qs.get("output") or [None])[0]
        return sparql_response(request, query, qs.get("default-graph-uri", []), qs.get("named-graph-uri", []), fmt)

    @app.post("/sparql", tags=["sparql"], summary="SPARQL 1.1 query (POST form or application/sparql-query)",
              openapi_extra=sparql_post_doc, responses={**limit_responses, 415: {"description": "unsupported type"}})
    async def sparql_post(request: Request):
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        qs = parse_qs(request.url.query, keep_blank_values=True)
        body = await request.body()
        if ctype == "application/sparql-update":
            return PlainTextResponse(refuse_update().message + "\n", status_code=403)
        if ctype == "application/sparql-query":
            query = body.decode("utf-8", errors="replace")
            params = qs
        elif ctype in ("application/x-www-form-urlencoded", ""):
            params = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            if "update" in params:
                return PlainTextResponse(refuse_update().message + "\n", status_code=403)
            for k, v in qs.items():
                params.setdefault(k, v)
            query = params.get("query", [None])[0]
            if query is None:
                return PlainTextResponse("missing 'query' parameter\n", status_code=400)
        else:
            return PlainTextResponse(f"unsupported content type {ctype!r}: send application/sparql-query or "
                                     "application/x-www-form-urlencoded\n", status_code=415)
        fmt = (params.get("format") or params.get("output") or [None])[0]
        # off the event loop: a query may run up to the time limit
        return await run_in_threadpool(sparql_response, request, query, params.get("default-graph-uri", []),
                                       params.get("named-graph-uri", []), fmt)

    # -- pages ----------------------------------------------------------------------------------------
    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return Response(FAVICON, media_type="image/svg+xml")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home():
        laws = site.select("""
            SELECT ?law (COUNT(DISTINCT ?art) AS ?articles) (COUNT(DISTINCT ?cit) AS ?citations) WHERE {
              ?law a pia:Law . OPTIONAL { ?art eli:is_part_of ?law ; a pia:Article }
              OPTIONAL { ?cit pia:citesLaw ?law } } GROUP BY ?law ORDER BY DESC(?citations)""")
        bodies = sorted({(str(b), site.label(b)) for b in site.ds.objects(None, PIA.assessingBody)}, key=lambda x: x[1])
        return page("home", counts=site.counts(), assessments=site.assessments(),
                    parties=[p for p in site.parties() if p.rows],
                    bodies=[{"iri": b, "label": l} for b, l in bodies],
                    laws=[{"iri": str(r["law"]), "label": site.label(r["law"]), "articles": int(r["articles"]),
                           "citations": int(r["citations"])} for r in laws])

    def node_page(iri: URIRef, page_no: int = 1):
        if not site.exists(iri):
            return page("node", status=404, label="Not found", iri=str(iri), types=[], sources=[], special="",
                        outgoing=[], incoming=[], labels={}, incoming_more=0)
        ds = site.ds
        types = set(ds.objects(iri, RDF.type))
        labels: dict = {}
        outgoing = []
        for p, o in sorted(ds.predicate_objects(iri), key=lambda x: (qname(x[0]), str(x[1]))):
            if isinstance(o, Literal):
                kind = "ref" if p == PIA.sourceRef else "lit"
                outgoing.append((qname(p), str(o), kind))
            elif isinstance(o, BNode):
                outgoing.append((qname(p), "(blank node)", "lit"))
            else:
                labels[str(o)] = site.label(o)
                outgoing.append((qname(p), str(o), "iri"))
        incoming_all = sorted({(str(s), qname(p)) for s, p in ds.subject_predicates(iri) if isinstance(s, URIRef)})
        incoming = incoming_all[:300]
        for s, _ in incoming:
            labels[s] = site.label(URIRef(s))
        label = site.label(iri)
        special = ""
        if PIA.Party in types:
            rows = site.party_files(iri)
            groups: OrderedDict = OrderedDict()
            for r in rows:
                if r.article:
                    art = f"{r.lawName or ''} {article_text(r.article)} {r.articleLabel or ''}".strip()
                else:
                    art = r.lawName or ("(no article: 委託)" if r.kind == "委託" else "(no article cited)")
                groups.setdefault(r.organization or "", OrderedDict()).setdefault(art, []).append(r)
            assessed = [{"iri": str(a), "label": site.label(a)} for a in ds.subjects(PIA.assessingBody, iri)]
            # a national store sends ~14,000 rows to 機構 from thousands of bodies: one page per PARTY_PAGE bodies
            bodies = list(groups.items())
            pages = max(1, -(-len(bodies) // PARTY_PAGE))
            page_no = min(max(1, page_no), pages)
            shown = bodies[(page_no - 1) * PARTY_PAGE: page_no * PARTY_PAGE]
            special = render("party", label=label, nrows=len(rows), assessed=assessed, party_iri=str(iri),
                             groups=[(b, list(arts.items())) for b, arts in shown],
                             pager={"page": page_no, "pages": pages, "bodies": len(bodies),
                                    "named": sum(1 for b in groups if b),
                                    "fragments": sum(len(rs) for rs in groups.get("", {}).values()),
                                    "first": (page_no - 1) * PARTY_PAGE + 1,
                                    "last": (page_no - 1) * PARTY_PAGE + len(shown)})
        elif types & {PIA.Article, PIA.Paragraph, PIA.Item, PIA.Annex, PIA.AnnexRow}:
            special = render("article", label=label, rows=site.citing(iri))
        elif PIA.Law in types:
            rows = site.select("""SELECT ?article (COUNT(DISTINCT ?cit) AS ?n) WHERE { ?article eli:is_part_of ?law ;
                a pia:Article . OPTIONAL { ?cit pia:citesArticle ?article } } GROUP BY ?article ORDER BY DESC(?n)""",
                               law=iri)
            special = render("law", rows=[{"article": str(r["article"]), "label": site.label(r["article"]),
                                           "n": int(r["n"])} for r in rows])
            special += render("article", label=label, rows=site.citing(iri))
        elif PIA.PersonalInformationFile in types:
            special = file_section(iri)
        elif PIA.Assessment in types:
            special = assessment_section(iri)
        elif PIA.SourceDocument in types:
            name = next((str(n) for n in ds.objects(iri, PIA.fileName)), None)
            if name:
                special = f'<p><a href="/source/{quote(name)}">show the document text</a></p>'
        sources = sorted({str(o) for o in ds.objects(iri, PIA.sourceRef)})
        return page("node", label=label, iri=str(iri), types=sorted(qname(t) for t in types), sources=sources,
                    special=special, outgoing=outgoing, incoming=incoming, labels=labels,
                    incoming_more=len(incoming_all) - len(incoming))

    def file_section(iri: URIRef) -> str:
        disclosures = []
        for r in site.select("""SELECT ?row ?kind ?recipient ?source WHERE { ?f pia:hasDisclosure ?row .
                OPTIONAL { ?row pia:kind ?kind } OPTIONAL { ?row pia:recipientText ?recipient }
                OPTIONAL { ?row pia:sourceRef ?source } } ORDER BY ?kind ?row""", f=iri):
            row = r["row"]
            parties = [(str(p), site.label(p)) for p in site.ds.objects(row, URIRef("https://w3id.org/dpv#hasRecipient"))]
            cits = []
            for c in site.ds.objects(row, URIRef("https://w3id.org/dpv#hasLegalBasis")):
                art = next(iter(site.ds.objects(c, PIA.citesArticle)), None)
                text = next((str(t) for t in site.ds.objects(c, PIA.citationText)), site.label(c))
                cits.append((str(art) if art else None, text))
            disclosures.append({"row": str(row), "label": site.label(row), "kind": _s(r["kind"]),
                                "recipient": _s(r["recipient"]), "source": _s(r["source"]), "parties": parties,
                                "citations": sorted(cits, key=lambda c: c[1])})
        outsourcing = []
        for r in site.select("""SELECT ?row ?contractor ?sub ?source WHERE { ?f pia:hasOutsourcing ?row .
                OPTIONAL { ?row pia:contractorText ?contractor }
                OPTIONAL { ?row pia:subcontracting/rdfs:label ?sub FILTER(lang(?sub) = "ja") }
                OPTIONAL { ?row pia:sourceRef ?source } } ORDER BY ?row""", f=iri):
            parties = [(str(p), site.label(p)) for p in
                       site.ds.objects(r["row"], URIRef("https://w3id.org/dpv#hasDataProcessor"))]
            outsourcing.append({"row": str(r["row"]), "label": site.label(r["row"]), "contractor": _s(r["contractor"]),
                                "sub": _s(r["sub"]), "source": _s(r["source"]), "parties": parties})
        sources_ = [{"label": str(r["label"]), "state": _s(r["state"]), "detail": _s(r["detail"]), "source": _s(r["source"])}
                    for r in site.select("""SELECT ?label ?state ?detail ?source WHERE { ?f pia:dataSource ?c .
                        ?c rdfs:label ?label . OPTIONAL { ?c pia:state/rdfs:label ?state FILTER(lang(?state) = "ja") }
                        OPTIONAL { ?c pia:detail ?detail } OPTIONAL { ?c pia:sourceRef ?source } } ORDER BY ?label""", f=iri)]
        verdicts = [{"label": str(r["label"]), "stage": _s(r["stage"]), "verdict": _s(r["verdict"]), "source": _s(r["source"])}
                    for r in site.select("""SELECT ?label ?stage ?verdict ?source WHERE { ?v pia:aboutFile ?f ; rdfs:label ?label .
                        OPTIONAL { ?v pia:stage/skos:prefLabel ?stage FILTER(lang(?stage) = "ja") }
                        OPTIONAL { ?v pia:verdict/skos:prefLabel ?verdict FILTER(lang(?verdict) = "ja") }
                        OPTIONAL { ?v pia:sourceRef ?source } }""", f=iri)]
        verdicts.sort(key=lambda v: (first_line(v["source"]), v["label"]))
        stages: OrderedDict = OrderedDict()       # in the order the document reaches them
        for v in verdicts:
            stages.setdefault(v["stage"] or "(stage not stated)", []).append(v)
        return render("file", disclosures=disclosures, outsourcing=outsourcing, sources_=sources_,
                      stages=list(stages.items()))

    def assessment_section(iri: URIRef) -> str:
        """An assessment's header (body, form, document), its files and systems, and its change history sorted by
        number and collapsed by date."""
        ds = site.ds
        body = ds.value(iri, PIA.assessingBody)
        form = next((str(l) for f in ds.objects(iri, PIA.form) for l in ds.objects(f, SKOS.prefLabel)
                     if getattr(l, "language", None) == "ja"), None)
        doc = next((str(n) for d in ds.objects(iri, PROV.wasDerivedFrom) for n in ds.objects(d, PIA.fileName)), None)
        files = sorted(({"iri": str(f), "label": site.label(f)} for f in ds.objects(iri, PIA.hasFile)), key=lambda x: x["iri"])
        systems = sorted(({"iri": str(f), "label": site.label(f)} for f in ds.objects(iri, PIA.hasSystem)),
                         key=lambda x: x["iri"])
        changes = []
        for c in ds.objects(iri, PIA.hasChange):
            number = re.search(r"(\d+)$", str(c))
            changes.append({"iri": str(c), "n": int(number.group(1)) if number else 0,
                            "date": _s(ds.value(c, PIA.changeDate)) or "(no date)",
                            "item": _s(ds.value(c, PIA.changedItem)), "before": _s(ds.value(c, PIA.before)),
                            "after": _s(ds.value(c, PIA.after)), "timing": _s(ds.value(c, PIA.submissionTiming)),
                            "source": _s(ds.value(c, PIA.sourceRef))})
        changes.sort(key=lambda c: c["n"])
        by_date: OrderedDict = OrderedDict()
        for c in changes:
            by_date.setdefault(c["date"], []).append(c)
        return render("assessment", body=(str(body), site.label(body)) if body is not None else None, form=form,
                      files=files, systems=systems, document=doc, changes=len(changes),
                      change_dates=sorted(by_date.items(), key=lambda kv: (kv[0] == "(no date)", kv[0])))

    @app.get("/id/{path:path}", response_class=HTMLResponse, include_in_schema=False)
    def id_page(path: str, request: Request):
        raw = request.scope.get("raw_path", b"").decode("latin-1")
        candidates = []
        if raw.startswith("/id/"):
            candidates.append(ID[raw[4:]])
        candidates += [ID[quote(path, safe="/-_.")], ID[path]]
        for iri in candidates:
            if site.exists(iri):
                return node_page(iri, page_number(request))
        return node_page(candidates[0])

    @app.get("/resource", response_class=HTMLResponse, include_in_schema=False)
    def resource_page(iri: str, request: Request):
        return node_page(URIRef(iri), page_number(request))

    @app.get("/source/{name}", response_class=HTMLResponse, include_in_schema=False)
    def source_page(name: str, lines: str | None = None):
        text_lines = site.document_lines(name)
        if text_lines is None:
            return page("node", status=404, label=f"No document {name}", iri=name, types=[], sources=[],
                        special="<p>The graph holds no document of that name, or its text was not kept beside "
                                "the graph or store (build and load keep it; a graph made elsewhere may not).</p>",
                        outgoing=[], incoming=[], labels={}, incoming_more=0)
        start = end = None
        if lines:
            m = re.fullmatch(r"(\d+)(?:-(\d+))?", lines)
            if m:
                start, end = int(m.group(1)), int(m.group(2) or m.group(1))
        docs = [{"iri": str(d), "label": site.label(a)} for d in site.ds.subjects(PIA.fileName, Literal(name))
                for a in site.ds.subjects(URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), d)
                if (a, RDF.type, PIA.Assessment) in site.ds]
        return page("source", name=name, lines=text_lines, start=start, end=end, documents=docs)

    # -- canned queries -----------------------------------------------------------------------------
    def canned(name: str):
        for q in canned_queries():
            if q.name == name:
                return q
        raise HTTPException(404, f"no canned query {name!r}")

    def options():
        rows = [(p.iri, p.label) for p in site.parties()]
        rows += [(str(a), site.label(a)) for a in sorted(set(site.ds.subjects(RDF.type, PIA.Article)), key=str)]
        rows += [(str(a), site.label(a)) for a in sorted(set(site.ds.subjects(RDF.type, PIA.Law)), key=str)]
        return rows

    @app.get("/queries", response_class=HTMLResponse, include_in_schema=False)
    def queries_page():
        qs = [{"name": q.name, "title": q.title, "description": q.description,
               "params": [{"name": k, "default": v} for k, v in query_params(q.text).items()]} for q in canned_queries()]
        return page("queries", queries=qs, options=options())

    def run_table(text: str):
        """A canned query (the project's own text; parameters bind IRIs only). The result-size limit guards the
        endpoint against arbitrary queries; the flagship listing is 14,000 rows at 10,000 assessments and must not
        be refused, so canned queries get CANNED_MAX_ROWS (the time limit still holds)."""
        def evaluate():
            kind, result = execute(site.ds, text, timeout=site.timeout, max_results=max(site.max_results, CANNED_MAX_ROWS))
            return result_rows(result)
        return site.answers.answer(("table", text), lambda: site.from_book(text, evaluate), _table_rows_size)

    def warm_up():
        try:
            site.party_files(KIKO_IRI)
            run_table(canned_text(FLAGSHIP))
        except Exception as e:  # noqa: BLE001 - a failed warm-up only means the first request computes it
            print(f"pia-graph serve: warming the flagship answer failed: {e}", file=sys.stderr)

    mount_pictures(app, run_table, page)

    if warm:
        threading.Thread(target=warm_up, name="pia-graph-warm-up", daemon=True).start()

    def kept_rows(name: str):
        """The store's kept rows of a canned query (serve --store: a page, its count and a CSV in milliseconds at
        any scale), when they match the store as it is; None otherwise (evaluated, and kept in the answer cache)."""
        store = site._store
        return store.kept_rows(name) if store is not None and hasattr(store, "kept_rows") else None

    def csv_stream(columns: list[str], rows) -> Iterator[bytes]:
        """CSV streamed a block of rows at a time (an export of every row never sits whole in memory)."""
        import csv
        import io
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for n, r in enumerate(rows, start=1):
            writer.writerow(r)
            if n % 2000 == 0:
                yield buf.getvalue().encode("utf-8")
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue().encode("utf-8")

    @app.get("/queries/{name}", include_in_schema=False)
    def query_run(name: str, request: Request, format: str | None = None):
        q = canned(name)
        params = query_params(q.text)
        values = {k: request.query_params.get(k) or v for k, v in params.items()}
        error = None
        columns, body = [], []
        extra = "&".join(f"{k}={quote(v, safe='')}" for k, v in values.items() if v != params[k])
        try:
            text = bind_params(q.text, values)
            kept = kept_rows(name)
            if kept is not None:
                book, spec = kept
                if format == "csv":
                    columns, rows = book.export(spec, values)
                    return StreamingResponse(csv_stream(columns, rows), media_type="text/csv; charset=utf-8",
                                             headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
                if format == "json":
                    columns, rows = book.export(spec, values)
                    return JSONResponse([dict(zip(columns, r)) for r in rows],
                                        headers={"Content-Disposition": f'attachment; filename="{name}.json"'})
                number = max(1, int(request.query_params.get("page") or 1)) if (
                    request.query_params.get("page") or "1").isdigit() else 1
                columns, shown, total = book.page(spec, values, (number - 1) * ROWS_PER_PAGE, ROWS_PER_PAGE)
                base = f"/queries/{name}?{extra}"
                pager = {"page": number, "pages": max(1, -(-total // ROWS_PER_PAGE)), "total": total,
                         "first": (number - 1) * ROWS_PER_PAGE + 1, "anchor": "",
                         "base": base + ("&" if "?" in base and not base.endswith("?") else "")}
                return page("query_result", title=q.title, description=q.description, name=name, text=q.text,
                            params=[{"name": k, "value": v} for k, v in values.items()], columns=columns,
                            rows=shown, pager=pager, error=None,
                            download=f"/queries/{name}?{extra + '&' if extra else ''}")
            columns, body = run_table(text)
        except QueryError as e:
            error = str(e)
            if format:
                return PlainTextResponse(error + "\n", status_code=400)
        except EndpointError as e:
            if format:
                return PlainTextResponse(e.message + "\n", status_code=e.status)
            error = e.message
        if format == "csv":
            return Response(format_rows(columns, body, "csv"), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
        if format == "json":
            return JSONResponse([dict(zip(columns, r)) for r in body],
                                headers={"Content-Disposition": f'attachment; filename="{name}.json"'})
        pager, shown = paged(body, request.query_params.get("page"), f"/queries/{name}?{extra}")
        return page("query_result", title=q.title, description=q.description, name=name, text=q.text,
                    params=[{"name": k, "value": v} for k, v in values.items()], columns=columns, rows=shown,
                    pager=pager, error=error, download=f"/queries/{name}?{extra + '&' if extra else ''}")

    FINDINGS = """SELECT ?severity ?source ?linesOf ?focus ?focusLabel ?message ?rank ?line WHERE {
        ?assessment pia:validationReport ?report . ?report sh:result ?result .
        ?result sh:resultSeverity ?severityNode ; sh:focusNode ?focus ; sh:resultMessage ?message .
        OPTIONAL { ?result pia:findingSource ?source } OPTIONAL { ?result pia:findingLinesOf ?linesOf }
        OPTIONAL { ?focus rdfs:label ?focusLabel FILTER(lang(?focusLabel) = "ja") }
        BIND(STRAFTER(STR(?severityNode), "#") AS ?severity)
        BIND(IF(?severityNode = sh:Violation, 0, IF(?severityNode = sh:Warning, 1, 2)) AS ?rank)
        BIND(xsd:integer(REPLACE(STR(?source), "^.*#L([0-9]+)-.*$", "$1")) AS ?line) }
      ORDER BY ?rank ?line ?message"""

    @app.get("/validation", response_class=HTMLResponse, include_in_schema=False)
    def validation_page(request: Request, assessment: str | None = None):
        """Each document's counts (the canned query validation-summary, from the store's kept rows where it has
        them), and one document's findings when asked (its report, one graph)."""
        number = page_number(request)
        kept = kept_rows("validation-summary")
        extra = f"assessment={quote(assessment, safe='')}&" if assessment else ""
        base = f"/validation?{extra}"
        if kept is not None:
            book, spec = kept
            columns, body, total = book.page(spec, {}, (number - 1) * ROWS_PER_PAGE, ROWS_PER_PAGE)
            pager = {"page": number, "pages": max(1, -(-total // ROWS_PER_PAGE)), "total": total,
                     "first": (number - 1) * ROWS_PER_PAGE + 1, "anchor": "", "base": base}
        else:
            columns, everything = run_table(canned_text("validation-summary"))
            pager, body = paged(everything, request.query_params.get("page"), base.rstrip("&"))
        rows = [dict(zip(columns, r)) for r in body]
        findings = document = None
        if assessment:
            if not SAFE_IRI.match(assessment):
                raise HTTPException(400, "assessment: not an IRI")
            a = URIRef(assessment)
            findings = [{k: (None if v is None else str(v)) for k, v in r.items()}
                        for r in site.select(FINDINGS.replace("?assessment", f"<{a}>"))]
            document = site.label(a)
        return page("validation", rows=rows, pager=pager, findings=findings, document=document)

    @app.get("/query", response_class=HTMLResponse, include_in_schema=False)
    def editor(query: str | None = None, example: str | None = None):
        queries = canned_queries()
        text = query
        if text is None:
            chosen = next((q for q in queries if q.name == example), None) if example else None
            body = chosen.text if chosen else "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20\n"
            text = sparql_prologue() + "\n" + body
        columns, rows, error, graph_text = None, [], None, None
        if query:
            try:
                kind, result = execute(site.ds, query, timeout=site.timeout, max_results=site.max_results)
                if kind in ("CONSTRUCT", "DESCRIBE"):
                    g = result.graph
                    bind_all(g)
                    graph_text = g.serialize(format="turtle")
                else:
                    columns, rows = result_rows(result)
            except EndpointError as e:
                error = e.message
        return page("editor", text=text, raw=query or "", queries=queries, columns=columns, rows=rows, error=error,
                    graph_text=graph_text, timeout=site.timeout, max_results=site.max_results)

    # -- graph view -----------------------------------------------------------------------------------
    def view_args(focus, under, types, depth, max_nodes):
        types = [t for t in (types or []) if t]
        if len(types) == 1 and "," in types[0]:
            types = types[0].split(",")
        depth = max(1, min(int(depth or 1), 3))
        max_nodes = max(1, min(int(max_nodes or MAX_NODES), MAX_NODES))
        return focus or None, under or None, types or None, depth, max_nodes

    @app.get("/graph", response_class=HTMLResponse, tags=["graph"], summary="Interactive graph view (HTML)")
    def graph_page(focus: str | None = None, under: str | None = None, type: list[str] | None = Query(None),
                   depth: int = 1, max_nodes: int = MAX_NODES):
        focus, under, types, depth, max_nodes = view_args(focus, under, type, depth, max_nodes)
        try:
            view = build_view(site.ds, focus, types, depth, max_nodes, under)
        except ViewError as e:
            return page("node", status=400, label="Cannot draw this view", iri="", types=[], sources=[],
                        special=f"<p>{html_escape(str(e))}</p>", outgoing=[], incoming=[], labels={}, incoming_more=0)
        header = render("graph_form", focus=focus, under=under, depth=depth,
                        types=types or ([] if focus else DEFAULT_VIEW_TYPES), all_types=[(t[0], t[2]) for t in TYPES])
        return HTMLResponse(render_html(site.ds, view, header_html=header))

    # -- JSON API -------------------------------------------------------------------------------------
    @app.get("/api/summary", response_model=Counts, tags=["api"], summary="What is loaded")
    def api_summary():
        return site.counts()

    @app.get("/api/assessments", response_model=list[AssessmentOut], tags=["api"])
    def api_assessments():
        return site.assessments()

    @app.get("/api/parties", response_model=list[PartyOut], tags=["api"])
    def api_parties():
        return site.parties()

    @app.get("/api/parties/{party_id}/files", response_model=list[PartyFileRow], tags=["api"],
             summary="Files that go to a party (提供/移転/委託) with the article cited; j-lis is 機構")
    def api_party_files(party_id: str):
        iri = ID["party/" + quote(party_id, safe="-_.")]
        if (iri, RDF.type, PIA.Party) not in site.ds:
            raise HTTPException(404, f"no party {party_id!r}")
        return site.party_files(iri)

    @app.get("/api/citing", response_model=list[CitingRow], tags=["api"],
             summary="Everything citing a law, article, paragraph or item (by IRI)")
    def api_citing(iri: str):
        return site.citing(URIRef(iri))

    @app.get("/api/node", response_model=NodeOut, tags=["api"], summary="A node's properties (by IRI)")
    def api_node(iri: str):
        node = URIRef(iri)
        if not site.exists(node):
            raise HTTPException(404, "no such node")
        return site.node(node)

    @app.get("/api/queries", response_model=list[CannedOut], tags=["api"])
    def api_queries():
        return [CannedOut(name=q.name, title=q.title, description=q.description, parameters=query_params(q.text),
                          page=f"/queries/{q.name}") for q in canned_queries()]

    @app.get("/api/queries/{name}", response_model=TableOut, tags=["api"],
             summary="Run a canned query; pass its parameters (e.g. kiko=<party IRI>) as query parameters")
    def api_query(name: str, request: Request):
        q = canned(name)
        values = {k: request.query_params.get(k) or v for k, v in query_params(q.text).items()}
        try:
            text = bind_params(q.text, values)
            kept = kept_rows(name)
            if kept is not None:
                columns, rows = kept[0].export(kept[1], values)
                return TableOut(columns=columns, rows=list(rows))
            columns, body = run_table(text)
        except LimitExceeded as e:
            raise HTTPException(e.status, e.message)
        except EndpointError as e:
            raise HTTPException(e.status, e.message)
        return TableOut(columns=columns, rows=body)

    # -- ingest (off unless allow_ingest; behind a bearer token) -----------------------------------------
    ingest_body = {"required": True, "description": "The document: text (UTF-8/16, CP932, EUC-JP) or PDF bytes",
                   "content": {m: {"schema": {"type": "string", "format": "binary"}}
                               for m in ("application/octet-stream", "text/plain", "application/pdf")}}

    @app.post(INGEST_PATH, response_model=IngestOut, tags=["ingest"], include_in_schema=allow_ingest,
              summary="Add or replace one assessment document (needs --allow-ingest and the bearer token)",
              openapi_extra={"requestBody": ingest_body},
              responses={401: {"description": "missing or wrong token"}, 404: {"description": "ingest is off"},
                         413: {"description": "document too large"},
                         422: {"description": "not an assessment, or unreadable: the pipeline's error"}})
    async def api_ingest(request: Request, filename: str | None = Query(None, description="the document's file name "
                         "(or the X-Filename header); an earlier document of the same name is replaced"),
                         validate: bool = Query(True, description="run the SHACL shapes and report the findings")):
        refused = ingest_refusal(request.headers.raw)
        if refused:
            return PlainTextResponse(refused[1] + "\n", status_code=refused[0],
                                     headers={k.decode(): v.decode() for k, v in (refused[2] if len(refused) > 2 else [])})
        name = (filename or request.headers.get("x-filename") or "").strip()
        from .pipeline import SUFFIXES, process
        from .services import add_result
        if (not INGEST_NAME.match(name) or Path(name).name != name or name in (".", "..")
                or Path(name).suffix.lower() not in SUFFIXES):
            return PlainTextResponse(f"bad file name {name!r}: give a plain file name ending in "
                                     f"{', '.join(sorted(SUFFIXES))} (?filename= or X-Filename)\n", status_code=400)
        data = await request.body()
        tmp = Path(tempfile.mkdtemp(prefix="pia-graph-ingest-"))
        try:
            path = tmp / name
            path.write_bytes(data)
            if site.upload_texts is None:
                site.upload_texts = SourceTexts(tempfile.mkdtemp(prefix="pia-graph-uploads-"))
                site.sources.append(site.upload_texts)
            texts = getattr(site.store, "sources", None) or site.upload_texts
            result = await run_in_threadpool(partial(process, path, validate=validate, graphs=True, sources=texts))
            if not result.ok:
                message = " ".join(str(result.error).replace(str(tmp) + os.sep, "").split())
                return PlainTextResponse(message + "\n", status_code=422)
            await run_in_threadpool(site.lock.acquire_write)
            try:
                outcome = await run_in_threadpool(add_result, site.store, result, False, "sparql" if validate else "")
                site.answers.advance()
            finally:
                site.lock.release_write()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if outcome.action == "error":
            return PlainTextResponse(f"{name}: the store refused it: {outcome.error}\n", status_code=500)
        from .validate import counts as finding_counts
        return IngestOut(graph=str(outcome.graph),
                         assessment=str(next(iter(result.graph.subjects(RDF.type, PIA.Assessment)), "")),
                         fileName=name, triples=outcome.triples, replaced=[outcome.replaced] if outcome.replaced else [],
                         findings=dict(finding_counts(result.findings)), summary=result.summary())

    @app.get("/api/graph", response_model=GraphOut, tags=["api"], summary="The graph view's nodes and edges",
             responses={400: {"description": "unknown type, or a focus / under IRI not in the graph"}})
    def api_graph(focus: str | None = None, under: str | None = None, type: list[str] | None = Query(None),
                  depth: int = 1, max_nodes: int = MAX_NODES):
        focus, under, types, depth, max_nodes = view_args(focus, under, type, depth, max_nodes)
        try:
            view = build_view(site.ds, focus, types, depth, max_nodes, under)
        except ViewError as e:
            raise HTTPException(400, str(e))
        return GraphOut(title=view.title, notes=view.notes,
                        nodes=[{"id": str(n), "label": site.label(n), "type": t[0], "page": page_path(n)}
                               for n, t in view.nodes.items()],
                        edges=[{"from": str(s), "to": str(o), "label": lab} for s, o, lab in view.edges])

    return app


# ---------------------------------------------------------------------------------------------------
# loading and running


def build_samples(samples_dir: Path = SAMPLES_DIR, output: Path | None = None) -> Path:
    """Extract and map the bundled sample documents into a TriG file (a temporary one unless output is given)."""
    from .services import build
    from .store import write_dataset

    built = build([samples_dir])        # validated: the /validation page shows their reports
    if output is None:
        output = Path(tempfile.mkdtemp(prefix="pia-graph-")) / "samples.trig"
    write_dataset(built.dataset, output)
    return output


def load_graph(graph: Path | None, samples_dir: Path | None = None) -> Dataset:
    """The graph to serve: the file given, else the bundled samples built now."""
    from .store import load_dataset

    if graph is not None:
        return load_dataset(graph)
    return load_dataset(build_samples(samples_dir or SAMPLES_DIR))


def serve_main(graph: Path | None, host: str = "127.0.0.1", port: int = 8000, samples_dir: Path | None = None,
               query_timeout: float = 10.0, max_results: int = 10000, log_level: str = "info",
               max_request_bytes: int = MAX_REQUEST_BYTES, max_ingest_bytes: int = MAX_INGEST_BYTES,
               allow_ingest: bool = False, ingest_token: str | None = None, store: Path | None = None) -> None:
    """Serve a graph file (default: the bundled samples) or a store directory with uvicorn until interrupted.

    With allow_ingest, POST /api/ingest takes documents behind `Authorization: Bearer <token>` (the token is
    ingest_token, else the PIA_GRAPH_INGEST_TOKEN environment variable; refused to start without one) and writes
    them to the store served: the store directory, or the graph in memory (not written back to its file)."""
    import uvicorn

    if allow_ingest:
        ingest_token = ingest_token or os.environ.get(INGEST_TOKEN_ENV) or None
        if not ingest_token:
            raise SystemExit(f"--allow-ingest needs a token: set {INGEST_TOKEN_ENV} (or pass --ingest-token)")
    options = dict(samples_dir=samples_dir or SAMPLES_DIR, query_timeout=query_timeout, max_results=max_results,
                   sources=[SourceTexts.beside(graph)] if graph is not None else [],
                   max_request_bytes=max_request_bytes, max_ingest_bytes=max_ingest_bytes,
                   allow_ingest=allow_ingest, ingest_token=ingest_token)
    if store is not None:
        from .stores import StoreError, open_store
        from .stores.oxigraph import OxigraphStore

        if not OxigraphStore.is_store(store):
            raise StoreError(f"{store}: not a pia-graph store (run `pia-graph load … --store {store}` first)")
        # uploads need a writable store; a served store is otherwise only read
        opened = open_store(store, read_only=not allow_ingest)
        try:
            uvicorn.run(create_app(store=opened, warm=True, **options), host=host, port=port, log_level=log_level)
        finally:
            opened.close()
        return
    uvicorn.run(create_app(load_graph(graph, samples_dir), **options), host=host, port=port, log_level=log_level)


__all__ = ["create_app", "serve_main", "load_graph", "build_samples", "write_viz", "KIKO_IRI"]

from .viz import write_viz  # noqa: E402  (re-exported for the CLI)
