"""pyoxigraph on disk (RocksDB): the store for anything large, and the one place that knows a store directory's layout."""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..mapping import vocabulary_graph
from ..namespaces import SHARED_GRAPH
from ..query import with_prefixes
from ..canned import RowBook
from ..sources import SourceTexts
from .answers import Answer, AnswerBook
from .base import BaseStore, DocumentRecord, PreparedDocument, StoreError, nt, ontology_triples, term_text
from .manifest import (MANIFEST_GRAPH, MANIFEST_QUERY, ONTOLOGY_GRAPH, STORE, document_of_report, history_iri,
                       is_document_graph, is_report_graph, manifest_entry, report_graph_iri, retiring_ops)


def replace_update(p: PreparedDocument, old_graph: str | None, keep_history: bool, when: str,
                   move: bool = True) -> str:
    """One SPARQL Update that replaces a document (and its validation report): executed as one transaction, so a
    crash leaves either the old version or the new, never half of one."""
    ops = retiring_ops(old_graph, p.graph, keep_history, when, move)
    report = f"GRAPH <{p.report_graph}> {{\n{p.report_nt}}}\n" if p.report_nq else ""
    ops.append(f"INSERT DATA {{ GRAPH <{p.graph}> {{\n{p.doc_nt}}}\n{report}"
               f"GRAPH <{SHARED_GRAPH}> {{\n{p.shared_nt}}}\n"
               f"GRAPH <{MANIFEST_GRAPH}> {{\n{manifest_entry(p, when)}}} }}")
    return " ;\n".join(ops)


