"""A document's validation findings as RDF: a SHACL report graph kept beside the document's graph, replaced and
dropped with it, so that the store can be asked which documents have which violations and warnings.

One graph per document, id:graph/report/KEY beside the document's id:graph/KEY:

    id:assessment/KEY  pia:validationReport  id:report/KEY .
    id:report/KEY  a sh:ValidationReport ; sh:conforms false ; pia:validator "sparql" ;
                   pia:violationCount 1 ; pia:warningCount 12 ; pia:infoCount 3 ; sh:result id:report/KEY/1 , … .
    id:report/KEY/1  a sh:ValidationResult ; sh:resultSeverity sh:Violation ; sh:focusNode … ; sh:resultPath … ;
                   sh:value … ; sh:resultMessage "…"@en ; sh:sourceConstraintComponent sh:… ;
                   pia:findingSource "002_….txt#L844-L2466" ; pia:findingLinesOf "…" ; pia:findingDocument "002_….txt" .

SHACL's own report vocabulary, with pia: terms (declared in the ontology) for what SHACL has no word for: where in
the source to look, and the counts. Result nodes are numbered in reading order (violations first, then by line),
so the same findings give the same graph.
"""

from __future__ import annotations

from typing import Iterable

from .namespaces import ID, PIA, SH
from .stores.manifest import is_report_graph, report_graph_iri
from .validate import Finding, counts, reading_order

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD_INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"
XSD_BOOLEAN = "<http://www.w3.org/2001/XMLSchema#boolean>"


def _key(document_graph: str) -> str:
    return document_graph.rsplit("/", 1)[-1]


def report_nt(document_graph: str, findings: Iterable[Finding], validator: str) -> str:
    """The report as N-Triples (a store writes them into report_graph_iri(document_graph))."""
    from .stores.base import nt_term
    from rdflib import Literal, URIRef

    def lit(text: str, lang: str | None = None) -> str:
        return nt_term(Literal(text, lang=lang))

    def iri(text: str) -> str:
        return nt_term(URIRef(text))

    key = _key(document_graph)
    report = f"<{ID}report/{key}>"
    found = sorted(findings, key=reading_order)
    c = counts(found)
    lines = [f"<{ID}assessment/{key}> <{PIA.validationReport}> {report} .",
             f"{report} {RDF_TYPE} <{SH.ValidationReport}> .",
             f"{report} <{SH.conforms}> \"{'false' if c['Violation'] else 'true'}\"^^{XSD_BOOLEAN} .",
             f"{report} <{PIA.validator}> {lit(validator)} .",
             f"{report} <{PIA.violationCount}> \"{c['Violation']}\"^^{XSD_INTEGER} .",
             f"{report} <{PIA.warningCount}> \"{c['Warning']}\"^^{XSD_INTEGER} .",
             f"{report} <{PIA.infoCount}> \"{c['Info']}\"^^{XSD_INTEGER} ."]
    for n, f in enumerate(found, start=1):
        r = f"<{ID}report/{key}/{n}>"
        lines += [f"{report} <{SH.result}> {r} .",
                  f"{r} {RDF_TYPE} <{SH.ValidationResult}> .",
                  f"{r} <{SH.resultSeverity}> <{SH[f.severity]}> .",
                  f"{r} <{SH.focusNode}> {iri(f.focus) if not f.focus.startswith('_:') else lit(f.focus)} ."]
        if f.message:
            lines.append(f"{r} <{SH.resultMessage}> {lit(f.message, 'en')} .")
        if f.path:
            if not f.path.startswith(("^", "(")):      # path_text: an IRI, or SPARQL syntax for a complex path
                lines.append(f"{r} <{SH.resultPath}> {iri(f.path)} .")
            else:     # a complex path (an inverse, a sequence) as SPARQL path syntax
                lines.append(f"{r} <{PIA.findingPath}> {lit(f.path)} .")
        if f.value is not None:
            lines.append(f"{r} <{SH.value}> {f.value} .")
        if f.component:
            lines.append(f"{r} <{SH.sourceConstraintComponent}> <{SH[f.component]}> .")
        if f.source:
            lines.append(f"{r} <{PIA.findingSource}> {lit(f.source)} .")
        if f.lines_of:
            lines.append(f"{r} <{PIA.findingLinesOf}> {lit(f.lines_of)} .")
        for d in f.documents:
            lines.append(f"{r} <{PIA.findingDocument}> {lit(d)} .")
    return "\n".join(lines) + "\n"


__all__ = ["report_graph_iri", "is_report_graph", "report_nt"]
