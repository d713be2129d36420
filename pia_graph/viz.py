"""Interactive graph view (pyvis, vis-network inlined so it works offline): a node's neighbourhood or a filtered view."""

from __future__ import annotations

import html
import json
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from .namespaces import DPV, ELI, ID, PIA, PREFIXES
from .store import atomic_write_bytes

# Node types in priority order: the first listed type a node has decides its colour and group.
TYPES = [
    ("assessment", PIA.Assessment, "評価書 Assessment", "#1f77b4", "box"),
    ("file", PIA.PersonalInformationFile, "特定個人情報ファイル File", "#2ca02c", "box"),
    ("provision", PIA.Provision, "提供 Provision", "#ff7f0e", "dot"),
    ("transfer", PIA.Transfer, "移転 Transfer", "#ffbb78", "dot"),
    ("outsourcing", PIA.Outsourcing, "委託 Outsourcing", "#9467bd", "dot"),
    ("party", PIA.Party, "主体 Party", "#d62728", "ellipse"),
    ("article", PIA.Article, "条 Article", "#8c564b", "diamond"),
    ("paragraph", PIA.Paragraph, "項 Paragraph", "#c49c94", "diamond"),
    ("item", PIA.Item, "号 Item", "#c49c94", "diamond"),
    ("law", PIA.Law, "法令 Law", "#e377c2", "star"),
    ("annex", PIA.Annex, "別表 Annex", "#f7b6d2", "diamond"),
    ("citation", PIA.Citation, "根拠の記載 Citation", "#bcbd22", "dot"),
    ("system", PIA.System, "システム System", "#17becf", "box"),
    ("affair", PIA.Affair, "事務 Affair", "#aec7e8", "box"),
    ("verdict", PIA.RiskVerdict, "リスク評価 Verdict", "#98df8a", "dot"),
    ("change", PIA.ChangeRecord, "変更箇所 Change", "#dbdb8d", "dot"),
    ("document", PIA.SourceDocument, "原文 Source document", "#7f7f7f", "square"),
    ("choice", PIA.ChoiceState, "選択肢 Choice", "#c7c7c7", "dot"),
    ("text", PIA.TextBlock, "記述 Text block", "#c7c7c7", "dot"),
    ("concept", SKOS.Concept, "語彙 Concept", "#9edae5", "dot"),
]
OTHER = ("other", None, "その他 Other", "#bbbbbb", "dot")
TYPE_KEYS = [t[0] for t in TYPES]
# What a filtered view shows by default: the question's backbone, not the form's checkboxes.
DEFAULT_VIEW_TYPES = ["assessment", "file", "provision", "transfer", "outsourcing", "party", "article", "law"]
# A neighbourhood leaves out the form's checkbox states, text blocks and vocabulary unless asked for them.
NEIGHBOURHOOD_SKIP = {"choice", "text", "concept"}
# Predicates that only add clutter to a neighbourhood.
SKIP_PREDICATES = {RDF.type, PROV.wasDerivedFrom, SKOS.inScheme, RDFS.seeAlso}
MAX_NODES = 2000


class ViewError(ValueError):
    """A view that cannot be drawn as asked (an unknown type, a focus or `under` node not in the graph)."""


def _type_of(ds, node) -> tuple:
    types = set(ds.objects(node, RDF.type))
    for t in TYPES:
        if t[1] in types:
            return t
    return OTHER


def qname(iri) -> str:
    s = str(iri)
    for p, ns in PREFIXES.items():
        if s.startswith(str(ns)):
            return f"{p}:{s[len(str(ns)):]}"
    return s


def label_of(ds, node) -> str:
    """A Japanese label where there is one, else any label, else the IRI's last segment."""
    best = None
    for prop in (RDFS.label, SKOS.prefLabel, PIA.fileName):
        for o in ds.objects(node, prop):
            if isinstance(o, Literal):
                if o.language == "ja":
                    return str(o)
                best = best or str(o)
    if best:
        return best
    s = str(node)
    if s.startswith(str(ID)):
        return s[len(str(ID)):]
    return qname(s)


