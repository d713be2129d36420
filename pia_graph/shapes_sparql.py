"""Compile the SHACL shapes to SPARQL queries that validate every document of a batch at once (one named graph each).

Why: pySHACL walks the shapes in Python for every focus node of every document (0.2-1.5 s a document); the same
checks as a few hundred SPARQL queries over a batch of documents, each query one pass of pyoxigraph's engine over
all of them, cost milliseconds a document. The queries state what pySHACL computes, component by component
(SHACL Core as pySHACL implements it, and SHACL-SPARQL constraints and targets), and tests/test_validate_batch.py
holds the two to the same results on the samples, their renderings and synthetic documents.

Only what the shapes use is compiled; anything else (sh:node, sh:and, sh:closed, a property shape's SPARQL
constraint, a subquery inside a SPARQL constraint…) raises Unsupported, and the caller validates with pySHACL.

Every triple pattern is inside GRAPH ?pia_graph_ { … }: each document's graph holds everything pySHACL would see
for it (its triples, its part of the shared graph, the vocabulary and the ontology's axioms), so a document is
validated on its own, as pySHACL validates it, while the engine visits all of them in one query. Two rules keep
the queries right by SPARQL's own semantics (bottom-up: a group is evaluated before it is joined): a condition on
a node (a FILTER, a BIND of EXISTS) sits in the same group as the patterns that bind the node and the graph, and
its EXISTS names the graph itself; and no subquery sits inside GRAPH (pyoxigraph does not scope one to that graph),
so the SPARQL constraints are rewritten with the graph variable in their own body, GROUP BY included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

G = "?pia_graph_"                   # the document's graph in every compiled query (a name no shape uses)
FOCUS = "%FOCUS%"                   # where the runner puts the focus nodes a shape's SPARQL target found
THIS = "%THIS%"                     # where the runner puts a SPARQL constraint's focus nodes (VALUES ?this)
# Literals that pySHACL counts as ill-typed for their datatype are marked in their document's graph with this
# pair: SPARQL cannot see what rdflib's value parser rejects (2020-13-01 as xsd:date, "1.0" as xsd:integer).
ILL_TYPED_SUBJECT = URIRef("urn:pia-graph:validation:ill-typed")
ILL_TYPED_PREDICATE = URIRef("urn:pia-graph:validation:literal")


class Unsupported(ValueError):
    """A shape uses something this compiler does not translate: validate with pySHACL instead."""


@dataclass(frozen=True)
class Check:
    """One compiled query and how its rows become validation results.

    kind: "value" (rows ?this ?v and a boolean ?okN per component: a result per failing component), "count"
    (rows ?this ?n: minCount/maxCount), "hasValue" (rows ?this), "uniqueLang" (rows ?this, one per duplicated
    language), "sparql" (a SHACL-SPARQL constraint's rows, kept where ?this is a focus node of the shape)."""
    shape: str                       # the shape's IRI, or "" for a blank node shape
    shape_key: str                   # a stable key of the shape (IRI, or the path of blank nodes from an IRI)
    kind: str
    query: str
    severity: str                    # Violation | Warning | Info
    messages: tuple[str, ...]        # the shape's sh:message values
    path: str | None = None          # the result path as text (an IRI, or SPARQL path syntax for complex paths)
    components: tuple[tuple[str, str], ...] = ()   # (component IRI, row variable holding its ok flag / bound)
    node_shape: bool = False         # a node shape's value node is its focus node
    extra_messages: tuple[str, ...] = ()           # a SPARQL constraint's own sh:message values
    focus_query: str = ""            # the shape's focus nodes (rows ?pia_graph_ ?this), for FOCUS and THIS


def path_text(shapes: Graph, path) -> str:
    """A SHACL path as text: an IRI as itself, a complex path in SPARQL property path syntax (so that a result's
    path reads the same from pySHACL's report, whose complex paths are blank nodes, and from the compiled checks)."""
    if isinstance(path, URIRef):
        return str(path)
    return _sparql_path(shapes, path, bare=True)


def _sparql_path(shapes: Graph, path, bare: bool = False) -> str:
    if isinstance(path, URIRef):
        return str(path) if bare else f"<{path}>"
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(_sparql_path(shapes, p) for p in Collection(shapes, path)) + ")"
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_sparql_path(shapes, inverse)}"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_sparql_path(shapes, p) for p in Collection(shapes, alternatives)) + ")"
    for prop, op in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(path, prop)
        if inner is not None:
            return f"({_sparql_path(shapes, inner)}){op}"
    raise Unsupported(f"path {path!r}: not a SHACL path")


