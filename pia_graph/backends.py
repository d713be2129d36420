"""Graph stores behind one interface (rdflib in memory, pyoxigraph on disk, a remote SPARQL endpoint) with incremental, per-document-atomic, parallel ingest."""

from __future__ import annotations

import collections
import contextlib
import datetime as _dt
import hashlib
import json
import os
import tempfile
import threading
import urllib.parse
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Protocol, Union, runtime_checkable

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from .answers import AnswerBook
from .mapping import graph_iri, vocabulary_graph
from .namespaces import ID, SHARED_GRAPH, bind_all
from .query import with_prefixes

# The manifest records which graph holds which document; its own vocabulary, never matched by the canned queries.
STORE = Namespace("https://w3id.org/pia-graph/store#")
MANIFEST_GRAPH = ID["graph/manifest"]


# ---------------------------------------------------------------------------------------------------------
# What travels from the extracting worker to the writing parent: plain strings, cheap to pickle.

@dataclass
class PreparedDocument:
    path: str
    name: str = ""
    sha256: str = ""
    graph: str = ""               # IRI of the document's named graph
    # N-Quads, written by the worker with the graph names in place: the bulk loader takes them as they are, and
    # adding the graph term in the writing parent was a sixth of its (serial) time.
    # The document's triples, in its own graph, as UTF-8: they cross from the worker as bytes (a str holding
    # Japanese is decoded by pickle in the parent and had to be encoded again for the loader: ~3 ms a document
    # of the writer's serial time) and go to the spool as they are.
    doc_nq: bytes = b""
    shared_nq: str = ""           # its contribution to the shared graph (statutes, parties); text: small, and the
                                  # writer merges its lines across documents
    triples: int = 0
    error: str | None = None
    seconds: float = 0.0
    violations: int = 0

    @property
    def doc_nt(self) -> str:
        """The document's triples as N-Triples, for stores that take a graph's triples (no raw newline can occur
        inside a term, so " <graph> .\n" only ever ends a line)."""
        return self.doc_nq.decode("utf-8").replace(f" <{self.graph}> .\n", " .\n")

    @property
    def shared_nt(self) -> str:
        return self.shared_nq.replace(f" <{SHARED_GRAPH}> .\n", " .\n")


@dataclass
class IngestOutcome:
    name: str
    sha256: str
    graph: str | None
    action: str                   # added | replaced | unchanged | error
    triples: int = 0
    replaced: str | None = None   # the graph this one replaced
    history: str | None = None    # where the replaced version was kept, if history was asked for
    error: str | None = None


@dataclass
class DocumentRecord:
    name: str
    sha256: str
    graph: str
    ingested: str
    triples: int
    status: str = "current"       # current | superseded
    superseded_at: str | None = None


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_IRI_BAD = frozenset('<>"{}|^`\\ ') | frozenset(chr(i) for i in range(0x21))
_STRING = str(XSD.string)


def _nt(triples, graph: str | None = None) -> str:
    """Triples (a Graph or any iterable of them) as N-Triples, or as N-Quads in `graph`; several times faster than
    rdflib's serializer: each distinct term is written once per call (subjects and predicates repeat across a
    document's triples). Literals are escaped as JSON strings, whose escapes (backslash-quote, -backslash, -n, -r,
    -t, -b, -f, -uXXXX) are all valid N-Triples escapes."""
    end = f" <{graph}> .\n" if graph else " .\n"
    cache: dict = {}
    known = cache.get

    def new(term) -> str:
        text = cache[term] = _nt_term(term)
        return text
    # one expression per triple, no loop per term: ~9 % of this function's time (no term's text is empty)
    return "".join([f"{known(s) or new(s)} {known(p) or new(p)} {known(o) or new(o)}{end}" for s, p, o in triples])


def _nt_term(term) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>" if _IRI_BAD.isdisjoint(term) else term.n3()
    if isinstance(term, Literal):
        s = json.dumps(str(term), ensure_ascii=False)
        if term.language:
            return s + "@" + term.language
        if term.datatype is not None and str(term.datatype) != _STRING:
            return s + f"^^<{term.datatype}>"
        return s
    return term.n3()


def prepare_result(result) -> PreparedDocument:
    """A pipeline DocumentResult as a PreparedDocument."""
    from .validate import counts
    p = PreparedDocument(path=str(result.path))
    if not result.ok:
        p.name, p.error = Path(result.path).name, result.error
        return p
    a = result.assessment
    p.name, p.sha256, p.graph = a.source, a.sha256, str(graph_iri(a.sha256))
    p.doc_nq, p.shared_nq = _nt(result.graph, p.graph).encode("utf-8"), _nt(result.shared, str(SHARED_GRAPH))
    p.triples = len(result.graph)
    p.violations = counts(result.findings)["Violation"] if result.findings else 0
    return p