def page_path(iri) -> str:
    """The web app's page for a node: /id/... for minted IRIs, /resource?iri=... for the rest."""
    s = str(iri)
    if s.startswith(str(ID)):
        return "/id/" + s[len(str(ID)):]
    from urllib.parse import quote
    return "/resource?iri=" + quote(s, safe="")


@dataclass
class View:
    nodes: dict = field(default_factory=dict)      # iri -> type tuple
    edges: list = field(default_factory=list)      # (s, o, label)
    notes: list = field(default_factory=list)
    title: str = ""
    focus: object = None                           # the node a neighbourhood is drawn around (its group starts open)


def _edge_ok(p, o) -> bool:
    return p not in SKIP_PREDICATES and isinstance(o, (URIRef, BNode))


def neighbourhood(ds: Dataset, focus: URIRef, depth: int = 1, max_nodes: int = MAX_NODES,
                  types: list[str] | None = None) -> View:
    """Nodes within depth steps of focus (both directions), breadth first, capped at max_nodes."""
    v = View(title=f"近傍 neighbourhood of {label_of(ds, focus)}", focus=focus)
    allowed = set(types) if types else {t[0] for t in [*TYPES, OTHER]} - NEIGHBOURHOOD_SKIP
    v.nodes[focus] = _type_of(ds, focus)
    frontier = deque([(focus, 0)])
    edges = set()
    capped = False
    while frontier:
        node, d = frontier.popleft()
        if d >= depth:
            continue
        links = [(node, p, o) for p, o in ds.predicate_objects(node) if _edge_ok(p, o)]
        links += [(s, p, node) for s, p in ds.subject_predicates(node) if p not in SKIP_PREDICATES]
        for s, p, o in links:
            other = o if s == node else s
            if other not in v.nodes:
                t = _type_of(ds, other)
                if allowed and t[0] not in allowed:
                    continue
                if len(v.nodes) >= max_nodes:
                    capped = True
                    continue
                v.nodes[other] = t
                frontier.append((other, d + 1))
            edges.add((s, o, qname(p)))
    v.edges = sorted(edges, key=lambda e: (str(e[0]), str(e[1]), e[2]))
    if capped:
        v.notes.append(f"capped at {max_nodes} nodes: narrow the view with a type filter or depth 1")
    return v


def fair_shares(sizes: dict, cap: int) -> dict:
    """How many of each type to show when all of them do not fit: every type its fair part of the cap (a small
    type all of it, the room it leaves shared by the larger ones). Depends on the set of types, not their order."""
    shares = {k: 0 for k in sizes}
    left, room = dict(sizes), cap
    while left and room > 0:
        each = room // len(left)
        small = {k: n for k, n in left.items() if n <= each}
        if not small:
            for i, k in enumerate(sorted(left)):
                shares[k] = each + (1 if i < room - each * len(left) else 0)
            break
        for k, n in small.items():
            shares[k] = n
            room -= n
            del left[k]
    return shares


