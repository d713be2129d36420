"""A remote SPARQL 1.1 store (Virtuoso, Fuseki, Oxigraph server, GraphDB…) found from the URL of its SPARQL endpoint and spoken to in the forms each engine answers."""

from __future__ import annotations

import re
import time
import urllib.parse
import uuid

from ..mapping import vocabulary_graph
from ..namespaces import ID, SHARED_GRAPH, SKOS
from ..query import QueryError, with_prefixes
from .base import BaseStore, StoreError, nt, ontology_triples
from .manifest import (DEFAULT_GRAPH_SEES_DOCUMENTS, DOCUMENTS_IN_DATA, MANIFEST_GRAPH, MANIFEST_QUERY,
                       ONTOLOGY_GRAPH, STORE, history_iri, manifest_entry, report_graph_iri, retiring_ops)

RESULTS_JSON = "application/sparql-results+json"
# Where engines serve their endpoints, relative to the dataset (the URL without /sparql or /query).
QUERY_PATHS = ("/sparql", "/query")                         # Virtuoso, GraphDB, Oxigraph / Fuseki, Oxigraph
GRAPH_STORE_PATHS = ("/sparql-graph-crud", "/data", "/store")   # Virtuoso, Fuseki, Oxigraph
UPDATE_PATHS = ("/update",)                                 # Fuseki, Oxigraph; Virtuoso takes updates at /sparql
HISTORY_PRESENT = f"SELECT ?g WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ ?g <{STORE.status}> <{STORE.Superseded}> }} }} LIMIT 1"


def _one_line(text: str, limit: int = 300) -> str:
    """A server's message on one line; an HTML error page (Virtuoso's) as the text in its <xmp> or of its tags."""
    text = str(text)
    if "<html" in text.lower():
        shown = re.search(r"<xmp>(.*?)</xmp>", text, re.S | re.I)
        text = shown.group(1) if shown else re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


VIRTUOSO_GUESS_BYTES = 65_535


def guessable_by_virtuoso(body: bytes) -> bytes:
    """N-Triples whose first 65,535 bytes end at a line end (a comment line pads them when needed). Virtuoso's
    Graph Store endpoint ignores Content-Type and guesses the type by parsing the body's first 65,535 bytes as
    Turtle (DB.DBA.RDF_SPONGE_GUESS_CONTENT_TYPE); a cut inside a triple sends it into heuristics that, now and
    then, call a document text/plain and refuse it (error 22023, 1 document in 10,000 in the benchmark, the
    same bytes on every try). Complete lines parse, so the guess is Turtle. Any engine reads the comment as
    nothing."""
    if len(body) <= VIRTUOSO_GUESS_BYTES or body[VIRTUOSO_GUESS_BYTES - 1:VIRTUOSO_GUESS_BYTES] == b"\n":
        return body
    last = body.rfind(b"\n", 0, VIRTUOSO_GUESS_BYTES)      # the padding goes after the last whole line
    gap = VIRTUOSO_GUESS_BYTES - 1 - last                   # bytes up to and including the new line end
    pad = b"\n" if gap == 1 else b"#" * (gap - 1) + b"\n"
    return body[:last + 1] + pad + body[last + 1:]