class OxigraphStore(BaseStore):
    """A store directory: DIR/live the queried pyoxigraph store, DIR/history superseded versions (outside the
    queried union: an explicit default-graph list makes pyoxigraph 50-100x slower, so history cannot sit beside
    the live graphs), DIR/spool the bulk writer's spools, DIR/answers the answer book. Each document is written in
    one transaction that also records it in the manifest graph.

    read_only opens DIR/live as pyoxigraph's read-only store: nothing is written, not even crash recovery (and not
    while another process writes it)."""

    LIVE, HISTORY, SPOOL, ANSWERS, SOURCES = "live", "history", "spool", "answers", "sources"

    def __init__(self, path: str | Path | None = None, read_only: bool = False):
        import pyoxigraph as ox
        self.ox = ox
        self.path = Path(path) if path else None
        self.name = str(path) if path else ":oxigraph-in-memory:"
        self.read_only = read_only
        if read_only:
            if not self.is_store(self.path):
                raise StoreError(f"{path}: not a pia-graph store (run `pia-graph load … --store {path}` first)")
            self.raw = self._open(lambda: ox.Store.read_only(str(self.path / self.LIVE)))
        elif self.path:
            self.path.mkdir(parents=True, exist_ok=True)
            self.raw = self._open(lambda: ox.Store(str(self.path / self.LIVE)))
        else:
            self.raw = ox.Store()
        self._archive = None
        # answers computed from this store, valid until it changes (see answers.py); a store in memory has none
        self.answers = AnswerBook(self.path / self.ANSWERS) if self.path else None
        # each document's canned rows (canned.py), valid for the generation they were stamped with
        self.rows = RowBook(self.path, read_only=read_only) if self.path else None
        self.shared_written: set[str] = set()   # shared-graph quads this instance has committed
        self._ledger = None        # canned.SharedLedger of the documents written since the rows were settled
        self._status, self._current = ox.NamedNode(str(STORE.status)), ox.NamedNode(str(STORE.Current))
        if read_only:
            return
        if not self.raw.contains_named_graph(ox.NamedNode(str(SHARED_GRAPH))):
            self.raw.update(f"INSERT DATA {{ GRAPH <{SHARED_GRAPH}> {{\n{nt(vocabulary_graph())}}} }}")
        self.recover()
        if self.path:   # spools a crashed BulkWriter left: their documents were never committed
            for f in self.spool_dir.glob("spool-*.nq"):
                f.unlink(missing_ok=True)

    def _open(self, opener):
        try:
            return opener()
        except OSError as e:    # locked by another process, or not a store
            raise StoreError(f"{self.path}: cannot open the store: {' '.join(str(e).split())}") from None

    @classmethod
    def is_store(cls, path: str | Path | None) -> bool:
        """A directory `pia-graph load` wrote."""
        return path is not None and (Path(path) / cls.LIVE / "CURRENT").exists()

    @property
    def spool_dir(self) -> Path:
        return self.path / self.SPOOL

    @property
    def sources(self) -> SourceTexts | None:
        """The documents' texts (DIR/sources), for the source links; none for a store in memory."""
        return SourceTexts(self.path / self.SOURCES) if self.path else None

    def dataset(self):
        """The store as an rdflib Dataset (default graph: the union of its graphs). oxrdflib hands SPARQL to
        pyoxigraph's own engine, so the web app and the CLI query the store at oxigraph's speed through the same
        rdflib interface they use for a graph file."""
        from oxrdflib import OxigraphStore as RdflibAdapter
        from rdflib import Dataset

        from ..namespaces import bind_all
        ds = Dataset(store=RdflibAdapter(store=self.raw), default_union=True)
        bind_all(ds)
        return ds

    def recover(self) -> list[str]:
        """Drop document graphs the manifest does not list: what a crash during a batched bulk write left behind
        (a BulkWriter commits a load by writing its manifest entries last). Returns the graphs dropped."""
        ox = self.ox
        mg = ox.NamedNode(str(MANIFEST_GRAPH))
        listed = {q.subject.value for q in self.raw.quads_for_pattern(None, self._status, None, mg)}
        orphans = [g for g in self.raw.named_graphs() if isinstance(g, ox.NamedNode) and (
            (is_document_graph(g.value) and g.value not in listed)
            or (is_report_graph(g.value) and document_of_report(g.value) not in listed))]
        if orphans:
            with self.changing():
                for g in orphans:
                    self.raw.remove_graph(g)
        return [g.value for g in orphans]

    @contextlib.contextmanager
    def changing(self):
        """Every write to the store goes inside: the answers' generation changes before it and after it."""
        self.writable()
        if self.answers is None:
            yield
            return
        self.answers.changed()
        try:
            yield
        finally:
            self.answers.changed()

    def write_many(self, batch: list[PreparedDocument], keep_history: bool = False):
        """Write a batch of documents through one BulkWriter (see there), in one bulk load."""
        writer = self.bulk_writer(keep_history, max_documents=max(1, len(batch)), background=False)
        for p in batch:
            writer.add(p)
        return writer.finish()

    def bulk_writer(self, keep_history: bool = False, **options):
        from .bulk import BulkWriter
        self.writable()
        return BulkWriter(self, keep_history, **options)

    @property
    def archive(self):
        """Superseded versions, outside the queried union (opened on first use)."""
        if self._archive is None:
            self._archive = self.ox.Store(str(self.path / self.HISTORY)) if self.path else self.ox.Store()
        return self._archive

    def manifest_rows(self, q: str = MANIFEST_QUERY):
        res = self.raw.query(q)
        names = [v.value for v in res.variables]
        return names, [[term_text(s[v]) for v in names] for s in res]

    def lookup(self, name: str | None = None, sha: str | None = None) -> list[DocumentRecord]:
        """Current documents with this name or these bytes, read from the manifest's indexes (a SPARQL query with
        a FILTER here made every write scan the whole manifest: quadratic ingest)."""
        ox = self.ox
        mg = ox.NamedNode(str(MANIFEST_GRAPH))
        prop, value = (STORE.documentName, name) if name is not None else (STORE.sha256, sha)
        out = []
        for q in self.raw.quads_for_pattern(None, ox.NamedNode(str(prop)), ox.Literal(value), mg):
            g = q.subject
            if not any(True for _ in self.raw.quads_for_pattern(g, self._status, self._current, mg)):
                continue
            fields = {str(x.predicate.value): x.object.value for x in self.raw.quads_for_pattern(g, None, None, mg)}
            out.append(DocumentRecord(fields.get(str(STORE.documentName), ""), fields.get(str(STORE.sha256), ""),
                                      g.value, fields.get(str(STORE.ingestedAt), ""),
                                      int(fields.get(str(STORE.triples), 0) or 0)))
        return out

    def commit(self, p, old_graph, keep_history, when) -> None:
        with self.changing():
            self.watch_shared(p)
            if old_graph is None:
                # a new document: its graph, its report, its shared triples and its manifest entry are parsed by
                # oxigraph (Rust) and written in one transaction; a crash leaves all of it or none of it
                if self.rows is not None and p.rows is not None:
                    self.rows.stamp(None)
                    self.rows.put([(p.graph, p.rows)])
                    self.rows.set_documents(add=[p.graph])
                mg = f" <{MANIFEST_GRAPH}> .\n"
                data = p.doc_nq + p.report_nq + (p.shared_nq + manifest_entry(p, when).replace(" .\n", mg)).encode("utf-8")
                self.raw.load(data, format=self.ox.RdfFormat.N_QUADS)
                return
            if self.rows is not None:
                self.rows.stamp(None)
                self.rows.put([(p.graph, p.rows)] if p.rows is not None else [])
                self.rows.set_documents(add=[p.graph] if p.rows is not None else [])
            if keep_history:
                # copy first (idempotent): a crash before the replacing transaction leaves the old version current
                ox = self.ox
                hist = ox.NamedNode(history_iri(old_graph))
                self.archive.remove_graph(hist)
                self.archive.extend(ox.Quad(q.subject, q.predicate, q.object, hist)
                                    for q in self.raw.quads_for_pattern(None, None, None, ox.NamedNode(old_graph)))
                self.archive.flush()
            self.raw.update(replace_update(p, old_graph, keep_history, when, move=False))

    # -- the canned rows kept beside the store (canned.py) -------------------------------------------------
    @property
    def shared_ledger(self):
        """What the documents written since the rows were last settled say of the shared nodes (canned.SharedLedger)."""
        if self._ledger is None:
            from ..canned import SharedLedger
            self._ledger = SharedLedger(self._shared_count)
        return self._ledger

    def watch_shared(self, p: PreparedDocument) -> None:
        """Note a document being written in the shared ledger (its rows' exactness is checked when settling)."""
        if self.rows is not None and not p.error:
            self.shared_ledger.note(p.graph, p.shared_nq, p.rows_shared if p.rows is not None else None)

    def _shared_count(self, node: str) -> int:
        ox = self.ox
        return sum(1 for _ in self.raw.quads_for_pattern(ox.NamedNode(node), None, None,
                                                         ox.NamedNode(str(SHARED_GRAPH))))

    def _documents_leading_to(self, node: str) -> set[str]:
        ox = self.ox
        return {q.graph_name.value for q in self.raw.quads_for_pattern(None, None, ox.NamedNode(node), None)
                if isinstance(q.graph_name, ox.NamedNode) and is_document_graph(q.graph_name.value)}

    def _rows_from_a_copy(self, graphs: list[str]):
        """(graph, its canned rows) for each document, as a query of the whole store sees them, but asked of a store
        in memory that holds what those rows can see (the shared graph, the ontology, then the document's graph and report,
        one document at a time): a query of a small store is a fraction of one of the whole (20 ms a document
        rather than 80 ms at 400 documents, and the whole grows)."""
        from ..canned import document_rows, specs
        ox = self.ox
        if not graphs:
            return
        copy = ox.Store()
        seen = [ox.NamedNode(str(SHARED_GRAPH)), ox.NamedNode(str(ONTOLOGY_GRAPH))]
        for g in seen:
            copy.extend(self.raw.quads_for_pattern(None, None, None, g))
        spec_list = specs()
        for graph in graphs:
            own = [ox.NamedNode(graph), ox.NamedNode(report_graph_iri(graph))]
            for g in own:
                copy.extend(self.raw.quads_for_pattern(None, None, None, g))
            yield graph, document_rows(copy, [own[0], *seen, own[1]], spec_list)
            for g in own:
                copy.remove_graph(g)

    def settle_rows(self, progress=None) -> dict:
        """Bring the canned rows in line with the store, then stamp them with its generation (canned.RowBook):
        rows of documents no longer current go; current documents without rows (loaded before rows were kept, or
        whose write failed after their rows were kept) get them from the store; and documents that lead to a
        shared node the store now says more of than the document itself did (an ordinance two documents name
        with two titles) get theirs again from the store, as a query of the whole store would see them.
        Returns what was done, for the caller to say."""
        if self.rows is None or self.read_only:
            return {}
        current = {r.graph for r in self.documents()}
        kept = self.rows.documents()
        stale = kept - current
        if stale:
            self.rows.delete(sorted(stale))
            self.rows.set_documents(remove=sorted(stale))
        redo = current - kept
        varying = 0
        if self._ledger is not None:
            varying = len(self._ledger.varying)
            redo |= self._ledger.to_redo(self._documents_leading_to) & current
            self._ledger = None
        todo = sorted(redo)
        redone = self._rows_from_a_copy(todo)
        for i in range(0, len(todo), 200):
            part = todo[i:i + 200]
            self.rows.put([next(redone) for _ in part])
            self.rows.set_documents(add=part)
            if progress:
                progress(min(i + 200, len(todo)), len(todo), "canned rows")
        self.rows.settle(self.answers.generation())
        self.rows.stamp(self.answers.generation())
        return {"dropped": len(stale), "redone": len(todo), "varying shared nodes": varying}

    def kept_rows(self, name: str):
        """(RowBook, spec) for a canned query whose rows are kept and match the store as it is now; None when it
        must be evaluated (not a per-document query, or rows not settled since the store last changed)."""
        from ..canned import NotPerDocument, spec_of
        from ..query import canned_queries
        if self.rows is None or self.answers is None:
            return None
        q = next((q for q in canned_queries() if q.name == name), None)
        if q is None:
            return None
        try:
            spec = spec_of(q)
        except NotPerDocument:
            return None
        if not self.rows.valid(self.answers.generation()) or self.rows.table(spec) is None:
            return None
        return self.rows, spec

    def load_nquads(self, data: bytes) -> None:
        """Quads parsed by oxigraph and written in one transaction (the caller holds changing())."""
        self.raw.load(data, format=self.ox.RdfFormat.N_QUADS)

    def bulk_load(self, path: Path) -> None:
        """An N-Quads file through oxigraph's bulk loader: not one transaction (the caller commits it by writing
        the manifest entries after, and holds changing())."""
        self.raw.bulk_load(path=str(path), format=self.ox.RdfFormat.N_QUADS)

    def drop(self, document_name: str) -> bool:
        ops = []
        for r in self.documents(include_history=True):
            if r.name == document_name:
                ops.append(f"DROP SILENT GRAPH <{r.graph}>")
                ops.append(f"DROP SILENT GRAPH <{report_graph_iri(r.graph)}>")
                if self.rows is not None:
                    self.rows.stamp(None)
                ops.append(f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{r.graph}> ?p ?o }} }}")
                if r.status == "superseded":
                    self.archive.remove_graph(self.ox.NamedNode(history_iri(r.graph)))
        if ops:
            with self.changing():
                self.raw.update(" ;\n".join(ops))
            if self.sources is not None:     # a text no document of the store holds any more goes too
                self.sources.keep_only({r.sha256 for r in self.documents(include_history=True)})
        return bool(ops)

    def put_ontology(self) -> None:
        """The ontology in its own graph, replaced as a whole (one transaction)."""
        with self.changing():
            self.raw.update(f"DROP SILENT GRAPH <{ONTOLOGY_GRAPH}> ;\n"
                            f"INSERT DATA {{ GRAPH <{ONTOLOGY_GRAPH}> {{\n{nt(ontology_triples())}}} }}")

    def answer(self, sparql_text: str, fresh: bool = False) -> Answer:
        """query(), answered from the answer book while the store is unchanged since it was last asked."""
        if self.answers is None:
            columns, rows = self.query(sparql_text)
            return Answer(columns, rows, "", 0.0, False)
        return self.answers.answer(sparql_text, lambda: self.query(sparql_text), fresh=fresh)

    def query(self, sparql_text: str):
        from ..query import QueryError
        try:
            res = self.raw.query(with_prefixes(sparql_text), use_default_graph_as_union=True)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL: {e}") from None
        except OSError as e:
            raise QueryError(f"query failed: {e}") from None
        ox = self.ox
        if isinstance(res, ox.QueryBoolean):
            return ["ask"], [[str(bool(res)).lower()]]
        if isinstance(res, ox.QueryTriples):
            return ["s", "p", "o"], [[term_text(t.subject), term_text(t.predicate), term_text(t.object)] for t in res]
        names = [v.value for v in res.variables]
        return names, [[term_text(s[v]) for v in names] for s in res]

    def triple_count(self) -> int:
        return len(self.raw)

    def history_triples(self, graph: str) -> int:
        """Triples kept for a superseded version."""
        return sum(1 for _ in self.archive.quads_for_pattern(None, None, None, self.ox.NamedNode(history_iri(graph))))

    def size_on_disk(self) -> int:
        if not self.path:
            return 0
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def optimize(self) -> None:
        self.raw.flush()
        self.raw.optimize()

    def close(self) -> None:
        if getattr(self, "rows", None) is not None:
            self.rows.close()
        if getattr(self, "raw", None) is not None:
            if not self.read_only:
                self.raw.flush()
            self.raw = None
        if self._archive is not None:
            self._archive.flush()
            self._archive = None


__all__ = ["OxigraphStore", "replace_update"]