def filtered(ds: Dataset, types: list[str] | None = None, max_nodes: int = MAX_NODES,
             under: URIRef | None = None) -> View:
    """Every node of the chosen types and the links among them; rows link straight to the article they cite.

    Types combine in any order: the result is the same set whatever order they are given in; over max_nodes each
    type gets its fair share of the cap (fair_shares), not the first type all of it.
    under: only nodes tied to this assessment, party, law or article (one step, or through a provision row)."""
    wanted = set(types or DEFAULT_VIEW_TYPES)
    types = [t for t in TYPE_KEYS if t in wanted]
    by_key = {t[0]: t for t in TYPES}
    v = View(title="表示 view: " + ", ".join(by_key[t][2] for t in types))
    members_of = {}
    for key in types:
        t = by_key[key]
        members = sorted(set(ds.subjects(RDF.type, t[1])), key=str)
        members_of[key] = [m for m in members if _type_of(ds, m)[0] == key]
    sizes = {k: len(m) for k, m in members_of.items()}
    shares = fair_shares(sizes, max_nodes) if sum(sizes.values()) > max_nodes else sizes
    for key in types:
        t = by_key[key]
        if shares[key] < sizes[key]:
            v.notes.append(f"{t[2]}: {sizes[key]} nodes, {shares[key]} shown (cap {max_nodes} in all); "
                           "filter by type or open a node's neighbourhood")
        for m in members_of[key][:shares[key]]:
            v.nodes[m] = t
    edges = set()
    for s in list(v.nodes):
        for p, o in ds.predicate_objects(s):
            if o in v.nodes and _edge_ok(p, o) and o != s:
                edges.add((s, o, qname(p)))
        # a provision/transfer row -> the article its legal basis cites (through the citation node)
        for c in ds.objects(s, DPV.hasLegalBasis):
            if c in v.nodes:
                continue
            for art in ds.objects(c, PIA.citesArticle):
                if art in v.nodes:
                    edges.add((s, art, "根拠 legal basis"))
            for law in ds.objects(c, PIA.citesLaw):
                if law in v.nodes and not any(True for a in ds.objects(c, PIA.citesArticle) if a in v.nodes):
                    edges.add((s, law, "根拠 legal basis"))
        for parent in ds.objects(s, ELI.is_part_of):
            if parent in v.nodes:
                edges.add((s, parent, "eli:is_part_of"))
    if under is not None and under in v.nodes:
        keep = {under}
        adj: dict = {}
        for s, o, _ in edges:
            adj.setdefault(s, set()).add(o)
            adj.setdefault(o, set()).add(s)
        frontier = deque([(under, 0)])
        while frontier:
            n, d = frontier.popleft()
            if d >= 3:
                continue
            for m in adj.get(n, ()):
                if m not in keep:
                    keep.add(m)
                    frontier.append((m, d + 1))
        v.nodes = {k: t for k, t in v.nodes.items() if k in keep}
        v.title += f" — around {label_of(ds, under)}"
    v.edges = sorted((e for e in edges if e[0] in v.nodes and e[1] in v.nodes), key=lambda e: (str(e[0]), str(e[1]), e[2]))
    return v


def _short(text: str, n: int = 28) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def legend_html(present: set[str] | None = None) -> str:
    items = []
    for key, _, name, colour, _shape in [*TYPES, OTHER]:
        if present is not None and key not in present:
            continue
        items.append(f'<span class="lg"><i style="background:{colour}"></i>{html.escape(name)}</span>')
    return '<div id="legend">' + "".join(items) + "</div>"


def edge_legend_html(kinds: set[str]) -> str:
    from .viz_layout import KIND_COLOURS, OTHER_EDGE
    items = [f'<span class="lg"><i class="ln" style="background:{KIND_COLOURS.get(k, OTHER_EDGE)}"></i>{html.escape(k)}'
             "</span>" for k in sorted(kinds, key=lambda k: (k not in KIND_COLOURS, list(KIND_COLOURS).index(k)
                                                             if k in KIND_COLOURS else 0, k))]
    return '<div id="edgelegend">lines: ' + "".join(items) + "</div>" if items else ""


_CDN = re.compile(r'<link[^>]*cdn\.jsdelivr\.net[^>]*/>\s*|<script\s+src="https://cdn\.jsdelivr\.net[^"]*"[^>]*>\s*</script>\s*',
                  re.S)
_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>\s*", re.S)

_EXTRA_CSS = """
body{font-family:system-ui,"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:0}
#vizbar{padding:6px 10px;background:#f4f4f4;border-bottom:1px solid #ddd;font-size:14px}
#vizbar h1{font-size:16px;margin:0 0 4px 0}
#legend{display:flex;flex-wrap:wrap;gap:10px;font-size:12px;margin:4px 0}
#legend,#edgelegend{display:flex;flex-wrap:wrap;gap:10px;font-size:12px;margin:2px 0}
.lg i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:4px;vertical-align:middle}
.lg i.ln{height:3px;width:16px}
#vizbar form{font-size:12px}
html,body{height:100%}body{display:flex;flex-direction:column}
body>.card{flex:1 1 auto;min-height:320px;display:flex;flex-direction:column}
#mynetwork{flex:1 1 auto;height:auto !important;border:none !important}
#vizinfo{font-size:13px;min-height:1.3em;color:#333}
.viznote{color:#a33;font-size:12px}
"""

