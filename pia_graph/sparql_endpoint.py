"""SPARQL 1.1 Protocol core: read-only query evaluation with time and result limits, and content negotiation."""

from __future__ import annotations

import ctypes
import csv
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import islice

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.processor import SPARQLResult

from .namespaces import bind_all
from .query import PARSE_LOCK, with_prefixes


class EndpointError(Exception):
    """A query the endpoint will not or cannot answer; status is the HTTP status to send."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class MalformedQuery(EndpointError):
    status = 400


class RefusedQuery(EndpointError):
    status = 403


class LimitExceeded(EndpointError):
    """The query hit the time limit or the result-size limit; `limit` says which."""

    status = 503

    def __init__(self, message: str, limit: str):
        super().__init__(message)
        self.limit = limit


class _Timeout(BaseException):
    """Raised inside the worker thread to stop a query that ran past its time."""


# rdflib's SPARQL parser is not thread-safe ("Param.postParse2() missing 1 required positional argument",
# updates not recognised as updates): every parse and translation goes through the process-wide
# pia_graph.query.PARSE_LOCK (re-entrant: _compile parses while holding it); evaluation runs outside it.


def parse_query(text: str):
    with PARSE_LOCK:
        return parseQuery(text)


def parse_update(text: str):
    with PARSE_LOCK:
        return parseUpdate(text)


def translate(text: str):
    """Parse and translate a query to its algebra (rdflib Query), under the parser lock."""
    with PARSE_LOCK:
        return translateQuery(parseQuery(text))


UPDATE_OPS = {"Load": "LOAD", "Clear": "CLEAR", "Drop": "DROP", "Create": "CREATE", "Add": "ADD", "Move": "MOVE",
              "Copy": "COPY", "InsertData": "INSERT DATA", "DeleteData": "DELETE DATA", "DeleteWhere": "DELETE WHERE",
              "Modify": "DELETE/INSERT"}


def _walk(node, seen=None):
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, CompValue):
        yield node
        for v in node.values():
            yield from _walk(v, seen)
    elif isinstance(node, dict):
        for v in node.values():
            yield from _walk(v, seen)
    elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for v in node:
            yield from _walk(v, seen)


def _update_operations(text: str) -> list[str] | None:
    """The update operations in text if it parses as SPARQL Update, else None."""
    try:
        parsed = parse_update(text)
    except Exception:
        return None
    ops = [UPDATE_OPS.get(c.name, c.name) for c in _walk(parsed) if isinstance(c, CompValue) and c.name in UPDATE_OPS]
    return ops or ["update"]


def refuse_update(ops: list[str] | None = None) -> RefusedQuery:
    ops = ops or ["update"]
    if "LOAD" in ops:
        return RefusedQuery("LOAD is refused: this endpoint is read-only and never fetches documents from other "
                            "servers (SPARQL Update is not supported).")
    return RefusedQuery(f"SPARQL Update ({', '.join(dict.fromkeys(ops))}) is refused: this endpoint is read-only. "
                        "Send a SELECT, ASK, CONSTRUCT or DESCRIBE query.")


@dataclass
class Prepared:
    query: object            # rdflib.plugins.sparql.sparql.Query, dataset clause removed
    kind: str                # SELECT, ASK, CONSTRUCT, DESCRIBE
    default_graphs: list[URIRef]
    named_graphs: list[URIRef]
    text: str = ""           # as sent (for an engine that parses the text itself)


_COMPILED: OrderedDict = OrderedDict()     # query text -> [kind, FROM, FROM NAMED, idle algebra objects] or error
CACHE_SIZE = 256
CACHE_MAX_TEXT = 32 * 1024
POOL_SIZE = 4


def _compile(text: str):
    """(query, kind, FROM graphs, FROM NAMED graphs) for a query text, or the EndpointError it deserves.

    Parsing costs ~0.1 s for a canned query and must be serialised (PARSE_LOCK), so compiled queries are kept in
    a small LRU cache keyed by the text: an analyst's tool sends the same queries again and again. rdflib's
    evaluation is not safe to run twice at once on one algebra object (the load test saw bindings leak between
    concurrent runs), so each cached text keeps a pool of idle algebra objects: a request takes one (or compiles
    a fresh one when all are busy) and gives it back with release() once its evaluation finished normally."""
    with PARSE_LOCK:
        hit = _COMPILED.get(text)
        if hit is not None:
            _COMPILED.move_to_end(text)
            if isinstance(hit, EndpointError):
                raise type(hit)(hit.message) if type(hit) is not EndpointError else EndpointError(hit.message, hit.status)
            kind, fd, fn, idle = hit
            q = idle.pop() if idle else _compile_uncached(text)[0]
            return q, kind, fd, fn
        try:
            compiled = _compile_uncached(text)
        except EndpointError as e:
            if len(text) <= CACHE_MAX_TEXT:
                _COMPILED[text] = e
            raise
        if len(text) <= CACHE_MAX_TEXT:
            _COMPILED[text] = [compiled[1], compiled[2], compiled[3], []]
        while len(_COMPILED) > CACHE_SIZE:
            _COMPILED.popitem(last=False)
        return compiled


def release(text: str, query) -> None:
    """Give a compiled query back to its text's pool after an evaluation that ran to its end."""
    with PARSE_LOCK:
        hit = _COMPILED.get(text)
        if isinstance(hit, list) and len(hit[3]) < POOL_SIZE:
            hit[3].append(query)


