"""Tests for ontology/pia.ttl and shapes/pia-shapes.ttl: both parse, the ontology declares every pia: term the mapping
writes, and each severity means what it says (Violation: the graph is wrong; Warning: the source lacks or contradicts
something; Info: worth knowing), checked on hand-made graphs and on the five seeds."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from pia_graph.pipeline import vocabulary
from pia_graph.validate import ontology_graph, shapes_graph, shapes_report, validation_graph

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
MAPPING = ROOT / "pia_graph" / "mapping.py"

PIA = Namespace("https://w3id.org/pia-graph/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCTERMS = Namespace("http://purl.org/dc/terms/")


# The project's own loaders: the tests validate exactly as `pia-graph build` does.
ontology = ontology_graph
shapes = shapes_graph


@lru_cache(maxsize=1)
def sample_dataset():
    from pia_graph.mapping import build_dataset
    from pia_graph.parse.assessment import parse_assessment

    docs = []
    for p in sorted(SAMPLES.glob("*.txt")):
        docs.append(parse_assessment(p.name, hashlib.sha256(p.read_bytes()).hexdigest(), p.read_text().split("\n")))
    return docs, build_dataset(docs)


def validate(data: Graph, as_written: bool = False) -> list[dict]:
    """Run the shapes as the project does (validate.validate_graph) and return each result as a dict; as_written
    runs pySHACL plainly on the shapes file and the ontology instead."""
    if as_written:
        _, report, _ = pyshacl.validate(data_graph=data, shacl_graph=shapes(), ont_graph=ontology(), inference="none",
                                        advanced=True, allow_warnings=True)
    else:
        report = shapes_report(validation_graph(data))
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out.append({
            "severity": str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
            "focus": report.value(r, SH.focusNode),
            "path": report.value(r, SH.resultPath),
            "shape": report.value(r, SH.sourceShape),
            "value": report.value(r, SH.value),
            "message": " ".join(str(m) for m in report.objects(r, SH.resultMessage)),
        })
    return out


def of(results, severity):
    return [r for r in results if r["severity"] == severity]


# ---------------------------------------------------------------------------------------------------------------
# Both files parse and describe themselves
# ---------------------------------------------------------------------------------------------------------------

def test_ontology_parses_with_a_bilingual_header():
    g = ontology()
    header = URIRef("https://w3id.org/pia-graph/ontology")
    assert (header, RDF.type, OWL.Ontology) in g
    assert g.value(header, OWL.versionInfo) is not None
    langs = {t.language for t in g.objects(header, DCTERMS.title)}
    assert {"en", "ja"} <= langs
    assert {d.language for d in g.objects(header, DCTERMS.description)} >= {"en", "ja"}


def test_shapes_parse_and_declare_their_sparql_prefixes():
    g = shapes()
    assert len(g) > 0
    prefixes = {str(p) for decl in g.objects(None, SH.declare) for p in g.objects(decl, SH.prefix)}
    assert {"pia", "rdfs", "skos", "prov", "eli"} <= prefixes
    for constraint in g.objects(None, SH.sparql):
        assert g.value(constraint, SH.prefixes) is not None
        assert g.value(constraint, SH.select) is not None
        assert g.value(constraint, SH.message) is not None


def _pia_terms(g: Graph) -> dict[URIRef, str]:
    kinds = {OWL.Class: "class", OWL.ObjectProperty: "object property", OWL.DatatypeProperty: "datatype property",
             OWL.NamedIndividual: "individual", OWL.AnnotationProperty: "annotation property"}
    out = {}
    for t, kind in kinds.items():
        for s in g.subjects(RDF.type, t):
            if isinstance(s, URIRef) and str(s).startswith(str(PIA)):
                out[s] = kind
    return out


def test_every_ontology_term_has_japanese_and_english_labels_and_definitions():
    g = ontology()
    for term in _pia_terms(g):
        labels = {lbl.language for lbl in g.objects(term, RDFS.label)}
        assert {"en", "ja"} <= labels, f"{term} lacks an rdfs:label in en or ja"
        defs = {d.language for d in g.objects(term, SKOS.definition)}
        assert {"en", "ja"} <= defs, f"{term} lacks a skos:definition in en or ja"


def test_every_class_says_where_it_lives_on_the_form():
    g = ontology()
    for term, kind in _pia_terms(g).items():
        if kind == "class":
            assert g.value(term, PIA.formSection) is not None, f"{term} has no pia:formSection"


def test_every_pia_term_the_mapping_emits_is_declared():
    declared = set(_pia_terms(ontology()))
    _, ds = sample_dataset()
    used = set()
    for s, p, o, _g in ds.quads():
        for x in (s, p, o):
            if isinstance(x, URIRef) and str(x).startswith(str(PIA)):
                used.add(x)
    assert used, "the samples produced no pia: terms"
    assert sorted(used - declared) == []
    # Terms named in the mapping's source but not reached by the five samples (citesCurrent, AnnexRow, ...)
    named = {PIA[m] for m in re.findall(r"\bPIA\.([A-Za-z_]\w*)", MAPPING.read_text(encoding="utf-8"))}
    assert sorted(named - declared) == []


def test_every_shape_is_named_in_both_languages_with_an_english_message():
    g = shapes()
    shape_nodes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    assert len(shape_nodes) > 50
    for s in shape_nodes:
        for prop in (SH.name, RDFS.label):
            langs = {v.language for v in g.objects(s, prop)}
            assert {"en", "ja"} <= langs, f"{s} lacks {prop} in en or ja"
        messages = list(g.objects(s, SH.message)) + [m for c in g.objects(s, SH.sparql) for m in g.objects(c, SH.message)]
        assert messages, f"{s} has no sh:message"
        for m in messages:
            assert m.language == "en", f"{s}: sh:message must be English"
        assert g.value(s, SH.severity) in (SH.Violation, SH.Warning, SH.Info), f"{s} has no explicit severity"


# ---------------------------------------------------------------------------------------------------------------
# Hand-made graphs: one correct graph, then one defect at a time
# ---------------------------------------------------------------------------------------------------------------

BASE = """
@prefix pia: <https://w3id.org/pia-graph/ontology#> .
@prefix id: <https://w3id.org/pia-graph/id/> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://w3id.org/pia-graph/id/assessment/t/> .