def prepare(path: str | Path, validate: bool = False) -> PreparedDocument:
    """Extract and map one document (runs in a worker process); never raises for a bad document."""
    import time
    from .pipeline import process
    t0 = time.perf_counter()
    try:
        p = prepare_result(process(path, validate=validate, graphs=False))
    except Exception as e:  # noqa: BLE001 - one bad document must not stop the batch
        p = PreparedDocument(path=str(path), name=Path(path).name, error=f"{path}: internal-error: {type(e).__name__}: {e}")
    p.seconds = time.perf_counter() - t0
    return p


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _lit(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a valid SPARQL/N-Triples string literal


def _manifest_entry(p: PreparedDocument, when: str) -> str:
    g = f"<{p.graph}>"
    return (f"{g} <{STORE.documentName}> {_lit(p.name)} .\n"
            f"{g} <{STORE.sha256}> {_lit(p.sha256)} .\n"
            f"{g} <{STORE.ingestedAt}> \"{when}\"^^<{XSD.dateTime}> .\n"
            f"{g} <{STORE.triples}> \"{p.triples}\"^^<{XSD.integer}> .\n"
            f"{g} <{STORE.status}> <{STORE.Current}> .\n")


def _history_entry(old: str, new: str, when: str) -> str:
    return (f"<{old}> <{STORE.status}> <{STORE.Superseded}> .\n"
            f"<{old}> <{STORE.supersededAt}> \"{when}\"^^<{XSD.dateTime}> .\n"
            f"<{old}> <{STORE.supersededBy}> <{new}> .\n")


def _term_text(term) -> str:
    if term is None:
        return ""
    return str(getattr(term, "value", term))


MANIFEST_QUERY = f"""SELECT ?g ?name ?sha ?when ?n ?status ?sup WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{
  ?g <{STORE.documentName}> ?name ; <{STORE.sha256}> ?sha ; <{STORE.ingestedAt}> ?when ; <{STORE.triples}> ?n ;
     <{STORE.status}> ?status . OPTIONAL {{ ?g <{STORE.supersededAt}> ?sup }} }} }}"""


@runtime_checkable
class Store(Protocol):
    def ingest(self, item, keep_history: bool = False, validate: bool = False) -> IngestOutcome: ...
    def drop(self, document_name: str) -> bool: ...
    def query(self, sparql_text: str) -> tuple[list[str], list[list[str]]]: ...
    def documents(self, include_history: bool = False) -> list[DocumentRecord]: ...
    def triple_count(self) -> int: ...
    def close(self) -> None: ...


class _BaseStore:
    """The ingest decisions shared by every backend; subclasses supply the atomic write and the query."""

    hook = None   # tests set this to a callable(prepared) run just before a document's write commits

    def ingest(self, item, keep_history: bool = False, validate: bool = False) -> IngestOutcome:
        if isinstance(item, PreparedDocument):
            p = item
        elif isinstance(item, (str, Path)):
            sha = sha256_of(item)
            current = self._lookup(sha=sha)
            if current:
                rec = current[0]
                return IngestOutcome(rec.name, sha, rec.graph, "unchanged", rec.triples)
            p = prepare(item, validate=validate)
        else:
            p = prepare_result(item)
        return self.write(p, keep_history)

    def write(self, p: PreparedDocument, keep_history: bool = False) -> IngestOutcome:
        if p.error:
            return IngestOutcome(p.name, p.sha256, None, "error", error=p.error)
        same = self._lookup(sha=p.sha256)
        if same:   # the same bytes (under any name) are already current: nothing to do
            rec = same[0]
            return IngestOutcome(rec.name, p.sha256, rec.graph, "unchanged", rec.triples)
        olds = self._lookup(name=p.name)
        old = olds[0] if olds else None
        when = _now()
        if self.hook is not None:
            self.hook(p)
        self._commit(p, old.graph if old else None, keep_history, when)
        if old is None:
            return IngestOutcome(p.name, p.sha256, p.graph, "added", p.triples)
        return IngestOutcome(p.name, p.sha256, p.graph, "replaced", p.triples, replaced=old.graph,
                             history=old.graph if keep_history else None)

    def _lookup(self, name: str | None = None, sha: str | None = None) -> list[DocumentRecord]:
        """Current documents with this name or these bytes."""
        prop, value = (STORE.documentName, name) if name is not None else (STORE.sha256, sha)
        q = MANIFEST_QUERY.replace("?status .", f"?status . FILTER(?status = <{STORE.Current}>) "
                                   f"?g <{prop}> {_lit(value)} .")
        _, rows = self._manifest_rows(q)
        return [DocumentRecord(name, sha, g, when, int(n or 0)) for g, name, sha, when, n, status, sup in rows]

    def _current_by_sha(self) -> dict[str, DocumentRecord]:
        return {r.sha256: r for r in self.documents()}

    def documents(self, include_history: bool = False) -> list[DocumentRecord]:
        _, rows = self._manifest_rows()
        out = []
        for g, name, sha, when, n, status, sup in rows:
            st = "current" if status == str(STORE.Current) else "superseded"
            if st == "current" or include_history:
                out.append(DocumentRecord(name, sha, g, when, int(n or 0), st, sup or None))
        out.sort(key=lambda r: (r.name, r.ingested))
        return out

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------------------------------------------

class MemoryStore(_BaseStore):
    """rdflib in memory: small jobs and tests. Current documents and the shared graph are queried as one union;
    the manifest and superseded versions live in a second dataset so that they never show in query results."""

    def __init__(self):
        self.live = Dataset(default_union=True)
        self.meta = Dataset()
        bind_all(self.live)
        shared = self.live.graph(SHARED_GRAPH)
        for t in vocabulary_graph():
            shared.add(t)

    def _manifest_rows(self, q: str = MANIFEST_QUERY):
        res = self.meta.query(q)
        return [str(v) for v in res.vars], [[_term_text(r[v]) for v in res.vars] for r in res]

    def _commit(self, p, old_graph, keep_history, when) -> None:
        # build the new graph aside, then switch: an exception before the switch leaves the store as it was
        new = Graph()
        new.parse(data=p.doc_nt, format="nt")
        shared = Graph()
        if p.shared_nt:
            shared.parse(data=p.shared_nt, format="nt")
        manifest = Graph().parse(data=_manifest_entry(p, when), format="nt")
        target = self.live.graph(URIRef(p.graph))
        for t in new:
            target.add(t)
        sg = self.live.graph(SHARED_GRAPH)
        for t in shared:
            sg.add(t)
        mg = self.meta.graph(MANIFEST_GRAPH)
        if old_graph:
            o = URIRef(old_graph)
            mg.remove((o, STORE.status, STORE.Current))
            if keep_history:
                hist = self.meta.graph(o)
                for t in self.live.graph(o):
                    hist.add(t)
                for t in Graph().parse(data=_history_entry(old_graph, p.graph, when), format="nt"):
                    mg.add(t)
            else:
                mg.remove((o, None, None))
            self.live.remove_graph(self.live.graph(o))
        for t in manifest:
            mg.add(t)

    def drop(self, document_name: str) -> bool:
        mg = self.meta.graph(MANIFEST_GRAPH)
        hit = False
        for r in self.documents(include_history=True):
            if r.name == document_name:
                g = URIRef(r.graph)
                self.live.remove_graph(self.live.graph(g))
                self.meta.remove_graph(self.meta.graph(g))
                mg.remove((g, None, None))
                hit = True
        return hit

    def query(self, sparql_text: str):
        from .query import rows, run
        return rows(run(self.live, sparql_text))

    def triple_count(self) -> int:
        return sum(len(g) for g in self.live.graphs())


# ---------------------------------------------------------------------------------------------------------

def _update_for(p: PreparedDocument, old_graph: str | None, keep_history: bool, when: str, move: bool = True) -> str:
    """One SPARQL Update that replaces a document: executed as one transaction, so a crash leaves either the
    old version or the new, never half of one."""
    ops = []
    if old_graph:
        ops.append(f"DELETE DATA {{ GRAPH <{MANIFEST_GRAPH}> {{ <{old_graph}> <{STORE.status}> <{STORE.Current}> }} }}")
        if keep_history:
            if move:
                ops.append(f"MOVE SILENT GRAPH <{old_graph}> TO GRAPH <{history_iri(old_graph)}>")
            else:
                ops.append(f"DROP SILENT GRAPH <{old_graph}>")
            ops.append(f"INSERT DATA {{ GRAPH <{MANIFEST_GRAPH}> {{ {_history_entry(old_graph, p.graph, when)} }} }}")
        else:
            ops.append(f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{old_graph}> ?p ?o }} }}")
            ops.append(f"DROP SILENT GRAPH <{old_graph}>")
    ops.append(f"INSERT DATA {{ GRAPH <{p.graph}> {{\n{p.doc_nt}}}\n"
               f"GRAPH <{SHARED_GRAPH}> {{\n{p.shared_nt}}}\n"
               f"GRAPH <{MANIFEST_GRAPH}> {{\n{_manifest_entry(p, when)}}} }}")
    return " ;\n".join(ops)


