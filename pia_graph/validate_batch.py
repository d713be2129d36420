"""Validate a batch of documents at once: the shapes compiled to SPARQL (shapes_sparql) and run by pyoxigraph, each
result said as validate.py says pySHACL's (a Finding with its source lines), and kept as a SHACL report graph.

Each document goes into an in-memory pyoxigraph store as one named graph holding what pySHACL validates for it (its
triples, the parts of the shared graph and vocabulary given with it, and the ontology's axioms), so the checks see
each document alone, as pySHACL does, while each check is one query over the whole batch.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from .namespaces import PIA, SH
from .shapes_sparql import (FOCUS, G, THIS, ILL_TYPED_PREDICATE, ILL_TYPED_SUBJECT, Check, Unsupported, compile_shapes,
                            ill_typed, subclass_closure)
from .validate import Finding, label_of, locate, ontology_axioms, reading_order, shapes_graph, value_text

_G = G[1:]


@dataclass(frozen=True)
class Result:
    """One validation result as pySHACL's report states it (sh:sourceShape aside: pySHACL names the blank node it
    hoisted a property shape into)."""
    graph: str                          # the document's graph
    severity: str                       # Violation | Warning | Info
    focus: object                       # rdflib term
    path: str | None                    # an IRI, or SPARQL path syntax for a complex path
    value: object | None                # rdflib term
    messages: tuple[str, ...]
    component: str                      # the constraint component's IRI
    shape: str                          # the shape's key (its IRI, or where its blank node hangs)


def _fingerprint() -> str:
    """What the compiled checks depend on: the shapes, the ontology and the compiler's own code."""
    import hashlib
    from . import shapes_sparql
    from .validate import ONTOLOGY_PATH, SHAPES_PATH
    h = hashlib.sha256()
    for path in (SHAPES_PATH, ONTOLOGY_PATH, Path(shapes_sparql.__file__), Path(__file__)):
        h.update(path.read_bytes())
    return h.hexdigest()[:24]


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pia-graph" / f"compiled-shapes-{_fingerprint()}.json"


@lru_cache(maxsize=1)
def _compiled_all() -> dict:
    """The checks (for a batch whose documents add no class hierarchy, and for one that does), the ontology's
    axioms as N-Triples, or why the shapes cannot be compiled. Compiling means parsing the shapes and the ontology
    (a fifth of a second, a tenth of the samples' whole build), so the result is kept in the user's cache,
    under a fingerprint of everything it depends on; a cache that cannot be read or written is only slower."""
    path = _cache_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("fingerprint") == path.stem.rsplit("-", 1)[-1]:
            return data
    except (OSError, ValueError):
        pass
    from .stores.base import nt
    data: dict = {"fingerprint": path.stem.rsplit("-", 1)[-1]}
    try:
        axioms = ontology_axioms()
        for key, hierarchy in (("known", subclass_closure(axioms)), ("unknown", None)):
            data[key] = [asdict(c) for c in compile_shapes(shapes_graph(), hierarchy)]
        data["axioms_nt"] = nt(axioms)
    except Unsupported as e:
        data = {"fingerprint": data["fingerprint"], "unsupported": str(e)}
    try:
        from .store import atomic_write_bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass
    return data


@lru_cache(maxsize=2)
def compiled(known_hierarchy: bool = True) -> tuple[Check, ...]:
    """The shapes' checks (raises Unsupported when the shapes use what the compiler does not translate).
    known_hierarchy: the documents add no rdfs:subClassOf of their own, so class checks may use the ontology's
    hierarchy, worked out once."""
    data = _compiled_all()
    if "unsupported" in data:
        raise Unsupported(data["unsupported"])
    return tuple(Check(**{**c, "messages": tuple(c["messages"]), "extra_messages": tuple(c["extra_messages"]),
                          "components": tuple(map(tuple, c["components"]))})
                 for c in data["known" if known_hierarchy else "unknown"])


def available() -> str | None:
    """None when the compiled checks can validate the shapes, else why not (then pySHACL validates)."""
    try:
        compiled()
    except Unsupported as e:
        return str(e)
    return None


def _axioms_nt() -> str:
    return _compiled_all()["axioms_nt"]


_common_cache: dict[int, tuple[object, str]] = {}
_cache_lock = threading.Lock()


