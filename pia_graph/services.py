"""The library API under the command line and the web app: build a graph, ingest into a store, open a store and ask it.

Both shells call these and draw their own progress: the library reports it through a callback
progress(done, total, label) and never prints.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Union

from rdflib import Dataset

from .mapping import add_document, graph_iri, new_dataset
from .namespaces import GRAPH_BASE, SHARED_GRAPH
from .pipeline import DocumentResult, collect, declared_mismatches, in_workers, process, process_many
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
    dataset: Dataset
    files: list[Path]
    summaries: list[dict] = field(default_factory=list)    # one row per document (pipeline's summary)
    errors: list[str] = field(default_factory=list)         # one line per document that failed
    # (kind, document, text): each violation, each required part that could not be read (said even when not
    # validating) and each declared count the rows read do not match
    notices: list[tuple[str, str, str]] = field(default_factory=list)
    unread: int = 0                                         # required parts of the form that could not be read

    @property
    def failed(self) -> int:
        return len(self.errors)


def build(paths: Iterable[Union[str, Path]], validate: bool = True, jobs: int = 1,
          progress: Progress = _silent, sources: SourceTexts | None = None) -> Built:
    """Documents (files or folders) extracted, mapped and (unless told not to) validated into one Dataset: a named
    graph per document and the shared graph. A bad document is reported in errors and the batch goes on. With
    `sources`, each document's text is kept there for its source links (SourceTexts.beside the graph file)."""
    files = collect(list(paths))
    built = Built(new_dataset(), files)
    for done, result in enumerate(process_many(files, validate=validate, jobs=jobs or os.cpu_count() or 1,
                                               graphs=False, sources=sources), start=1):
        if result.ok:
            a = result.assessment
            add_document(built.dataset, a.sha256, result.graph, result.shared)
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

def prepare_result(result: DocumentResult) -> PreparedDocument:
    """A processed document as what a store writes: its triples as N-Quads in its own graph and the shared one."""
    from .validate import counts
    p = PreparedDocument(path=str(result.path))
    if not result.ok:
        p.name, p.error = Path(result.path).name, result.error
        return p
    a = result.assessment
    p.name, p.sha256, p.graph = a.source, a.sha256, str(graph_iri(a.sha256))
    p.doc_nq, p.shared_nq = nt(result.graph, p.graph).encode("utf-8"), nt(result.shared, str(SHARED_GRAPH))
    p.triples = len(result.graph)
    p.violations = counts(result.findings)["Violation"] if result.findings else 0
    return p


def prepare(path: str | Path, validate: bool = False, sources: SourceTexts | None = None) -> PreparedDocument:
    """Extract and map one document (runs in a worker process, which keeps its text in `sources`); never raises
    for a bad document."""
    t0 = time.perf_counter()
    try:
        p = prepare_result(process(path, validate=validate, graphs=False, sources=sources))
    except Exception as e:  # noqa: BLE001 - one bad document must not stop the batch
        p = PreparedDocument(path=str(path), name=Path(path).name,
                             error=f"{path}: internal-error: {type(e).__name__}: {e}")
    p.seconds = time.perf_counter() - t0
    return p


@dataclass
class IngestReport:
    outcomes: list[IngestOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def triples(self) -> int:
        return sum(o.triples for o in self.outcomes if o.action in ("added", "replaced"))


def ingest(store: BaseStore, paths: Iterable[Union[str, Path]], jobs: int | None = None, keep_history: bool = False,
           validate: bool = False, window: int | None = None, batch: int | None = None,
           progress: Progress = _silent) -> IngestReport:
    """Extract and map in worker processes, write in this one, in input order. Unchanged files (same bytes as a
    current document) are skipped before extraction; a bad document is reported and the batch goes on.

    SHACL validation is off by default: it is ~10x the cost of extract + map and belongs to `build`; pass
    validate=True to count violations per document anyway. A store with a bulk writer (pyoxigraph) commits the
    documents through it (spooled, bulk-loaded in few large loads, one in the background as extraction goes on,
    then the manifest entries as the commit; `batch` bounds the documents one load holds, 1 writes one at a time);
    other stores one document at a time. progress(done, total, name) after each document extracted, and
    progress(total, total, "writing") while the last load runs."""
    t0 = time.perf_counter()
    files = collect(list(paths))
    report = IngestReport()
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
    writer = None
    if hasattr(store, "bulk_writer") and (batch is None or batch > 1):
        writer = store.bulk_writer(keep_history, max_documents=batch, expected=len(todo))

    def died(f, e: Exception) -> PreparedDocument:
        return PreparedDocument(path=str(f), name=Path(f).name, error=f"{f}: worker-error: {type(e).__name__}: {e}")

    # the window: workers keep busy while this process spools; the loads run in a thread
    # a store on disk keeps each document's text beside it, for the web app's source links
    sources = getattr(store, "sources", None)
    for done, p in enumerate(in_workers(partial(prepare, validate=validate, sources=sources), todo, jobs, died, window),
                             start=1):
        if writer is not None:
            writer.add(p)
        else:
            report.outcomes.append(write_guarded(store, p, keep_history))
        progress(done, len(todo), p.name)
    if writer is not None:
        progress(len(todo), len(todo), "writing")
        report.outcomes.extend(writer.finish())
    report.seconds = time.perf_counter() - t0
    return report


def add_result(store: BaseStore, result: DocumentResult, keep_history: bool = False) -> IngestOutcome:
    """One document already processed (the web app's upload) written to the store: added, or replacing the
    current document of the same name."""
    return write_guarded(store, prepare_result(result), keep_history)


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


def ask(store: BaseStore, text: str, fresh: bool = False) -> Answer:
    """A query's columns and rows. A SELECT or ASK on a store with an answer book is read from it while the store
    is unchanged (fresh: evaluate anyway). An empty (or false) answer from a store that holds no pia-graph
    documents raises NoDocuments: an empty table would look like a real answer."""
    from .query import check_syntax, with_prefixes
    from .sparql_endpoint import query_kind
    full = with_prefixes(text)
    check_syntax(full)
    notes = []
    if getattr(store, "answers", None) is not None and query_kind(full) in ("SELECT", "ASK"):
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


__all__ = ["build", "Built", "ingest", "IngestReport", "add_result", "prepare", "prepare_result", "open_store",
           "open_reader", "ask", "Answer", "holds_documents", "warm", "NoDocuments", "Progress"]
