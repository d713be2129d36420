"""The pictures' pages: /pictures (all of them), /pictures/{name} (one, with the rows behind a mark below it) and
their CSV downloads (the figures drawn, and the rows behind)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from .pictures import BY_NAME, PICTURES, figure, filter_rows
from .query import canned_text, format_rows

ROWS_PER_PAGE = 200

PICTURES_PAGE = """{% extends "base" %}{% import "macros" as m with context %}
{% block title %}Pictures{% endblock %}
{% block main %}
<h1>Pictures of the corpus</h1>
<p class="muted">Each picture is drawn from the rows of a canned query; click a mark for the rows behind it.</p>
<ul>{% for p in pictures %}<li><a href="/pictures/{{ p.name }}">{{ p.title }}</a> — {{ p.description }}</li>{% endfor %}</ul>
{% endblock %}
"""

PICTURE_PAGE = """{% extends "base" %}{% import "macros" as m with context %}
{% block title %}{{ p.title }}{% endblock %}
{% block main %}
<h1>{{ p.title }}</h1>
<p>{{ p.description }}</p>
<p class="small">Download: <a href="/pictures/{{ p.name }}.csv">the figures drawn (CSV)</a> ·
<a href="/queries/{{ p.query }}?format=csv">every row behind it (CSV)</a> · made from the canned question
<a href="/queries/{{ p.query }}">{{ p.query }}</a>{% for n in fig.notes %} · {{ n }}{% endfor %}</p>
{% if fig.kind == "matrix" %}
<div class="matrix-wrap"><table class="matrix"><tr><th></th>{% for c in fig.columns %}<th class="v" title="{{ c }}">{{ c }}</th>{% endfor %}</tr>
{% for r in fig.rows %}<tr><th class="rl">{{ r }}</th>{% for c in fig.columns %}{% set cell = fig.cells.get((r, c)) %}<td class="mc{% if cell %} {{ cell.css }}{% endif %}">{% if cell %}<a href="{{ cell.link }}" title="{{ cell.title }}">{{ cell.text }}</a>{% endif %}</td>{% endfor %}</tr>
{% endfor %}</table></div>
{% else %}
{% set top = fig.bars.values()|map('map', attribute=1)|map('map', attribute='value')|map('max')|max if fig.rows else 1 %}
{% for g in fig.rows %}<h3>{{ g }}</h3><table class="bars">
{% for label, cell in fig.bars[g] %}<tr><th>{{ label }}</th><td><a href="{{ cell.link }}" title="{{ cell.title }}"><span class="barfill" style="width:{{ (100 * cell.value / top)|round(1) }}%"></span><span class="barval">{{ cell.text }}</span></a></td></tr>
{% endfor %}</table>{% endfor %}
{% endif %}
<h2 id="rows">Rows behind it{% if filters %}: {% for k, v in filters.items() %}{{ k }} = {{ v or '(none)' }}{% if not loop.last %}, {% endif %}{% endfor %}{% endif %}</h2>
{% if filters %}<p class="small"><a href="/pictures/{{ p.name }}#rows">all rows</a> · <a href="{{ rows_csv }}">these rows (CSV)</a></p>
{{ m.results(columns, shown, pager) }}{% else %}<p class="muted">Click a mark above to list the rows behind it;
<a href="/queries/{{ p.query }}">every row</a>.</p>{% endif %}
{% endblock %}
"""

TEMPLATES = {"pictures": PICTURES_PAGE, "picture": PICTURE_PAGE}


def mount_pictures(app: FastAPI, table, page) -> None:
    """table(query text) -> (columns, rows) as the canned queries' pages get them (cached); page(template, **ctx)."""

    def load(name: str):
        p = BY_NAME.get(name)
        if p is None:
            raise HTTPException(404, f"no picture {name!r}: one of {', '.join(BY_NAME)}")
        columns, rows = table(canned_text(p.query))
        fig, dicts = figure(p, columns, rows)
        return p, columns, fig, dicts

    @app.get("/pictures", response_class=HTMLResponse, include_in_schema=False)
    def pictures():
        return page("pictures", pictures=PICTURES)

    @app.get("/pictures/{name}.csv", include_in_schema=False)
    def picture_csv(name: str):
        p, _, fig, _ = load(name)
        return Response(format_rows(*fig.csv_rows(), "csv"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{p.name}.csv"'})

    @app.get("/pictures/{name}", include_in_schema=False)
    def picture(name: str, request: Request, format: str | None = None):
        p, columns, fig, dicts = load(name)
        filters = {k: v for k, v in request.query_params.items() if k in columns}
        chosen = filter_rows(dicts, filters)
        body = [[r.get(c, "") for c in columns] for r in chosen]
        if format == "csv":
            return Response(format_rows(columns, body, "csv"), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{p.name}-rows.csv"'})
        query = urlencode(filters)
        pager, shown = paged(body, request.query_params.get("page"), f"/pictures/{p.name}?{query}", "#rows")
        return page("picture", p=p, fig=fig, filters=filters, columns=columns, shown=shown, pager=pager,
                    rows_csv=f"/pictures/{p.name}?{query}&format=csv")


def paged(rows: list, page: str | None, base: str, anchor: str = "", size: int = ROWS_PER_PAGE) -> tuple[dict, list]:
    """One page of rows and what the results macro needs to link the others."""
    pages = max(1, -(-len(rows) // size))
    number = min(max(1, int(page)) if (page or "").isdigit() else 1, pages)
    sep = "&" if "?" in base and not base.endswith("?") else ""
    return ({"page": number, "pages": pages, "total": len(rows), "first": (number - 1) * size + 1,
             "base": base + sep, "anchor": anchor}, rows[(number - 1) * size: number * size])
