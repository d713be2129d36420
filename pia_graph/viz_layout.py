"""Graph view layout: nodes grouped per body and per type, groups closed into one node each when a view is large,
edges named by kind, and positions computed (networkx) before the page opens, so the browser only draws.

Why: a force simulation in the browser over 2,000 nodes took longer than 60 s to settle, froze the page meanwhile
and ended as an unlabelled hairball. Here the browser gets fixed positions (physics off) and at most a few dozen
to ~200 labelled nodes at first sight: one per body (its assessment, files and rows), one per kind of shared node
(parties, laws, each law's articles); a click opens a group in place, and the edges between what is drawn are
bundled per kind (one line per pair and kind, as thick as the number of links it stands for)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .namespaces import DPV, ELI, PIA

# Edges by kind: the predicate (or the view's own "根拠 legal basis" shortcut) -> the kind shown on the line.
# An edge and its inverse (hasDisclosure / ofFile) are one link: the first predicate listed wins.
EDGE_KINDS = [
    (str(PIA.hasFile), "ファイル file"),
    (str(PIA.hasDisclosure), "提供・移転 disclosure"),
    (str(PIA.hasOutsourcing), "委託 outsourcing"),
    (str(PIA.ofFile), "ファイルの行 row of"),
    (str(DPV.hasRecipient), "提供先 recipient"),
    (str(PIA.recipientResolved), "提供先 recipient"),
    (str(DPV.hasDataProcessor), "委託先 vendor"),
    ("根拠 legal basis", "根拠 legal basis"),
    (str(ELI.is_part_of), "部分 part of"),
    (str(PIA.assessingBody), "評価実施機関 assessing body"),
    (str(PIA.ordinanceOf), "条例 ordinance of"),
    (str(PIA.inAssessment), "評価書 in assessment"),
]
KIND_OF = {p: k for p, k in EDGE_KINDS}
KIND_COLOURS = {"ファイル file": "#2ca02c", "提供・移転 disclosure": "#ff7f0e", "委託 outsourcing": "#9467bd",
                "ファイルの行 row of": "#98c998", "提供先 recipient": "#d62728", "委託先 vendor": "#8c6bb1",
                "根拠 legal basis": "#8c564b", "部分 part of": "#e377c2", "評価実施機関 assessing body": "#1f77b4",
                "条例 ordinance of": "#bcbd22", "評価書 in assessment": "#aec7e8"}
OTHER_EDGE = "#999999"
RANK = {p: i for i, (p, _) in enumerate(EDGE_KINDS)}

SMALL_VIEW = 60        # up to this many nodes every node is drawn; above it groups start closed
FIRST_SIGHT = 60       # closed groups are opened (smallest first) while the nodes drawn stay within this
CELL_W, CELL_H = 132, 50       # room for one labelled node (two lines of 13 px text)
CLOSED_W = 100                 # a closed group's label is short (a body's name)
ASPECT = 2.2                   # the bodies' column is about this much wider than tall (a 1,366 x 620 canvas)
LEFT_TYPES = {"article", "paragraph", "item", "law", "annex", "citation"}
# within a body: the assessment on top, then its files, then the rows; anything else below
BODY_RANKS = {"assessment": 0, "file": 1, "provision": 2, "transfer": 2, "outsourcing": 2}


@dataclass
class Group:
    gid: str
    label: str
    kind: str                      # "body" (one body's nodes) or "type" (shared nodes of one type)
    members: list = field(default_factory=list)
    open: bool = True
    rank: int = 0                  # which closed groups open first at first sight (parties before statutes)
    x: float = 0.0
    y: float = 0.0


@dataclass
class Drawing:
    groups: dict                   # gid -> Group
    group_of: dict                 # node -> gid
    positions: dict                # node -> (x, y)
    edges: list                    # (s, o, kind, predicate label)
    clustered: bool


def edge_kind(label: str) -> str:
    from .viz import qname
    return KIND_OF.get(label) or KIND_OF.get(_expand(label)) or qname(label)


def _expand(label: str) -> str:
    from .namespaces import PREFIXES
    prefix, _, local = label.partition(":")
    ns = PREFIXES.get(prefix)
    return str(ns) + local if ns is not None and local else label


def one_edge_per_link(edges: list) -> list:
    """(s, o, label) edges with an edge and its inverse (hasDisclosure / ofFile) kept once, and a row's or file's
    'in assessment' edge dropped where a path of two links says the same (row -> file -> assessment)."""
    best: dict = {}
    for s, o, lab in edges:
        key = frozenset((s, o))
        rank = RANK.get(_expand(lab), len(RANK))
        if key not in best or rank < best[key][0]:
            best[key] = (rank, (s, o, lab))
    kept = [e for _, e in best.values()]
    within = str(PIA.inAssessment)
    neighbours: dict = {}
    for s, o, lab in kept:
        if _expand(lab) != within:
            neighbours.setdefault(s, set()).add(o)
            neighbours.setdefault(o, set()).add(s)
    linked = {frozenset((s, o)) for s, o, _ in kept}

    def said_otherwise(s, a) -> bool:
        return any(frozenset((m, a)) in linked for m in neighbours.get(s, ()))

    kept = [e for e in kept if not (_expand(e[2]) == within and said_otherwise(e[0], e[1]))]
    return sorted(kept, key=lambda e: (str(e[0]), str(e[1]), e[2]))


OPEN_FIRST = {"party": 0, "law": 1, "article": 2}
NO_BODY = "評価実施機関の記載なし no body stated"
ARTICLES_PER_LAW = 3    # a law with fewer articles in view shares one group with the other small ones


def group_nodes(ds, nodes: dict, label) -> tuple[dict, dict]:
    """Each node's group: a body's own nodes (its assessments and everything pia:inAssessment them) form the body's
    group (assessments that name no body, fragments, share one); articles group per law (laws with few articles
    share one group); every other shared node groups with its type."""
    from .viz import _short
    law_of = {n: ds.value(n, ELI.is_part_of) for n, t in nodes.items() if t[0] == "article"}
    per_law: dict = {}
    for law in law_of.values():
        per_law[law] = per_law.get(law, 0) + 1
    groups: dict = {}
    group_of: dict = {}
    for n, t in nodes.items():
        a = n if t[0] == "assessment" else ds.value(n, PIA.inAssessment)
        if a is not None:
            body = ds.value(a, PIA.assessingBody)
            gid, name = (f"body:{body}", label(body)) if body is not None else ("body:", NO_BODY)
            kind = "body"
        elif t[0] == "article" and law_of[n] is not None and per_law[law_of[n]] >= ARTICLES_PER_LAW:
            gid, name, kind = f"articles:{law_of[n]}", f"条 {_short(label(law_of[n]), 12)}", "type"
        else:
            gid, name, kind = f"type:{t[0]}", t[2], "type"
        groups.setdefault(gid, Group(gid, name, kind, rank=OPEN_FIRST.get(t[0], len(OPEN_FIRST)))).members.append(n)
        group_of[n] = gid
    return groups, group_of


def choose_open(groups: dict, total: int, keep_open: set) -> bool:
    """Close groups so that the first sight stays readable; returns whether any group is closed."""
    if total <= SMALL_VIEW:
        return False
    for g in groups.values():
        g.open = len(g.members) == 1 or g.gid in keep_open
    drawn = sum(len(g.members) if g.open else 1 for g in groups.values())
    closed = sorted((g for g in groups.values() if not g.open), key=lambda g: (g.kind != "type", g.rank, len(g.members),
                                                                                g.label))
    for g in closed:
        if drawn - 1 + len(g.members) <= FIRST_SIGHT:
            g.open = True
            drawn += len(g.members) - 1
    return any(not g.open for g in groups.values())


def _spring(nodes: list, edges: list, width: float, height: float) -> dict:
    """networkx's force-directed layout, scaled to width x height around (0, 0); a fixed seed keeps it stable."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from((s, o) for s, o, *_ in edges if s in g and o in g and s != o)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    pos = nx.spring_layout(g, seed=1, k=1.6 / math.sqrt(len(nodes)), iterations=80)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    sx = width / max(max(xs) - min(xs), 1e-9)
    sy = height / max(max(ys) - min(ys), 1e-9)
    return {n: ((p[0] - cx) * sx, (p[1] - cy) * sy) for n, p in pos.items()}


