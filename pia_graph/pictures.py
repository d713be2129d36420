"""Pictures of the whole corpus (served as SVG/HTML drawn on the server: offline, no script), each made from the
rows of one canned query, linking every mark to the rows behind it, with the picture's figures as CSV.

- kiko-matrix: which bodies send which files to 機構, under which article (a matrix)
- vendors: 委託先 vendors' share of the bodies that outsource
- citations: citations per law and article
- declared-vs-found: the counts each file's form declares (提供 / 移転 / 委託 N件) against the rows found
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import urlencode

NO_BODY = "(no body: fragment)"


@dataclass
class Cell:
    text: str
    value: float = 0.0
    css: str = ""
    link: str = ""
    title: str = ""


@dataclass
class Figure:
    """What a picture draws: a matrix (rows x columns of cells) or bars (labelled groups of labelled bars)."""
    kind: str                                        # "matrix" or "bars"
    rows: list = field(default_factory=list)         # matrix: row labels; bars: group labels
    columns: list = field(default_factory=list)      # matrix: column labels
    cells: dict = field(default_factory=dict)        # matrix: (row, column) -> Cell
    bars: dict = field(default_factory=dict)         # bars: group -> [(label, Cell)]
    unit: str = ""
    notes: list = field(default_factory=list)

    def csv_rows(self) -> tuple[list[str], list[list[str]]]:
        if self.kind == "matrix":
            return ["row", "column", "value"], [[r, c, self.cells[(r, c)].text] for r in self.rows for c in self.columns
                                                if (r, c) in self.cells]
        return ["group", "bar", self.unit or "value"], [[g, label, _num(cell.value)] for g in self.rows
                                                       for label, cell in self.bars[g]]


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.3f}"


@dataclass(frozen=True)
class Picture:
    name: str
    title: str
    description: str
    query: str                      # the canned query whose rows the picture is made of (and links back to)
    make: object                    # (rows as dicts, link(filters) -> url) -> Figure


def _link(name: str):
    def link(**filters) -> str:
        return f"/pictures/{name}?" + urlencode({k: v for k, v in filters.items()}) + "#rows"
    return link


def body(r: dict) -> str:
    return r.get("organization") or NO_BODY


def article_key(r: dict) -> str:
    """A matrix column: the article first (a long law title is cut at the end, never the article)."""
    from .server import article_text
    if r.get("article"):
        return f"{article_text(r['article'])} {r.get('lawName') or ''}".strip()
    return r.get("lawName") or ("委託 (no article)" if r.get("kind") == "委託" else "(no article cited)")


def kiko_matrix(rows: list[dict], link) -> Figure:
    """Rows: a body's file (body · file); columns: law and article; a cell: the kinds (提供/移転/委託) of the rows."""
    fig = Figure("matrix", unit="rows")
    cells: dict = {}
    for r in rows:
        key = (f"{body(r)} · {r['fileName']}", article_key(r))
        cells.setdefault(key, []).append(r)
    fig.rows = sorted({k[0] for k in cells})
    by_use: dict = {}
    for (_, col), found in cells.items():
        by_use[col] = by_use.get(col, 0) + len(found)
    fig.columns = sorted(by_use, key=lambda c: (-by_use[c], c))
    for (row, col), found in cells.items():
        kinds = sorted({f["kind"] for f in found})
        first = found[0]
        fig.cells[(row, col)] = Cell("・".join(kinds), len(found), "k-" + ("mixed" if len(kinds) > 1 else kinds[0]),
                                     link(organization=first.get("organization") or "", fileName=first["fileName"],
                                          lawName=first.get("lawName") or "", article=first.get("article") or ""),
                                     f"{row}\n{col}\n{len(found)} row(s): {'・'.join(kinds)}")
    fig.notes.append(f"{len(rows)} row(s): {len(fig.rows)} files of {len({body(r) for r in rows})} bodies "
                     f"(the fragment without a cover counted apart), {len(fig.columns)} articles")
    return fig