<https://w3id.org/pia-graph/id/document/t> a pia:SourceDocument , prov:Entity ;
    pia:fileName "t.txt" ; pia:sha256 "%(sha)s" ; pia:lineCount 100 .

<https://w3id.org/pia-graph/id/assessment/t> a pia:Assessment , dpv:DPIA ;
    rdfs:label "テスト評価書"@ja ;
    prov:wasDerivedFrom <https://w3id.org/pia-graph/id/document/t> ; pia:sourceRef "t.txt#L1-L100" ;
    pia:assessingBody <https://w3id.org/pia-graph/id/party/body> ;
    pia:form <https://w3id.org/pia-graph/id/concept/form/full> ;
    dcterms:issued "2024-04-01"^^xsd:date ;
    pia:hasFile ex:file1 .

<https://w3id.org/pia-graph/id/party/body> a pia:Party , pia:AssessingBody , dpv:Entity ; rdfs:label "テスト市長"@ja .
<https://w3id.org/pia-graph/id/party/j-lis> a pia:Party , pia:Recipient , dpv:Entity ;
    rdfs:label "地方公共団体情報システム機構"@ja .

ex:file1 a pia:PersonalInformationFile , dpv:PersonalData ;
    rdfs:label "住民基本台帳ファイル"@ja ; pia:fileNumber 1 ;
    pia:inAssessment <https://w3id.org/pia-graph/id/assessment/t> ; pia:sourceRef "t.txt#L10-L60" ;
    pia:declaredProvisionCount 1 ;
    pia:recordCategory ex:rc ;
    pia:hasDisclosure ex:prov1 .

ex:rc a pia:ChoiceState ;
    pia:option <https://w3id.org/pia-graph/id/concept/record-category/my-number> ;
    pia:state pia:Checked ; rdfs:label "個人番号"@ja ;
    pia:inAssessment <https://w3id.org/pia-graph/id/assessment/t> ; pia:sourceRef "t.txt#L15-L15" .

ex:prov1 a pia:Provision ;
    pia:ofFile ex:file1 ; pia:kind "提供"@ja ; pia:rowNumber 1 ;
    rdfs:label "提供先1 地方公共団体情報システム機構"@ja ;
    pia:recipientText "地方公共団体情報システム機構"@ja ;
    dpv:hasRecipient <https://w3id.org/pia-graph/id/party/j-lis> ;
    dpv:hasLegalBasis ex:cit1 ;
    pia:inAssessment <https://w3id.org/pia-graph/id/assessment/t> ; pia:sourceRef "t.txt#L20-L30" .