def term(t) -> str:
    """An rdflib term in SPARQL syntax."""
    if isinstance(t, BNode):
        raise Unsupported("a blank node as a constraint parameter")
    return t.n3()


_CONSTRAINT_PARAMETERS = {SH["class"], SH.datatype, SH["in"], SH.minInclusive, SH.maxInclusive, SH.minExclusive,
                          SH.maxExclusive, SH.pattern, SH.flags, SH.languageIn, SH["or"], SH.minCount, SH.maxCount,
                          SH.hasValue, SH.uniqueLang, SH.sparql}
_SHAPE_ONLY = {RDF.type, SH.name, SH.description, SH.message, SH.severity, SH.path, SH.targetClass, SH.targetNode,
               SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.property, SH.order, SH.group, SH.deactivated,
               RDFS.label, RDFS.comment, SH.defaultValue}


class Compiler:
    def __init__(self, shapes: Graph, subclasses: dict | None = None):
        """subclasses: each class with every class below it (itself included), when the data's class hierarchy
        is known beforehand (the ontology's, and the documents add none): a class check is then a look-up of the
        value's types instead of a walk up rdfs:subClassOf for every value."""
        self.g = shapes
        self.subclasses = subclasses
        self.prefixes = self._prefixes()
        self._var = 0

    # -- naming ---------------------------------------------------------------------------------------------
    def fresh(self, stem: str = "v") -> str:
        self._var += 1
        return f"?{stem}_{self._var}_"

    def _prefixes(self) -> str:
        out = []
        for decl in self.g.objects(None, SH.declare):
            prefix, ns = self.g.value(decl, SH.prefix), self.g.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                out.append(f"PREFIX {prefix}: <{ns}>\n")
        return "".join(sorted(set(out)))

    # -- the shapes -----------------------------------------------------------------------------------------
    def checks(self) -> list[Check]:
        g = self.g
        out: list[Check] = []
        shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape)) \
            | set(g.objects(None, SH.property))
        for t in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            shapes |= set(g.subjects(t, None))
        for s in sorted(shapes, key=str):
            if (s, RDF.type, RDFS.Class) in g:
                raise Unsupported(f"{s}: an implicit class target")
            if (s, SH.deactivated, Literal(True)) in g:
                continue
            focus = self._focus_patterns(s)
            if not focus:
                continue             # only used inside other shapes (sh:or): compiled where it is used
            out.extend(self._shape_checks(s, focus))
        return [replace(c, query=self.prefixes + c.query,
                        focus_query=self.prefixes + c.focus_query if c.focus_query else "") for c in out]

    def _targets(self, shape) -> list[str]:
        """The shape's own targets, each a group pattern binding the graph variable and ?this."""
        g, pats = self.g, []
        for c in g.objects(shape, SH.targetClass):
            if self.subclasses is not None:
                below = sorted(self.subclasses.get(c, {c}), key=str)
                pats.append(f"VALUES ?target_t_ {{ {' '.join(map(term, below))} }} "
                            f"GRAPH {G} {{ ?this <{RDF.type}> ?target_t_ }}")
            else:
                pats.append(f"GRAPH {G} {{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* {term(c)} }}")
        for p in g.objects(shape, SH.targetSubjectsOf):
            pats.append(f"SELECT DISTINCT {G} ?this WHERE {{ GRAPH {G} {{ ?this {term(p)} ?target_o_ }} }}")
        for p in g.objects(shape, SH.targetObjectsOf):
            pats.append(f"SELECT DISTINCT {G} ?this WHERE {{ GRAPH {G} {{ ?target_s_ {term(p)} ?this }} }}")
        if any(True for _ in g.objects(shape, SH.targetNode)):
            raise Unsupported(f"{shape}: sh:targetNode")
        for t in g.objects(shape, SH.target):
            select = g.value(t, SH.select)
            if (t, RDF.type, SH.SPARQLTarget) not in g or select is None:
                raise Unsupported(f"{shape}: a target other than a SPARQL target")
            pats.append(self.rewrite_select(str(select)))
        return pats

    def _focus_patterns(self, shape) -> list[str]:
        """Group patterns binding ?this to the focus nodes: the shape's targets, or those of the node shapes
        whose sh:property it is."""
        pats = self._targets(shape)
        for parent in self.g.subjects(SH.property, shape):
            pats.extend(self._focus_patterns(parent))
        return pats

    @staticmethod
    def _union(focus: list[str]) -> str:
        return " UNION ".join("{ " + p + " }" for p in sorted(set(focus)))

    def _focus(self, focus: list[str]) -> str:
        """The focus nodes (graph, node), a node possibly more than once (a node of two target classes): every
        check query is DISTINCT or grouped, so a repeat costs a row, not a result."""
        return self._union(focus) if len(set(focus)) == 1 else f"{{ {self._union(focus)} }}"

    def _shape_key(self, shape) -> str:
        if isinstance(shape, URIRef):
            return str(shape)
        parent = next(iter(self.g.subjects(SH.property, shape)), None)
        path = self.g.value(shape, SH.path)
        return f"{self._shape_key(parent) if parent is not None else '_'} / {path_text(self.g, path) if path else '?'}"

    def _severity(self, shape) -> str:
        sev = self.g.value(shape, SH.severity) or SH.Violation
        return str(sev).rsplit("#", 1)[-1]

    def _messages(self, node) -> tuple[str, ...]:
        return tuple(str(m) for m in self.g.objects(node, SH.message))

    def _shape_checks(self, shape, focus: list[str]) -> Iterator[Check]:
        g = self.g
        unknown = {p for p in g.predicates(shape, None)} - _CONSTRAINT_PARAMETERS - _SHAPE_ONLY
        unknown = {p for p in unknown if str(p).startswith(str(SH))}
        if unknown:
            raise Unsupported(f"{shape}: {', '.join(sorted(map(str, unknown)))}")
        path = g.value(shape, SH.path)
        node_shape = path is None
        if not node_shape and any(True for _ in g.objects(shape, SH.sparql)):
            raise Unsupported(f"{shape}: a SPARQL constraint in a property shape")
        common = dict(shape=str(shape) if isinstance(shape, URIRef) else "", shape_key=self._shape_key(shape),
                      severity=self._severity(shape), messages=self._messages(shape),
                      path=None if node_shape else path_text(g, path), node_shape=node_shape)
        sp = None if node_shape else _sparql_path(g, path)
        if any(p.lstrip().startswith("SELECT") and "?target_" not in p for p in focus):
            # a SPARQL target can cost more than the checks: its focus nodes are found once, by the runner, and
            # given to each check of the shape in place of FOCUS
            targets, focus_query = FOCUS, f"SELECT DISTINCT {G} ?this WHERE {{ {self._union(focus)} }}"
        else:
            targets, focus_query = self._focus(focus), ""
        # the focus nodes are the subjects of the path's one property: its triples bind both (no join)
        subjects_of = (isinstance(path, URIRef) and not focus_query
                       and set(focus) == {f"SELECT DISTINCT {G} ?this WHERE {{ GRAPH {G} {{ ?this <{path}> ?target_o_ }} }}"})
        common["focus_query"] = focus_query

        # components checked value by value: one query for all of them, a flag each; the conditions are about the
        # value alone, so they are evaluated once per distinct value of the path in each document (many nodes
        # share a value: every node's assessment, a checkbox's state), and joined with the focus nodes after
        flags = list(self._value_conditions(shape, "?v"))
        if flags:
            oks = " ".join(f"?ok{i}" for i in range(len(flags)))
            binds = " ".join(f"BIND({cond} AS ?ok{i})" for i, (_, cond) in enumerate(flags))
            fails = " || ".join(f"!?ok{i}" for i in range(len(flags)))
            if node_shape:
                where = f"{targets} BIND(?this AS ?v) {binds} FILTER({fails})"
            elif subjects_of:
                # every value of the property is a value node: each distinct one checked once (many nodes share
                # a value: every node's assessment, a checkbox's state), then joined with the nodes that have it
                failing = (f"{{ SELECT {G} ?v {oks} WHERE {{ {{ SELECT DISTINCT {G} ?v WHERE {{ GRAPH {G} {{ "
                           f"?any_ {sp} ?v }} }} }} {binds} FILTER({fails}) }} }}")
                where = f"{failing} GRAPH {G} {{ ?this {sp} ?v }}"
            else:
                where = f"{targets} GRAPH {G} {{ ?this {sp} ?v }} {binds} FILTER({fails})"
            yield Check(kind="value", query=f"SELECT DISTINCT {G} ?this ?v {oks} WHERE {{ {where} }}",
                        components=tuple((comp, f"ok{i}") for i, (comp, _) in enumerate(flags)), **common)

        low, high = g.value(shape, SH.minCount), g.value(shape, SH.maxCount)
        if low is not None or high is not None:
            if node_shape:
                raise Unsupported(f"{shape}: sh:minCount/sh:maxCount on a node shape")
            having = " || ".join(filter(None, (f"COUNT(DISTINCT ?v) < {int(low)}" if low is not None else "",
                                               f"COUNT(DISTINCT ?v) > {int(high)}" if high is not None else "")))
            where = (f"GRAPH {G} {{ ?this {sp} ?v }}" if subjects_of
                     else f"{targets} OPTIONAL {{ GRAPH {G} {{ ?this {sp} ?v }} }}")
            query = (f"SELECT {G} ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {where} }} GROUP BY {G} ?this "
                     f"HAVING ({having})")
            comps = []
            if low is not None:
                comps.append((str(SH.MinCountConstraintComponent), str(int(low))))
            if high is not None:
                comps.append((str(SH.MaxCountConstraintComponent), str(int(high))))
            yield Check(kind="count", query=query, components=tuple(comps), **common)

        for value in g.objects(shape, SH.hasValue):
            has = f"FILTER(sameTerm(?this, {term(value)}))" if node_shape else f"?this {sp} {term(value)} ."
            query = f"SELECT {G} ?this WHERE {{ {targets} FILTER NOT EXISTS {{ GRAPH {G} {{ {has} }} }} }}"
            yield Check(kind="hasValue", query=query, components=((str(SH.HasValueConstraintComponent), ""),),
                        **common)

        unique = g.value(shape, SH.uniqueLang)
        if unique is not None and unique.toPython() is True and not node_shape:
            query = (f"SELECT {G} ?this ?lang WHERE {{ {targets} GRAPH {G} {{ ?this {sp} ?v "
                     f"FILTER(isLiteral(?v) && lang(?v) != \"\") BIND(LCASE(lang(?v)) AS ?lang) }} }} "
                     f"GROUP BY {G} ?this ?lang HAVING (COUNT(DISTINCT ?v) > 1)")
            yield Check(kind="uniqueLang", query=query, components=((str(SH.UniqueLangConstraintComponent), ""),),
                        **common)

        for constraint in g.objects(shape, SH.sparql):
            if (constraint, SH.deactivated, Literal(True)) in g:
                continue
            select = g.value(constraint, SH.select)
            if select is None:
                raise Unsupported(f"{shape}: a SPARQL constraint without sh:select")
            yield Check(kind="sparql", query=self.rewrite_select(str(select), this_values=True),
                        components=((str(SH.SPARQLConstraintComponent), ""),),
                        extra_messages=self._messages(constraint),
                        **{**common, "focus_query": focus_query or
                           f"SELECT DISTINCT {G} ?this WHERE {{ {self._union(focus)} }}"})

    # -- conditions on one value node -------------------------------------------------------------------------
    def _value_conditions(self, shape, v: str) -> Iterator[tuple[str, str]]:
        """(component, SPARQL condition that holds when the value node `v` conforms to it) for each component of
        the shape that is checked value by value."""
        g = self.g
        for c in g.objects(shape, SH["class"]):
            yield str(SH.ClassConstraintComponent), self.is_instance(v, c)
        for d in g.objects(shape, SH.datatype):
            yield str(SH.DatatypeConstraintComponent), self.has_datatype(v, d)
        for lst in g.objects(shape, SH["in"]):
            members = list(Collection(g, lst))
            cond = " || ".join(f"sameTerm({v}, {term(m)})" for m in members) or "false"
            yield str(SH.InConstraintComponent), f"({cond})"
        for prop, op, comp in ((SH.minInclusive, ">=", SH.MinInclusiveConstraintComponent),
                               (SH.maxInclusive, "<=", SH.MaxInclusiveConstraintComponent),
                               (SH.minExclusive, ">", SH.MinExclusiveConstraintComponent),
                               (SH.maxExclusive, "<", SH.MaxExclusiveConstraintComponent)):
            for bound in g.objects(shape, prop):
                if not isinstance(bound, Literal) or isinstance(bound.value, str):
                    raise Unsupported(f"{shape}: a non-numeric {prop}")
                # pySHACL: a value that does not compare (an IRI, a string, an ill-typed number) fails
                yield str(comp), f"(isLiteral({v}) && COALESCE({v} {op} {term(bound)}, false))"
        flags = g.value(shape, SH.flags)
        for pattern in g.objects(shape, SH.pattern):
            args = _string(str(pattern)) + (f", {_string(str(flags))}" if flags is not None else "")
            yield str(SH.PatternConstraintComponent), f"(!isBlank({v}) && regex(STR({v}), {args}))"
        for lst in g.objects(shape, SH.languageIn):
            langs = ", ".join(_string(str(x).lower()) for x in Collection(g, lst))
            yield str(SH.LanguageInConstraintComponent), (
                f"(isLiteral({v}) && lang({v}) != \"\" && (LCASE(lang({v})) IN ({langs}) || "
                f"LCASE(STRBEFORE(CONCAT(lang({v}), \"-\"), \"-\")) IN ({langs})))")
        for lst in g.objects(shape, SH["or"]):
            alternatives = [self.conforms(v, s) for s in Collection(g, lst)]
            yield str(SH.OrConstraintComponent), "(" + " || ".join(alternatives) + ")"

    def is_instance(self, v: str, cls) -> str:
        if self.subclasses is not None:
            below = sorted(self.subclasses.get(cls, {cls}), key=str)
            t = self.fresh("t")
            return f"EXISTS {{ VALUES {t} {{ {' '.join(map(term, below))} }} GRAPH {G} {{ {v} <{RDF.type}> {t} }} }}"
        return f"EXISTS {{ GRAPH {G} {{ {v} <{RDF.type}>/<{RDFS.subClassOf}>* {term(cls)} }} }}"

    def has_datatype(self, v: str, dt) -> str:
        if dt == RDFS.Literal:
            return f"isLiteral({v})"
        return (f"(isLiteral({v}) && sameTerm(datatype({v}), {term(dt)}) && "
                f"NOT EXISTS {{ GRAPH {G} {{ <{ILL_TYPED_SUBJECT}> <{ILL_TYPED_PREDICATE}> {v} }} }})")

    def conforms(self, v: str, shape) -> str:
        """A condition that holds when node `v` conforms to a shape used inside another (sh:or's members)."""
        g = self.g
        unknown = {p for p in g.predicates(shape, None)} - _CONSTRAINT_PARAMETERS - _SHAPE_ONLY
        if {p for p in unknown if str(p).startswith(str(SH))} or any(True for _ in g.objects(shape, SH.sparql)) \
                or any(True for _ in g.objects(shape, SH.property)) or g.value(shape, SH.uniqueLang) is not None:
            raise Unsupported(f"{shape}: inside sh:or, only value, cardinality 1 and sh:hasValue constraints")
        path = g.value(shape, SH.path)
        if path is None:
            conds = [c for _, c in self._value_conditions(shape, v)]
            conds += [f"sameTerm({v}, {term(x)})" for x in g.objects(shape, SH.hasValue)]
            return "(" + " && ".join(conds or ["true"]) + ")"
        w = self.fresh("w")
        sp = _sparql_path(g, path)
        conds = []
        inner = [c for _, c in self._value_conditions(shape, w)]
        if inner:
            conds.append(f"NOT EXISTS {{ GRAPH {G} {{ {v} {sp} {w} }} FILTER(!({' && '.join(inner)})) }}")
        low, high = g.value(shape, SH.minCount), g.value(shape, SH.maxCount)
        if high is not None:
            raise Unsupported(f"{shape}: sh:maxCount inside sh:or")
        if low is not None:
            if int(low) > 1:
                raise Unsupported(f"{shape}: sh:minCount above 1 inside sh:or")
            if int(low) == 1:
                conds.append(f"EXISTS {{ GRAPH {G} {{ {v} {sp} {self.fresh('w')} }} }}")
        for x in g.objects(shape, SH.hasValue):
            conds.append(f"EXISTS {{ GRAPH {G} {{ {v} {sp} {term(x)} }} }}")
        return "(" + " && ".join(conds or ["true"]) + ")"

    # -- SHACL-SPARQL ---------------------------------------------------------------------------------------
    def rewrite_select(self, text: str, this_values: bool = False) -> str:
        """A constraint's or target's SELECT, evaluated in every document's graph: its body inside GRAPH ?g, the
        graph variable projected and grouped by. A constraint's $this becomes ?this, given its values at the start
        of the body (THIS: the shape's focus nodes, a VALUES block the runner writes, which keeps the body to
        them), and the rows are then kept where (graph, ?this) is a focus node: what pre-binding $this means for
        a query that binds it in every solution, as these do."""
        text = re.sub(r"\$this\b", "?this", text)
        if re.search(r"\$\w", _without_strings(text)):
            raise Unsupported("a SPARQL constraint using pre-bound variables other than $this")
        m = re.match(r"\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\bWHERE\s*\{", text, flags=re.S | re.I)
        if not m:
            raise Unsupported("a SPARQL constraint that is not SELECT … WHERE { … }")
        start = m.end()
        end = _matching_brace(text, start - 1)
        body, modifiers = text[start:end], text[end + 1:]
        code = _without_strings(text)
        if len(re.findall(r"\bSELECT\b", code, flags=re.I)) > 1 or re.search(r"\b(GRAPH|SERVICE|FROM)\b", code, flags=re.I):
            raise Unsupported("a SPARQL constraint with a subquery, GRAPH, SERVICE or FROM")
        if re.search(r"\b(ORDER\s+BY|LIMIT|OFFSET|VALUES)\b", modifiers, flags=re.I):
            raise Unsupported("a SPARQL constraint with ORDER BY, LIMIT, OFFSET or VALUES after its body")
        modifiers = re.sub(r"\bGROUP\s+BY\b", f"GROUP BY {G}", modifiers, flags=re.I)
        projection = m.group(2).strip()
        if projection == "*":
            raise Unsupported("SELECT * in a SPARQL constraint")
        return (f"SELECT {m.group(1) or ''}{G} {projection} WHERE {{ GRAPH {G} {{ {THIS if this_values else ''} "
                f"{body} }} }} {modifiers.strip()}")


