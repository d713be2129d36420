"""Jinja2 templates of the web app (autoescaped: every value from a document is HTML-escaped)."""

BASE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}pia-graph{% endblock %} · pia-graph</title>
<style>
body{font-family:system-ui,"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:0;color:#222;line-height:1.45}
header{background:#243b55;color:#fff;padding:8px 16px}
header a{color:#fff;margin-right:14px;text-decoration:none;font-size:14px}
header b{margin-right:20px}
main{padding:12px 20px;max-width:1400px}
table{border-collapse:collapse;margin:8px 0 16px 0;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f3f5f8}
.muted{color:#777}.small{font-size:12px}
.counts{display:flex;gap:14px;flex-wrap:wrap}
.counts a,.counts div{display:block;border:1px solid #ccd;border-radius:6px;padding:8px 14px;text-decoration:none;color:#222}
.counts b{font-size:22px;display:block}
textarea{width:100%;font-family:ui-monospace,monospace;font-size:13px}
.err{background:#fee;border:1px solid #c99;padding:8px;white-space:pre-wrap}
pre.src{font-size:13px}
.src td{border:none;padding:0 6px;font-family:ui-monospace,"Noto Sans Mono CJK JP",monospace;white-space:pre-wrap}
.src td.n{color:#999;text-align:right;user-select:none}
.src tr.hl{background:#fff3a8}
.src tr:target{outline:2px solid #e0a000}
h2{margin-top:22px;font-size:18px}h3{font-size:15px;margin-bottom:2px}
code{background:#f4f4f4;padding:0 3px}
table.results{max-width:100%}
table.results td{max-width:26em;overflow-wrap:anywhere}
table.results th{overflow-wrap:anywhere}
.matrix-wrap{max-width:100%;overflow-x:auto}
table.matrix th.v{writing-mode:vertical-rl;white-space:nowrap;max-height:16em;overflow:hidden;text-overflow:ellipsis;font-weight:normal;vertical-align:bottom}
table.matrix th.rl{white-space:nowrap;font-weight:normal;max-width:28em;overflow:hidden;text-overflow:ellipsis}
table.matrix td.mc{min-width:2.4em;text-align:center;padding:1px 2px}
table.matrix td a{text-decoration:none;color:#111;display:block}
.k-提供{background:#fdd0a2}.k-移転{background:#ffe9c4}.k-委託{background:#dadaeb}.k-mixed{background:#fdae6b}
.d-same{background:#d9f0d3}.d-differ{background:#fdb4b4;font-weight:bold}.d-undeclared{background:#fff1a8}.d-none{color:#aaa}
table.bars{border:none;width:100%;max-width:1100px}
table.bars th{border:none;font-weight:normal;width:22em;text-align:right;overflow-wrap:anywhere}
table.bars td{border:none;width:auto}
table.bars a{display:flex;align-items:center;gap:6px;text-decoration:none;color:#222}
.barfill{display:inline-block;height:14px;background:#4c78a8;min-width:2px}
.pager{font-size:13px}
</style></head>
<body><header><b>pia-graph</b>
<a href="/">Home</a><a href="/queries">Canned questions</a><a href="/query">Query editor</a>
<a href="/pictures">Pictures</a><a href="/validation">Validation</a><a href="/graph">Graph</a><a href="/id/party/j-lis">機構 (J-LIS)</a><a href="/sparql">SPARQL endpoint</a>
<a href="/docs">API</a><a href="/redoc">API (Redoc)</a></header>
<main>{% block main %}{% endblock %}</main></body></html>
"""

MACROS = """
{% macro node(iri, label) -%}
<a href="{{ page(iri) }}">{{ label or iri }}</a>
{%- endmacro %}
{% macro source(ref) -%}
{% if ref %}<a class="small" href="{{ source_link(ref) }}">{{ ref }}</a>{% endif %}
{%- endmacro %}
{% macro cell(value) -%}
{% if value is none %}{% elif value.startswith('https://w3id.org/pia-graph/id/') %}<a href="{{ page(value) }}" title="{{ value }}">{{ label_for(value) }}</a>
{%- elif is_ref(value) %}{{ source(value) }}{% else %}{{ value }}{% endif %}
{%- endmacro %}
{% macro pages(pager) -%}
{% if pager and pager.pages > 1 %}<p class="pager">{{ pager.total }} rows ·
{% if pager.page > 1 %}<a href="{{ pager.base }}page={{ pager.page - 1 }}{{ pager.anchor }}">previous</a>{% endif %}
page {{ pager.page }} of {{ pager.pages }}
{% if pager.page < pager.pages %}<a href="{{ pager.base }}page={{ pager.page + 1 }}{{ pager.anchor }}">next</a>{% endif %}</p>{% endif %}
{%- endmacro %}
{% macro results(columns, rows, pager=none) -%}
{{ pages(pager) }}
<table class="results"><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for r in rows %}<tr>{% for v in r %}<td>{{ cell(v) }}</td>{% endfor %}</tr>{% endfor %}</table>
<p class="muted">{{ pager.total if pager else rows|length }} row(s){% if pager and pager.pages > 1 %}, {{ rows|length }} on this page{% endif %}</p>
{{ pages(pager) }}
{%- endmacro %}
"""

HOME = """{% extends "base" %}{% import "macros" as m with context %}
{% block title %}Home{% endblock %}
{% block main %}
<h1>特定個人情報保護評価書 knowledge graph</h1>
<div class="counts">
<a href="#assessments"><b>{{ counts.assessments }}</b>assessments 評価書</a>
<a href="#bodies"><b>{{ counts.bodies }}</b>bodies 評価実施機関</a>
<a href="#assessments"><b>{{ counts.files }}</b>files ファイル</a>
<a href="#parties"><b>{{ counts.parties }}</b>parties 主体</a>
<a href="#laws"><b>{{ counts.articles }}</b>articles 条</a>
<div><b>{{ counts.triples }}</b>triples</div>
</div>
<p>Ask: <a href="/id/party/j-lis">which files go to 機構 (J-LIS), under which article?</a> ·
<a href="/queries">canned questions</a> · <a href="/graph">graph view</a> ·
SPARQL endpoint at <code>/sparql</code> · JSON API at <a href="/docs">/docs</a></p>
<h2 id="assessments">Assessments</h2>
<table><tr><th>assessment</th><th>body</th><th>form</th><th>files</th><th>source</th></tr>
{% for a in assessments %}<tr><td>{{ m.node(a.iri, a.label) }}</td><td>{% if a.body %}{{ m.node(a.body, a.bodyLabel) }}{% else %}<span class="muted">(not stated)</span>{% endif %}</td>
<td>{{ a.form or '' }}</td><td>{{ a.files }}</td><td>{% if a.fileName %}<a href="/source/{{ a.fileName|urlencode }}">{{ a.fileName }}</a>{% endif %}</td></tr>{% endfor %}
</table>
<h2 id="bodies">Bodies</h2>
<ul>{% for b in bodies %}<li>{{ m.node(b.iri, b.label) }}</li>{% endfor %}</ul>
<h2 id="parties">Parties receiving or handling files</h2>
<table><tr><th>party</th><th>rows (提供/移転/委託)</th></tr>
{% for p in parties %}<tr><td>{{ m.node(p.iri, p.label) }}</td><td>{{ p.rows }}</td></tr>{% endfor %}</table>
<h2 id="laws">Laws cited</h2>
<table><tr><th>law</th><th>articles</th><th>citations</th></tr>
{% for l in laws %}<tr><td>{{ m.node(l.iri, l.label) }}</td><td>{{ l.articles }}</td><td>{{ l.citations }}</td></tr>{% endfor %}</table>
{% endblock %}
"""

NODE = """{% extends "base" %}{% import "macros" as m with context %}
{% block title %}{{ label }}{% endblock %}
{% block main %}
<h1>{{ label }}</h1>
<p class="muted small">{{ iri }} · {{ types|join(', ') }} ·
<a href="/graph?focus={{ iri|urlencode }}">graph view of its neighbourhood</a> ·
<a href="/api/node?iri={{ iri|urlencode }}">JSON</a></p>
{% if sources %}<p>Source: {% for s in sources %}{{ m.source(s) }} {% endfor %}</p>{% endif %}
{{ special|safe }}
<details{% if outgoing|length <= 40 %} open{% endif %}><summary><h2 style="display:inline">Properties</h2> ({{ outgoing|length }})</summary>
<table class="results"><tr><th>property</th><th>value</th></tr>
{% for p, v, kind in outgoing %}<tr><td>{{ p }}</td><td>{% if kind == 'iri' %}{{ m.node(v, labels.get(v)) }}{% elif kind == 'ref' %}{{ m.source(v) }}{% else %}{{ v }}{% endif %}</td></tr>{% endfor %}
</table></details>
{% if incoming %}<details{% if incoming|length <= 40 %} open{% endif %}><summary><h2 style="display:inline">Referenced by</h2> ({{ incoming|length + incoming_more }})</summary>
<table class="results"><tr><th>subject</th><th>property</th></tr>
{% for s, p in incoming %}<tr><td>{{ m.node(s, labels.get(s)) }}</td><td>{{ p }}</td></tr>{% endfor %}</table>
{% if incoming_more %}<p class="muted">… and {{ incoming_more }} more</p>{% endif %}</details>{% endif %}
{% endblock %}
"""

PARTY = """{% import "macros" as m with context %}
{% if groups %}
<h2>Files that go to {{ label }}, by body and article</h2>
<p class="muted">Every 特定個人情報ファイル provided (提供), transferred (移転) or outsourced (委託) to this party, with the article the document cites and the source lines of the row. {{ nrows }} row(s) from {{ pager.named }} bod{{ 'y' if pager.named == 1 else 'ies' }}{% if pager.fragments %} and {{ pager.fragments }} row(s) from a fragment without a body{% endif %}.</p>
{% macro pages() %}{% if pager.pages > 1 %}<p class="pager">Bodies {{ pager.first }}–{{ pager.last }} of {{ pager.bodies }} ·
{% if pager.page > 1 %}<a href="?page={{ pager.page - 1 }}">previous</a>{% endif %}
page {{ pager.page }} of {{ pager.pages }}
{% if pager.page < pager.pages %}<a href="?page={{ pager.page + 1 }}">next</a>{% endif %}
· whole listing: <a href="/queries/files-to-kiko?kiko={{ party_iri|urlencode }}&amp;format=csv">CSV</a></p>{% endif %}{% endmacro %}
{{ pages() }}
{% for body, articles in groups %}
<h3>{{ body or '(body not stated: fragment)' }}</h3>
<table><tr><th>article</th><th>file</th><th>kind</th><th>recipient as written</th><th>row</th><th>source</th></tr>
{% for art, rows in articles %}{% for r in rows %}<tr>
{% if loop.first %}<td rowspan="{{ rows|length }}">{% if r.articleNode %}{{ m.node(r.articleNode, art) }}{% elif r.law %}{{ m.node(r.law, art) }}{% else %}{{ art }}{% endif %}</td>{% endif %}
<td>{{ m.node(r.file, r.fileName) }}</td><td>{{ r.kind }}</td><td>{{ r.recipient }}</td><td>{{ m.node(r.row, 'row') }}</td><td>{{ m.source(r.source) }}</td></tr>{% endfor %}{% endfor %}
</table>
{% endfor %}
{{ pages() }}
{% endif %}
{% if assessed %}<h2>Assessments by {{ label }}</h2><ul>{% for a in assessed %}<li>{{ m.node(a.iri, a.label) }}</li>{% endfor %}</ul>{% endif %}
"""

ARTICLE = """{% import "macros" as m with context %}
<h2>Everything citing {{ label }}</h2>
<table><tr><th>body</th><th>what</th><th>file</th><th>citation as written</th><th>source</th></tr>
{% for r in rows %}<tr><td>{{ r.organization or '' }}</td><td>{{ m.node(r.owner, r.ownerLabel) }}</td>
<td>{% if r.file %}{{ m.node(r.file, r.fileName) }}{% endif %}</td><td>{{ r.text }}</td><td>{{ m.source(r.source) }}</td></tr>{% endfor %}
</table>
"""

LAW = """{% import "macros" as m with context %}
<h2>Articles cited</h2>
<table><tr><th>article</th><th>citations</th></tr>
{% for r in rows %}<tr><td>{{ m.node(r.article, r.label) }}</td><td>{{ r.n }}</td></tr>{% endfor %}</table>
"""

FILE = """{% import "macros" as m with context %}
<h2>Recipients (提供・移転)</h2>
<table><tr><th>row</th><th>kind</th><th>recipient as written</th><th>parties</th><th>legal basis</th><th>source</th></tr>
{% for r in disclosures %}<tr><td>{{ m.node(r.row, r.label) }}</td><td>{{ r.kind }}</td><td>{{ r.recipient }}</td>
<td>{% for p in r.parties %}{{ m.node(p[0], p[1]) }} {% endfor %}</td>
<td>{% for c in r.citations %}{% if c[0] %}{{ m.node(c[0], c[1]) }}{% else %}{{ c[1] }}{% endif %}<br>{% endfor %}</td><td>{{ m.source(r.source) }}</td></tr>{% endfor %}
</table>
<h2>Vendors (委託先)</h2>
<table><tr><th>row</th><th>contractor as written</th><th>parties</th><th>再委託</th><th>source</th></tr>
{% for r in outsourcing %}<tr><td>{{ m.node(r.row, r.label) }}</td><td>{{ r.contractor }}</td>
<td>{% for p in r.parties %}{{ m.node(p[0], p[1]) }} {% endfor %}</td><td>{{ r.sub }}</td><td>{{ m.source(r.source) }}</td></tr>{% endfor %}
</table>
<h2>Sources (入手元)</h2>
<table><tr><th>source</th><th>state</th><th>detail</th><th>lines</th></tr>
{% for r in sources_ %}<tr><td>{{ r.label }}</td><td>{{ r.state }}</td><td>{{ r.detail or '' }}</td><td>{{ m.source(r.source) }}</td></tr>{% endfor %}</table>
<h2>Risk verdicts</h2>
<p class="muted small">By stage, in the order the document reaches them; a question is shown where it is not the form's 「リスクへの対策は十分か」.</p>
<table><tr><th>stage</th><th>verdict</th><th>question</th><th>lines</th></tr>
{% for stage, rows in stages %}{% for r in rows %}<tr>{% if loop.first %}<th rowspan="{{ rows|length }}">{{ stage }}</th>{% endif %}
<td>{{ r.verdict or '(unknown)' }}</td><td>{% if r.label != 'リスクへの対策は十分か' %}{{ r.label }}{% endif %}</td><td>{{ m.source(r.source) }}</td></tr>{% endfor %}{% endfor %}</table>
"""

ASSESSMENT = """{% import "macros" as m with context %}
<p class="lead">評価実施機関 assessing body: {% if body %}<b>{{ m.node(body[0], body[1]) }}</b>{% else %}<span class="muted">(not stated: a fragment without its cover)</span>{% endif %}
{% if form %} · {{ form }}{% endif %}{% if document %} · document <a href="/source/{{ document|urlencode }}">{{ document }}</a>{% endif %}</p>
<h2>Files</h2>
<ul>{% for f in files %}<li>{{ m.node(f.iri, f.label) }}</li>{% endfor %}</ul>
{% if systems %}<h2>Systems</h2><ul>{% for f in systems %}<li>{{ m.node(f.iri, f.label) }}</li>{% endfor %}</ul>{% endif %}
{% if changes %}<h2>Change history (変更箇所, {{ changes }})</h2>
{% for date, rows in change_dates %}<details{% if change_dates|length == 1 and rows|length <= 20 %} open{% endif %}><summary>{{ date }} — {{ rows|length }} change(s), 変更箇所 {{ rows[0].n }}{% if rows|length > 1 %}–{{ rows[-1].n }}{% endif %}</summary>
<table class="results"><tr><th>#</th><th>item</th><th>before</th><th>after</th><th>提出時期</th><th>lines</th></tr>
{% for c in rows %}<tr><td>{{ m.node(c.iri, c.n) }}</td><td>{{ c.item or '' }}</td><td>{{ c.before or '' }}</td><td>{{ c.after or '' }}</td><td>{{ c.timing or '' }}</td><td>{{ m.source(c.source) }}</td></tr>{% endfor %}
</table></details>{% endfor %}{% endif %}
"""

SOURCE = """{% extends "base" %}
{% block title %}{{ name }}{% endblock %}
{% block main %}
<h1>{{ name }}</h1>
<p class="muted">{{ lines|length }} lines{% if start %} · lines {{ start }}–{{ end }} highlighted · <a href="#L{{ start }}">jump</a>{% endif %}
{% for d in documents %} · {{ d.label }}{% endfor %}</p>
<table class="src">
{% for line in lines %}<tr id="L{{ loop.index }}"{% if start and start <= loop.index <= end %} class="hl"{% endif %}><td class="n"><a href="#L{{ loop.index }}">{{ loop.index }}</a></td><td>{{ line }}</td></tr>
{% endfor %}</table>
{% endblock %}
"""

QUERIES = """{% extends "base" %}
{% block title %}Canned questions{% endblock %}
{% block main %}
<h1>Canned questions</h1>
<p class="muted">Each is a file in <code>queries/</code>. Run it with one click; download the results as CSV or JSON.</p>
{% for q in queries %}
<h2><a href="/queries/{{ q.name }}">{{ q.title }}</a></h2>
<p>{{ q.description }}</p>
<form action="/queries/{{ q.name }}" method="get">
{% for p in q.params %}<label>{{ p.name }} <input name="{{ p.name }}" value="{{ p.default }}" size="60" list="iris-{{ p.name }}"></label>
<datalist id="iris-{{ p.name }}">{% for o in options %}<option value="{{ o[0] }}">{{ o[1] }}</option>{% endfor %}</datalist> {% endfor %}
<button>Run</button> <a href="/queries/{{ q.name }}?format=csv">CSV</a> · <a href="/queries/{{ q.name }}?format=json">JSON</a> ·
<a href="/query?example={{ q.name }}">edit</a></form>
{% endfor %}
{% endblock %}
"""

QUERY_RESULT = """{% extends "base" %}{% import "macros" as m with context %}
{% block title %}{{ title }}{% endblock %}
{% block main %}
<h1>{{ title }}</h1>
{% if description %}<p>{{ description }}</p>{% endif %}
{% if params %}<form method="get">{% for p in params %}<label>{{ p.name }} <input name="{{ p.name }}" value="{{ p.value }}" size="60"></label> {% endfor %}<button>Run</button></form>{% endif %}
<p>Download: <a href="{{ download }}format=csv">CSV</a> · <a href="{{ download }}format=json">JSON</a> · <a href="/query?example={{ name }}">edit in the query editor</a></p>
{% if error %}<div class="err">{{ error }}</div>{% else %}{{ m.results(columns, rows, pager) }}{% endif %}
<details><summary>SPARQL</summary><pre>{{ text }}</pre></details>
{% endblock %}
"""

EDITOR = """{% extends "base" %}{% import "macros" as m with context %}
{% block title %}Query editor{% endblock %}
{% block main %}
<h1>Query editor</h1>
<p>Examples: {% for q in queries %}<a href="/query?example={{ q.name }}">{{ q.title }}</a>{% if not loop.last %} · {% endif %}{% endfor %}</p>
<form action="/query" method="get">
<textarea name="query" rows="22" spellcheck="false">{{ text }}</textarea><br>
<button>Run</button> <span class="muted small">Limits: {{ timeout }} s, {{ max_results }} results. Same engine as <code>/sparql</code>.</span>
</form>
{% if error %}<div class="err">{{ error }}</div>{% endif %}
{% if columns %}<p>Download: <a href="/sparql?query={{ raw|urlencode }}&amp;format=csv">CSV</a> · <a href="/sparql?query={{ raw|urlencode }}&amp;format=json">JSON</a></p>{{ m.results(columns, rows) }}{% endif %}
{% if graph_text %}<pre>{{ graph_text }}</pre>{% endif %}
{% endblock %}
"""

GRAPH_FORM = """<form action="/graph" method="get" style="margin:0 0 4px 0;font-size:13px">
<a href="/">← pia-graph</a> ·
focus IRI <input name="focus" value="{{ focus or '' }}" size="50"> depth <select name="depth">{% for d in (1, 2, 3) %}<option{% if d == depth %} selected{% endif %}>{{ d }}</option>{% endfor %}</select>
around <input name="under" value="{{ under or '' }}" size="30" placeholder="assessment / party / law IRI">
<button>Draw</button>
<details style="display:inline-block;vertical-align:top"><summary>types: {{ types|join(', ') if types else 'around the focus' }}</summary>
{% for key, name in all_types %}<label><input type="checkbox" name="type" value="{{ key }}"{% if key in types %} checked{% endif %}>{{ name }}</label> {% endfor %}
</details></form>
"""

VALIDATION = """{% extends "base" %}{% import "macros" as m with context %}
{% block title %}Validation{% endblock %}
{% block main %}
<h1>Validation: each document against the SHACL shapes</h1>
<p>Every document is validated when it is loaded and its report is kept beside it (a graph
<code>id:graph/report/…</code>). Violations mean the graph is wrong or a required part of the form could not be read;
warnings that the source itself lacks or contradicts something; notes are worth knowing.
Every finding: <a href="/queries/validation">canned question <i>validation</i></a>
(<a href="/queries/validation?format=csv">CSV</a>) · this table as <a href="/queries/validation-summary?format=csv">CSV</a>.</p>
{% if findings is not none %}
<h2 id="findings">{{ document }}: {{ findings|length }} finding(s)</h2>
<table class="results"><tr><th>severity</th><th>where</th><th>about</th><th>message</th></tr>
{% for f in findings %}<tr><td>{{ f.severity }}</td><td>{{ m.source(f.source) }}{% if f.linesOf %}<br><span class="muted small">(lines of {{ f.linesOf }})</span>{% endif %}</td>
<td>{{ m.node(f.focus, f.focusLabel) }}</td><td>{{ f.message }}</td></tr>{% endfor %}</table>
{% endif %}
<h2>Documents</h2>
{% if not rows %}<p>No validation report in this graph: <code>pia-graph load</code> validates every document it loads
(unless told <code>--no-validate</code>), and <code>pia-graph build</code> writes the reports into the graph file.</p>
{% else %}{{ m.pages(pager) }}
<table class="results"><tr><th>document</th><th>body</th><th>violations</th><th>warnings</th><th>notes</th><th>assessment</th></tr>
{% for r in rows %}<tr><td><a href="/validation?assessment={{ r.assessment|urlencode }}&amp;page={{ pager.page }}#findings">{{ r.document }}</a></td>
<td>{{ r.organization }}</td><td>{% if r.violations != "0" %}<b class="err-text">{{ r.violations }}</b>{% else %}0{% endif %}</td>
<td>{{ r.warnings }}</td><td>{{ r.infos }}</td><td>{{ m.cell(r.assessment) }}</td></tr>{% endfor %}</table>
<p class="muted">{{ pager.total }} document(s) validated</p>{{ m.pages(pager) }}{% endif %}
{% endblock %}
"""

TEMPLATES = {"validation": VALIDATION, "base": BASE, "macros": MACROS, "home": HOME, "node": NODE, "party": PARTY, "article": ARTICLE,
             "law": LAW, "file": FILE, "assessment": ASSESSMENT, "source": SOURCE, "queries": QUERIES,
             "query_result": QUERY_RESULT, "editor": EDITOR, "graph_form": GRAPH_FORM}