# The page's behaviour: groups open on click, edges between what is drawn bundled per kind, click for details,
# double-click opens a node's page. Positions come from the server (viz_layout); physics stays off.
_VIEW_JS = """
<script type="text/javascript">
(function () {
  var groups = JSON.parse(document.getElementById("viz-groups").textContent);
  var kindColours = JSON.parse(document.getElementById("viz-kinds").textContent);
  var info = document.getElementById("vizinfo");
  var rawEdges = edges.get({filter: function (e) { return !e.bundle; }});
  var LABELS_UP_TO = 60;

  function rep(id) {
    var g = nodeGroup[id];
    return (g && !groups[g].open) ? groups[g].cluster : id;
  }
  var nodeGroup = {};
  Object.keys(groups).forEach(function (g) { groups[g].members.forEach(function (m) { nodeGroup[m] = g; }); });

  function refresh() {
    var nodeUpdates = [];
    Object.keys(groups).forEach(function (g) {
      var G = groups[g];
      if (G.cluster) { nodeUpdates.push({id: G.cluster, hidden: G.open}); }
      G.members.forEach(function (m) { nodeUpdates.push({id: m, hidden: !G.open}); });
    });
    nodes.update(nodeUpdates);
    var bundles = {}, shown = [], updates = [];
    rawEdges.forEach(function (e) {
      var a = rep(e.from), b = rep(e.to);
      if (a === e.from && b === e.to) { shown.push(e); return; }
      updates.push({id: e.id, hidden: true});
      if (a === b) { return; }
      var key = a + "\\u0000" + b + "\\u0000" + e.kind;
      (bundles[key] = bundles[key] || {from: a, to: b, kind: e.kind, n: 0}).n += 1;
    });
    var keys = Object.keys(bundles);
    var many = shown.length + keys.length > LABELS_UP_TO;
    shown.forEach(function (e) { updates.push({id: e.id, hidden: false}); });
    edges.update(updates);
    edges.remove(edges.getIds({filter: function (e) { return e.bundle; }}));
    edges.add(keys.map(function (k, i) {
      var b = bundles[k];
      return {id: "bundle-" + i, from: b.from, to: b.to, bundle: true, kind: b.kind, arrows: "to",
              width: 1 + Math.log2(b.n), label: (many || b.n < 2) ? "" : "\\u00d7" + b.n,
              title: b.n + " \\u00d7 " + b.kind, color: {color: kindColours[b.kind] || "#999999",
                                                          opacity: many ? 0.25 : 0.8}};
    }));
    window.__vizStats = {nodes: nodes.get({filter: function (n) { return !n.hidden; }}).length,
                         edges: shown.length + keys.length, groups: Object.keys(groups).length};
  }

  function show(id) {
    var n = nodes.get(id);
    if (!n || !info) { return; }
    info.textContent = "";
    var b = document.createElement("b"); b.textContent = n.fullLabel || n.label || ""; info.appendChild(b);
    info.appendChild(document.createTextNode(" (" + (n.kind || "") + ") "));
    if (n.url) {
      var a = document.createElement("a"); a.href = n.url; a.textContent = "open page";
      info.appendChild(a);
      info.appendChild(document.createTextNode(" (or double-click the node) "));
    }
    var g = nodeGroup[id];
    if (g && groups[g].cluster && groups[g].open) {
      var c = document.createElement("button"); c.textContent = "close group " + groups[g].label;
      c.onclick = function () { groups[g].open = false; refresh(); };
      info.appendChild(c);
    }
  }
  function openGroup(clusterId) {
    var g = Object.keys(groups).filter(function (k) { return groups[k].cluster === clusterId; })[0];
    if (!g) { return false; }
    groups[g].open = true;
    refresh();
    network.fit({nodes: groups[g].members, animation: false});
    if (network.getScale() > 1.2) { network.moveTo({scale: 1.2}); }
    info.textContent = "Opened " + groups[g].label + " (" + groups[g].members.length + " nodes); click a node for details.";
    return true;
  }
  network.on("click", function (p) {
    if (!p.nodes.length) { return; }
    if (!openGroup(p.nodes[0])) { show(p.nodes[0]); }
  });
  network.on("doubleClick", function (p) {
    if (p.nodes.length) { var n = nodes.get(p.nodes[0]); if (n && n.url) { window.location.href = n.url; } }
  });
  var closeAll = document.getElementById("viz-close-all");
  if (closeAll) {
    closeAll.onclick = function () {
      Object.keys(groups).forEach(function (g) { if (groups[g].cluster) { groups[g].open = groups[g].startOpen; } });
      refresh(); network.fit({animation: false});
    };
  }
  refresh();
  network.fit({animation: false});
  network.once("afterDrawing", function () { window.__vizReady = true; });
  network.redraw();
})();
</script>
"""


