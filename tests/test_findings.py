"""Every validation finding says where in the source it is: the document and lines of the node it is about, or of the
node that node hangs from (a checkbox's file or row), or for a shared node (a party, a statute) its label and the
documents it was found in; and its message speaks of the assessment's own form. On the samples' build and on
hand-made cases, one per way of locating a finding."""

from __future__ import annotations

import re

import pytest
from rdflib import Dataset, Graph, URIRef
from typer.testing import CliRunner

from pia_graph.cli import app
from pia_graph.namespaces import GRAPH_BASE, ID, PIA, RDFS, SH, SHARED_GRAPH
from pia_graph.pipeline import vocabulary
from pia_graph.store import load_dataset
from pia_graph.validate import ENCLOSED_BY, shapes_graph, validate_dataset, validate_graph

from test_shapes import BASE, FORM_NAMES, PREFIXES, T, hand_made

LINES = re.compile(r"^(?P<doc>.+)#L(?P<first>\d+)-L(?P<last>\d+)$")


@pytest.fixture(scope="module")
def sample_findings(sample_graph):
    ds = load_dataset(sample_graph)
    return ds, validate_dataset(ds)


def _value(ds: Dataset, s, p):
    return next(iter(ds.objects(s, p)), None) if s is not None else None


def test_every_finding_on_the_samples_names_its_document_and_the_lines_its_node_or_its_enclosing_node_has(
        sample_findings):
    ds, findings = sample_findings
    documents = {str(n): int(_value(ds, d, PIA.lineCount)) for d in ds.subjects(PIA.fileName, None)
                 for n in ds.objects(d, PIA.fileName)}
    assert findings
    for f in findings:
        assert f.documents and set(f.documents) <= set(documents), f
        focus = URIRef(f.focus)
        own = _value(ds, focus, PIA.sourceRef)
        if own is not None:
            assert (f.source, f.lines_of) == (str(own), ""), f
        elif _value(ds, focus, PIA.inAssessment) is not None:
            # no lines of its own: those of the node it hangs from, named
            parents = [s for p in ENCLOSED_BY for s in ds.subjects(p, focus)]
            assert f.source and f.lines_of, f
            assert any(str(_value(ds, s, PIA.sourceRef)) == f.source and str(_value(ds, s, RDFS.label)) == f.lines_of
                       for s in parents), f
        else:
            assert f.source is None, f         # a shared node: no lines, its documents
        if f.source:
            m = LINES.match(f.source)
            assert m and m["doc"] in f.documents, f
            assert 1 <= int(m["first"]) <= int(m["last"]) <= documents[m["doc"]], f