def _nt_of(part) -> str:
    """N-Triples of a part given with every document (the vocabulary): made once per object."""
    from .stores.base import nt
    key = id(part)
    with _cache_lock:
        hit = _common_cache.get(key)
        if hit is not None and hit[0] is part:
            return hit[1]
        text = nt(part)
        _common_cache[key] = (part, text)
        return text


def _ill_typed_nt(parts) -> str:
    """A marker triple for each literal pySHACL's sh:datatype check would find ill-typed (see shapes_sparql)."""
    bad = {o for part in parts for _, _, o in part if isinstance(o, Literal) and o.datatype is not None
           and ill_typed(o)}
    if not bad:
        return ""
    from .stores.base import nt_term
    return "".join(f"<{ILL_TYPED_SUBJECT}> <{ILL_TYPED_PREDICATE}> {nt_term(o)} .\n" for o in bad)


_SUBCLASS_BYTES = f"<{RDFS.subClassOf}>".encode()


def _subclass_axioms(part) -> bool:
    return any(p == RDFS.subClassOf for _, p, _ in part)


class Batch:
    """Documents gathered for one validation run: an in-memory pyoxigraph store, one named graph each."""

    def __init__(self, common: Sequence = ()):
        import pyoxigraph as ox
        self.ox = ox
        self.store = ox.Store()
        self.graphs: list[str] = []
        self.known_hierarchy = not any(_subclass_axioms(p) for p in common)
        self.common_nt = "".join(_nt_of(p) for p in common) + _axioms_nt()

    def add(self, graph: str, parts: Iterable, nquads: bytes | None = None) -> None:
        """A document: its graph IRI and parts (rdflib graphs or sets of triples). nquads: the document's own
        triples already written as N-Quads in `graph` (the ingest has them), to spare writing them again."""
        from .stores.base import nt
        parts = list(parts)
        if self.known_hierarchy and (any(_subclass_axioms(p) for p in (parts[1:] if nquads is not None else parts))
                                     or (nquads is not None and _SUBCLASS_BYTES in nquads)):
            self.known_hierarchy = False
        end = f" <{graph}> .\n"
        text = [self.common_nt.replace(" .\n", end), _ill_typed_nt(parts).replace(" .\n", end)]
        data = nquads or b""
        for part in parts[1:] if nquads is not None else parts:
            text.append(nt(part, graph))
        self.store.load(data + "".join(text).encode("utf-8"), format=self.ox.RdfFormat.N_QUADS)
        self.graphs.append(graph)

    # -- running the checks ---------------------------------------------------------------------------------
    def results(self) -> list[Result]:
        return [r for _, found in self.each_check() for r in found]

    def each_check(self) -> Iterable[tuple[Check, list[Result]]]:
        """Every check run over the batch, with its results."""
        focus: dict[str, tuple | None] = {}
        for check in compiled(self.known_hierarchy):
            pairs = None
            if check.focus_query:
                if check.focus_query not in focus:
                    focus[check.focus_query] = self._focus_nodes(check.focus_query)
                if focus[check.focus_query] is None:
                    yield check, []     # no focus node in any document: nothing to check
                    continue
                pairs, by_pair, by_node = focus[check.focus_query]
                check = replace(check, query=check.query.replace(FOCUS, by_pair).replace(THIS, by_node))
            yield check, list(self._run(check, pairs))

    def _focus_nodes(self, query: str) -> tuple | None:
        """A shape's focus nodes: the (graph, node) pairs, and as VALUES blocks of the pairs and of the nodes
        (None when there are none)."""
        from .stores.base import nt_term
        _, rows = self._rows(query)
        if not rows:
            return None
        by_pair = " ".join(f"(<{g.value}> {nt_term(to_rdflib(t))})" for g, t in rows)
        by_node = " ".join(sorted({nt_term(to_rdflib(t)) for _, t in rows}))
        return ({(g.value, t) for g, t in rows}, f"VALUES ({G} ?this) {{ {by_pair} }}",
                f"VALUES ?this {{ {by_node} }}")

    def _rows(self, query: str):
        res = self.store.query(query)
        names = [v.value for v in res.variables]
        return names, [[s[v] for v in names] for s in res]

    def _run(self, check: Check, focus: set | None = None) -> Iterable[Result]:
        names, rows = self._rows(check.query)
        col = {n: i for i, n in enumerate(names)}
        gi, ti = col[_G], col["this"]
        messages = check.messages
        base = dict(severity=check.severity, shape=check.shape_key)
        if check.kind == "value":
            vi = col["v"]
            for r in rows:
                for comp, flag in check.components:
                    ok = r[col[flag]]
                    if ok is not None and ok.value == "true":
                        continue
                    value = r[ti] if check.node_shape else r[vi]
                    yield Result(graph=r[gi].value, focus=to_rdflib(r[ti]), path=check.path,
                                 value=to_rdflib(value), messages=messages, component=comp, **base)
        elif check.kind == "count":
            ni = col["n"]
            for r in rows:
                n = int(r[ni].value)
                for comp, bound in check.components:
                    if (comp.endswith("MinCountConstraintComponent") and n < int(bound)) or \
                            (comp.endswith("MaxCountConstraintComponent") and n > int(bound)):
                        yield Result(graph=r[gi].value, focus=to_rdflib(r[ti]), path=check.path, value=None,
                                     messages=messages, component=comp, **base)
        elif check.kind in ("hasValue", "uniqueLang"):
            comp = check.components[0][0]
            for r in rows:
                yield Result(graph=r[gi].value, focus=to_rdflib(r[ti]), path=check.path, value=None,
                             messages=messages, component=comp, **base)
        elif check.kind == "sparql":
            yield from self._sparql_results(check, names, rows, focus)
        else:   # pragma: no cover - the compiler makes no other kind
            raise ValueError(check.kind)

    def _sparql_results(self, check: Check, names, rows, focus: set) -> Iterable[Result]:
        """pySHACL's reading of a SPARQL constraint's rows (sparql_based_constraints.py): per focus node, rows
        deduplicated on (this, path, value, other variables); a node shape's value is its focus node; the
        message's {?var} and {$var} replaced by the row's values (path, value and this last)."""
        comp = check.components[0][0]
        seen = set()
        for r in rows:
            row = {n: v for n, v in zip(names, r) if v is not None}
            graph = row.pop(_G).value
            t = row.pop("this", None)
            if t is None or (graph, t) not in focus:
                continue
            if "failure" in row:
                raise Unsupported("a SPARQL constraint with ?failure")
            p, v = row.pop("path", None), row.pop("value", None)
            key = (graph, t, p, v, tuple(sorted(row.items(), key=lambda kv: kv[0])))
            if key in seen:
                continue
            seen.add(key)
            if v is None and check.node_shape:
                v = t
            path = p.value if p is not None else check.path
            bound = {k: val.value for k, val in row.items()}
            bound["this"] = t.value
            if p is not None:
                bound["path"] = p.value
            if v is not None:
                bound["value"] = v.value
            extra = tuple(_format(m, bound) for m in check.extra_messages if m not in check.messages)
            msgs = extra + tuple(_format(m, bound) for m in check.messages)
            yield Result(graph=graph, severity=check.severity, focus=to_rdflib(t), path=path, value=to_rdflib(v),
                         messages=msgs, component=comp, shape=check.shape_key)


