"""Validate a document's graph against the SHACL shapes and report results with their source lines."""

from __future__ import annotations

import importlib.resources
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef, plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.query import Processor
from rdflib.namespace import RDF, RDFS

from .namespaces import DPV, GRAPH_BASE, PIA, PROV, SH, SHARED_GRAPH, SKOS
from .query import PARSE_LOCK
from .shapes_sparql import path_text

class CachingSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, parsing each distinct query text once.

    pySHACL sends the same SPARQL-based constraint text for every focus node it checks, and rdflib parses it
    again each time: half of all validation time went to pyparsing. The parsed algebra is not changed by
    evaluation, so caching it changes nothing but the time."""

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            ns_key = tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items()))
            strOrQuery = _translated(strOrQuery, base, ns_key)
        return evalQuery(self.graph, strOrQuery, initBindings, base)


# One cache per thread: rdflib's evaluation is not safe on one algebra object in two threads at once (the
# server's load test saw bindings leak between concurrent runs), and pages query from a thread pool.
_PER_THREAD = threading.local()


def _translated(text: str, base, ns_key: tuple):
    cache = getattr(_PER_THREAD, "cache", None)
    if cache is None:
        cache = _PER_THREAD.cache = OrderedDict()
    key = (text, base, ns_key)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    with PARSE_LOCK:
        query = cache[key] = translateQuery(parseQuery(text), base, dict(ns_key))
    if len(cache) > 256:
        cache.popitem(last=False)
    return query


plugin.register("sparql", Processor, __name__, "CachingSPARQLProcessor")

# shapes/ and ontology/ at the top of the repository, shipped in the wheel as pia_graph.shapes and pia_graph.ontology
SHAPES_PATH = Path(str(importlib.resources.files("pia_graph.shapes"))) / "pia-shapes.ttl"
ONTOLOGY_PATH = Path(str(importlib.resources.files("pia_graph.ontology"))) / "pia.ttl"


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The shapes as written in shapes/pia-shapes.ttl (the readable specification)."""
    return Graph().parse(SHAPES_PATH, format="turtle")


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    return Graph().parse(ONTOLOGY_PATH, format="turtle")


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def hoist_property_shapes(shapes: Graph) -> Graph:
    """The same shapes, each property shape of a targeted node shape given that node shape's targets instead.

    pySHACL evaluates a property shape under sh:property once per focus node, and each time looks its constraint
    components up again in the shapes graph: two thirds of all validation time. A property shape that has the
    targets itself is evaluated once over all focus nodes. By the SHACL semantics the results are the same (same
    focus node, path, value, severity and message); only sh:sourceShape names the property shape rather than the
    node shape around it. Node shapes that other shapes refer to (through sh:node, sh:or, ...) stay as written."""
    out = Graph()
    for prefix, ns in shapes.namespaces():
        out.bind(prefix, ns)
    out += shapes
    for node_shape in set(out.subjects(SH.property, None)):
        targets = [(t, o) for t in _TARGETS for o in out.objects(node_shape, t)]
        if not targets or (None, None, node_shape) in out:
            continue
        for prop_shape in list(out.objects(node_shape, SH.property)):
            if any((prop_shape, t, None) in out for t in _TARGETS) or (prop_shape, SH.deactivated, None) in out:
                continue
            for t, o in targets:
                out.add((prop_shape, t, o))
            out.remove((node_shape, SH.property, prop_shape))
    return out


@lru_cache(maxsize=1)
def validation_shapes() -> Graph:
    return hoist_property_shapes(shapes_graph())


@lru_cache(maxsize=1)
def ontology_axioms() -> Graph:
    """What pySHACL would copy from the ontology into every data graph (classes, subclass and property axioms,
    named individuals), copied once here instead of for every document."""
    from pyshacl.rdfutil.inoculate import inoculate
    return inoculate(Graph(), ontology_graph())


@dataclass(frozen=True)
class Finding:
    severity: str        # "Violation", "Warning", "Info"
    focus: str           # IRI of the focus node
    label: str           # its rdfs:label, if any
    message: str
    path: str | None
    source: str | None   # file#Lstart-Lend: the focus node's lines, or those of the node it hangs from
    documents: tuple[str, ...] = ()   # the source document(s) the finding is about (file names)
    lines_of: str = ""   # when `source` is the lines of an enclosing node (a checkbox's file or row): its label
    value: str | None = None          # the value node at fault, in N-Triples syntax (value_text)
    component: str = ""               # the SHACL constraint component, e.g. "MinCountConstraintComponent"

    @property
    def where(self) -> str:
        """Where to look, for a reader: the lines (and whose they are), else the document(s)."""
        if self.source:
            return f"{self.source} (lines of {self.lines_of})" if self.lines_of else self.source
        return ", ".join(self.documents)

    @property
    def first_line(self) -> int:
        """The first line of `source`, 0 without one (sorts findings in reading order)."""
        match = _FIRST_LINE.search(self.source or "")
        return int(match.group(1)) if match else 0