def history_iri(graph: str) -> str:
    """Superseded versions are kept under graph/history/KEY: outside the queried union."""
    return graph.replace("/graph/", "/graph/history/", 1)


class OxigraphStore(_BaseStore):
    """pyoxigraph on disk (RocksDB): the default for anything large. Each document is written by one SPARQL
    Update (one transaction) that also records it in the manifest graph. Queries run over the union of all graphs
    (an explicit default-graph list makes pyoxigraph 50-100x slower), so superseded versions kept for history go
    to a second store, DIR/history, copied there before the transaction that replaces them."""

    def __init__(self, path: str | Path | None = None):
        import pyoxigraph as ox
        self.ox = ox
        self.path = Path(path) if path else None
        if self.path:
            self.path.mkdir(parents=True, exist_ok=True)
            self.store = ox.Store(str(self.path / "live"))
        else:
            self.store = ox.Store()
        self._archive = None
        # answers computed from this store, valid until it changes (see answers.py); a store in memory has none
        self.answers = AnswerBook(self.path) if self.path else None
        self._shared_written: set[str] = set()   # shared-graph quads this instance has committed
        self._status, self._current = ox.NamedNode(str(STORE.status)), ox.NamedNode(str(STORE.Current))
        if not self.store.contains_named_graph(ox.NamedNode(str(SHARED_GRAPH))):
            nt = _nt(vocabulary_graph())
            self.store.update(f"INSERT DATA {{ GRAPH <{SHARED_GRAPH}> {{\n{nt}}} }}")
        self.recover()
        if self.path:   # spools a crashed BulkWriter left: their documents were never committed
            for f in (self.path / "spool").glob("spool-*.nq"):
                f.unlink(missing_ok=True)

    def recover(self) -> list[str]:
        """Drop document graphs the manifest does not list: what a crash during a batched bulk write left behind
        (a BulkWriter commits a load by writing its manifest entries last). Returns the graphs dropped."""
        ox = self.ox
        mg = ox.NamedNode(str(MANIFEST_GRAPH))
        listed = {q.subject for q in self.store.quads_for_pattern(None, self._status, None, mg)}
        keep = {ox.NamedNode(str(SHARED_GRAPH)), mg}
        orphans = [g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode) and g not in keep
                   and g not in listed and "/graph/" in g.value]
        if orphans:
            with self._changing():
                for g in orphans:
                    self.store.remove_graph(g)
        return [g.value for g in orphans]

    @contextlib.contextmanager
    def _changing(self):
        """Every write to the store goes inside: the answers' generation changes before it and after it."""
        if self.answers is None:
            yield
            return
        self.answers.changed()
        try:
            yield
        finally:
            self.answers.changed()

    def write_many(self, batch: list[PreparedDocument], keep_history: bool = False) -> list[IngestOutcome]:
        """Write a batch of documents through one BulkWriter (see there), in one bulk load."""
        writer = self.bulk_writer(keep_history, max_documents=max(1, len(batch)), background=False)
        for p in batch:
            writer.add(p)
        return writer.finish()

    def bulk_writer(self, keep_history: bool = False, **options) -> "BulkWriter":
        return BulkWriter(self, keep_history, **options)

    @property
    def archive(self):
        """Superseded versions, outside the queried union (opened on first use)."""
        if self._archive is None:
            self._archive = self.ox.Store(str(self.path / "history")) if self.path else self.ox.Store()
        return self._archive

    def _manifest_rows(self, q: str = MANIFEST_QUERY):
        res = self.store.query(q)
        names = [v.value for v in res.variables]
        return names, [[_term_text(s[v]) for v in names] for s in res]

    def _lookup(self, name: str | None = None, sha: str | None = None) -> list[DocumentRecord]:
        """Current documents with this name or these bytes, read from the manifest's indexes (a SPARQL query with
        a FILTER here made every write scan the whole manifest: quadratic ingest)."""
        ox = self.ox
        mg = ox.NamedNode(str(MANIFEST_GRAPH))
        prop, value = (STORE.documentName, name) if name is not None else (STORE.sha256, sha)
        out = []
        for q in self.store.quads_for_pattern(None, ox.NamedNode(str(prop)), ox.Literal(value), mg):
            g = q.subject
            if not any(True for _ in self.store.quads_for_pattern(g, self._status, self._current, mg)):
                continue
            fields = {str(x.predicate.value): x.object.value for x in self.store.quads_for_pattern(g, None, None, mg)}
            out.append(DocumentRecord(fields.get(str(STORE.documentName), ""), fields.get(str(STORE.sha256), ""),
                                      g.value, fields.get(str(STORE.ingestedAt), ""),
                                      int(fields.get(str(STORE.triples), 0) or 0)))
        return out

    def _commit(self, p, old_graph, keep_history, when) -> None:
        with self._changing():
            self._commit_unguarded(p, old_graph, keep_history, when)

    def _commit_unguarded(self, p, old_graph, keep_history, when) -> None:
        if old_graph is None:
            # a new document: its graph, its shared triples and its manifest entry are parsed by oxigraph (Rust) and
            # written in one transaction; a crash leaves all of it or none of it
            mg = f" <{MANIFEST_GRAPH}> .\n"
            data = p.doc_nq + (p.shared_nq + _manifest_entry(p, when).replace(" .\n", mg)).encode("utf-8")
            self.store.load(data, format=self.ox.RdfFormat.N_QUADS)
            return
        if old_graph and keep_history:
            # copy first (idempotent): a crash before the replacing transaction leaves the old version current
            ox = self.ox
            hist = ox.NamedNode(history_iri(old_graph))
            self.archive.remove_graph(hist)
            self.archive.extend(ox.Quad(q.subject, q.predicate, q.object, hist)
                                for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(old_graph)))
            self.archive.flush()
        self.store.update(_update_for(p, old_graph, keep_history, when, move=False))

    def drop(self, document_name: str) -> bool:
        ops = []
        for r in self.documents(include_history=True):
            if r.name == document_name:
                ops.append(f"DROP SILENT GRAPH <{r.graph}>")
                ops.append(f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{r.graph}> ?p ?o }} }}")
                if r.status == "superseded":
                    self.archive.remove_graph(self.ox.NamedNode(history_iri(r.graph)))
        if ops:
            with self._changing():
                self.store.update(" ;\n".join(ops))
        return bool(ops)

    def answer(self, sparql_text: str):
        """query(), answered from the answer book while the store is unchanged since it was last asked."""
        if self.answers is None:
            from .answers import Answer
            columns, rows = self.query(sparql_text)
            return Answer(columns, rows, "", 0.0, False)
        return self.answers.answer(sparql_text, lambda: self.query(sparql_text))

    def query(self, sparql_text: str):
        from .query import QueryError
        try:
            res = self.store.query(with_prefixes(sparql_text), use_default_graph_as_union=True)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL: {e}") from None
        except OSError as e:
            raise QueryError(f"query failed: {e}") from None
        ox = self.ox
        if isinstance(res, ox.QueryBoolean):
            return ["ask"], [[str(bool(res)).lower()]]
        if isinstance(res, ox.QueryTriples):
            return ["s", "p", "o"], [[_term_text(t.subject), _term_text(t.predicate), _term_text(t.object)] for t in res]
        names = [v.value for v in res.variables]
        return names, [[_term_text(s[v]) for v in names] for s in res]

    def triple_count(self) -> int:
        return len(self.store)

    def history_triples(self, graph: str) -> int:
        """Triples kept for a superseded version."""
        return sum(1 for _ in self.archive.quads_for_pattern(None, None, None, self.ox.NamedNode(history_iri(graph))))

    def size_on_disk(self) -> int:
        if not self.path:
            return 0
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def optimize(self) -> None:
        self.store.flush()
        self.store.optimize()

    def close(self) -> None:
        if getattr(self, "store", None) is not None:
            self.store.flush()
            self.store = None
        if self._archive is not None:
            self._archive.flush()
            self._archive = None