def test_no_message_about_a_document_speaks_of_another_form(sample_findings):
    ds, findings = sample_findings
    form_of = {}
    for a, form in ds.subject_objects(PIA.form):
        d = _value(ds, a, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
        form_of[str(_value(ds, d, PIA.fileName))] = str(form).rsplit("/", 1)[-1]
    assert "full" in form_of.values() and "basic" in form_of.values()
    for f in findings:
        forms = {form_of.get(d) for d in f.documents}
        if len(forms) != 1 or None in forms:
            continue
        (form,) = forms
        for other, words in FORM_NAMES.items():
            if other != form:
                assert not any(w in f.message for w in words), (form, f)
    # a file its document only names (no Ⅱ section): a basic assessment's is worth knowing, and says so; a focused
    # or full assessment's is a part that could not be read, a violation naming the file
    only_named = [file for file in ds.subjects(PIA.inAssessment, None)
                  if (file, None, PIA.PersonalInformationFile) in ds and _value(ds, file, PIA.fileNumber) is None]
    assert only_named
    for file in only_named:
        form = form_of[str(LINES.match(str(_value(ds, file, PIA.sourceRef)))["doc"])]
        if form == "basic":
            (f,) = [f for f in findings if f.focus == str(file) and f.path == str(PIA.fileNumber)]
            assert f.severity == "Info" and all(w in f.message for w in FORM_NAMES["basic"]), f
        else:
            name = str(_value(ds, file, RDFS.label))
            assert [f for f in findings if f.severity == "Violation" and name in f.message], file


def test_messages_name_the_forms_fields_by_their_printed_labels_not_their_numbers():
    # 様式2, 様式3 and 様式4 number the same fields differently (the list of files is Ⅰ2 in a basic assessment, Ⅰ3 in
    # the others; 使用目的 is ③ in a focused one, ⑥ in a full one): a number in a message is false for some form
    g = shapes_graph()
    messages = [str(m) for m in g.objects(None, SH.message)]
    assert len(messages) > 100
    numbered = [m for m in messages if re.search(r"[ⅠⅡⅢⅣⅤⅥ]\s*\d|[\u2460-\u2473]", m)]
    assert numbered == []


# ---------------------------------------------------------------------------------------------------------------
# Hand-made: one case per way of locating a finding
# ---------------------------------------------------------------------------------------------------------------

def _findings(g: Graph, focus: str, severity: str | None = None):
    hits = [f for f in validate_graph(g) if f.focus == focus and (severity is None or f.severity == severity)]
    assert hits, f"no finding on {focus}"
    return hits


def test_a_node_with_lines_is_located_by_its_own_lines():
    g = hand_made("DELETE WHERE { ex:prov1 dpv:hasRecipient ?r }", "DELETE WHERE { ex:prov1 pia:recipientText ?t }")
    (f,) = [f for f in _findings(g, T + "/prov1", "Violation") if "names no recipient" in f.message]
    assert (f.source, f.lines_of, f.documents) == ("t.txt#L20-L30", "", ("t.txt",))


def test_a_checkbox_without_lines_is_located_by_the_lines_of_the_file_it_belongs_to():
    g = hand_made("DELETE { ex:rc pia:state pia:Checked ; pia:sourceRef ?r } "
                  "INSERT { ex:rc pia:state pia:Unknown ; pia:note \"option not found beside its field\"@en } "
                  "WHERE { ex:rc pia:sourceRef ?r }")
    (f,) = _findings(g, T + "/rc", "Warning")
    assert (f.source, f.lines_of, f.documents) == ("t.txt#L10-L60", "住民基本台帳ファイル", ("t.txt",))
    assert f.where == "t.txt#L10-L60 (lines of 住民基本台帳ファイル)"


def test_without_lines_up_to_the_assessment_a_finding_still_names_its_document():
    # the assessment's lines are the whole document: not given for a node inside it
    g = hand_made("DELETE WHERE { ex:rc pia:sourceRef ?r }", "DELETE WHERE { ex:file1 pia:sourceRef ?r }")
    for focus in (T + "/rc", T + "/file1"):
        for f in _findings(g, focus, "Violation"):
            assert (f.source, f.documents, f.where) == (None, ("t.txt",), "t.txt"), f


def test_the_assessment_and_its_document_are_located_in_their_document():
    g = hand_made("INSERT DATA { <%s> pia:lacks \"cover\" }" % T,
                  "DELETE WHERE { <https://w3id.org/pia-graph/id/document/t> pia:sha256 ?h }")
    (f,) = [f for f in _findings(g, T, "Warning") if "cover" in f.message]
    assert (f.source, f.documents) == ("t.txt#L1-L100", ("t.txt",))
    for f in _findings(g, "https://w3id.org/pia-graph/id/document/t", "Violation"):
        assert (f.source, f.documents) == (None, ("t.txt",)), f


def test_a_node_that_lost_its_assessment_is_located_by_its_lines():
    g = hand_made("DELETE WHERE { ex:prov1 pia:inAssessment ?a }")
    for f in _findings(g, T + "/prov1", "Violation"):
        assert (f.source, f.documents) == ("t.txt#L20-L30", ("t.txt",)), f


@pytest.mark.parametrize("update, focus", [
    # a party, an article: shared by documents, no lines; found through the rows and citations that lead to them
    ("DELETE WHERE { <https://w3id.org/pia-graph/id/party/j-lis> rdfs:label ?l }",
     "https://w3id.org/pia-graph/id/party/j-lis"),
    ("DELETE WHERE { <https://w3id.org/pia-graph/id/law/bango/article/19> pia:number ?n }",
     "https://w3id.org/pia-graph/id/law/bango/article/19"),
    # a concept no node uses: the document whose graph it was validated with
    ("DELETE WHERE { <https://w3id.org/pia-graph/id/concept/method/paper> skos:notation ?n }",
     "https://w3id.org/pia-graph/id/concept/method/paper"),
])
def test_a_shared_node_is_located_by_its_label_and_documents(update, focus):
    g = hand_made(("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" if "skos:" in update else "") + update)
    for f in _findings(g, focus, "Violation"):
        assert f.source is None and f.documents == ("t.txt",) and f.where == "t.txt", f


def _document(name: str, recipient: str) -> str:
    """BASE as another document (its own assessment, file name and graph), sending its row to `recipient`."""
    return (BASE.replace("assessment/t", f"assessment/{name}").replace("document/t>", f"document/{name}>")
            .replace("t.txt", f"{name}.txt").replace("party/j-lis> ;\n    dpv:hasLegalBasis", f"party/{recipient}> ;\n    dpv:hasLegalBasis"))


@pytest.fixture(scope="module")
def two_documents(tmp_path_factory):
    """Documents t and u both name a party without a name (j-lis); u alone names another (other)."""
    ds = Dataset()
    shared = ds.graph(SHARED_GRAPH)
    shared += vocabulary()
    for name, recipient in (("t", "j-lis"), ("u", "other")):
        g = Graph().parse(data=_document(name, recipient), format="turtle")
        g.update(PREFIXES + "DELETE WHERE { <https://w3id.org/pia-graph/id/party/j-lis> rdfs:label ?l }")
        if name == "u":
            g.update(PREFIXES + "INSERT DATA { ex:prov1 dpv:hasRecipient <https://w3id.org/pia-graph/id/party/j-lis> . "
                                "<https://w3id.org/pia-graph/id/party/other> a pia:Party , dpv:Entity }"
                     .replace("assessment/t/", "assessment/u/"))
        named = ds.graph(GRAPH_BASE[name])
        for s, p, o in g:
            (shared if str(s).startswith((str(ID) + "party/", str(ID) + "law/")) else named).add((s, p, o))
    path = tmp_path_factory.mktemp("two") / "two.trig"
    ds.serialize(path, format="trig")
    return path


def test_a_shared_node_two_documents_name_is_one_finding_naming_both(two_documents):
    findings = validate_dataset(load_dataset(two_documents))
    by_focus = {}
    for f in findings:
        if f.severity == "Violation":
            by_focus.setdefault(f.focus, []).append(f)
    (jlis,) = by_focus[str(ID) + "party/j-lis"]
    assert jlis.documents == ("t.txt", "u.txt") and jlis.source is None
    (other,) = by_focus[str(ID) + "party/other"]
    assert other.documents == ("u.txt",)


def test_the_cli_report_shows_each_findings_source(two_documents):
    result = CliRunner().invoke(app, ["validate", str(two_documents)])
    assert result.exit_code == 1, result.output
    # one record per finding: its first line holds the severity, the cells fold onto the lines below
    body = re.split(r"─+ *\n", result.output, maxsplit=1)[1].split("\nviolations:")[0]
    records = re.split(r"\n(?=\s+Violation\b)", body)
    sources = {focus: {d for d in ("t.txt", "u.txt") if d in r} for r in records for focus in ("j-lis", "other")
               if focus in r}
    assert sources == {"j-lis": {"t.txt", "u.txt"}, "other": {"u.txt"}}, result.output
