"""Validate a document's graph against the SHACL shapes and report results with their source lines."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import Graph, plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.query import Processor
from rdflib.namespace import RDF, RDFS

from .namespaces import PIA, SH
from .query import PARSE_LOCK

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

PACKAGE_ROOT = Path(__file__).resolve().parent
SHAPES_PATH = PACKAGE_ROOT.parent / "shapes" / "pia-shapes.ttl"
ONTOLOGY_PATH = PACKAGE_ROOT.parent / "ontology" / "pia.ttl"


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
    source: str | None   # file#Lstart-Lend


def validation_graph(*parts) -> Graph:
    """One graph of the parts and the ontology's axioms (sh:class follows rdfs:subClassOf in the data graph)."""
    data = Graph()
    for part in (*parts, ontology_axioms()):
        data.addN((s, p, o, data) for s, p, o in part)
    return data


def shapes_report(data: Graph) -> Graph:
    """pySHACL's report graph for a graph made by validation_graph() (validated in place: it is a throwaway copy)."""
    _, report, _ = pyshacl.validate(data_graph=data, shacl_graph=validation_shapes(), inference="none", inplace=True,
                                    advanced=True, allow_warnings=True, abort_on_first=False)
    return report


def validate_graph(*parts) -> list[Finding]:
    """Run the shapes over one document: its graph, the shared graph and the vocabulary, given as parts (Graphs or
    sets of triples).

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
        label = data.value(focus, RDFS.label)
        source = data.value(focus, PIA.sourceRef)
        findings.append(Finding(severity=severity, focus=str(focus), label=str(label) if label else "",
                                message="; ".join(messages), path=str(path) if path else None,
                                source=str(source) if source else None))
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    findings.sort(key=lambda f: (order.get(f.severity, 3), f.source or "", f.message))
    return findings


def counts(findings: list[Finding]) -> dict[str, int]:
    out = {"Violation": 0, "Warning": 0, "Info": 0}
    for f in findings:
        out[f.severity] = out.get(f.severity, 0) + 1
    return out