ex:cit1 a pia:Citation , dpv:LegalBasis ;
    pia:citationText "番号法第19条第8号"@ja ; rdfs:label "番号法第19条第8号"@ja ;
    pia:citesLaw <https://w3id.org/pia-graph/id/law/bango> ;
    pia:cites <https://w3id.org/pia-graph/id/law/bango/article/19/item/8> ;
    pia:citesArticle <https://w3id.org/pia-graph/id/law/bango/article/19> ;
    pia:article "19" ; pia:item "8" ;
    pia:inAssessment <https://w3id.org/pia-graph/id/assessment/t> ; pia:sourceRef "t.txt#L21-L21" .

<https://w3id.org/pia-graph/id/law/bango> a pia:Law , eli:LegalResource ;
    rdfs:label "行政手続における特定の個人を識別するための番号の利用等に関する法律"@ja .
<https://w3id.org/pia-graph/id/law/bango/article/19> a pia:Article , eli:LegalResourceSubdivision ;
    eli:is_part_of <https://w3id.org/pia-graph/id/law/bango> ; pia:number "19" ; rdfs:label "番号法 第19条"@ja .
<https://w3id.org/pia-graph/id/law/bango/article/19/item/8> a pia:Item , eli:LegalResourceSubdivision ;
    eli:is_part_of <https://w3id.org/pia-graph/id/law/bango/article/19> ; pia:number "8" ;
    rdfs:label "番号法 第19条第8号"@ja .