def _compile_uncached(text: str):
    full = with_prefixes(text)
    try:
        parse_query(text)  # syntax first, on the text as sent, so the parser's line numbers are the client's
    except Exception as e:
        ops = _update_operations(full)
        if ops is not None:
            raise refuse_update(ops) from None
        raise MalformedQuery(f"malformed SPARQL query: {e}") from None
    try:
        q = translate(full)
    except Exception as e:
        raise MalformedQuery(f"malformed SPARQL query: {e}") from None
    if any(isinstance(c, CompValue) and c.name == "ServiceGraphPattern" for c in _walk(q.algebra)):
        raise RefusedQuery("SERVICE is refused: this endpoint answers from its own graph only and never sends "
                           "queries to other endpoints (federated query is disabled).")
    kind = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
            "DescribeQuery": "DESCRIBE"}.get(q.algebra.name, "SELECT")
    # FROM / FROM NAMED name graphs already in the store; they are never fetched. The protocol's
    # default-graph-uri / named-graph-uri override them (SPARQL 1.1 Protocol 2.1.4).
    from_default, from_named = [], []
    for d in q.algebra.get("datasetClause") or []:
        if d.get("default") is not None:
            from_default.append(URIRef(d.default))
        elif d.get("named") is not None:
            from_named.append(URIRef(d.named))
    q.algebra["datasetClause"] = None
    return q, kind, tuple(from_default), tuple(from_named)


def prepare(text: str, default_graph_uris=(), named_graph_uris=()) -> Prepared:
    """Parse and check a query: malformed -> 400 with the parser's message; update, LOAD, SERVICE -> 403."""
    if not text or not text.strip():
        raise MalformedQuery("empty query: send the SPARQL text as the 'query' parameter")
    q, kind, from_default, from_named = _compile(text)
    dg = [URIRef(u) for u in default_graph_uris if u]
    ng = [URIRef(u) for u in named_graph_uris if u]
    if not dg and not ng:
        dg, ng = list(from_default), list(from_named)
    return Prepared(q, kind, dg, ng, text)