def _format(message: str, bound: dict) -> str:
    """pySHACL's substitution: re.sub of each {?var} / {$var} by the value's text, in the same order."""
    for var, val in bound.items():
        message = re.sub("{{[?$]{}}}".format(var), str(val), message)
    return message


def to_rdflib(t):
    """A pyoxigraph term as the rdflib term the same text parses to (a plain string without xsd:string, as rdflib
    reads N-Triples)."""
    if t is None:
        return None
    kind = type(t).__name__
    if kind == "NamedNode":
        return URIRef(t.value)
    if kind == "BlankNode":
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    dt = t.datatype.value
    return Literal(t.value) if dt == str(XSD.string) else Literal(t.value, datatype=URIRef(dt))


# ---------------------------------------------------------------------------------------------------------
# where each result is in the source: locate() over the document's graph in the batch store

class GraphView:
    """The look-ups locate() makes (value, subjects, objects, membership) answered from one graph of a pyoxigraph
    store, with rdflib terms in and out; values are remembered (a document's findings ask for the same
    assessment and document again and again)."""

    def __init__(self, store, graph: str):
        import pyoxigraph as ox
        self.ox, self.store, self.graph = ox, store, ox.NamedNode(graph)
        self._values: dict = {}

    def _ox(self, t):
        if t is None:
            return None
        ox = self.ox
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
        if isinstance(t, BNode):
            return ox.BlankNode(str(t))
        if t.language:
            return ox.Literal(str(t), language=t.language)
        return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype or XSD.string)))

    def _quads(self, s, p, o):
        return self.store.quads_for_pattern(self._ox(s), self._ox(p), self._ox(o), self.graph)

    def value(self, s, p):
        key = (s, p)
        if key not in self._values:
            self._values[key] = next((to_rdflib(q.object) for q in self._quads(s, p, None)), None) \
                if s is not None else None
        return self._values[key]

    def objects(self, s=None, p=None):
        return (to_rdflib(q.object) for q in self._quads(s, p, None))

    def subjects(self, p=None, o=None):
        return (to_rdflib(q.subject) for q in self._quads(None, p, o))

    def __contains__(self, triple) -> bool:
        s, p, o = triple
        return any(True for _ in self._quads(s, p, o))