def safe_url(url: str) -> str | None:
    """A link target a click may follow: a path on this site or an http(s) URL, never javascript:/data: IRIs."""
    u = (url or "").strip()
    if u.startswith("/") and not u.startswith("//"):
        return u
    if re.match(r"(?i)^https?://[^\s<>\"'`]+$", u):
        return u
    return None


def script_json(value) -> str:
    """JSON safe inside a <script> element: <, > and & as \\u escapes (as Jinja's tojson writes them)."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


FONT_FACE = "Noto Sans CJK JP, Hiragino Sans, Yu Gothic, sans-serif"
BODY_COLOUR = TYPES[0][3]


def render_html(ds: Dataset, view: View, link=page_path, header_html: str = "", height: str = "82vh") -> str:
    """The view as one self-contained HTML page (no CDN: vis-network is inlined), laid out before it opens."""
    from pyvis.network import Network

    from .viz_layout import KIND_COLOURS, OTHER_EDGE, layout

    drawing = layout(ds, view.nodes, view.edges, lambda n: label_of(ds, n),
                     keep_open={view.focus} if view.focus is not None else set())
    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line", heading="")
    groups_js = {}
    for g in drawing.groups.values():
        cluster = None
        if drawing.clustered and len(g.members) > 1:
            cluster = "group:" + g.gid
            kinds: dict = {}
            for m in g.members:
                kinds[view.nodes[m][2]] = kinds.get(view.nodes[m][2], 0) + 1
            summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
            colour = BODY_COLOUR if g.kind == "body" else view.nodes[g.members[0]][3]
            net.add_node(cluster, label=f"{_short(g.label, 7 if g.kind == 'body' else 12)}\n({len(g.members)})", x=g.x, y=g.y,
                         title=f"{g.label}\n{summary}\nclick to open", shape="box" if g.kind == "body" else "ellipse",
                         color={"background": "#ffffff", "border": colour}, borderWidth=3, hidden=g.open,
                         kind="group", fullLabel=g.label, font={"size": 13})
        groups_js[g.gid] = {"label": g.label, "cluster": cluster, "open": g.open, "startOpen": g.open,
                            "members": [str(m) for m in g.members]}
    for n, t in view.nodes.items():
        full = label_of(ds, n)
        tip = f"{full}\n{t[2]}\n{n}"
        # pyvis switches to an innerHTML popup when a title contains "href"; keep titles plain text.
        tip = tip.replace("href", "hre\u200bf")
        x, y = drawing.positions[n]
        net.add_node(str(n), label=_short(full, 10), title=tip, color=t[3], shape=t[4], kind=t[2], x=x, y=y,
                     url=safe_url(link(n) if link else str(n)), fullLabel=full,
                     hidden=not drawing.groups[drawing.group_of[n]].open)
    for i, (s, o, kind, lab) in enumerate(drawing.edges):
        net.add_edge(str(s), str(o), id=f"e{i}", kind=kind, title=f"{kind}\n{lab}", arrows="to",
                     color={"color": KIND_COLOURS.get(kind, OTHER_EDGE), "opacity": 0.7})
    net.options = {
        "nodes": {"font": {"size": 13, "face": FONT_FACE}, "size": 12},
        "edges": {"font": {"size": 10, "align": "middle", "color": "#555", "face": FONT_FACE},
                  "color": {"color": "#999"}, "smooth": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "navigationButtons": False, "tooltipDelay": 150, "hideEdgesOnDrag": True},
        "physics": {"enabled": False},
    }
    page = net.generate_html()
    page = _CDN.sub("", page)
    page = _HEADING.sub("", page)
    present = {t[0] for t in view.nodes.values()}
    notes = "".join(f'<div class="viznote">{html.escape(n)}</div>' for n in view.notes)
    closed = sum(1 for g in drawing.groups.values() if not g.open and len(g.members) > 1)
    grouping = (f" · {closed} groups closed (a body's assessment, files and rows; a type's shared nodes): click one to "
                'open it <button id="viz-close-all">close all</button>') if closed else ""
    bar = (f'<div id="vizbar">{header_html}<h1>{html.escape(view.title)}</h1>'
           f'<div>{len(view.nodes)} nodes, {len(drawing.edges)} edges{grouping}</div>{notes}'
           f'{legend_html(present)}{edge_legend_html({e[2] for e in drawing.edges})}<div id="vizinfo">Click a node for details; double-click opens its page.</div></div>')
    page = page.replace("<head>", '<head>\n<meta name="viewport" content="width=device-width, initial-scale=1">'
                        "\n<title>pia-graph: " + html.escape(view.title) + "</title>", 1)
    page = page.replace("</head>", f"<style>{_EXTRA_CSS}</style>\n</head>", 1)
    page = page.replace("<body>", "<body>\n" + bar, 1)
    data, kinds = script_json(groups_js), script_json(KIND_COLOURS)
    page = page.replace("</body>", f'<script type="application/json" id="viz-groups">{data}</script>\n'
                        f'<script type="application/json" id="viz-kinds">{kinds}</script>\n' + _VIEW_JS + "</body>", 1)
    return page


def build_view(ds: Dataset, focus: str | None = None, types: list[str] | None = None, depth: int = 1,
               max_nodes: int = MAX_NODES, under: str | None = None) -> View:
    """The nodes and edges to draw; ViewError for an unknown type or a focus / under node the graph lacks."""
    unknown = [t for t in types or [] if t not in TYPE_KEYS]
    if unknown:
        raise ViewError(f"unknown node type {', '.join(map(repr, unknown))}: choose from {', '.join(TYPE_KEYS)}")
    for name, iri in (("focus", focus), ("under", under)):
        if iri and not ((URIRef(iri), None, None) in ds or (None, None, URIRef(iri)) in ds):
            raise ViewError(f"{name}: no node {iri} in the graph (give the full IRI of an assessment, file, party, "
                            "law or article, e.g. https://w3id.org/pia-graph/id/party/j-lis)")
    if focus:
        return neighbourhood(ds, URIRef(focus), depth=depth, max_nodes=max_nodes, types=types)
    return filtered(ds, types=types, max_nodes=max_nodes, under=URIRef(under) if under else None)


def write_viz(dataset: Dataset, output: Path, focus: str | None = None, types: list[str] | None = None,
              depth: int = 1, max_nodes: int = MAX_NODES, under: str | None = None,
              link_base: str | None = None) -> int:
    """Write the graph view as a standalone HTML file; returns the number of nodes drawn.

    focus: an IRI whose neighbourhood to draw (depth steps); otherwise every node of `types` (default: assessments,
    files, provision/transfer/outsourcing rows, parties, articles, laws), optionally only those around `under`.
    link_base: e.g. http://127.0.0.1:8000 to make double-click open the served pages; otherwise nodes link to their IRIs."""
    view = build_view(dataset, focus, types, depth, max_nodes, under)
    link = (lambda n: link_base.rstrip("/") + page_path(n)) if link_base else None
    atomic_write_bytes(output, render_html(dataset, view, link=link).encode("utf-8"))
    return len(view.nodes)