def query_kind(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (raises EndpointError like prepare)."""
    prepared = prepare(text)
    release(text, prepared.query)
    return prepared.kind


def dataset_for(ds: Dataset, default_graphs: list[URIRef], named_graphs: list[URIRef]) -> Dataset:
    """The RDF dataset a query runs over: the whole store (default graph = union) unless graphs were named."""
    if not default_graphs and not named_graphs:
        return ds
    known = {g.identifier for g in ds.graphs()}
    out = Dataset(default_union=False)
    bind_all(out)
    default = out.default_graph if hasattr(out, "default_graph") else out.default_context
    for g in default_graphs:
        if g in known:
            for t in ds.graph(g):
                default.add(t)
    for g in named_graphs:
        target = out.graph(g)
        if g in known:
            for t in ds.graph(g):
                target.add(t)
    return out


def native_engine(ds: Dataset) -> bool:
    """Whether the dataset sits on a pyoxigraph store (oxrdflib), whose own engine should get the SPARQL text:
    rdflib's evaluator over it would make one Python call per triple-pattern look-up, minutes where oxigraph
    takes seconds on a national store."""
    return type(ds.store).__module__.split(".")[0] == "oxrdflib"


def _evaluate(target: Dataset, prepared: Prepared, max_results: int):
    if native_engine(target):
        # oxigraph parses the text itself (rdflib already checked it: syntax, no update, no SERVICE)
        result = target.query(with_prefixes(prepared.text))
        if prepared.kind == "SELECT":
            rows = list(islice(result.bindings, max_results + 1))
            if len(rows) > max_results:
                raise LimitExceeded(f"result limit exceeded: the query returns more than {max_results} rows "
                                    f"(the server's result-size limit); add LIMIT or narrow the query", "results")
            result.bindings = rows
        elif prepared.kind in ("CONSTRUCT", "DESCRIBE") and result.graph is not None \
                and len(result.graph) > max_results:
            raise LimitExceeded(f"result limit exceeded: the query returns more than {max_results} triples "
                                f"(the server's result-size limit); narrow the query", "results")
        return result
    res = evalQuery(target, prepared.query)
    if prepared.kind == "SELECT":
        rows = list(islice(res["bindings"], max_results + 1))
        if len(rows) > max_results:
            raise LimitExceeded(f"result limit exceeded: the query returns more than {max_results} rows "
                                f"(the server's result-size limit); add LIMIT or narrow the query", "results")
        res["bindings"] = rows
    result = SPARQLResult(res)
    if prepared.kind in ("CONSTRUCT", "DESCRIBE"):
        if result.graph is not None and len(result.graph) > max_results:
            raise LimitExceeded(f"result limit exceeded: the query returns more than {max_results} triples "
                                f"(the server's result-size limit); narrow the query", "results")
    elif prepared.kind == "SELECT":
        _ = result.bindings  # materialise inside the time limit
    return result


def _interrupt(thread: threading.Thread) -> None:
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_Timeout))


def execute(ds: Dataset, text: str, default_graph_uris=(), named_graph_uris=(), timeout: float = 10.0,
            max_results: int = 10000, serialize_as: str | None = None):
    """Run a read-only query in a worker thread; stop it and raise LimitExceeded when it runs past timeout.

    Returns (kind, result) or, with serialize_as (a mime type from negotiate), (kind, result, body bytes)."""
    prepared = prepare(text, default_graph_uris, named_graph_uris)
    box: dict = {}

    def work():
        box["running"] = True
        try:
            target = dataset_for(ds, prepared.default_graphs, prepared.named_graphs)
            result = _evaluate(target, prepared, max_results)
            box["result"] = result
            if serialize_as:
                box["body"] = serialize(result, prepared.kind, serialize_as)
        except _Timeout:
            box["timeout"] = True
        except BaseException as e:  # noqa: BLE001 - reported to the client
            box["error"] = e
        finally:
            # Past this point an interrupt would land outside the query (thread shutdown): never send one.
            box["running"] = False

    worker = threading.Thread(target=work, name="sparql-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        # the exception can land in a place that swallows it (a weakref or GC callback): send it again
        for _ in range(10):
            if not box.get("running"):
                break
            _interrupt(worker)
            worker.join(0.2)
            if not worker.is_alive():
                break
        raise LimitExceeded(f"time limit exceeded: the query ran longer than {timeout:g} s (the server's query "
                            "time limit) and was stopped; narrow the query or add LIMIT", "time")
    if box.get("timeout"):
        raise LimitExceeded(f"time limit exceeded: the query ran longer than {timeout:g} s", "time")
    if "result" in box and "error" not in box:
        release(text, prepared.query)
    if "error" in box:
        e = box["error"]
        if isinstance(e, EndpointError):
            raise e
        raise EndpointError(f"query failed: {type(e).__name__}: {e}", 400) from None
    if serialize_as:
        return prepared.kind, box["result"], box["body"]
    return prepared.kind, box["result"]


# -- content negotiation -----------------------------------------------------------------------------

RESULT_MIMES = {
    "application/sparql-results+json": "json", "application/json": "json", "text/javascript": "json",
    "application/javascript": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_MIMES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/turtle": "turtle",
    "application/n-triples": "nt", "text/plain": "nt",
    "application/ld+json": "json-ld", "application/json": "json-ld",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "application/n-quads": "nquads", "application/trig": "trig",
}
FORMAT_PARAM = {  # ?format= / ?output= as sent by SPARQLWrapper and browsers
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None), "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"), "ttl": (None, "text/turtle"), "n3": (None, "text/turtle"),
    "nt": (None, "application/n-triples"), "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"), "json-ld": (None, "application/ld+json"),
    "jsonld": (None, "application/ld+json"), "rdfxml": (None, "application/rdf+xml"),
    "rdf": (None, "application/rdf+xml"),
}
# Clients that ask every query for "the results as JSON / XML" (rdflib's SPARQLStore sends only
# application/sparql-results+json for a CONSTRUCT) get the graph in the same family, as ?format=json does.
GRAPH_FOR_RESULT_TYPE = {"application/sparql-results+json": "application/ld+json",
                         "application/sparql-results+xml": "application/rdf+xml"}
DEFAULT_RESULT = "application/sparql-results+json"
WILDCARD_CHOICE = {"text/*": ("text/csv", "text/turtle"), "application/*": (DEFAULT_RESULT, "application/n-triples")}
DEFAULT_GRAPH = "text/turtle"


def parse_accept(accept: str | None) -> list[str]:
    """Media types from an Accept header, best first (q-values honoured, order kept among equals)."""
    items = []
    for i, part in enumerate((accept or "").split(",")):
        bits = [b.strip() for b in part.split(";")]
        mime = bits[0].lower()
        if not mime:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            items.append((-q, i, mime))
    return [m for _, _, m in sorted(items)]


class NotAcceptable(EndpointError):
    """No media type the client accepts can carry this kind of result (SPARQL 1.1 Protocol: 406)."""

    status = 406


def negotiate(kind: str, accept: str | None, fmt: str | None = None) -> str:
    """The media type to answer a query of this kind with; NotAcceptable when the client accepts none we can send
    (an Accept without */* naming only types this result cannot take, or a ?format= that does not fit it)."""
    graph = kind in ("CONSTRUCT", "DESCRIBE")
    table = GRAPH_MIMES if graph else RESULT_MIMES
    what = "a graph (CONSTRUCT/DESCRIBE)" if graph else ("an ASK result" if kind == "ASK" else "a SELECT result")
    offer = ", ".join(dict.fromkeys(table))
    if fmt:
        f = fmt.strip().lower()
        if f in table:
            return f
        choice = FORMAT_PARAM.get(f, (None, None))[1 if graph else 0]
        if choice:
            return choice
        names = sorted(k for k, v in FORMAT_PARAM.items() if v[1 if graph else 0])
        raise NotAcceptable(f"format={fmt!r} cannot carry {what}: use one of {', '.join(names)}")
    wanted = parse_accept(accept)
    for mime in wanted:
        if mime in table:
            return mime
        if graph and mime in GRAPH_FOR_RESULT_TYPE:
            return GRAPH_FOR_RESULT_TYPE[mime]
        if mime == "*/*":
            return DEFAULT_GRAPH if graph else DEFAULT_RESULT
        if mime in WILDCARD_CHOICE:
            return WILDCARD_CHOICE[mime][1 if graph else 0]
    if wanted:
        raise NotAcceptable(f"not acceptable: {what} cannot be sent as {accept}; this endpoint offers {offer}")
    return DEFAULT_GRAPH if graph else DEFAULT_RESULT


def _tsv_term(t) -> str:
    if t is None:
        return ""
    if isinstance(t, (URIRef, BNode, Literal)):
        return t.n3()
    return str(t)


def serialize(result, kind: str, mime: str) -> bytes:
    if kind in ("CONSTRUCT", "DESCRIBE"):
        fmt = GRAPH_MIMES.get(mime, "turtle")
        g = result.graph if result.graph is not None else Graph()
        bind_all(g)
        if fmt in ("nquads", "trig"):
            d = Dataset()
            for t in g:
                d.add(t)
            return d.serialize(format=fmt, encoding="utf-8")
        return g.serialize(format=fmt, encoding="utf-8")
    fmt = RESULT_MIMES.get(mime, "json")
    if kind == "ASK" and fmt in ("csv", "tsv"):
        return f"_askResult\n{str(bool(result.askAnswer)).lower()}\n".encode()
    if fmt == "tsv":
        out = io.StringIO()
        variables = list(result.vars or [])
        out.write("\t".join("?" + str(v) for v in variables) + "\n")
        for row in result.bindings:
            out.write("\t".join(_tsv_term(row.get(v)) for v in variables) + "\n")
        return out.getvalue().encode("utf-8")
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        variables = list(result.vars or [])
        w.writerow([str(v) for v in variables])
        for row in result.bindings:
            w.writerow(["" if row.get(v) is None else str(row.get(v)) for v in variables])
        return out.getvalue().encode("utf-8")
    return result.serialize(format=fmt, encoding="utf-8")


def content_type(mime: str) -> str:
    if mime.startswith("text/") or mime.endswith(("+json", "+xml", "/json", "/xml", "turtle", "triples", "trig",
                                                    "quads")):
        return f"{mime}; charset=utf-8"
    return mime


def service_description(endpoint: str, ds: Dataset, timeout: float, max_results: int) -> str:
    """A SPARQL 1.1 Service Description of this endpoint, in Turtle."""
    named = sorted(str(g.identifier) for g in ds.graphs() if isinstance(g.identifier, URIRef) and len(g))
    fmts = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
            "N-Triples", "JSON-LD", "RDF_XML"]
    lines = [
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .",
        "@prefix formats: <http://www.w3.org/ns/formats/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "",
        f"<{endpoint}> a sd:Service ;",
        f"  sd:endpoint <{endpoint}> ;",
        "  sd:supportedLanguage sd:SPARQL11Query ;",
        "  sd:feature sd:UnionDefaultGraph ;",
        "  sd:resultFormat " + ", ".join(f"formats:{f}" for f in fmts) + " ;",
        f'  rdfs:comment "pia-graph read-only SPARQL endpoint: SPARQL Update, LOAD and SERVICE are refused; '
        f'queries stop after {timeout:g} s and at {max_results} results." ;',
        "  sd:defaultDataset [",
        "    a sd:Dataset ;",
        f'    sd:defaultGraph [ a sd:Graph ; rdfs:comment "the union of all named graphs" ; '
        f'void:triples {len(set(ds.triples((None, None, None))))} ]' + (" ;" if named else ""),
    ]
    for i, g in enumerate(named):
        sep = " ;" if i < len(named) - 1 else ""
        lines.append(f"    sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ]{sep}")
    lines += ["  ] .", ""]
    return "\n".join(lines)