class BulkWriter:
    """Writes documents to an OxigraphStore in a few large bulk loads. Each new document's N-Quads go to a spool
    file as it arrives (so the parent holds metadata, not quads); when a load is due, oxigraph's bulk loader reads
    the spool in a background thread (it releases the GIL) while the next spool fills, and the documents' manifest
    entries are then written in one transaction, which is the commit.

    When a load is due: each load's SST files overlap the keys of everything loaded before (every index interleaves
    all documents), so RocksDB merges the store again for each load, while the loader's memory is bounded by its
    batches of a million quads, not by the load (2.06 GB peak for a 2.75 GB load, 1.81 GB for 0.9 GB; the older
    belief that it grows with the load came from a misread peak). So: load rarely. Told how many documents are
    coming (`expected`), the writer makes one load in the background once `first_load_share` of them are spooled,
    sized so that it ends about when extraction does, and loads the rest at the end: at 10,000 synthetic
    documents, 60 % (docs/benchmarks.md, seventh pass). Otherwise, and in any case, a load starts at `max_bytes`
    of spool (8 GiB: the disk a spool takes, and the work a crash before its commit costs) or `max_documents`.

    A crash before a commit leaves graphs no manifest entry lists, which OxigraphStore.recover() drops when the
    store is next opened: the store holds whole documents only, and a new run skips those committed (same bytes).
    A load that fails as a whole (a quad the loader refuses, a full disk) is retried one document at a time, each
    in its own transaction, so one bad document does not cost the others. The same bytes twice are written once;
    a document that replaces a current one waits for the loads before it and goes through OxigraphStore.write()
    (one transaction). Not for a store other processes query while it is written."""

    def __init__(self, store: "OxigraphStore", keep_history: bool = False, max_documents: int | None = None,
                 max_bytes: int = 8 << 30, background: bool = True, expected: int | None = None,
                 first_load_share: float = 0.6):
        self.store, self.keep_history = store, keep_history
        self.max_documents, self.max_bytes, self.background = max_documents, max_bytes, background
        # the one planned load: after this many documents, once
        self._planned = max(1, round(expected * first_load_share)) if expected else None
        spool_dir = store.path / "spool" if store.path else Path(tempfile.gettempdir())
        spool_dir.mkdir(parents=True, exist_ok=True)
        self._spool_dir = spool_dir
        self._outcomes: list[IngestOutcome | None] = []
        # every document this writer was given, loaded or not yet: a load in flight is not in the manifest yet
        self._names: set[str] = set()
        self._shas: dict[str, PreparedDocument] = {}
        self._loading: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._open()

    def _open(self) -> None:
        fd, name = tempfile.mkstemp(prefix="spool-", suffix=".nq", dir=self._spool_dir)
        self._spool_path = Path(name)
        self._spool = os.fdopen(fd, "wb")
        self._pending: list[tuple[int, PreparedDocument, int, int]] = []   # (outcome slot, metadata, offset, length)
        self._shared: set[str] = set()

    def add(self, p: PreparedDocument) -> None:
        self._outcomes.append(None)
        i = len(self._outcomes) - 1
        if p.error:
            self._outcomes[i] = IngestOutcome(p.name, p.sha256, None, "error", error=p.error)
        elif p.sha256 in self._shas:
            q = self._shas[p.sha256]
            self._outcomes[i] = IngestOutcome(q.name, q.sha256, q.graph, "unchanged", q.triples)
        elif p.name in self._names or self.store._lookup(name=p.name) or self.store._lookup(sha=p.sha256):
            self.flush(wait=True)
            self._outcomes[i] = write_guarded(self.store, p, self.keep_history)
        else:
            data = p.doc_nq
            offset = self._spool.tell()
            self._spool.write(data)
            self._shared.update(p.shared_nq.splitlines(keepends=True))
            # keep what the manifest needs, not the quads
            meta = replace(p, doc_nq=b"", shared_nq="")
            self._pending.append((i, meta, offset, len(data)))
            self._names.add(p.name)
            self._shas[p.sha256] = meta
            if self._load_due():
                self.flush()

    def _load_due(self) -> bool:
        """Whether the spool should be loaded now; the planned load answers yes once, then is spent (>= rather
        than ==: the document that reaches the count may be one that is not spooled, an error or a duplicate)."""
        if self._planned is not None and len(self._outcomes) >= self._planned:
            self._planned = None
            return True
        return (self._spool.tell() >= self.max_bytes
                or (self.max_documents is not None and len(self._pending) >= self.max_documents))

    def flush(self, wait: bool = False) -> None:
        """Hand the spool to the loader (waiting for the load before it), and start a new spool."""
        if self._pending:
            self._join()    # one load at a time; and the shared quads it committed need not be sent again
            shared = self._shared - self.store._shared_written
            self._spool.write("".join(shared).encode("utf-8"))
            self._spool.close()
            job = (self._spool_path, self._pending, shared)
            self._open()
            if self.background and not wait:
                self._loading = threading.Thread(target=self._load_guarded, args=job, daemon=True)
                self._loading.start()
            else:
                self._load(*job)
        if wait:
            self._join()

    def finish(self) -> list[IngestOutcome]:
        """Write what is spooled and return every document's outcome, in the order added."""
        try:
            self.flush(wait=True)
        finally:
            self._spool.close()
            self._spool_path.unlink(missing_ok=True)
        return list(self._outcomes)

    def _join(self) -> None:
        if self._loading is not None:
            self._loading.join()
            self._loading = None
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _load_guarded(self, *job) -> None:
        try:
            self._load(*job)
        except BaseException as e:  # noqa: BLE001 - raised again in the adding thread by _join()
            self._failure = e

    def _load(self, spool: Path, pending: list, shared: set[str]) -> None:
        store, ox = self.store, self.store.ox
        try:
            try:
                with store._changing():
                    store.store.bulk_load(path=str(spool), format=ox.RdfFormat.N_QUADS)
                    if store.hook is not None:
                        for _, q, _, _ in pending:
                            store.hook(q)
                    when, mg = _now(), f" <{MANIFEST_GRAPH}> .\n"
                    manifest = "".join(_manifest_entry(q, when).replace(" .\n", mg) for _, q, _, _ in pending)
                    store.store.load(manifest.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
                store._shared_written |= shared   # only once committed: a failed load sends them again
                for i, q, _, _ in pending:
                    self._outcomes[i] = IngestOutcome(q.name, q.sha256, q.graph, "added", q.triples)
            except Exception:  # noqa: BLE001 - the load failed as a whole: each document in a transaction of its own
                store.recover()
                with store._changing():
                    store.store.load("".join(shared).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
                store._shared_written |= shared
                with open(spool, "rb") as f:
                    for i, q, offset, length in pending:
                        f.seek(offset)
                        doc = replace(q, doc_nq=f.read(length))
                        self._outcomes[i] = write_guarded(store, doc, self.keep_history)
        finally:
            spool.unlink(missing_ok=True)


def write_guarded(store: _BaseStore, p: PreparedDocument, keep_history: bool = False) -> IngestOutcome:
    """store.write(p), with a store's refusal of this one document reported as its outcome, not raised."""
    try:
        return store.write(p, keep_history)
    except Exception as e:  # noqa: BLE001 - a store refusing one document does not stop the batch
        return IngestOutcome(p.name, p.sha256, None, "error", error=f"{type(e).__name__}: {e}")


# ---------------------------------------------------------------------------------------------------------

class RemoteStore(_BaseStore):
    """A remote SPARQL 1.1 store (Fuseki, GraphDB, Virtuoso...). Writes: Graph Store Protocol (PUT the document's
    graph, POST into the shared graph), then one SPARQL Update for the manifest and the replaced graph. Queries:
    SPARQL Protocol with the current graphs as default-graph-uri when there are few, else the endpoint's union
    default graph (configure it: Fuseki tdb2:unionDefaultGraph, Oxigraph --union-default-graph, GraphDB and
    Virtuoso do it by default). Past MAX_DEFAULT_GRAPHS documents, versions kept by keep_history sit in that union
    too and answer queries beside the current ones: keep history on a local store, or exclude graph/history/ from
    the endpoint's union.

    `spec` is the dataset URL: SPARQL at SPEC/query and SPEC/update, the Graph Store Protocol at SPEC/data (Fuseki:
    http://host:3030/ds) or SPEC/store (Oxigraph server: http://host:7878), whichever answers; override with
    query=, update=, data= keyword arguments."""

    MAX_DEFAULT_GRAPHS = 50
    GRAPH_STORE_PATHS = ("/data", "/store")     # Fuseki's, Oxigraph's

    def __init__(self, spec: str, query: str | None = None, update: str | None = None, data: str | None = None,
                 client=None, timeout: float = 120.0):
        import httpx
        base = spec.rstrip("/")
        self.query_url = query or base + "/query"
        self.update_url = update or base + "/update"
        self.client = client or httpx.Client(timeout=timeout)
        self.data_url = data or self._graph_store_url(base)
        self.ensure_shared()

    def _graph_store_url(self, base: str) -> str:
        """The first of the usual Graph Store Protocol paths that answers HEAD for the default graph (no body is sent
        back, however large the store). A probe has its own connection: Oxigraph's server answers HEAD on a path it
        does not serve with a malformed response, which must not spoil the connection the store goes on using."""
        import httpx
        for path in self.GRAPH_STORE_PATHS:
            try:
                with httpx.Client(timeout=self.client.timeout) as probe:
                    if probe.head(base + path + "?default").status_code < 400:
                        return base + path
            except (httpx.ConnectError, httpx.ConnectTimeout) as e:
                raise OSError(f"{base}: no SPARQL store answers there: {e}") from None
            except httpx.TransportError:
                continue        # a malformed answer: not this path
        return base + self.GRAPH_STORE_PATHS[0]

    def ensure_shared(self):
        h, rows = self._select(f"ASK {{ GRAPH <{SHARED_GRAPH}> {{ ?s ?p ?o }} }}")
        if rows and rows[0][0] == "false":
            self._gsp("POST", str(SHARED_GRAPH), _nt(vocabulary_graph()))

    def _gsp(self, method: str, graph: str, body: str | None = None):
        url = self.data_url + "?graph=" + urllib.parse.quote(graph, safe="")
        r = self.client.request(method, url, content=body.encode("utf-8") if body is not None else None,
                                headers={"Content-Type": "application/n-triples; charset=utf-8"} if body is not None else {})
        if method == "DELETE" and r.status_code == 404:
            return r
        r.raise_for_status()
        return r

    def _update(self, text: str):
        r = self.client.post(self.update_url, data={"update": text})
        r.raise_for_status()

    def _select(self, text: str, default_graphs: list[str] | None = None):
        # a repeated default-graph-uri: a form body encoded here (httpx's data= takes a dict, one value per name)
        params = [("query", text)] + [("default-graph-uri", g) for g in (default_graphs or [])]
        r = self.client.post(self.query_url, content=urllib.parse.urlencode(params).encode("ascii"),
                             headers={"Accept": "application/sparql-results+json",
                                      "Content-Type": "application/x-www-form-urlencoded"})
        if r.status_code >= 400:
            from .query import QueryError
            raise QueryError(f"query failed: HTTP {r.status_code}: {r.text[:300]}")
        js = r.json()
        if "boolean" in js:
            return ["ask"], [[str(bool(js["boolean"])).lower()]]
        names = js["head"]["vars"]
        return names, [[b.get(v, {}).get("value", "") for v in names] for b in js["results"]["bindings"]]

    def _manifest_rows(self, q: str = MANIFEST_QUERY):
        return self._select(q)

    def _commit(self, p, old_graph, keep_history, when) -> None:
        # the content-hash graph is written first: if the process dies here it is an orphan the next run overwrites
        self._gsp("PUT", p.graph, p.doc_nt)
        if p.shared_nt:
            self._gsp("POST", str(SHARED_GRAPH), p.shared_nt)
        ops = []
        if old_graph:
            ops.append(f"DELETE DATA {{ GRAPH <{MANIFEST_GRAPH}> {{ <{old_graph}> <{STORE.status}> <{STORE.Current}> }} }}")
            if keep_history:
                ops.append(f"MOVE SILENT GRAPH <{old_graph}> TO GRAPH <{history_iri(old_graph)}>")
                ops.append(f"INSERT DATA {{ GRAPH <{MANIFEST_GRAPH}> {{ {_history_entry(old_graph, p.graph, when)} }} }}")
            else:
                ops.append(f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{old_graph}> ?p ?o }} }}")
                ops.append(f"DROP SILENT GRAPH <{old_graph}>")
        ops.append(f"INSERT DATA {{ GRAPH <{MANIFEST_GRAPH}> {{\n{_manifest_entry(p, when)}}} }}")
        self._update(" ;\n".join(ops))

    def drop(self, document_name: str) -> bool:
        ops = []
        for r in self.documents(include_history=True):
            if r.name == document_name:
                ops += [f"DROP SILENT GRAPH <{r.graph}>", f"DROP SILENT GRAPH <{history_iri(r.graph)}>",
                        f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{r.graph}> ?p ?o }} }}"]
        if ops:
            self._update(" ;\n".join(ops))
        return bool(ops)

    def query(self, sparql_text: str):
        docs = self.documents()
        graphs = None
        if len(docs) < self.MAX_DEFAULT_GRAPHS:
            graphs = [str(SHARED_GRAPH)] + [r.graph for r in docs]
        return self._select(with_prefixes(sparql_text), graphs)

    def triple_count(self) -> int:
        _, rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0][0]) if rows else 0

    def close(self) -> None:
        self.client.close()