_FIRST_LINE = re.compile(r"#L(\d+)-")

# The properties by which a node of the form hangs from the node it was read inside: a checkbox from its system,
# file or row, a row from its file, a citation from the row or affair it is the basis of, a file from its
# assessment. A node without lines of its own is located by the nearest enclosing node that has them.
ENCLOSED_BY = (PIA.hasAffair, PIA.hasSystem, PIA.hasFile, PIA.hasDisclosure, PIA.hasOutsourcing, PIA.connection,
               PIA.recordCategory, PIA.dataSource, PIA.acquisitionMethod, PIA.method, DPV.hasLegalBasis,
               PIA.hasAnnexRow, PIA.hasChange, PIA.hasRiskVerdict, PIA.hasTextBlock)


def value_text(term) -> str | None:
    """A result's value node in N-Triples syntax (a plain string the same with or without xsd:string)."""
    if term is None:
        return None
    from .stores.base import nt_term
    if isinstance(term, Literal) and term.datatype == XSD_STRING and not term.language:
        term = Literal(str(term))
    return nt_term(term)


XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def label_of(data, node) -> str:
    """A node's rdfs:label for a reader: the Japanese one where there are several (the graph's labels are @ja
    beside @en), so that the same finding reads the same whichever engine found it."""
    labels = list(data.objects(node, RDFS.label))
    if not labels:
        return ""
    return str(min(labels, key=lambda l: (getattr(l, "language", None) != "ja", getattr(l, "language", None) or "",
                                          str(l))))


def _enclosing(data: Graph, node):
    for prop in ENCLOSED_BY:
        for parent in data.subjects(prop, node):
            return parent
    return None


def _document_of(data: Graph, node) -> str | None:
    """The file name of the source document an extracted node (or an assessment, or a document) was read from."""
    if (node, RDF.type, PIA.SourceDocument) in data:
        document = node
    else:
        assessment = node if (node, RDF.type, PIA.Assessment) in data else data.value(node, PIA.inAssessment)
        document = data.value(assessment, PROV.wasDerivedFrom) if assessment is not None else None
    name = data.value(document, PIA.fileName) if document is not None else None
    return str(name) if name is not None else None


def _referring_documents(data: Graph, node, limit: int = 10_000) -> set[str]:
    """The documents whose extracted nodes lead to a shared node (a party, a statute, a concept): walked back along
    the links into it until a node of a document is reached."""
    found, seen, frontier = set(), {node}, [node]
    while frontier and len(seen) < limit:
        nxt = []
        for o in frontier:
            for s in data.subjects(None, o):
                if s in seen:
                    continue
                seen.add(s)
                name = _document_of(data, s)
                if name is not None:
                    found.add(name)
                else:
                    nxt.append(s)
        frontier = nxt
    return found


def locate(data: Graph, focus) -> tuple[str | None, str, tuple[str, ...]]:
    """Where a finding about `focus` is in the source: (file#Lstart-Lend, label of the node whose lines those are
    when not the focus's own, the document file names).

    A node read from a document gives its own lines, else those of the nearest node it hangs from (a checkbox
    never printed beside its field: the file or row whose field it is). The assessment's range is the whole
    document, so it is given only for a finding about the assessment itself. A shared node (a party, a statute,
    a concept) has no lines: its documents are those whose nodes lead to it, else every document validated."""
    node, lines_of, seen = focus, "", {focus}
    ref = data.value(focus, PIA.sourceRef)
    while ref is None:
        node = _enclosing(data, node)
        if node is None or node in seen or (node, RDF.type, PIA.Assessment) in data:
            node = None
            break
        seen.add(node)
        ref = data.value(node, PIA.sourceRef)
    if ref is not None and node != focus:
        lines_of = label_of(data, node) or str(node)
    document = _document_of(data, focus) or (_document_of(data, node) if node is not None else None)
    if document is None and ref is not None:
        document = str(ref).split("#", 1)[0]
    if document is not None:
        documents = (document,)
    else:
        documents = tuple(sorted(_referring_documents(data, focus)
                                 or {str(n) for n in data.objects(None, PIA.fileName)}))
    return (str(ref) if ref is not None else None), lines_of, documents


SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def reading_order(f: Finding):
    """Violations first, then per document in line order."""
    return (SEVERITY_ORDER.get(f.severity, 3), f.documents, f.first_line, f.message, f.focus)


def validation_graph(*parts) -> Graph:
    """One graph of the parts and the ontology's axioms (sh:class follows rdfs:subClassOf in the data graph)."""
    data = Graph()
    for part in (*parts, ontology_axioms()):
        data.addN((s, p, o, data) for s, p, o in part)
    return data


def shapes_report(data: Graph) -> Graph:
    """pySHACL's report graph for a graph made by validation_graph() (validated in place: it is a throwaway copy)."""
    import pyshacl      # imported when used: the compiled shapes (validate_batch) validate without it
    _, report, _ = pyshacl.validate(data_graph=data, shacl_graph=validation_shapes(), inference="none", inplace=True,
                                    advanced=True, allow_warnings=True, abort_on_first=False)
    return report


def validate_graph(*parts) -> list[Finding]:
    """Run the shapes over one document: its graph, the shared graph and the vocabulary, given as parts (Graphs or
    sets of triples). Each finding says where in the source it is (locate()).

    The parts are copied once into a fresh graph with the ontology's axioms, and pySHACL validates that copy in
    place, rather than cloning it again to mix the ontology in."""
    data = validation_graph(*parts)
    report = shapes_report(data)
    findings = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        messages = [str(m) for m in report.objects(result, SH.resultMessage)]
        source, lines_of, documents = locate(data, focus)
        findings.append(Finding(severity=severity, focus=str(focus), label=label_of(data, focus),
                                message="; ".join(messages), path=path_text(report, path) if path else None,
                                source=source, documents=documents, lines_of=lines_of,
                                value=value_text(report.value(result, SH.value)),
                                component=str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]))
    findings.sort(key=reading_order)
    return findings


_VOCABULARY_CLASSES = (SKOS.Concept, SKOS.ConceptScheme, PIA.CheckState)


def shared_part(document: Graph, shared: Graph, vocabulary: Graph | None = None) -> Graph:
    """What of the shared graph a document's graph leads to (its parties, statutes, concepts and what they lead
    to), with the vocabulary: the part `build` validated the document with."""
    part = Graph()
    if vocabulary is not None:
        part += vocabulary
    seen = set()
    frontier = {o for o in document.objects() if not isinstance(o, Literal)}
    while frontier:
        seen |= frontier
        nxt = set()
        for node in frontier:
            for s, p, o in shared.triples((node, None, None)):
                part.add((s, p, o))
                if not isinstance(o, Literal) and o not in seen:
                    nxt.add(o)
        frontier = nxt
    return part


def vocabulary_part(shared: Graph) -> Graph:
    """The form's SKOS vocabulary and check states as the shared graph holds them."""
    part = Graph()
    for cls in _VOCABULARY_CLASSES:
        for node in shared.subjects(RDF.type, cls):
            part += shared.triples((node, None, None))
    return part


def validate_dataset(ds: Dataset, validator: str = "pyshacl") -> list[Finding]:
    """Run the shapes per assessment over a dataset written by `build`: each document's named graph with the part of
    the shared graph it leads to, as `build` validated it; with pySHACL one document at a time, or ("sparql") all of
    them at once with the compiled shapes (validate_batch). A finding about a shared node (a party two documents
    name) is reported once, with every document it was found in."""
    from .stores.manifest import is_document_graph
    shared = ds.graph(SHARED_GRAPH)
    vocabulary = vocabulary_part(shared)
    documents = [(str(g.identifier), [g, shared_part(g, shared, vocabulary)]) for g in ds.graphs()
                 if len(g) and is_document_graph(str(g.identifier))]   # not the shared graph, reports or manifest
    if validator == "sparql":
        from .validate_batch import validate_many
        found = validate_many(documents)
        per_document = [(graph, found[graph]) for graph, _ in documents]
    else:
        per_document = [(graph, validate_graph(*parts)) for graph, parts in documents]
    merged: dict[tuple, Finding] = {}
    for graph, findings in per_document:
        for f in findings:
            if not f.documents:      # a graph without its source document: name the graph at least
                f = replace(f, documents=(graph,))
            key = (f.severity, f.focus, f.path, f.message)
            seen = merged.get(key)
            merged[key] = f if seen is None else replace(seen, documents=tuple(sorted({*seen.documents, *f.documents})))
    return sorted(merged.values(), key=reading_order)


def counts(findings: list[Finding]) -> dict[str, int]:
    out = {"Violation": 0, "Warning": 0, "Info": 0}
    for f in findings:
        out[f.severity] = out.get(f.severity, 0) + 1
    return out
