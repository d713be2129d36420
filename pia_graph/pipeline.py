"""Run the whole path for a batch: read -> parse -> map -> validate, one document at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from rdflib import Graph

from functools import lru_cache, partial

from .mapping import as_graph, assessment_triples, vocabulary_graph
from .model import Assessment
from .parse.assessment import NotAnAssessment, parse_assessment
from .read import InputError, read_source
from .sources import SourceTexts
from .validate import Finding, counts, validate_graph, validation_shapes

SUFFIXES = {".txt", ".text", ".pdf", ".csv", ".tsv"}


@dataclass
class DocumentResult:
    path: str
    assessment: Assessment | None = None
    graph: Graph | set | None = None     # a set of triples when process() was asked for no Graphs
    shared: Graph | set | None = None
    findings: list[Finding] = field(default_factory=list)
    unknowns: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> dict:
        from .mapping import file_numbers
        a = self.assessment
        if a is None:
            return {"document": Path(self.path).name, "error": self.error}
        c = counts(self.findings)
        provisions = sum(1 for f in a.files for p in f.provisions if p.kind == "提供")
        transfers = sum(1 for f in a.files for p in f.provisions if p.kind == "移転")
        citations = len(a.use_basis.citations if a.use_basis else []) + len(a.linkage_basis.citations if a.linkage_basis else [])
        citations += sum(len(p.legal_basis.citations) for f in a.files for p in f.provisions if p.legal_basis)
        return {
            "document": a.source, "form": a.form or "?", "body": a.body or "(none)",
            "files": len(file_numbers(a)), "provisions": provisions, "transfers": transfers,
            "outsourcing": sum(len(f.outsourcings) for f in a.files), "citations": citations,
            "violations": c["Violation"], "warnings": c["Warning"], "unknown": self.unknowns,
        }


def declared_mismatches(a: Assessment) -> list[str]:
    """Where a file's declared counts (提供を行っている （N） 件 …) disagree with the rows read, a row that stands for
    a 別紙 table counting as that table's rows: one line each, for the build summary."""
    out = []
    annex = {}
    for row in a.annex_rows:
        annex[row.annex] = annex.get(row.annex, 0) + 1
    for f in a.files:
        for label, declared, rows in (
                ("提供", f.provision_declared, [p for p in f.provisions if p.kind == "提供"]),
                ("移転", f.transfer_declared, [p for p in f.provisions if p.kind == "移転"]),
                ("委託", f.outsourcing_declared, f.outsourcings)):
            found = sum(annex.get(getattr(r, "annex_ref", None), 1) for r in rows)
            if declared is not None and declared != found:
                listed = [r.annex_ref for r in rows if getattr(r, "annex_ref", None)]
                where = f" (a row points at {', '.join(listed)}, not read)" if listed and not all(
                    x in annex for x in listed) else ""
                out.append(f"file ({f.n}) {f.name}: {label} {declared} declared, {found} read{where}")
    return out


@lru_cache(maxsize=1)
def vocabulary() -> Graph:
    """The SKOS schemes the shapes check concepts against (the shared graph holds them in a build)."""
    return vocabulary_graph()


def collect(paths: list[str | Path]) -> list[Path]:
    """Files named, and the documents inside folders named, in a stable order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob("*") if x.is_file() and x.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


def extract(path: str | Path, sources: SourceTexts | None = None) -> Assessment:
    """One document read and parsed; with `sources`, its text (as its lines are numbered) is kept there."""
    src = read_source(path)
    try:
        doc = parse_assessment(src.name, src.sha256, list(src.lines), src.page_starts)
    except NotAnAssessment as e:
        raise InputError(str(path), "not-an-assessment", str(e)) from None
    if sources is not None:
        sources.put(src.sha256, src.text)
    return doc


def process(path: str | Path, validate: bool = True, graphs: bool = True,
            sources: SourceTexts | None = None) -> DocumentResult:
    """One document end to end; any failure is caught and named so that a batch goes on. With graphs=False the
    result holds plain sets of triples: build and ingest only write them out, and building rdflib Graphs would
    cost more than the mapping itself (validation builds the one graph it needs). With `sources`, the document's
    text is kept there (written by the worker that read it: no text travels between processes)."""
    result = DocumentResult(path=str(path))
    try:
        doc = extract(path, sources)
        g, shared, unknowns = assessment_triples(doc)
        if validate:
            result.findings = validate_graph(g, shared, vocabulary())
        if graphs:
            g, shared = as_graph(g), as_graph(shared)
        result.assessment, result.graph, result.shared, result.unknowns = doc, g, shared, unknowns
    except InputError as e:
        result.error = str(e)
    except Exception as e:      # a parser bug must not stop the batch; report it with the file's name
        result.error = f"{path}: internal-error: {type(e).__name__}: {e}"
    return result


def _process_in_worker(path: str, validate: bool, sources: SourceTexts | None) -> DocumentResult:
    """process() in a worker process; the triples travel back as sets (rdflib terms pickle as plain strings)."""
    return process(path, validate=validate, graphs=False, sources=sources)


def in_workers(fn: Callable, items: list, jobs: int, failed: Callable, window: int | None = None) -> Iterator:
    """fn(item) for each item, in worker processes when jobs > 1, yielded in input order with at most `window`
    items in flight (workers keep busy while the caller writes; a long batch holds a window of results, not all of
    them). A worker that dies on an item yields failed(item, exception) instead: one bad document never stops the
    batch."""
    if jobs <= 1 or len(items) < 2:
        yield from map(fn, items)
        return
    import collections
    from concurrent.futures import ProcessPoolExecutor

    window = window or jobs * 4
    with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
        pending = collections.deque()
        it = iter(items)
        for item in it:
            pending.append((item, pool.submit(fn, item)))
            if len(pending) >= window:
                break
        while pending:
            item, future = pending.popleft()
            try:
                result = future.result()
            except Exception as e:  # noqa: BLE001 - the worker died on this item
                result = failed(item, e)
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(fn, nxt)))
            yield result


def process_many(paths: list[Path], validate: bool = True, jobs: int = 1,
                 graphs: bool = True, sources: SourceTexts | None = None) -> Iterator[DocumentResult]:
    """process() over a batch, in input order; with jobs > 1 the documents are handled by worker processes
    (validation is CPU-bound Python, so threads would not help)."""
    if jobs <= 1 or len(paths) < 2:
        for p in paths:
            yield process(p, validate=validate, graphs=graphs, sources=sources)
        return
    if validate:
        validation_shapes()     # parsed once here, so that forked workers inherit it

    def died(path, e: Exception) -> DocumentResult:
        return DocumentResult(path=str(path), error=f"{path}: worker-error: {type(e).__name__}: {e}")

    for r in in_workers(partial(_process_in_worker, validate=validate, sources=sources), [str(p) for p in paths],
                        jobs, died):
        if graphs and r.graph is not None:
            r.graph, r.shared = as_graph(r.graph), as_graph(r.shared)
        yield r


__all__ = ["DocumentResult", "collect", "extract", "process", "process_many", "in_workers", "vocabulary"]