class RemoteStore(BaseStore):
    """A SPARQL 1.1 store at a URL: its SPARQL endpoint (http://host:8890/sparql for Virtuoso,
    http://host:3030/ds/query for Fuseki, http://host:7878/query for Oxigraph's server) or the dataset it belongs to
    (http://host:3030/ds, http://host:7878).

    Queries: the SPARQL Protocol, always as a form-encoded POST (Debian's Virtuoso 7.2 never answers a POST whose
    body is the query itself). They see every document whether or not the endpoint's default graph is the union
    of its named graphs: where it is not (Oxigraph without --union-default-graph, Fuseki without
    tdb2:unionDefaultGraph), or where superseded versions kept by --keep-history sit in that union, the documents'
    graphs and the shared graph are named as the query's dataset (default-graph-uri and named-graph-uri), found
    from the data itself, manifest or not. An answer the endpoint cut short (Virtuoso's ResultSetMaxRows, its
    partial "anytime" answers) is an error, not a shorter table.

    Writes (only when asked: opening a store never writes): the Graph Store Protocol for the documents' graphs
    (PUT) and the shared graph (POST), found by a GET of a graph that does not exist at /sparql-graph-crud
    (Virtuoso), /data (Fuseki) and /store (Oxigraph), then one SPARQL Update for the manifest and the replaced
    graph, at /update or at the query endpoint (Virtuoso). `update_url` and `gsp_url` say them outright. Every
    request has a timeout; every failure is a one-line StoreError naming the URL."""

    def __init__(self, url: str, update_url: str | None = None, gsp_url: str | None = None, read_only: bool = False,
                 timeout: float = 120.0, client=None):
        import httpx
        self.name, self.read_only = url, read_only
        self.timeout = timeout
        self.client = client or httpx.Client(timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)))
        self.server = ""
        self.query_url = self._find_query_endpoint(url.rstrip("/"))
        self.base = self._dataset_url(self.query_url)
        self._update_url, self._gsp_url = update_url, gsp_url
        self._shared_checked = False
        self._dataset: list[tuple[str, str]] | None = None    # the query dataset parameters, once decided
        self.dataset_note = ""     # how queries see the documents, when it is not the endpoint's default graph

    # -- finding the endpoints --------------------------------------------------------------------------
    @staticmethod
    def _dataset_url(query_url: str) -> str:
        for path in QUERY_PATHS:
            if query_url.endswith(path):
                return query_url[: -len(path)]
        return query_url

    WRITE_ATTEMPTS = 4

    def _request(self, method: str, url: str, what: str, retry: bool = False, **kwargs):
        """One request, with the store's timeout. retry (for writes, which are all idempotent: PUT a graph, POST
        triples into a set, an update that inserts what it deletes first): a server error (5xx) or a dropped
        connection is tried again, three times, after 1, 3 and 5 s. Seen in the benchmark: Virtuoso 7.2 refusing
        a document's Graph Store PUT now and then while the machine was busy ("Low query memory limit" in its
        log) and taking the same bytes on a later try. (Its other refusal, error 22023 "unsupported type", came
        back on every try of the same bytes: guessable_by_virtuoso is what prevents that one.)"""
        import httpx
        for attempt in range(1, (self.WRITE_ATTEMPTS if retry else 1) + 1):
            last = attempt == (self.WRITE_ATTEMPTS if retry else 1)
            try:
                r = self.client.request(method, url, **kwargs)
            except httpx.TimeoutException:
                raise StoreError(f"{url}: no answer to {what} within {self.timeout:g} s") from None
            except httpx.HTTPError as e:
                if last or isinstance(e, httpx.ConnectError):
                    raise StoreError(f"{url}: {what} failed: {_one_line(e) or type(e).__name__}") from None
            else:
                if r.status_code < 500 or last:
                    return r
            time.sleep(2 * attempt - 1)

    def _find_query_endpoint(self, url: str) -> str:
        """The URL itself if it answers SPARQL, else URL/sparql or URL/query."""
        candidates = [url] if url.endswith(QUERY_PATHS) else [url + p for p in QUERY_PATHS] + [url]
        tried = []
        for candidate in candidates:
            r = self._request("POST", candidate, "a SPARQL query", data={"query": "SELECT (1 AS ?one) WHERE {}"},
                              headers={"Accept": RESULTS_JSON})
            if r.status_code == 200 and "json" in r.headers.get("content-type", ""):
                self.server = r.headers.get("server", "")
                return candidate
            tried.append(f"{candidate} (HTTP {r.status_code})")
        raise StoreError(f"{url}: no SPARQL endpoint answers there (tried {', '.join(tried)})")

    @property
    def gsp_url(self) -> str:
        """The Graph Store Protocol endpoint, found by a GET of a graph that does not exist: a graph store answers
        that it has no such graph (404 naming the graph, or an empty 404 as Virtuoso's does) or an empty graph;
        a server without one at that path answers that it has no such page. (HEAD is no use: Virtuoso answers
        it with 500/501 at an endpoint where GET, PUT, POST and DELETE work.)"""
        if self._gsp_url is None:
            probe = str(ID[f"graph/probe-{uuid.uuid4().hex}"])
            tried = []
            for path in self._ordered(GRAPH_STORE_PATHS):
                url = self.base + path
                r = self._request("GET", url + "?graph=" + urllib.parse.quote(probe, safe=""), "a Graph Store probe",
                                  headers={"Accept": "application/n-triples"})
                body = r.text.strip()
                if 200 <= r.status_code < 300 or (r.status_code == 404 and (not body or probe in body)):
                    self._gsp_url = url
                    break
                tried.append(f"{path} (HTTP {r.status_code})")
            else:
                raise StoreError(f"{self.base}: no Graph Store Protocol endpoint found (tried {', '.join(tried)}); "
                                 "give it with --gsp-url")
        return self._gsp_url

    @property
    def update_url(self) -> str:
        """The SPARQL Update endpoint: URL/update (Fuseki, Oxigraph) or the query endpoint itself (Virtuoso),
        whichever takes an update that changes nothing."""
        if self._update_url is None:
            tried = []
            for url in [self.base + p for p in self._ordered(UPDATE_PATHS)] + [self.query_url]:
                r = self._request("POST", url, "a SPARQL Update", data={"update": "INSERT DATA { }"})
                if 200 <= r.status_code < 300:
                    self._update_url = url
                    break
                tried.append(f"{url} (HTTP {r.status_code})")
            else:
                raise StoreError(f"{self.base}: no SPARQL Update endpoint takes updates (tried {', '.join(tried)}); "
                                 "give it with --update-url")
        return self._update_url

    def _ordered(self, paths: tuple[str, ...]) -> list[str]:
        """The engine's own path first, by its Server header (every path is still tried)."""
        own = {"virtuoso": "/sparql-graph-crud", "oxigraph": "/store", "fuseki": "/data"}
        first = next((p for k, p in own.items() if k in self.server.lower()), None)
        return sorted(paths, key=lambda p: p != first)

    # -- reading ----------------------------------------------------------------------------------------
    def select(self, text: str, dataset: list[tuple[str, str]] | None = None) -> tuple[list[str], list[list[str]]]:
        """A query as a form-encoded POST (with the dataset parameters given), its results as strings."""
        params = [("query", text)] + list(dataset or [])
        r = self._request("POST", self.query_url, "a SPARQL query",
                          content=urllib.parse.urlencode(params).encode("ascii"),
                          headers={"Accept": f"{RESULTS_JSON}, application/n-triples;q=0.9",
                                   "Content-Type": "application/x-www-form-urlencoded"})
        if r.status_code >= 400:
            raise QueryError(f"{self.query_url}: query failed: HTTP {r.status_code}: {_one_line(r.text, 300)}")
        if "x-sql-state" in r.headers or "x-sparql-maxrows" in r.headers:
            # Virtuoso's partial answers: cut at its ResultSetMaxRows, or at its anytime-query time limit
            limit = r.headers.get("x-sparql-maxrows")
            why = (f"the endpoint cut the answer at {limit} rows (Virtuoso's [SPARQL] ResultSetMaxRows: raise it)"
                   if limit else f"the endpoint sent a partial answer ({r.headers.get('x-sql-message', '')}; "
                   "raise Virtuoso's [SPARQL] MaxQueryExecutionTime)")
            raise QueryError(f"{self.query_url}: {_one_line(why)}")
        ctype = r.headers.get("content-type", "")
        if "n-triples" in ctype or "turtle" in ctype:
            import pyoxigraph as ox
            fmt = ox.RdfFormat.N_TRIPLES if "n-triples" in ctype else ox.RdfFormat.TURTLE
            return ["s", "p", "o"], [[t.subject.value, t.predicate.value, t.object.value]
                                     for t in ox.parse(r.content, format=fmt)]
        try:
            js = r.json()
        except ValueError:
            raise QueryError(f"{self.query_url}: not a SPARQL results document ({ctype or 'no content type'})") from None
        if "boolean" in js:
            return ["ask"], [[str(bool(js["boolean"])).lower()]]
        names = js["head"]["vars"]
        bindings = js["results"]["bindings"]
        if names == ["__ASK_RETVAL"]:    # Virtuoso 7's ASK as JSON: a row holding 1 when true, none when false
            return ["ask"], [["true" if bindings and bindings[0].get("__ASK_RETVAL", {}).get("value") == "1"
                              else "false"]]
        return names, [[b.get(v, {}).get("value", "") for v in names] for b in bindings]

    def manifest_rows(self, q: str = MANIFEST_QUERY):
        return self.select(q)

    def documents_in_data(self) -> list[tuple[str, str, str]]:
        _, rows = self.select(DOCUMENTS_IN_DATA)
        return sorted((g, name, sha) for g, name, sha in rows)

    def query_dataset(self) -> list[tuple[str, str]]:
        """The dataset parameters that make a query see every current document and nothing else: none where the
        endpoint's default graph is the union of its graphs and holds no superseded versions; else the
        documents' graphs and the shared graph by name."""
        if self._dataset is not None:
            return self._dataset
        sees = bool(self.select(DEFAULT_GRAPH_SEES_DOCUMENTS)[1])
        history = bool(self.select(HISTORY_PRESENT)[1])
        if sees and not history:
            self._dataset = []
            return self._dataset
        graphs = [g for g, _, _ in self.documents_in_data()]
        if not graphs:
            return []        # nothing to see (yet): decided again at the next query
        graphs += [report_graph_iri(g) for g in graphs]     # each document's validation report
        graphs.append(str(SHARED_GRAPH))
        self._dataset = [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
        why = ("holds superseded versions" if history else "is not the union of its named graphs")
        self.dataset_note = (f"{self.query_url}: the endpoint's default graph {why}: each query names the "
                             f"{(len(graphs) - 1) // 2} documents' graphs and their reports (slower; see the README "
                             "on union default graphs)")
        return self._dataset

    def query(self, sparql_text: str):
        return self.select(with_prefixes(sparql_text), self.query_dataset())

    def triple_count(self) -> int:
        _, rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                              f'FILTER(STRSTARTS(STR(?g), "{ID}graph/")) }}')
        return int(rows[0][0]) if rows else 0

    # -- writing ----------------------------------------------------------------------------------------
    def _gsp(self, method: str, graph: str, body: str | None = None):
        url = self.gsp_url + "?graph=" + urllib.parse.quote(graph, safe="")
        r = self._request(method, url, f"a Graph Store {method}", retry=True,
                          content=guessable_by_virtuoso(body.encode("utf-8")) if body is not None else None,
                          headers={"Content-Type": "application/n-triples; charset=utf-8"} if body is not None else {})
        if r.status_code >= 400 and not (method == "DELETE" and r.status_code == 404):
            raise StoreError(f"{self.gsp_url}: {method} of graph <{graph}> failed: HTTP {r.status_code}: "
                             f"{_one_line(r.text)}")
        return r

    def update(self, text: str) -> None:
        self.writable()
        r = self._request("POST", self.update_url, "a SPARQL Update", retry=True, data={"update": text})
        if r.status_code >= 400:
            raise StoreError(f"{self.update_url}: update failed: HTTP {r.status_code}: {_one_line(r.text)}")
        self._dataset = None        # the graphs queries must name may have changed

    def ensure_shared(self) -> None:
        """The SKOS vocabularies in the shared graph, once (a write: only ever done when writing)."""
        if self._shared_checked:
            return
        self.writable()
        _, rows = self.select(f"SELECT ?s WHERE {{ GRAPH <{SHARED_GRAPH}> {{ ?s a <{SKOS.ConceptScheme}> }} }} LIMIT 1")
        if not rows:
            self._gsp("POST", str(SHARED_GRAPH), nt(vocabulary_graph()))
        self._shared_checked = True

    def commit(self, p, old_graph, keep_history, when) -> None:
        self.ensure_shared()
        # the content-hash graph is written first: if the process dies here it is an orphan the next run overwrites
        self._gsp("PUT", p.graph, p.doc_nt)
        if p.report_nq:
            self._gsp("PUT", p.report_graph, p.report_nt)
        if p.shared_nt:
            self._gsp("POST", str(SHARED_GRAPH), p.shared_nt)
        ops = retiring_ops(old_graph, p.graph, keep_history, when)
        ops.append(f"INSERT DATA {{ GRAPH <{MANIFEST_GRAPH}> {{\n{manifest_entry(p, when)}}} }}")
        self.update(" ;\n".join(ops))

    def drop(self, document_name: str) -> bool:
        self.writable()
        ops = []
        for r in self.documents(include_history=True):
            if r.name == document_name:
                ops += [f"DROP SILENT GRAPH <{r.graph}>", f"DROP SILENT GRAPH <{history_iri(r.graph)}>",
                        f"DROP SILENT GRAPH <{report_graph_iri(r.graph)}>",
                        f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{r.graph}> ?p ?o }} }}"]
        if ops:
            self.update(" ;\n".join(ops))
        return bool(ops)

    def put_ontology(self) -> None:
        """The ontology in its own graph, replaced as a whole (a Graph Store PUT)."""
        self.writable()
        self._gsp("PUT", str(ONTOLOGY_GRAPH), nt(ontology_triples()))

    def close(self) -> None:
        self.client.close()


__all__ = ["RemoteStore"]