def _grid(nodes: list, columns: int) -> dict:
    rows = math.ceil(len(nodes) / columns)
    return {n: ((i % columns - (min(columns, len(nodes)) - 1) / 2) * CELL_W, (i // columns - (rows - 1) / 2) * CELL_H)
            for i, n in enumerate(nodes)}


def _layered(nodes: list, types: dict, edges: list, label) -> dict:
    """A body's nodes in rows: assessment, files, their rows (under their file), anything else."""
    parent: dict = {}
    for s, o, *_ in edges:
        for child, par in ((s, o), (o, s)):
            if types[child][0] in ("provision", "transfer", "outsourcing") and types.get(par, ("",))[0] == "file":
                parent.setdefault(child, par)
    ranks: dict = {}
    for n in nodes:
        ranks.setdefault(BODY_RANKS.get(types[n][0], 3), []).append(n)
    pos: dict = {}
    y = 0.0
    for r in sorted(ranks):
        row = sorted(ranks[r], key=lambda n: (pos.get(parent.get(n), (0, 0))[0], label(n), str(n)))
        width = (len(row) - 1) * CELL_W
        for i, n in enumerate(row):
            pos[n] = (i * CELL_W - width / 2, y)
        y += CELL_H * 1.6
    return {n: (x, yy - (y - CELL_H * 1.6) / 2) for n, (x, yy) in pos.items()}


def _extent(points) -> tuple[float, float]:
    xs = [p[0] for p in points] or [0]
    ys = [p[1] for p in points] or [0]
    return max(xs) - min(xs) + CELL_W, max(ys) - min(ys) + CELL_H


def layout(ds, nodes: dict, edges: list, label, keep_open: set = frozenset()) -> Drawing:
    """Groups, which of them start closed, and every node's position (x, y in px, about ROW_WIDTH wide)."""
    from .viz import TYPE_KEYS

    edges = one_edge_per_link(edges)
    groups, group_of = group_nodes(ds, nodes, label)
    clustered = choose_open(groups, len(nodes), {group_of[n] for n in keep_open if n in group_of})
    kinds = [(s, o, edge_kind(lab), lab) for s, o, lab in edges]
    # each group laid out on its own around (0, 0) ...
    local: dict = {}
    for g in groups.values():
        inner = [e for e in kinds if group_of[e[0]] == g.gid and group_of[e[1]] == g.gid]
        members = sorted(g.members, key=lambda n: (label(n), str(n)))
        if g.kind == "body":
            local[g.gid] = _layered(members, nodes, inner, label)
        elif inner and len(members) > 2:
            side = CELL_W * math.sqrt(len(members)) * 0.9
            local[g.gid] = _spring(members, inner, side * 1.4, side)
        else:
            # side columns: a grid taller than wide
            local[g.gid] = _grid(members, max(1, min(len(members), math.ceil(math.sqrt(len(members) * 0.6)))))
    # ... then the groups packed in three columns so that links run sideways, not across the bodies: statutes on the
    # left, the bodies (each its own assessment, files and rows) in the middle, parties and the rest on the right
    type_rank = {k: i for i, k in enumerate(TYPE_KEYS)}

    def column(g) -> int:
        first = nodes[g.members[0]][0]
        return 1 if g.kind == "body" else 0 if first in LEFT_TYPES else 2

    def order(g):
        first = nodes[g.members[0]][0]
        return (type_rank.get(first, len(type_rank)), g.gid.startswith("articles:"), g.label, g.gid)

    sizes = {}
    for g in groups.values():
        w, h = _extent(local[g.gid].values()) if g.open else (CLOSED_W, CELL_H)
        sizes[g.gid] = (w + CELL_W * 0.3, h + CELL_H * 0.6) if g.open and len(g.members) > 1 else (w, h)
    left = 0.0
    for col in (0, 1, 2):
        members = sorted((g for g in groups.values() if column(g) == col), key=order)
        if not members:
            continue
        area = sum(sizes[g.gid][0] * sizes[g.gid][1] for g in members)
        widest = max(sizes[g.gid][0] for g in members)
        width = max(widest, math.sqrt(area * ASPECT)) if col == 1 else widest
        x = y = row_h = right = 0.0
        for g in members:
            w, h = sizes[g.gid]
            if x > 0 and x + w > width + 1:
                x, y, row_h = 0.0, y + row_h, 0.0
            g.x, g.y = left + x + w / 2, y + h / 2
            x += w
            right = max(right, x)
            row_h = max(row_h, h)
        left += right + CELL_W * 0.5
    positions = {n: (g.x + lx, g.y + ly) for g in groups.values() for n, (lx, ly) in local[g.gid].items()}
    return Drawing(groups, group_of, positions, kinds, clustered)