""" % {"sha": "0" * 64}

PREFIXES = """
PREFIX pia: <https://w3id.org/pia-graph/ontology#>
PREFIX dpv: <https://w3id.org/dpv#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX ex: <https://w3id.org/pia-graph/id/assessment/t/>
"""
T = "https://w3id.org/pia-graph/id/assessment/t"


def hand_made(*updates: str) -> Graph:
    g = Graph().parse(data=BASE, format="turtle")
    for t in vocabulary():
        g.add(t)
    for u in updates:
        g.update(PREFIXES + u)
    return g


def test_the_hand_made_graph_is_clean():
    results = validate(hand_made())
    assert of(results, "Violation") == [] and of(results, "Warning") == [], results


def test_provision_without_recipient_and_file_is_a_violation():
    g = hand_made("DELETE WHERE { ex:prov1 dpv:hasRecipient ?r }",
                  "DELETE WHERE { ex:prov1 pia:recipientText ?t }",
                  "DELETE WHERE { ex:prov1 pia:ofFile ?f }")
    violations = [r for r in of(validate(g), "Violation") if r["focus"] == URIRef(T + "/prov1")]
    assert any("names no recipient" in r["message"] for r in violations), violations
    assert any(r["path"] == PIA.ofFile for r in violations), violations


def test_provision_with_recipient_text_only_is_fine():
    g = hand_made("DELETE WHERE { ex:prov1 dpv:hasRecipient ?r }")
    assert of(validate(g), "Violation") == []


def test_declared_count_mismatch_is_a_warning_with_both_numbers():
    g = hand_made("DELETE WHERE { ex:file1 pia:declaredProvisionCount ?n }",
                  "INSERT DATA { ex:file1 pia:declaredProvisionCount 3 }")
    results = validate(g)
    assert of(results, "Violation") == []
    warnings = [r for r in of(results, "Warning") if r["path"] == PIA.declaredProvisionCount]
    assert len(warnings) == 1, results
    message = warnings[0]["message"]
    assert "declared 3 提供" in message and "1 row(s)" in message, message


def test_unknown_checkbox_is_a_warning_naming_the_option():
    g = hand_made("DELETE { ex:rc pia:state pia:Checked ; pia:sourceRef ?r } "
                  "INSERT { ex:rc pia:state pia:Unknown ; pia:note \"option not found beside its field\"@en } "
                  "WHERE { ex:rc pia:sourceRef ?r }")
    results = validate(g)
    assert of(results, "Violation") == [], results     # unknown, explained, and without a line: honest
    warnings = [r for r in of(results, "Warning") if r["focus"] == URIRef(T + "/rc")]
    assert len(warnings) == 1 and "個人番号" in warnings[0]["message"], results


def _one(results, severity, **match):
    hits = [r for r in of(results, severity) if all(r[k] == v for k, v in match.items())]
    assert hits, f"no {severity} with {match} in {results}"
    return hits


@pytest.mark.parametrize("updates, focus, path", [
    # a checkbox claiming a state must cite its line
    (["DELETE WHERE { ex:rc pia:sourceRef ?r }"], "/rc", None),
    # a citation without a law, and one whose law is not a pia:Law
    (["DELETE WHERE { ex:cit1 pia:citesLaw ?l }"], "/cit1", PIA.citesLaw),
    (["DELETE WHERE { <https://w3id.org/pia-graph/id/law/bango> a pia:Law }"], "/cit1", PIA.citesLaw),
    # the wrong kind of node at the end of an object property
    (["INSERT DATA { ex:prov1 dpv:hasRecipient ex:file1 }"], "/prov1", URIRef("https://w3id.org/dpv#hasRecipient")),
    (["INSERT DATA { ex:prov1 pia:ofFile ex:rc }"], "/prov1", PIA.ofFile),
    (["DELETE WHERE { ex:rc pia:option ?o }", "INSERT DATA { ex:rc pia:option ex:file1 }"], "/rc", PIA.option),
    (["DELETE WHERE { ex:rc pia:state ?s }", "INSERT DATA { ex:rc pia:state pia:Maybe }"], "/rc", PIA.state),
    # an option of the wrong list
    (["DELETE WHERE { ex:rc pia:option ?o }",
      "INSERT DATA { ex:rc pia:option <https://w3id.org/pia-graph/id/concept/method/paper> }"], "/file1", None),
    # provenance
    (["DELETE WHERE { <%s> prov:wasDerivedFrom ?d }" % T], "", URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")),
    (["DELETE WHERE { ex:prov1 pia:inAssessment ?a }"], "/prov1", PIA.inAssessment),
    (["DELETE WHERE { ex:prov1 pia:inAssessment ?a }", "INSERT DATA { ex:prov1 pia:inAssessment ex:file1 }"], "/prov1",
     PIA.inAssessment),
    (["DELETE WHERE { ex:cit1 pia:sourceRef ?r }"], "/cit1", PIA.sourceRef),
    (["DELETE WHERE { ex:cit1 pia:sourceRef ?r }", "INSERT DATA { ex:cit1 pia:sourceRef \"t.txt#L21\" }"], "/cit1",
     PIA.sourceRef),
    (["DELETE WHERE { ex:cit1 pia:sourceRef ?r }", "INSERT DATA { ex:cit1 pia:sourceRef \"t.txt#L0-L21\" }"], "/cit1",
     PIA.sourceRef),
    (["DELETE WHERE { ex:cit1 pia:sourceRef ?r }", "INSERT DATA { ex:cit1 pia:sourceRef \"t.txt#L30-L21\" }"], "/cit1",
     PIA.sourceRef),
    (["DELETE WHERE { ex:file1 pia:sourceRef ?r }"], "/file1", PIA.sourceRef),
    # dates and legal structure
    (["DELETE WHERE { <%s> dcterms:issued ?d }" % T, "INSERT DATA { <%s> dcterms:issued \"2024年4月1日\" }" % T],
     "", URIRef("http://purl.org/dc/terms/issued")),
    (["DELETE WHERE { <https://w3id.org/pia-graph/id/law/bango/article/19> eli:is_part_of ?l }"], None,
     URIRef("http://data.europa.eu/eli/ontology#is_part_of")),
])
def test_a_wrong_graph_is_a_violation(updates, focus, path):
    results = validate(hand_made(*updates))
    match = {}
    if focus is not None:
        match["focus"] = URIRef(T + focus)
    if path is not None:
        match["path"] = path
    _one(results, "Violation", **match)


def test_a_line_past_the_end_of_the_document_is_a_violation():
    # the document has 100 lines; its nodes name their assessment, and the assessment the document
    results = validate(hand_made("DELETE WHERE { ex:cit1 pia:sourceRef ?r }",
                                 "INSERT DATA { ex:cit1 pia:sourceRef \"t.txt#L21-L101\" }"))
    hits = _one(results, "Violation", focus=URIRef(T + "/cit1"), path=PIA.sourceRef)
    assert any("line 101" in r["message"] and "100 lines" in r["message"] for r in hits), hits
    assert not [r for r in of(validate(hand_made()), "Violation")]


def test_an_unknown_checkbox_must_say_why():
    g = hand_made("DELETE { ex:rc pia:state pia:Checked ; pia:sourceRef ?r } INSERT { ex:rc pia:state pia:Unknown } "
                  "WHERE { ex:rc pia:sourceRef ?r }")
    _one(validate(g), "Violation", focus=URIRef(T + "/rc"), path=PIA.note)


def _comparable(results):
    """What a reader sees of each result (sh:sourceShape aside: hoisting moves a result to the property shape)."""
    def term(t):
        return "_:" if isinstance(t, BNode) else str(t)
    return sorted((r["severity"], term(r["focus"]), term(r["path"]), term(r["value"]), r["message"]) for r in results)


@pytest.mark.parametrize("updates", [
    [],
    ["DELETE WHERE { ex:prov1 dpv:hasRecipient ?r }", "DELETE WHERE { ex:prov1 pia:recipientText ?t }",
     "DELETE WHERE { ex:prov1 pia:ofFile ?f }"],
    ["DELETE WHERE { ex:cit1 pia:sourceRef ?r }", "INSERT DATA { ex:cit1 pia:sourceRef \"t.txt#L30-L101\" }"],
    ["DELETE WHERE { ex:rc pia:sourceRef ?r }", "DELETE WHERE { ex:file1 pia:fileNumber ?n }"],
    ["DELETE WHERE { ex:file1 pia:declaredProvisionCount ?n }", "INSERT DATA { ex:file1 pia:declaredProvisionCount 3 }"],
])
def test_the_prepared_shapes_report_what_the_shapes_as_written_report(updates):
    # validate.py hoists property shapes onto their node shapes' targets and copies the ontology's axioms once;
    # a reader must get the same results as from pySHACL run plainly on the two files
    g = hand_made(*updates)
    assert _comparable(validate(g)) == _comparable(validate(g, as_written=True))


@pytest.mark.parametrize("prefix", ["001_", "004_"])
def test_the_prepared_shapes_report_on_a_seed_what_the_shapes_as_written_report(prefix):
    g = seed_graph(prefix)
    prepared = _comparable(validate(g))
    assert prepared and prepared == _comparable(validate(g, as_written=True))


FORMS = {"basic": ("Info", "A basic assessment (基礎項目評価書, 様式2)"),
         "focused": ("Violation", "though a focused assessment (重点項目評価書, 様式3) describes every file"),
         "full": ("Violation", "though a full assessment (全項目評価書, 様式4) describes every file"),
         None: ("Info", "the form of the assessment is not known")}
# how a message names each form
FORM_NAMES = {"basic": ("basic assessment", "基礎項目", "様式2"), "focused": ("focused assessment", "重点項目", "様式3"),
              "full": ("full assessment", "全項目", "様式4")}
ONLY_NAMED = ("INSERT DATA { <%s> pia:hasFile ex:file2 . ex:file2 a pia:PersonalInformationFile ; "
              "rdfs:label \"送付先情報ファイル\"@ja ; pia:inAssessment <%s> ; pia:sourceRef \"t.txt#L5-L6\" }" % (T, T))


def _on_form(form):
    updates = [ONLY_NAMED, "DELETE WHERE { <%s> pia:form ?f }" % T]
    if form:
        updates.append("INSERT DATA { <%s> pia:form <https://w3id.org/pia-graph/id/concept/form/%s> }" % (T, form))
    return updates


@pytest.mark.parametrize("form", list(FORMS))
def test_a_file_only_named_in_the_list_is_judged_by_the_form(form):
    # a basic assessment describes no file (worth knowing); a focused or full one describes every file it names, so
    # a file without its Ⅱ is a part that could not be read; each message speaks of the assessment's own form only
    results = validate(hand_made(*_on_form(form)))
    severity, words = FORMS[form]
    hits = _one(results, severity, focus=URIRef(T + "/file2"), path=PIA.fileNumber)
    assert len(hits) == 1 and words in hits[0]["message"], hits
    assert [r for r in of(results, "Violation") if r["focus"] != URIRef(T + "/file2")] == [], results
    for other, names in FORM_NAMES.items():
        if form and other != form:
            assert not any(n in r["message"] for r in results for n in names), (form, results)


@pytest.mark.parametrize("form", ["focused", "full"])
def test_a_file_without_its_section_that_the_parser_recorded_as_unread_is_said_once(form):
    g = hand_made(*_on_form(form), "INSERT DATA { <%s> pia:hasUnreadPart ex:unread1 . ex:unread1 a pia:UnreadPart ; "
                                   "rdfs:label \"Ⅱ of file (2) 送付先情報ファイル\"@ja ; pia:reason \"no Ⅱ section\"@en ; "
                                   "pia:inAssessment <%s> ; pia:sourceRef \"t.txt#L61-L100\" }" % (T, T))
    results = validate(g)
    assert [r["focus"] for r in of(results, "Violation")] == [URIRef(T + "/unread1")], results
    assert [r for r in results if r["focus"] == URIRef(T + "/file2")] == [], results


def test_what_the_source_lacks_is_a_warning():
    g = hand_made("DELETE WHERE { <%s> pia:assessingBody ?b }" % T,
                  "INSERT DATA { <%s> pia:lacks \"cover\" }" % T,
                  "INSERT DATA { ex:file1 pia:hasOutsourcing ex:out1 . ex:out1 a pia:Outsourcing ; pia:ofFile ex:file1 ; "
                  "pia:kind \"委託\"@ja ; pia:rowNumber 1 ; rdfs:label \"委託事項1 システム運用\"@ja ; "
                  "pia:subcontracting pia:Unknown ; pia:inAssessment <%s> ; pia:sourceRef \"t.txt#L40-L45\" }" % T)
    results = validate(g)
    assert of(results, "Violation") == [], results
    _one(results, "Warning", focus=URIRef(T), path=PIA.assessingBody)
    assert any("cover" in r["message"] for r in _one(results, "Warning", focus=URIRef(T), path=PIA.lacks))
    assert any("委託事項1" in r["message"] for r in _one(results, "Warning", path=PIA.subcontracting))


# ---------------------------------------------------------------------------------------------------------------
# The five seeds
# ---------------------------------------------------------------------------------------------------------------

def seed_graph(prefix: str) -> Graph:
    from pia_graph.mapping import graph_iri
    from pia_graph.namespaces import SHARED_GRAPH

    docs, ds = sample_dataset()
    doc = next(d for d in docs if d.source.startswith(prefix))
    data = Graph()
    for t in ds.graph(graph_iri(doc.sha256)):
        data.add(t)
    for t in ds.graph(SHARED_GRAPH):
        data.add(t)
    return data


def test_seed_000_fragment_warns_that_it_has_no_cover():
    results = validate(seed_graph("000_"))
    warnings = of(results, "Warning")
    assert any(r["path"] == PIA.assessingBody for r in warnings), warnings
    assert any(r["path"] == PIA.lacks and "cover" in r["message"] for r in warnings), warnings
    assert any(r["path"] == PIA.state for r in warnings)          # torn checkboxes left unknown


def test_seed_002_warns_that_60_provisions_are_declared_for_one_row():
    warnings = of(validate(seed_graph("002_")), "Warning")
    counts = [r["message"] for r in warnings if r["path"] == PIA.declaredProvisionCount]
    assert any("declared 60 提供" in m and "1 row(s)" in m for m in counts), counts


def _union_of(graph_file) -> Graph:
    from rdflib import Dataset
    ds = Dataset(default_union=True)
    ds.parse(graph_file, format="trig")
    data = Graph()
    for g in ds.graphs():
        data += g
    return data


def _violations(data: Graph, inference: str) -> set[tuple[str, str, str]]:
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(),
                                           inference=inference, advanced=True, allow_warnings=True)
    return {(str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)),
             str(report.value(r, SH.resultMessage)))
            for r in report.subjects(RDF.type, SH.ValidationResult) if report.value(r, SH.resultSeverity) == SH.Violation}


def test_ontology_and_shapes_agree_under_rdfs_inference(sample_graph):
    """A reasoning store (or pyshacl -i rdfs) sees what the sub-property and sub-class axioms entail: that must add
    no violation to what the shapes find without inference (pia:personsBand values become dpv:hasDataSubjectScale
    values, for one, and were 3 violations)."""
    data = _union_of(sample_graph)
    assert _violations(data, "rdfs") == _violations(data, "none")


def test_every_reused_term_is_declared(sample_graph):
    """Every class and property the data and the ontology use, from DPV, ELI, PROV, SKOS, Dublin Core…, is declared
    in the ontology (only RDF, RDFS, OWL, XSD and SHACL are taken as known)."""
    ont = ontology_graph()
    declared = set(ont.subjects(RDF.type, None))
    known = tuple(str(ns) for ns in (RDF, RDFS, OWL, "http://www.w3.org/2001/XMLSchema#", "http://www.w3.org/ns/shacl#",
                                     "https://w3id.org/pia-graph/id/"))
    used = set()
    for s, p, o in _union_of(sample_graph):
        used.add(p)
        if p == RDF.type:
            used.add(o)
    axioms = (RDF.type, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass)
    for s, p, o in ont:
        used.add(p)
        if p in axioms:
            used.add(o)
    undeclared = sorted(str(u) for u in used if isinstance(u, URIRef) and not str(u).startswith(known)
                        and u not in declared)
    assert undeclared == []