def _string(s: str) -> str:
    return Literal(s).n3()


_TOKEN = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*|[{}]')


def _without_strings(text: str) -> str:
    """The query with its string literals, IRIs and comments emptied (keywords inside them are not the query's)."""
    return _TOKEN.sub(lambda m: m.group(0) if m.group(0) in "{}" else "<>" if m.group(0).startswith("<") else '""',
                      text)


def _matching_brace(text: str, open_at: int) -> int:
    """The index of the brace closing the one at open_at (strings, IRIs and comments skipped)."""
    depth = 0
    for m in _TOKEN.finditer(text, open_at):
        tok = m.group(0)
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth == 0:
                return m.start()
    raise Unsupported("unbalanced braces in a SPARQL constraint")


def compile_shapes(shapes: Graph, subclasses: dict | None = None) -> list[Check]:
    """Every check the shapes make, as queries over a dataset of one named graph per document."""
    return Compiler(shapes, subclasses).checks()


def subclass_closure(ontology: Graph) -> dict:
    """Each class of the ontology with the classes below it by rdfs:subClassOf, itself included."""
    below: dict = {}
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        below.setdefault(sup, set()).add(sub)
    out = {}
    for cls in set(below) | {c for s in below.values() for c in s}:
        seen, todo = {cls}, [cls]
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        out[cls] = seen
    return out


# Python types of a well-typed literal's value, as pySHACL's datatype check asserts them
def _python_types():
    import datetime
    from decimal import Decimal
    return {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: (int,), XSD.float: (float,),
            XSD.decimal: (Decimal,), XSD.boolean: (bool,), XSD.date: (datetime.date,), XSD.time: (datetime.time,),
            XSD.dateTime: (datetime.datetime,)}


_TYPES = None


def ill_typed(lit: Literal) -> bool:
    """Whether pySHACL's sh:datatype check fails this literal for its own datatype (rdflib cannot read its value)."""
    global _TYPES
    if getattr(lit, "ill_typed", None) is True:
        return True
    if _TYPES is None:
        _TYPES = _python_types()
    types = _TYPES.get(lit.datatype) if lit.datatype is not None else None
    return types is not None and not isinstance(lit.value, types)


__all__ = ["Check", "Compiler", "Unsupported", "compile_shapes", "subclass_closure", "path_text", "ill_typed", "G",
           "ILL_TYPED_SUBJECT", "ILL_TYPED_PREDICATE", "FOCUS", "THIS"]
