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


VALIDATORS = ("sparql", "pyshacl")


def choose_validator(requested: str | None = None) -> str:
    """The validator to use: "sparql" (the shapes compiled to SPARQL, run by pyoxigraph over a batch of documents,
    held to pySHACL's results by tests/test_validate_batch.py) unless the shapes use what it cannot compile, or
    "pyshacl" (the reference: pySHACL per document) when asked for."""
    if requested not in (None, "auto", *VALIDATORS):
        raise ValueError(f"unknown validator {requested!r}: {', '.join(VALIDATORS)}")
    if requested == "pyshacl":
        return "pyshacl"
    from .validate_batch import available
    reason = available()
    if reason is not None:
        if requested == "sparql":
            raise ValueError(f"the shapes cannot be compiled to SPARQL ({reason}); use --validator pyshacl")
        return "pyshacl"
    return "sparql"


def process(path: str | Path, validate: bool = True, graphs: bool = True, validator: str = "sparql",
            sources: SourceTexts | None = None) -> DocumentResult:
    """One document end to end; any failure is caught and named so that a batch goes on. With graphs=False the
    result holds plain sets of triples: build and ingest only write them out, and building rdflib Graphs would
    cost more than the mapping itself (validation builds the one graph it needs). With `sources`, the document's
    text is kept there (written by the worker that read it: no text travels between processes)."""
    return process_batch([path], validate=validate, graphs=graphs, validator=validator, sources=sources)[0]


def _extracted(path: str | Path, sources: SourceTexts | None = None) -> DocumentResult:
    """Extracted and mapped (triples as sets), not validated; a failure is the result's error."""
    result = DocumentResult(path=str(path))
    try:
        doc = extract(path, sources)
        g, shared, unknowns = assessment_triples(doc)
        result.assessment, result.graph, result.shared, result.unknowns = doc, g, shared, unknowns
    except InputError as e:
        result.error = str(e)
    except Exception as e:      # a parser bug must not stop the batch; report it with the file's name
        result.error = f"{path}: internal-error: {type(e).__name__}: {e}"
    return result


def validate_results(results: list[DocumentResult], validator: str = "sparql") -> None:
    """Each extracted document's findings, with the vocabulary: per document with pySHACL, or all of them in one
    batch of the compiled shapes. A validation that fails is that batch's documents' error, not the caller's."""
    todo = [r for r in results if r.ok]
    if not todo:
        return
    try:
        if validator == "pyshacl":
            for r in todo:
                r.findings = validate_graph(r.graph, r.shared, vocabulary())
            return
        from .mapping import graph_iri
        from .validate_batch import validate_many
        found = validate_many([(str(graph_iri(r.assessment.sha256)), [r.graph, r.shared]) for r in todo],
                              common=[vocabulary()])
        for r in todo:
            r.findings = found[str(graph_iri(r.assessment.sha256))]
    except Exception as e:  # noqa: BLE001 - named per document, the batch goes on
        for r in todo:
            r.error = f"{r.path}: validation-error: {type(e).__name__}: {e}"


def process_batch(paths: list, validate: bool = True, graphs: bool = True,
                  validator: str = "sparql", sources: SourceTexts | None = None) -> list[DocumentResult]:
    """Documents extracted and mapped one by one, then validated together (one batch of the compiled shapes: each
    of its queries visits every document at once)."""
    results = [_extracted(p, sources) for p in paths]
    if validate:
        validate_results(results, validator)
    if graphs:
        for r in results:
            if r.ok:
                r.graph, r.shared = as_graph(r.graph), as_graph(r.shared)
    return results


def in_workers(fn: Callable, items: list, jobs: int, failed: Callable, window: int | None = None,
               given: Callable | None = None) -> Iterator:
    """fn(item) for each item, in worker processes when jobs > 1, yielded in input order with at most `window`
    items in flight (workers keep busy while the caller writes; a long batch holds a window of results, not all of
    them). A worker that dies on an item yields failed(item, exception) instead: one bad document never stops the
    batch. given(item): what fn is given for the item, made when the item is sent (so it can carry what the caller
    learnt from the results before it); fn(item) when not given."""
    if given is not None:
        fn = _Given(fn, given)
    if jobs <= 1 or len(items) < 2:
        yield from map(fn, items)
        return
    import collections
    from concurrent.futures import ProcessPoolExecutor

    window = window or jobs * 4
    with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
        pending = collections.deque()
        it = iter(items)
        submit = (lambda item: pool.submit(fn.fn, fn.given(item))) if given is not None else \
            (lambda item: pool.submit(fn, item))
        for item in it:
            pending.append((item, submit(item)))
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
                pending.append((nxt, submit(nxt)))
            yield result


class _Given:
    """fn applied to given(item), for in_workers in this process."""

    def __init__(self, fn: Callable, given: Callable):
        self.fn, self.given = fn, given

    def __call__(self, item):
        return self.fn(self.given(item))


# Documents a worker validates together. Each compiled check is one query over all of them, but pyoxigraph's join of
# a node's patterns across named graphs grows with the square of the graphs that share the node (every document's
# copy of the vocabulary): per document, 8 cost the least (a worker's whole share, extract to canned rows: 147 ms a
# document at 8, 167 at 32 on the synthetic corpus); one alone pays the queries' fixed cost by itself.
CHUNK = 8


def chunks(items: list, jobs: int, size: int = CHUNK) -> list[list]:
    """The items in order, in chunks of at most `size`, at least one per job when there are enough."""
    if not items:
        return []
    size = max(1, min(size, -(-len(items) // max(1, jobs))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def process_many(paths: list[Path], validate: bool = True, jobs: int = 1, graphs: bool = True,
                 validator: str = "sparql", sources: SourceTexts | None = None) -> Iterator[DocumentResult]:
    """process() over a batch, in input order, validated a chunk of documents at a time; with jobs > 1 the chunks
    are handled by worker processes (extraction and validation are CPU-bound Python, so threads would not help).
    A worker that dies on a chunk has its documents done again one by one, so that only the one that kills a
    worker fails."""
    if validate and validator == "pyshacl":
        validation_shapes()     # parsed once here, so that forked workers inherit it
    elif validate:
        from .validate_batch import compiled
        compiled()              # compiled once here, so that forked workers inherit it
    work = partial(process_batch, validate=validate, graphs=False, validator=validator, sources=sources)

    def died(chunk, e: Exception) -> list[DocumentResult]:
        if len(chunk) == 1:
            return [DocumentResult(path=str(chunk[0]), error=f"{chunk[0]}: worker-error: {type(e).__name__}: {e}")]
        return [r for part in in_workers(work, [[p] for p in chunk], jobs, died) for r in part]

    for batch in in_workers(work, chunks([str(p) for p in paths], jobs), jobs, died):
        for r in batch:
            if graphs and r.graph is not None:
                r.graph, r.shared = as_graph(r.graph), as_graph(r.shared)
            yield r


__all__ = ["DocumentResult", "collect", "extract", "process", "process_batch", "process_many", "in_workers", "chunks",
           "validate_results", "choose_validator", "vocabulary", "VALIDATORS"]
