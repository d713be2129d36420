"""rdflib in memory: a graph file opened as a store, small jobs, the web app over a file, and tests."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from ..mapping import vocabulary_graph
from ..namespaces import SHARED_GRAPH, bind_all
from .base import BaseStore, PreparedDocument, ontology_triples, term_text
from .manifest import (MANIFEST_GRAPH, MANIFEST_QUERY, ONTOLOGY_GRAPH, STORE, history_entry, manifest_entry, now,
                       report_graph_iri)


class MemoryStore(BaseStore):
    """Current documents and the shared graph are queried as one union; the manifest and superseded versions live
    in a second dataset so that they never show in query results.

    `dataset`: an existing Dataset to serve as the store (a graph file written by `build`, loaded with its default
    graph the union of its named graphs); its documents are entered in the manifest from the data itself."""

    def __init__(self, dataset: Dataset | None = None, read_only: bool = False, name: str = ":memory:"):
        self.name, self.read_only = name, read_only
        self.meta = Dataset()
        if dataset is None:
            self.live = Dataset(default_union=True)
            bind_all(self.live)
            shared = self.live.graph(SHARED_GRAPH)
            for t in vocabulary_graph():
                shared.add(t)
        else:
            self.live = dataset
        self._manifest_pending = dataset is not None     # entered from the data when first needed

    def _enter_documents_of_the_data(self) -> None:
        self._manifest_pending = False
        when = now()
        mg = self.meta.graph(MANIFEST_GRAPH)
        for g, name, sha in self.documents_in_data():
            entry = PreparedDocument(path=name, name=name, sha256=sha, graph=g, triples=len(self.live.graph(URIRef(g))))
            mg.parse(data=manifest_entry(entry, when), format="nt")

    @classmethod
    def from_file(cls, path: str | Path, fmt: str | None = None, read_only: bool = True) -> "MemoryStore":
        """A graph file (TriG, N-Quads, Turtle, JSON-LD…) as a store."""
        from ..store import load_dataset
        return cls(load_dataset(path, fmt), read_only=read_only, name=str(path))

    def dataset(self) -> Dataset:
        """The store as an rdflib Dataset whose default graph is the union of the documents and the shared graph."""
        return self.live

    def manifest_rows(self, q: str = MANIFEST_QUERY):
        if self._manifest_pending:
            self._enter_documents_of_the_data()
        res = self.meta.query(q)
        return [str(v) for v in res.vars], [[term_text(r[v]) for v in res.vars] for r in res]

    def commit(self, p, old_graph, keep_history, when) -> None:
        # build the new graph aside, then switch: an exception before the switch leaves the store as it was
        new = Graph()
        new.parse(data=p.doc_nt, format="nt")
        shared = Graph()
        if p.shared_nt:
            shared.parse(data=p.shared_nt, format="nt")
        manifest = Graph().parse(data=manifest_entry(p, when), format="nt")
        report = Graph().parse(data=p.report_nt, format="nt") if p.report_nq else None
        target = self.live.graph(URIRef(p.graph))
        for t in new:
            target.add(t)
        if report is not None:
            report_target = self.live.graph(URIRef(p.report_graph))
            for t in report:
                report_target.add(t)
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
                for t in Graph().parse(data=history_entry(old_graph, p.graph, when), format="nt"):
                    mg.add(t)
            else:
                mg.remove((o, None, None))
            self.live.remove_graph(self.live.graph(o))
            self.live.remove_graph(self.live.graph(URIRef(report_graph_iri(old_graph))))
        for t in manifest:
            mg.add(t)

    def drop(self, document_name: str) -> bool:
        self.writable()
        mg = self.meta.graph(MANIFEST_GRAPH)
        hit = False
        for r in self.documents(include_history=True):
            if r.name == document_name:
                g = URIRef(r.graph)
                self.live.remove_graph(self.live.graph(g))
                self.live.remove_graph(self.live.graph(URIRef(report_graph_iri(r.graph))))
                self.meta.remove_graph(self.meta.graph(g))
                mg.remove((g, None, None))
                hit = True
        return hit

    def put_ontology(self) -> None:
        """The ontology beside the data, in its own graph."""
        self.writable()
        target = self.live.graph(ONTOLOGY_GRAPH)
        target.remove((None, None, None))
        for t in ontology_triples():
            target.add(t)

    def query(self, sparql_text: str):
        from ..query import rows, run
        return rows(run(self.live, sparql_text))

    def triple_count(self) -> int:
        return sum(len(g) for g in self.live.graphs())


__all__ = ["MemoryStore"]
