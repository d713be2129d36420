"""The shapes compiled to SPARQL (pia_graph/validate_batch.py) give pySHACL's results, result for result.

pySHACL stays the reference: every test here validates the same documents both ways and compares every result
(severity, focus node, path, value, messages, constraint component), and the findings a reader sees (with their
source lines). The inputs: the five samples; every rendering of every sample (tests/renderings.py); 200 synthetic
documents (bench/synth.py), in the chunks ingest validates them in; the hand-made graphs of tests/test_shapes.py with each of their defects; and
seeded random mutations of a hand-made graph and of a sample (dropped triples, values of the wrong kind, datatype or
language, ill-typed literals, duplicated values, negative numbers, broken line ranges, torn checkboxes), so that
every kind of constraint the shapes use fails somewhere and is compared failing, not only passing.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import Namespace
from rdflib.namespace import RDF, RDFS, SKOS

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")   # open: pytest probes module attributes, a closed one warns

from pia_graph import validate_batch as vb
from pia_graph.validate_batch import documents_of
from pia_graph.namespaces import PIA
from pia_graph.pipeline import CHUNK, vocabulary
from pia_graph.validate import validate_graph

from conftest import SAMPLES, SEEDS
from renderings import RENDERINGS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from test_shapes import hand_made  # noqa: E402  (the hand-made graph and its defects are test_shapes' own)
import test_shapes  # noqa: E402


def assert_same(documents: list[tuple[str, list]], common=(), chunk: int | None = None) -> Counter:
    """Both engines over the documents (graph IRI, parts), the compiled one `chunk` documents at a time (all at
    once when None); returns the results' severities (so that a test can say it compared failures, not only
    silence)."""
    want = Counter()
    for graph, parts in documents:
        want.update(vb.comparable(r) for r in vb.reference_results(graph, [*parts, *common]))
    got = Counter()
    chunk = chunk or max(1, len(documents))
    for i in range(0, len(documents), chunk):
        batch = vb.Batch(common)
        for graph, parts in documents[i:i + chunk]:
            batch.add(graph, parts)
        got.update(vb.comparable(r) for r in batch.results())
    missing, extra = want - got, got - want
    assert not missing and not extra, (f"only pySHACL: {sorted(missing)[:5]}\nonly the batch: {sorted(extra)[:5]}")
    return Counter(key[1] for key in want.elements())


def test_the_samples_give_the_same_results_and_findings():
    docs = documents_of(SAMPLES / name for name in SEEDS)
    severities = assert_same(docs, common=[vocabulary()])
    assert severities["Violation"] >= 1 and severities["Warning"] > 10    # 002's unread Ⅱ; torn checkboxes
    # and the findings a reader gets, with their source lines, as validate_graph gives them
    fast = vb.validate_many(docs, common=[vocabulary()])
    for graph, parts in docs:
        ref = sorted(validate_graph(*parts, vocabulary()), key=repr)
        assert ref and sorted(fast[graph], key=repr) == ref


def test_every_rendering_of_every_sample_gives_the_same_results(tmp_path):
    paths = []
    for k, rendering in enumerate(RENDERINGS):
        for name in SEEDS:
            path = tmp_path / f"r{k:02d}" / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(rendering((SAMPLES / name).read_text(encoding="utf-8")).encode("utf-8"))
            paths.append(path)
    assert len(paths) == len(SEEDS) * len(RENDERINGS) >= 80
    severities = assert_same(documents_of(paths), common=[vocabulary()], chunk=CHUNK)
    assert severities["Violation"] >= len(RENDERINGS) and severities["Warning"] > 100


def test_synthetic_documents_give_the_same_results(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    import synth
    synth.generate(200, tmp_path, seed=7)
    paths = sorted(tmp_path.glob("*.txt"))
    assert len(paths) == 200
    severities = assert_same(documents_of(paths), common=[vocabulary()], chunk=CHUNK)
    assert severities["Violation"] > 0 and severities["Warning"] > 1000       # synth.py plants defects


DEFECTS = [updates for updates, _, _ in test_shapes.test_a_wrong_graph_is_a_violation.pytestmark[0].args[1]]


def test_the_hand_made_defects_give_the_same_results():
    # each defect of tests/test_shapes.py in a graph of its own, all validated in one batch
    docs = [(f"urn:test:defect/{k}", [hand_made(*updates)]) for k, updates in enumerate(DEFECTS)]
    docs.append(("urn:test:clean", [hand_made()]))
    docs += [(f"urn:test:form/{k}", [hand_made(*test_shapes._on_form(form))]) for k, form in enumerate(test_shapes.FORMS)]
    severities = assert_same(docs)
    assert severities["Violation"] >= len(DEFECTS)


# ---------------------------------------------------------------------------------------------------------------
# Seeded mutations: each a handful of random defects of one kind or another
# ---------------------------------------------------------------------------------------------------------------

ILL = [Literal("abc", datatype=XSD.integer), Literal("1.5", datatype=XSD.integer),
       Literal("2020-13-01", datatype=XSD.date), Literal("2020-02-30", datatype=XSD.date)]


CONCEPTS = sorted({s for s, p, o in vocabulary() if p == RDF.type and o == SKOS.Concept}, key=str)
KINDS = 12


def mutate(g: Graph, rng: random.Random, n: int) -> Graph:
    """n random defects: each picks a kind of defect, then a triple it can apply to."""
    triples = sorted(g, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    out = set(triples)
    iris = sorted({t for s, _, o in triples for t in (s, o) if isinstance(t, URIRef)}, key=str)
    fits = [lambda t: True, lambda t: isinstance(t[2], URIRef), lambda t: True, lambda t: isinstance(t[2], Literal),
            lambda t: isinstance(t[2], Literal), lambda t: True,
            lambda t: isinstance(t[2], Literal) and t[2].datatype == XSD.integer, lambda t: t[1] == PIA.sourceRef,
            lambda t: t[1] == PIA.state, lambda t: t[1] == RDF.type, lambda t: True,
            lambda t: t[1] in (PIA.option, PIA.form, PIA.state)]
    for _ in range(n):
        kind = rng.randrange(KINDS)
        candidates = [t for t in triples if fits[kind](t)]
        if not candidates:
            continue
        s, p, o = rng.choice(candidates)
        if kind == 0:                                    # a triple missing
            out.discard((s, p, o))
        elif kind == 1:                                  # another node at the end of the property
            out.discard((s, p, o))
            out.add((s, p, rng.choice(iris)))
        elif kind == 2:                                  # a literal where a node was, or the reverse
            out.discard((s, p, o))
            out.add((s, p, Literal("x") if isinstance(o, URIRef) else rng.choice(iris)))
        elif kind == 3:                                  # another datatype or language
            out.discard((s, p, o))
            out.add((s, p, rng.choice([Literal(str(o)), Literal(str(o), lang="fr"), Literal(str(o), lang="en"),
                                       Literal(str(o), datatype=XSD.string), Literal("7", datatype=XSD.integer),
                                       Literal("2024-04-01", datatype=XSD.date),
                                       Literal("2024-04", datatype=XSD.gYearMonth)])))
        elif kind == 4:                                  # ill-typed
            out.discard((s, p, o))
            out.add((s, p, rng.choice(ILL)))
        elif kind == 5:                                  # one value more
            other = rng.choice([t for t in triples if t[1] == p])
            out.add((s, p, other[2] if other[2] != o else Literal("another", lang="ja")))
        elif kind == 6:                                  # below the minimum
            out.discard((s, p, o))
            out.add((s, p, Literal(rng.choice([-1, 0]))))
        elif kind == 7:                                  # a broken or overlong line range
            out.discard((s, p, o))
            out.add((s, p, Literal(rng.choice(["t.txt#L30-L21", "t.txt#L1-L999999", "t.txt#L0-L3", "t.txt"]))))
        elif kind == 8:                                  # a torn checkbox, with or without its note
            out.discard((s, p, o))
            out.add((s, p, PIA.Unknown))
            if rng.random() < 0.5:
                out.add((s, PIA.note, Literal("torn", lang="en")))
        elif kind == 9:                                  # a type lost, or another one
            out.discard((s, p, o))
            if rng.random() < 0.5:
                out.add((s, p, rng.choice([PIA.Provision, PIA.Transfer, PIA.Party, PIA.Citation, PIA.UnreadPart])))
        elif kind == 10:                                 # a second label in the same language
            out.add((s, SKOS.prefLabel, Literal("重複", lang="ja")))
            out.add((s, RDFS.label, Literal("重複", lang="JA")))
        elif kind == 11:                                 # a concept of another list
            out.discard((s, p, o))
            out.add((s, p, rng.choice(CONCEPTS)))
    result = Graph()
    for t in out:
        result.add(t)
    return result


def test_mutations_of_a_hand_made_graph_give_the_same_results():
    rng = random.Random(18)
    base = hand_made()
    docs = [(f"urn:test:mutant/{k}", [mutate(base, rng, rng.randint(1, 6))]) for k in range(40)]
    severities = assert_same(docs)
    assert severities["Violation"] >= 40


def test_mutations_of_a_sample_give_the_same_results():
    rng = random.Random(1818)
    (graph, (g, shared)), = documents_of([SAMPLES / next(n for n in SEEDS if n.startswith("003"))])
    data = Graph()
    for t in (*g, *shared):
        data.add(t)
    docs = [(f"{graph}/mutant/{k}", [mutate(data, rng, rng.randint(2, 10))]) for k in range(12)]
    severities = assert_same(docs, common=[vocabulary()])
    assert severities["Violation"] >= 12


def test_a_document_with_its_own_class_hierarchy_is_checked_by_it():
    # the batch looks a class's instances up in the ontology's hierarchy, unless a document states a subclass
    g = hand_made("INSERT DATA { pia:Widget rdfs:subClassOf pia:Party . "
                  "<https://w3id.org/pia-graph/id/party/w> a pia:Widget ; rdfs:label \"w\"@ja . "
                  "ex:prov1 dpv:hasRecipient <https://w3id.org/pia-graph/id/party/w> }")
    batch = vb.Batch()
    batch.add("urn:test:widget", [g])
    assert not batch.known_hierarchy
    assert_same([("urn:test:widget", [g])])


def test_the_compiled_checks_cover_every_shape_with_a_target():
    from pia_graph.validate import shapes_graph
    from pia_graph.namespaces import SH
    checks = vb.compiled()
    checked = {c.shape_key.split(" / ")[0] for c in checks}      # a property shape's key starts with its node shape
    targeted = {str(s) for t in (SH.targetClass, SH.targetSubjectsOf, SH.target) for s in shapes_graph().subjects(t, None)
                if isinstance(s, URIRef)}
    assert len(targeted) > 100 and targeted <= checked
    assert {c.kind for c in checks} == {"value", "count", "hasValue", "uniqueLang", "sparql"}


def test_the_mutations_make_every_kind_of_constraint_fail():
    # the comparisons above mean something only if every component the shapes use fails in them somewhere
    rng = random.Random(18)
    base = hand_made()
    results = [r for k in range(40) for r in vb.reference_results(f"urn:test:mutant/{k}",
                                                                  [mutate(base, rng, rng.randint(1, 6))])]
    used = {c for check in vb.compiled() for c, _ in check.components}
    failed = {r.component for r in results}
    assert used <= failed, sorted(used - failed)