def findings(batch: Batch, results: list[Result]) -> dict[str, list[Finding]]:
    """The results as Findings per document graph, each located in its document (validate.locate)."""
    out: dict[str, list[Finding]] = {g: [] for g in batch.graphs}
    views: dict[str, GraphView] = {}
    for r in results:
        view = views.get(r.graph) or views.setdefault(r.graph, GraphView(batch.store, r.graph))
        source, lines_of, documents = locate(view, r.focus)
        out[r.graph].append(Finding(severity=r.severity, focus=str(r.focus), label=label_of(view, r.focus),
                                    message="; ".join(r.messages), path=r.path, source=source,
                                    documents=documents, lines_of=lines_of, value=value_text(r.value),
                                    component=r.component.rsplit("#", 1)[-1]))
    for fs in out.values():
        fs.sort(key=reading_order)
    return out


def comparable(r: Result) -> tuple:
    """What two engines must agree on for a result: everything but the shape's blank node and the messages' order,
    a plain string literal the same with or without xsd:string."""
    def norm(t):
        if isinstance(t, Literal) and t.datatype == XSD.string and not t.language:
            return Literal(str(t)).n3()
        return None if t is None else t.n3()
    return (r.graph, r.severity, norm(r.focus), r.path, norm(r.value), tuple(sorted(r.messages)), r.component)


def documents_of(paths: Iterable) -> list[tuple[str, list]]:
    """(graph IRI, [its triples, its part of the shared graph]) of each document, as Batch.add and
    reference_results take them: what the comparisons with pySHACL (tests, bench) validate."""
    from .mapping import assessment_triples, graph_iri
    from .pipeline import extract
    out = []
    for p in paths:
        doc = extract(p)
        g, shared, _ = assessment_triples(doc)
        out.append((str(graph_iri(doc.sha256)), [g, shared]))
    return out


def reference_results(graph: str, parts: Sequence) -> list[Result]:
    """pySHACL's results for one document (validate.shapes_report over the parts and the ontology's axioms), as
    Results: the reference the batch is held to."""
    from .shapes_sparql import path_text
    from .validate import shapes_report, validation_graph
    report = shapes_report(validation_graph(*parts))
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        out.append(Result(graph=graph, severity=str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                          focus=report.value(r, SH.focusNode), path=path_text(report, path) if path is not None else None,
                          value=report.value(r, SH.value), messages=tuple(str(m) for m in report.objects(r, SH.resultMessage)),
                          component=str(report.value(r, SH.sourceConstraintComponent)),
                          shape=str(report.value(r, SH.sourceShape))))
    return out


def validate_many(documents: Sequence[tuple[str, Sequence]], common: Sequence = ()) -> dict[str, list[Finding]]:
    """Findings per document: documents as (graph IRI, parts), common parts (the vocabulary) given with each."""
    batch = Batch(common)
    for graph, parts in documents:
        batch.add(graph, parts)
    return findings(batch, batch.results())


__all__ = ["Batch", "Result", "GraphView", "available", "compiled", "findings", "validate_many", "to_rdflib",
           "comparable", "reference_results"]