def vendors(rows: list[dict], link) -> Figure:
    """Each vendor's share of the bodies that outsource anything: bodies using it / bodies outsourcing."""
    fig = Figure("bars", unit="bodies")
    all_bodies = {body(r) for r in rows}
    using: dict = {}
    for r in rows:
        using.setdefault(r["vendor"], set()).add(body(r))
    group = f"share of the {len(all_bodies)} bodies that outsource"
    fig.rows = [group]
    fig.bars[group] = [(v, Cell(f"{len(b)} ({100 * len(b) / len(all_bodies):.0f} %)", len(b), "bar",
                                link(vendor=v), f"{v}: {len(b)} of {len(all_bodies)} bodies"))
                       for v, b in sorted(using.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    fig.notes.append(f"{len(rows)} 委託 row(s), {len(using)} vendors, {len(all_bodies)} bodies")
    return fig


def citations(rows: list[dict], link) -> Figure:
    """Citations per law (a group) and article (a bar)."""
    from .server import article_text
    fig = Figure("bars", unit="citations")
    per: OrderedDict = OrderedDict()
    for r in sorted(rows, key=lambda r: r["lawName"]):
        per.setdefault(r["lawName"], {}).setdefault(r.get("article") or "", []).append(r)
    totals = {law: sum(len(v) for v in arts.values()) for law, arts in per.items()}
    fig.rows = sorted(per, key=lambda law: (-totals[law], law))
    for law in fig.rows:
        arts = per[law]
        fig.bars[law] = [(article_text(a) if a else "(law as a whole)",
                          Cell(str(len(found)), len(found), "bar", link(lawName=law, article=a),
                               f"{law} {article_text(a) if a else ''}: {len(found)} citation(s)"))
                         for a, found in sorted(arts.items(), key=lambda kv: (-len(kv[1]), _article_order(kv[0])))]
    fig.notes.append(f"{len(rows)} citation(s) of {len(per)} laws")
    return fig


def _article_order(article: str) -> tuple:
    main, _, branch = article.partition("の")
    return (int(main) if main.isdigit() else 10**9, int(branch) if branch.isdigit() else 0, article)


DECLARED = (("提供", "declaredProvisions", "provisionRows"), ("移転", "declaredTransfers", "transferRows"),
            ("委託", "declaredOutsourcing", "outsourcingRows"))


def declared_vs_found(rows: list[dict], link) -> Figure:
    """Per file: declared N件 / rows found, for 提供, 移転 and 委託; a difference is marked."""
    fig = Figure("matrix", unit="declared / found", columns=[k for k, _, _ in DECLARED])
    differ = 0
    for r in rows:
        row = f"{body(r)} · {r['fileName']}"
        if row in fig.cells or any((row, k) in fig.cells for k, _, _ in DECLARED):
            row += f" ({r.get('source', '').split('#')[0]})"
        fig.rows.append(row)
        for kind, declared, found in DECLARED:
            d, f = r.get(declared) or "", r.get(found) or "0"
            css = "none" if not d and f == "0" else "same" if d == f else "differ" if d else "undeclared"
            differ += css == "differ"
            fig.cells[(row, kind)] = Cell(f"{d or '–'} / {f}", float(f), "d-" + css,
                                          link(organization=r.get("organization") or "", fileName=r["fileName"],
                                               source=r.get("source") or ""),
                                          f"{row}\n{kind}: declared {d or 'nothing'}, {f} row(s) found")
    fig.notes.append(f"{len(rows)} file(s); {differ} count(s) where the rows found differ from the number declared")
    return fig


PICTURES = [
    Picture("kiko-matrix", "Files to 機構 by body and article",
            "Which bodies send which 特定個人情報ファイル to 地方公共団体情報システム機構 (提供, 移転 or 委託), under "
            "which law and article: one line per body and file, one column per article, most used first.",
            "files-to-kiko", kiko_matrix),
    Picture("vendors", "委託先 vendors' share of the bodies",
            "For each vendor (委託先), how many of the bodies that outsource any handling of a file use it.",
            "outsourcing-vendors", vendors),
    Picture("citations", "Citations per law and article",
            "How often each law and article is cited as a legal basis, grouped by law.", "citations", citations),
    Picture("declared-vs-found", "Declared counts against rows found, per file",
            "The number of 提供先 / 移転先 / 委託 rows each file's form declares (N件) beside the rows extracted: a "
            "difference means rows listed elsewhere (別紙) or missed by the extraction.",
            "declared-vs-extracted", declared_vs_found),
]
BY_NAME = {p.name: p for p in PICTURES}


def filter_rows(rows: list[dict], filters: dict) -> list[dict]:
    """The rows behind a mark: those whose columns equal every filter given (an empty filter value matches empty)."""
    return [r for r in rows if all((r.get(k) or "") == v for k, v in filters.items())]


def figure(picture: Picture, columns: list[str], rows: list[list[str]]) -> tuple[Figure, list[dict]]:
    dicts = [dict(zip(columns, r)) for r in rows]
    return picture.make(dicts, _link(picture.name)), dicts
