"""What every store offers (reading and writing), what it is given (a prepared document as N-Quads) and the ingest decisions all stores share."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ..namespaces import SHARED_GRAPH
from .manifest import DOCUMENTS_IN_DATA, MANIFEST_QUERY, STORE, lookup_query, now


class StoreError(OSError):
    """A store that cannot be reached, opened or written, in one line that names it."""


class ReadOnlyStore(StoreError):
    """A write asked of a store opened for reading."""


class NoDocuments(LookupError):
    """A query asked of a store that holds no pia-graph documents: an empty answer would look like a real one."""


# ---------------------------------------------------------------------------------------------------------
# What travels from the extracting worker to the writing store: plain strings, cheap to pickle.

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
    warnings: int = 0
    infos: int = 0
    # the validation report, as N-Quads in the report graph beside the document's (pia_graph/report.py); empty when
    # the document was not validated
    report_nq: bytes = b""
    # each canned query's rows for this document (canned.document_rows), kept beside a store that keeps rows, and
    # how many statements of each shared node they saw (canned.SharedLedger)
    rows: dict | None = None
    rows_shared: dict | None = None

    @property
    def doc_nt(self) -> str:
        """The document's triples as N-Triples, for stores that take a graph's triples (no raw newline can occur
        inside a term, so " <graph> .\n" only ever ends a line)."""
        return self.doc_nq.decode("utf-8").replace(f" <{self.graph}> .\n", " .\n")

    @property
    def report_graph(self) -> str:
        from .manifest import report_graph_iri
        return report_graph_iri(self.graph)

    @property
    def report_nt(self) -> str:
        return self.report_nq.decode("utf-8").replace(f" <{self.report_graph}> .\n", " .\n")

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


# ---------------------------------------------------------------------------------------------------------
# N-Triples written by hand: several times faster than rdflib's serializer.

_IRI_BAD = frozenset('<>"{}|^`\\ ') | frozenset(chr(i) for i in range(0x21))
_STRING = str(XSD.string)


def nt(triples, graph: str | None = None) -> str:
    """Triples (a Graph or any iterable of them) as N-Triples, or as N-Quads in `graph`; each distinct term is
    written once per call (subjects and predicates repeat across a document's triples). Literals are escaped as
    JSON strings, whose escapes (backslash-quote, -backslash, -n, -r, -t, -b, -f, -uXXXX) are all valid N-Triples
    escapes."""
    end = f" <{graph}> .\n" if graph else " .\n"
    cache: dict = {}
    known = cache.get

    def new(term) -> str:
        text = cache[term] = nt_term(term)
        return text
    # one expression per triple, no loop per term: ~9 % of this function's time (no term's text is empty)
    return "".join([f"{known(s) or new(s)} {known(p) or new(p)} {known(o) or new(o)}{end}" for s, p, o in triples])


def nt_term(term) -> str:
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


def ontology_triples() -> set:
    """The ontology as a store holds it beside the data: without the triples the shared graph already carries
    (the check states and their labels), so that a query over the union of the graphs sees no triple twice."""
    from ..mapping import vocabulary_graph
    from ..validate import ontology_graph
    return set(ontology_graph()) - set(vocabulary_graph())


def term_text(term) -> str:
    if term is None:
        return ""
    return str(getattr(term, "value", term))


# ---------------------------------------------------------------------------------------------------------

@runtime_checkable
class Store(Protocol):
    """A store of pia-graph documents, one named graph each. Reading: query, documents, triple_count. Writing
    (refused by a store opened read_only): write, drop, put_ontology."""

    read_only: bool

    def query(self, sparql_text: str) -> tuple[list[str], list[list[str]]]: ...
    def documents(self, include_history: bool = False) -> list[DocumentRecord]: ...
    def documents_in_data(self) -> list[tuple[str, str, str]]: ...
    def triple_count(self) -> int: ...
    def write(self, p: PreparedDocument, keep_history: bool = False) -> IngestOutcome: ...
    def drop(self, document_name: str) -> bool: ...
    def put_ontology(self) -> None: ...
    def close(self) -> None: ...


class BaseStore:
    """The ingest decisions shared by every store (same bytes: unchanged; same name: replaced); subclasses supply
    manifest_rows(), commit(), query() and drop()."""

    read_only = False
    hook = None   # tests set this to a callable(prepared) run just before a document's write commits
    name = "store"

    def write(self, p: PreparedDocument, keep_history: bool = False) -> IngestOutcome:
        self.writable()
        if p.error:
            return IngestOutcome(p.name, p.sha256, None, "error", error=p.error)
        same = self.lookup(sha=p.sha256)
        if same:   # the same bytes (under any name) are already current: nothing to do
            rec = same[0]
            return IngestOutcome(rec.name, p.sha256, rec.graph, "unchanged", rec.triples)
        olds = self.lookup(name=p.name)
        old = olds[0] if olds else None
        if self.hook is not None:
            self.hook(p)
        self.commit(p, old.graph if old else None, keep_history, now())
        if old is None:
            return IngestOutcome(p.name, p.sha256, p.graph, "added", p.triples)
        return IngestOutcome(p.name, p.sha256, p.graph, "replaced", p.triples, replaced=old.graph,
                             history=old.graph if keep_history else None)

    def writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStore(f"{self.name}: opened for reading; reading never writes")

    def lookup(self, name: str | None = None, sha: str | None = None) -> list[DocumentRecord]:
        """Current documents with this name or these bytes."""
        _, rows = self.manifest_rows(lookup_query(name, sha))
        return [DocumentRecord(name, sha, g, when, int(n or 0)) for g, name, sha, when, n, status, sup in rows]

    def current_by_sha(self) -> dict[str, DocumentRecord]:
        return {r.sha256: r for r in self.documents()}

    def documents(self, include_history: bool = False) -> list[DocumentRecord]:
        _, rows = self.manifest_rows(MANIFEST_QUERY)
        out = []
        for g, name, sha, when, n, status, sup in rows:
            st = "current" if status == str(STORE.Current) else "superseded"
            if st == "current" or include_history:
                out.append(DocumentRecord(name, sha, g, when, int(n or 0), st, sup or None))
        out.sort(key=lambda r: (r.name, r.ingested))
        return out

    def documents_in_data(self) -> list[tuple[str, str, str]]:
        """(graph, file name, SHA-256) of every document graph the data holds, manifest or not."""
        _, rows = self.query(DOCUMENTS_IN_DATA)
        return sorted((g, name, sha) for g, name, sha in rows)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


__all__ = ["Store", "BaseStore", "PreparedDocument", "IngestOutcome", "DocumentRecord", "StoreError", "ReadOnlyStore",
           "NoDocuments", "nt", "nt_term", "term_text", "ontology_triples"]
