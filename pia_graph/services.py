"""The library API under the command line and the web app: build a graph, ingest into a store, open a store and ask it.

Both shells call these and draw their own progress: the library reports it through a callback
progress(done, total, label) and never prints.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Callable, Iterable, Union

from rdflib import Dataset

from .mapping import add_document, graph_iri, new_dataset
from .namespaces import GRAPH_BASE, SHARED_GRAPH
from .pipeline import (CHUNK, DocumentResult, choose_validator, collect, declared_mismatches, in_workers, process,
                       process_many)
from .sources import SourceTexts
from .stores import BaseStore, NoDocuments, open_store
from .stores.base import IngestOutcome, PreparedDocument, nt
from .stores.bulk import write_guarded
from .stores.manifest import DEFAULT_GRAPH_SEES_DOCUMENTS

Progress = Callable[[int, int, str], None]


def _silent(done: int, total: int, label: str) -> None:
    pass


# ---------------------------------------------------------------------------------------------------------
# build a graph

@dataclass
class Built:
    files: list[Path]
    summaries: list[dict] = field(default_factory=list)    # one row per document (pipeline's summary)
    errors: list[str] = field(default_factory=list)         # one line per document that failed
    # (kind, document, text): each violation, each required part that could not be read (said even when not
    # validating) and each declared count the rows read do not match
    notices: list[tuple[str, str, str]] = field(default_factory=list)
    unread: int = 0                                         # required parts of the form that could not be read
    validator: str = ""                                     # "sparql" or "pyshacl" ("" when not validated)
    # (graph IRI, triples, shared triples, report N-Triples or "") for each document built
    documents: list[tuple[str, set, set, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def nquads(self) -> bytes:
        """Every graph as N-Quads: each document's, its validation report's (pia_graph/report.py), and the shared
        graph (the vocabulary and every document's statutes and parties, each triple once)."""
        from .mapping import vocabulary_graph
        from .report import report_graph_iri
        shared = set(vocabulary_graph())
        parts = []
        for graph, triples, shared_triples, report in self.documents:
            parts.append(nt(triples, graph))
            shared |= shared_triples
            if report:
                parts.append(report.replace(" .\n", f" <{report_graph_iri(graph)}> .\n"))
        parts.append(nt(shared, str(SHARED_GRAPH)))
        return "".join(parts).encode("utf-8")

    @cached_property
    def dataset(self) -> Dataset:
        """The graphs as an rdflib Dataset (made when first asked for: writing a TriG or N-Quads file does not
        need it)."""
        from rdflib import URIRef
        from .report import report_graph_iri
        ds = new_dataset()
        for graph, triples, shared, report in self.documents:
            add_document(ds, "", triples, shared, graph_name=graph)
            if report:
                ds.graph(URIRef(report_graph_iri(graph))).parse(data=report, format="nt")
        return ds


# Below this many documents one process builds faster than a pool: starting the workers and sending the triples
# back costs more than the second core gives (docs/benchmarks.md, the samples' build).
AUTO_JOBS_FROM = 12


def auto_jobs(jobs: int | None, documents: int) -> int:
    """jobs as asked (0: one per core), or when not asked, one per core for a batch large enough to pay for them."""
    cores = os.cpu_count() or 1
    if jobs is None:
        return cores if documents >= AUTO_JOBS_FROM else 1
    return jobs or cores


def build(paths: Iterable[Union[str, Path]], validate: bool = True, jobs: int | None = None,
          validator: str | None = None, progress: Progress = _silent, sources: SourceTexts | None = None) -> Built:
    """Documents (files or folders) extracted, mapped and (unless told not to) validated into one Dataset: a named
    graph per document and the shared graph. A bad document is reported in errors and the batch goes on.
    jobs: worker processes (None: chosen by the batch's size); validator: "sparql" (default) or "pyshacl". With
    `sources`, each document's text is kept there for its source links (SourceTexts.beside the graph file)."""
    from .mapping import graph_iri
    from .report import report_nt
    files = collect(list(paths))
    built, seen = Built(files), set()
    built.validator = choose_validator(validator) if validate else ""
    for done, result in enumerate(process_many(files, validate=validate, jobs=auto_jobs(jobs, len(files)),
                                               graphs=False, validator=built.validator, sources=sources), start=1):
        if result.ok:
            a = result.assessment
            graph = str(graph_iri(a.sha256))
            if graph not in seen:      # the same bytes twice (under two names) are one graph
                seen.add(graph)
                report = report_nt(graph, result.findings, built.validator) if validate else ""
                built.documents.append((graph, result.graph, result.shared, report))
            built.notices += [("violation", a.source, f.message) for f in result.findings if f.severity == "Violation"]
            if not validate:     # what could not be read is said all the same
                built.notices += [("could not be read", a.source, f"{u.part}: {u.reason} (lines {u.span.start}–"
                                   f"{u.span.end})") for u in a.unread]
            built.unread += len(a.unread)
            built.notices += [("declared ≠ read", a.source, m) for m in declared_mismatches(a)]
        else:
            built.errors.append(str(result.error))
        built.summaries.append(result.summary())
        progress(done, len(files), Path(result.path).name)
    return built


# ---------------------------------------------------------------------------------------------------------
# ingest into a store

def prepare_result(result: DocumentResult, validator: str = "") -> PreparedDocument:
    """A processed document as what a store writes: its triples as N-Quads in its own graph and the shared one,
    and (when it was validated) its validation report in the report graph beside it."""
    p = PreparedDocument(path=str(result.path))
    if not result.ok:
        p.name, p.error = Path(result.path).name, result.error
        return p
    a = result.assessment
    p.name, p.sha256, p.graph = a.source, a.sha256, str(graph_iri(a.sha256))
    p.doc_nq, p.shared_nq = nt(result.graph, p.graph).encode("utf-8"), nt(result.shared, str(SHARED_GRAPH))
    p.triples = len(result.graph)
    if validator:
        add_report(p, result.findings, validator)
    return p


def add_report(p: PreparedDocument, findings: list, validator: str) -> None:
    """A prepared document's validation report (its counts and its graph as N-Quads) from its findings."""
    from .report import report_graph_iri, report_nt
    from .validate import counts
    c = counts(findings)
    p.violations, p.warnings, p.infos = c["Violation"], c["Warning"], c["Info"]
    report = report_nt(p.graph, findings, validator)
    p.report_nq = report.replace(" .\n", f" <{report_graph_iri(p.graph)}> .\n").encode("utf-8")


@functools.lru_cache(maxsize=None)
def _ontology_nq(graph: str) -> bytes:
    from .stores.base import ontology_triples
    return nt(ontology_triples(), graph).encode("utf-8")


def _prepare_given(item: tuple, **options) -> list[PreparedDocument]:
    paths, shared = item
    return prepare_batch(paths, shared_extra=shared, **options)


def prepare_batch(paths: list, validate: bool = True, validator: str = "sparql", rows: bool = True,
                  sources: SourceTexts | None = None, shared_extra: str = "") -> list[PreparedDocument]:
    """Documents extracted and mapped one by one, then validated together and their canned rows computed (runs in
    a worker process): each document's graph goes into one in-memory pyoxigraph store with what it sees beside it
    (its part of the shared graph, the vocabulary, the ontology), where the compiled shapes validate all of them at
    once and each canned query is asked of each document. shared_extra: statements of shared nodes that other
    documents state differently (canned.SharedLedger), added to the documents that lead to those nodes before their
    rows are computed. Never raises for a bad document: a batch that fails is done again one document at a time,
    so that only the one at fault fails."""
    from .pipeline import _extracted, validate_results
    t0 = time.perf_counter()
    results = [_extracted(p, sources) for p in paths]
    try:
        if validate and validator == "pyshacl":
            validate_results(results, "pyshacl")
        prepared = _validated_batch(results, validate, validator, rows, shared_extra)
    except Exception:  # noqa: BLE001 - one document at a time: only the one at fault fails
        if len(paths) == 1:
            raise
        return [p for path in paths for p in prepare_batch([path], validate, validator, rows, sources, shared_extra)]
    for p in prepared:
        p.seconds = (time.perf_counter() - t0) / max(1, len(prepared))
    return prepared


def _validated_batch(results: list[DocumentResult], validate: bool, validator: str, rows: bool,
                     shared_extra: str = "") -> list[PreparedDocument]:
    import pyoxigraph as ox

    from .canned import document_rows, specs
    from .pipeline import vocabulary
    from .report import report_graph_iri
    from .validate_batch import Batch, findings
    ok = [r for r in results if r.ok]
    if not ok or not (rows or (validate and validator == "sparql")):
        return [prepare_result(r, validator if validate else "") for r in results]
    prepared = {id(r): prepare_result(r) for r in results}
    batch = Batch(common=[vocabulary()])
    for r in ok:
        batch.add(prepared[id(r)].graph, [r.graph, r.shared], nquads=prepared[id(r)].doc_nq)
    if validate and validator == "sparql":
        found = findings(batch, batch.results())
        for r in ok:
            r.findings = found[prepared[id(r)].graph]
    if validate:
        for r in ok:
            add_report(prepared[id(r)], r.findings, validator)
    if rows:
        # the canned queries see what a query of the store sees for the document: its graph, the shared graph (its
        # own part, and what other documents state differently of the same nodes as far as the writer knew when the
        # chunk was sent: canned.SharedLedger; OxigraphStore.settle_rows() redoes the rest), the vocabulary, the
        # ontology, and its validation report
        ontology = ox.NamedNode("urn:pia-graph:validation:ontology")
        batch.store.load(_ontology_nq(ontology.value), format=ox.RdfFormat.N_QUADS)
        spec_list = specs()
        extra: dict[str, set[str]] = {}
        for line in shared_extra.splitlines(keepends=True):
            extra.setdefault(line[1:line.index(">")], set()).add(line)
        for r in ok:
            p = prepared[id(r)]
            if p.report_nq:
                batch.store.load(p.report_nq.replace(f" <{report_graph_iri(p.graph)}> .\n".encode(),
                                                     f" <{p.graph}> .\n".encode()), format=ox.RdfFormat.N_QUADS)
            p.rows_shared = _shared_seen(r.shared, extra, p.graph, batch.store)
            p.rows = document_rows(batch.store, [ox.NamedNode(p.graph), ontology], spec_list)
    return [prepared[id(r)] for r in results]


def _shared_seen(shared: set, extra: dict[str, set[str]], graph: str, store) -> dict[str, int]:
    """Add to a document's graph the statements other documents make of the shared nodes it leads to; return how
    many statements of each such node its rows will see."""
    import pyoxigraph as ox
    own: dict[str, set[str]] = {}
    for t in shared:
        own.setdefault(str(t[0]), set()).add(t)
    seen, add = {}, []
    for node, triples in own.items():
        if node in extra:
            lines = set(nt(triples).splitlines(keepends=True)) | extra[node]
            add.append("".join(extra[node]))
            seen[node] = len(lines)
        else:
            seen[node] = len(triples)
    if add:
        store.load("".join(add).replace(" .\n", f" <{graph}> .\n").encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return seen


def prepare(path: str | Path, validate: bool = True, validator: str = "sparql", rows: bool = False,
            sources: SourceTexts | None = None) -> PreparedDocument:
    """Extract and map one document (and validate it, and compute its canned rows, as asked); never raises for a
    bad document."""
    t0 = time.perf_counter()
    try:
        p = prepare_batch([path], validate=validate, validator=validator, rows=rows, sources=sources)[0]
    except Exception as e:  # noqa: BLE001 - one bad document must not stop the batch
        p = PreparedDocument(path=str(path), name=Path(path).name,
                             error=f"{path}: internal-error: {type(e).__name__}: {e}")
    p.seconds = time.perf_counter() - t0
    return p


@dataclass
class IngestReport:
    outcomes: list[IngestOutcome] = field(default_factory=list)
    seconds: float = 0.0
    rows: dict = field(default_factory=dict)        # what settling the canned rows did (settle_rows)
    # the documents validated: how many, by which validator, the findings' counts and the documents with violations
    validated: dict = field(default_factory=dict)

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def triples(self) -> int:
        return sum(o.triples for o in self.outcomes if o.action in ("added", "replaced"))


def ingest(store: BaseStore, paths: Iterable[Union[str, Path]], jobs: int | None = None, keep_history: bool = False,
           validate: bool = True, validator: str | None = None, window: int | None = None, batch: int | None = None,
           chunk: int | None = None, progress: Progress = _silent) -> IngestReport:
    """Extract, map and validate in worker processes, write in this one, in input order. Unchanged files (same
    bytes as a current document) are skipped before extraction; a bad document is reported and the batch goes on.

    Every document is validated (validate=False skips it) and its report written beside it; a worker validates a
    chunk of documents at once with the compiled shapes (validator "sparql", the default; "pyshacl" one by one)
    and, for a store that keeps canned rows (pyoxigraph on disk), computes each document's rows of every canned
    query. A store with a bulk writer (pyoxigraph) commits the documents through it (spooled, bulk-loaded in few
    large loads, one in the background as extraction goes on, then the manifest entries as the commit; `batch`
    bounds the documents one load holds, 1 writes one at a time); other stores one document at a time. The canned
    rows are then settled with the store (OxigraphStore.settle_rows). progress(done, total, name) after each
    document prepared, and progress(total, total, "writing") while the last load runs."""
    from .pipeline import chunks
    t0 = time.perf_counter()
    files = collect(list(paths))
    report = IngestReport()
    validator = choose_validator(validator) if validate else ""
    known = store.current_by_sha()
    todo = []
    for f in files:
        sha = _sha256_of(f)
        if sha in known:
            rec = known[sha]
            report.outcomes.append(IngestOutcome(rec.name, sha, rec.graph, "unchanged", rec.triples))
        else:
            todo.append(f)
    jobs = jobs or os.cpu_count() or 1
    store.put_ontology()      # first: what the documents' rows are computed against, if a store computes them
    writer = None
    if hasattr(store, "bulk_writer") and (batch is None or batch > 1):
        writer = store.bulk_writer(keep_history, max_documents=batch, expected=len(todo))
    rows = getattr(store, "rows", None) is not None
    if validator == "sparql" or rows:
        from .validate_batch import compiled
        compiled()       # once here, so that forked workers inherit it
    # a store on disk keeps each document's text beside it, for the web app's source links (written by the worker
    # that read it: no text travels between processes)
    work = partial(_prepare_given, validate=validate, validator=validator, rows=rows,
                   sources=getattr(store, "sources", None))
    ledger = store.shared_ledger if rows else None

    def given(part):
        # the statements of shared nodes documents state differently, as known when the chunk is sent
        return part, ledger.forwarded() if ledger is not None else ""

    def died(part, e: Exception) -> list[PreparedDocument]:
        if len(part) == 1:
            return [PreparedDocument(path=str(part[0]), name=Path(part[0]).name,
                                     error=f"{part[0]}: worker-error: {type(e).__name__}: {e}")]
        return [p for one in in_workers(work, [[f] for f in part], jobs, died, given=given) for p in one]

    done = 0
    if validator:
        report.validated = {"validator": validator, "documents": 0, "Violation": 0, "Warning": 0, "Info": 0,
                            "with violations": 0}
    # the window: workers keep busy while this process spools; the loads run in a thread
    for prepared in in_workers(work, chunks(todo, jobs, chunk or CHUNK), jobs, died, window, given=given):
        for p in prepared:
            if validator and not p.error:
                v = report.validated
                v["documents"] += 1
                v["Violation"], v["Warning"], v["Info"] = (v["Violation"] + p.violations, v["Warning"] + p.warnings,
                                                           v["Info"] + p.infos)
                v["with violations"] += bool(p.violations)
            if writer is not None:
                writer.add(p)
            else:
                report.outcomes.append(write_guarded(store, p, keep_history))
            done += 1
            progress(done, len(todo), p.name)
    if writer is not None:
        progress(len(todo), len(todo), "writing")
        report.outcomes.extend(writer.finish())
    if rows:
        report.rows = store.settle_rows(progress)
    report.seconds = time.perf_counter() - t0
    return report


def add_result(store: BaseStore, result: DocumentResult, keep_history: bool = False,
               validator: str = "sparql") -> IngestOutcome:
    """One document already processed (the web app's upload) written to the store: added, or replacing the
    current document of the same name; with its report when it was validated (validator: which one did, "" when
    none did). The store's canned rows are settled after (the document's own come from the store)."""
    outcome = write_guarded(store, prepare_result(result, validator), keep_history)
    if getattr(store, "rows", None) is not None:
        store.settle_rows()
    return outcome


def _sha256_of(path: str | Path) -> str:
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------------------
# open a store for reading, and ask it

def open_reader(spec: str | Path, **options) -> BaseStore:
    """A store (directory, URL or graph file) opened for reading: nothing is written to it."""
    return open_store(spec, read_only=True, **options)


@dataclass
class Answer:
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)     # what the asker should know (said on stderr by the CLI)


def holds_documents(store: BaseStore) -> bool:
    """Whether the store holds any pia-graph document (a named graph with an assessment, or, in a graph file
    written as plain triples, an assessment in the default graph)."""
    return bool(store.documents_in_data()) or bool(store.query(DEFAULT_GRAPH_SEES_DOCUMENTS)[1])


def ask(store: BaseStore, text: str, fresh: bool = False, canned: str | None = None) -> Answer:
    """A query's columns and rows. A canned query (canned: its name, text its own text) on a store that keeps its
    rows per document is read from them; another SELECT or ASK on a store with an answer book is read from the book
    while the store is unchanged (fresh: evaluate anyway). An empty (or false) answer from a store that holds no
    pia-graph documents raises NoDocuments: an empty table would look like a real answer."""
    from .query import check_syntax, with_prefixes
    from .sparql_endpoint import query_kind
    full = with_prefixes(text)
    check_syntax(full)
    notes = []
    kept = None if fresh or not canned else getattr(store, "kept_rows", lambda n: None)(canned)
    if kept is not None:
        book, spec = kept
        columns, rows = book.export(spec, {})
        rows = list(rows)
        notes.append(f"answered from the rows {book.path} keeps per document (settled when the store last changed; "
                     "--fresh evaluates the query)")
    elif getattr(store, "answers", None) is not None and query_kind(full) in ("SELECT", "ASK"):
        a = store.answer(text, fresh=fresh)
        columns, rows = a.columns, a.rows
        if a.cached:
            notes.append(f"answered from {store.answers.dir} (evaluated in {a.seconds:.2f} s when the store was last "
                         "changed; --fresh evaluates again)")
    else:
        columns, rows = store.query(text)
    if getattr(store, "dataset_note", ""):
        notes.append(store.dataset_note)
    if (not rows or rows == [["false"]]) and not holds_documents(store):
        where = f"{GRAPH_BASE}…"
        raise NoDocuments(f"{store.name} holds no pia-graph documents (no graph under {where} holds a "
                          "pia:Assessment), so no query can answer from it; fill it with `pia-graph load PATH "
                          f"--store {store.name}` or `pia-graph build`")
    return Answer(columns, rows, notes)


@dataclass
class Page:
    columns: list[str]
    rows: list[list[str]]
    total: int                  # rows in the whole answer
    kept: bool                  # read from the store's kept canned rows (else evaluated)
    notes: list[str] = field(default_factory=list)


def canned_page(store: BaseStore, name: str, values: dict[str, str] | None = None, offset: int = 0,
                limit: int | None = 100, fresh: bool = False) -> Page:
    """A page of a canned query's answer and the answer's size: from the rows the store keeps per document (a
    pyoxigraph store on disk, settled since it last changed: milliseconds at any scale), else evaluated (and then
    sliced). values: the query's parameters (VALUES ?var) by name."""
    from .query import bind_values, canned_text
    values = values or {}
    kept = None if fresh else getattr(store, "kept_rows", lambda n: None)(name)
    if kept is not None:
        book, spec = kept
        columns, rows, total = book.page(spec, values, offset, limit)
        return Page(columns, rows, total, True)
    answer = ask(store, bind_values(canned_text(name), values), fresh=fresh)
    end = None if limit is None else offset + limit
    return Page(answer.columns, answer.rows[offset:end], len(answer.rows), False, answer.notes)


def canned_export(store: BaseStore, name: str, values: dict[str, str] | None = None, fresh: bool = False):
    """Every row of a canned query's answer as (columns, row iterator): streamed from the store's kept rows where it
    has them, else evaluated."""
    from .query import bind_values, canned_text
    values = values or {}
    kept = None if fresh else getattr(store, "kept_rows", lambda n: None)(name)
    if kept is not None:
        book, spec = kept
        return book.export(spec, values)
    answer = ask(store, bind_values(canned_text(name), values), fresh=fresh)
    return answer.columns, iter(answer.rows)


FLAGSHIP_QUESTIONS = ("files-to-kiko", "機構 page")


def warm(store: BaseStore) -> list[tuple[str, int, float, bool]]:
    """The flagship question (the canned query and the 機構 page's form of it) answered into the store's answer
    book: (question, rows, seconds, already answered) each."""
    from .namespaces import ID
    from .query import FLAGSHIP, canned_text, party_files_query
    out = []
    for name, text in ((FLAGSHIP, canned_text(FLAGSHIP)), ("機構 page", party_files_query(str(ID["party/j-lis"])))):
        a = store.answer(text)
        out.append((name, len(a.rows), a.seconds, a.cached))
    return out


__all__ = ["canned_page", "canned_export", "Page", "build", "Built", "ingest", "IngestReport", "add_result", "prepare", "prepare_result", "open_store",
           "open_reader", "ask", "Answer", "holds_documents", "warm", "NoDocuments", "Progress"]
