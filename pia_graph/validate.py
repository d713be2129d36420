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
    return Graph().parse(SHAPES_PATH, format="turtle")


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    return Graph().parse(ONTOLOGY_PATH, format="turtle")


@dataclass(frozen=True)
class Finding:
    severity: str        # "Violation", "Warning", "Info"
    focus: str           # IRI of the focus node
    label: str           # its rdfs:label, if any
    message: str
    path: str | None
    source: str | None   # file#Lstart-Lend


def validate_graph(data: Graph) -> list[Finding]:
    """Run the shapes over one document's graph (merged with the shared graph by the caller)."""
    conforms, report, _ = pyshacl.validate(
        data_graph=data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="none",
        advanced=True, allow_warnings=True, abort_on_first=False)
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