def open_store(spec: str | None) -> _BaseStore:
    """None → memory; an http(s) URL → remote SPARQL endpoint; anything else → an oxigraph directory."""
    if spec is None or spec == ":memory:":
        return MemoryStore()
    if spec.startswith(("http://", "https://")):
        return RemoteStore(spec)
    return OxigraphStore(spec)


# ---------------------------------------------------------------------------------------------------------

@dataclass
class IngestReport:
    outcomes: list[IngestOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def triples(self) -> int:
        return sum(o.triples for o in self.outcomes if o.action in ("added", "replaced"))


def ingest_paths(store: _BaseStore, paths: Iterable[Union[str, Path]], jobs: int | None = None, progress: bool = True,
                 keep_history: bool = False, validate: bool = False, window: int | None = None,
                 batch: int | None = None) -> IngestReport:
    """Extract and map in worker processes, write in this one, in input order. Unchanged files (same bytes as a
    current document) are skipped before extraction; a bad document is reported and the batch goes on.

    SHACL validation is off by default: it is ~10x the cost of extract + map and belongs to `build`; pass
    validate=True to count violations per document anyway. On pyoxigraph, documents are committed by a BulkWriter
    (spooled, bulk-loaded in few large loads, one in the background as extraction goes on, then the manifest
    entries as the commit; `batch` bounds the documents one load holds, 1 writes one at a time); elsewhere one
    at a time."""
    import time
    from .pipeline import collect
    t0 = time.perf_counter()
    files = collect(list(paths))
    report = IngestReport()
    known = store._current_by_sha()
    todo = []
    for f in files:
        sha = sha256_of(f)
        if sha in known:
            rec = known[sha]
            report.outcomes.append(IngestOutcome(rec.name, sha, rec.graph, "unchanged", rec.triples))
        else:
            todo.append(f)
    jobs = jobs or os.cpu_count() or 1
    bar = None
    if progress and todo:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TimeRemainingColumn(), console=Console(stderr=True))
        bar.start()
        task = bar.add_task("ingest", total=len(todo))
    writer = None
    if hasattr(store, "bulk_writer") and (batch is None or batch > 1):
        writer = store.bulk_writer(keep_history, max_documents=batch, expected=len(todo))

    def done(p: PreparedDocument):
        if writer is not None:
            writer.add(p)
        else:
            report.outcomes.append(write_guarded(store, p, keep_history))
        if bar:
            bar.advance(task)

    try:
        if jobs <= 1 or len(todo) <= 1:
            for f in todo:
                done(prepare(f, validate))
        else:
            window = window or jobs * 4     # workers keep busy while the parent spools; the loads run in a thread
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                pending = collections.deque()
                it = iter(todo)
                for f in it:
                    pending.append((f, pool.submit(prepare, f, validate)))
                    if len(pending) >= window:
                        break
                while pending:
                    f, fut = pending.popleft()
                    try:
                        p = fut.result()
                    except Exception as e:  # noqa: BLE001 - a worker died on this document
                        p = PreparedDocument(path=str(f), name=Path(f).name, error=f"{f}: worker-error: {type(e).__name__}: {e}")
                    nxt = next(it, None)
                    if nxt is not None:
                        pending.append((nxt, pool.submit(prepare, nxt, validate)))
                    done(p)
        if writer is not None:
            if bar:
                bar.update(task, description="writing")
            report.outcomes.extend(writer.finish())
    finally:
        if bar:
            bar.stop()
    report.seconds = time.perf_counter() - t0
    return report


__all__ = ["Store", "MemoryStore", "OxigraphStore", "RemoteStore", "open_store", "ingest_paths", "prepare",
           "PreparedDocument", "IngestOutcome", "IngestReport", "DocumentRecord", "MANIFEST_GRAPH", "STORE"]
