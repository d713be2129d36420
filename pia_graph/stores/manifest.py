"""The manifest: which named graph holds which document (name, SHA-256, when, how many triples, current or superseded), and how to find the documents in a store that has none."""

from __future__ import annotations

import datetime as _dt
import json

from rdflib import Namespace
from rdflib.namespace import XSD

from ..namespaces import GRAPH_BASE, ID, PIA, PROV, RDF, SHARED_GRAPH

# The manifest's own vocabulary, never matched by the canned queries.
STORE = Namespace("https://w3id.org/pia-graph/store#")
MANIFEST_GRAPH = ID["graph/manifest"]
# The ontology, loaded beside the data so that validation and reasoning in the store see what `validate` sees.
ONTOLOGY_GRAPH = ID["graph/ontology"]
# Graphs under GRAPH_BASE that hold no document.
SERVICE_GRAPHS = frozenset({str(SHARED_GRAPH), str(MANIFEST_GRAPH), str(ONTOLOGY_GRAPH)})


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def literal(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a valid SPARQL/N-Triples string literal


def history_iri(graph: str) -> str:
    """Superseded versions are kept under graph/history/KEY: outside the queried documents."""
    return graph.replace("/graph/", "/graph/history/", 1)


def is_document_graph(graph: str) -> bool:
    return (graph.startswith(str(GRAPH_BASE)) and graph not in SERVICE_GRAPHS and "/graph/history/" not in graph
            and "/graph/report/" not in graph)


def report_graph_iri(document_graph: str) -> str:
    """The graph holding a document's validation report (pia_graph/report.py): id:graph/report/KEY for the
    document's id:graph/KEY. Replaced and dropped with the document."""
    return document_graph.replace(str(GRAPH_BASE), f"{GRAPH_BASE}report/", 1)


def is_report_graph(graph: str) -> bool:
    return graph.startswith(f"{GRAPH_BASE}report/")


def document_of_report(report_graph: str) -> str:
    """The document graph a report graph belongs to."""
    return report_graph.replace(f"{GRAPH_BASE}report/", str(GRAPH_BASE), 1)


def manifest_entry(p, when: str) -> str:
    """A document's manifest entry as N-Triples (p: a PreparedDocument)."""
    g = f"<{p.graph}>"
    return (f"{g} <{STORE.documentName}> {literal(p.name)} .\n"
            f"{g} <{STORE.sha256}> {literal(p.sha256)} .\n"
            f"{g} <{STORE.ingestedAt}> \"{when}\"^^<{XSD.dateTime}> .\n"
            f"{g} <{STORE.triples}> \"{p.triples}\"^^<{XSD.integer}> .\n"
            f"{g} <{STORE.status}> <{STORE.Current}> .\n")


def history_entry(old: str, new: str, when: str) -> str:
    return (f"<{old}> <{STORE.status}> <{STORE.Superseded}> .\n"
            f"<{old}> <{STORE.supersededAt}> \"{when}\"^^<{XSD.dateTime}> .\n"
            f"<{old}> <{STORE.supersededBy}> <{new}> .\n")


def retiring_ops(old_graph: str | None, new_graph: str, keep_history: bool, when: str, move: bool = True) -> list[str]:
    """The SPARQL Update operations that retire the current version of a document when a new one replaces it:
    no longer current in the manifest, and its graph dropped, or kept under history_iri (moved there when `move`;
    a store that keeps history elsewhere copies it first and drops it here)."""
    if not old_graph:
        return []
    ops = [f"DELETE DATA {{ GRAPH <{MANIFEST_GRAPH}> {{ <{old_graph}> <{STORE.status}> <{STORE.Current}> }} }}",
           f"DROP SILENT GRAPH <{report_graph_iri(old_graph)}>"]      # a retired version's report goes with it
    if keep_history:
        ops.append(f"MOVE SILENT GRAPH <{old_graph}> TO GRAPH <{history_iri(old_graph)}>" if move
                   else f"DROP SILENT GRAPH <{old_graph}>")
        ops.append(f"INSERT DATA {{ GRAPH <{MANIFEST_GRAPH}> {{ {history_entry(old_graph, new_graph, when)} }} }}")
    else:
        ops.append(f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{old_graph}> ?p ?o }} }}")
        ops.append(f"DROP SILENT GRAPH <{old_graph}>")
    return ops


MANIFEST_QUERY = f"""SELECT ?g ?name ?sha ?when ?n ?status ?sup WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{
  ?g <{STORE.documentName}> ?name ; <{STORE.sha256}> ?sha ; <{STORE.ingestedAt}> ?when ; <{STORE.triples}> ?n ;
     <{STORE.status}> ?status . OPTIONAL {{ ?g <{STORE.supersededAt}> ?sup }} }} }}"""


def lookup_query(name: str | None = None, sha: str | None = None) -> str:
    """The manifest query for the current documents with this name or these bytes."""
    prop, value = (STORE.documentName, name) if name is not None else (STORE.sha256, sha)
    return MANIFEST_QUERY.replace("?status .", f"?status . FILTER(?status = <{STORE.Current}>) "
                                  f"?g <{prop}> {literal(value)} .")


# The documents a store holds, read from the data itself (every document graph names its assessment and the source
# it was derived from): a store filled by another loader has no manifest, and its documents must still be seen.
DOCUMENTS_IN_DATA = f"""SELECT DISTINCT ?g ?name ?sha WHERE {{ GRAPH ?g {{
  ?a <{RDF.type}> <{PIA.Assessment}> ; <{PROV.wasDerivedFrom}> ?d .
  OPTIONAL {{ ?d <{PIA.fileName}> ?name }} OPTIONAL {{ ?d <{PIA.sha256}> ?sha }} }}
  FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}") && !CONTAINS(STR(?g), "/graph/history/")
         && !CONTAINS(STR(?g), "/graph/report/")) }}"""

# Whether the default graph of a query holds the documents (true where it is the union of the named graphs).
DEFAULT_GRAPH_SEES_DOCUMENTS = f"SELECT ?a WHERE {{ ?a <{RDF.type}> <{PIA.Assessment}> }} LIMIT 1"


__all__ = ["STORE", "MANIFEST_GRAPH", "ONTOLOGY_GRAPH", "SERVICE_GRAPHS", "MANIFEST_QUERY", "DOCUMENTS_IN_DATA",
           "DEFAULT_GRAPH_SEES_DOCUMENTS", "manifest_entry", "history_entry", "retiring_ops", "history_iri", "lookup_query",
           "is_document_graph", "document_of_report", "report_graph_iri", "is_report_graph", "literal", "now"]
