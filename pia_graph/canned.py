"""Canned queries answered from rows kept per document: each document's rows are computed when it is loaded, kept
beside the store in SQLite and dropped with it, so a canned question's first page, its count and a full export
come from an index instead of a national-scale evaluation.

Why: at 10,000 assessments a canned query evaluated by pyoxigraph takes 7-100 s (each row ~15 index look-ups on
RocksDB), and its answer changes only when documents are loaded. A canned query's rows are each about one document
(every pattern hangs from the document's own nodes; statutes, parties and vocabularies are shared), so the answer
over all documents is the union of each document's answer, and a query that counts across documents (citations per
law) is the sum of each document's counts. A query says which it is in its header:

    # rows: per document
    # rows: per document, summed: ?citations ?assessments

and a query without the line is always evaluated. tests/test_canned.py holds every page and export to what the
SPARQL gives over the whole store.

A query's parameters (its single-IRI VALUES blocks) are freed in the per-document query and kept as columns, so
one set of rows answers every value of them; variables the query orders by are kept as sort keys beside the text,
in SPARQL's order (unbound first, then IRIs, then literals; numbers by value, text by code point).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .query import VALUES_PARAM, CannedQuery, canned_queries, with_prefixes

ROWS_LINE = re.compile(r"^#\s*rows\s*:\s*per document\s*(?:,\s*summed\s*:\s*(?P<summed>.*))?$", re.M | re.I)
ORDER_BY = re.compile(r"\bORDER\s+BY\s+(?P<keys>[^{}]*)$", re.I | re.S)
ORDER_KEY = re.compile(r"(?:(?P<dir>ASC|DESC)\s*\(\s*\?(?P<v1>\w+)\s*\)|\?(?P<v2>\w+))", re.I)
NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "decimal", "float", "double", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte")}


class NotPerDocument(ValueError):
    """A canned query whose rows are not kept per document: it is evaluated."""


@dataclass(frozen=True)
class Spec:
    """How one canned query's rows are kept."""
    name: str
    text: str                        # the canned query as written
    query: str                       # the per-document query: parameters freed, hidden variables projected
    params: tuple[str, ...]          # parameter variables, with their default IRIs in `defaults`
    defaults: tuple[str, ...]
    order: tuple[tuple[str, bool], ...]   # (variable, descending)
    summed: tuple[str, ...] = ()     # variables summed over documents (the others group)
    hidden: tuple[str, ...] = field(default=())   # projected for the rows' sake only (params, order-only variables)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.query.encode("utf-8")).hexdigest()[:16]


def spec_of(q: CannedQuery) -> Spec:
    """The per-document form of a canned query (NotPerDocument when its header does not say it is one)."""
    m = ROWS_LINE.search(q.text)
    if not m:
        raise NotPerDocument(f"{q.name}: no '# rows: per document' line")
    summed = tuple(re.findall(r"\?(\w+)", m.group("summed") or ""))
    body = q.text
    params = {}
    for pm in VALUES_PARAM.finditer(body):
        params.setdefault(pm.group("var"), pm.group("iri"))
    body = VALUES_PARAM.sub("", body)
    tail = body[body.rindex("}") + 1:]
    om = ORDER_BY.search(tail)
    order = []
    if om:
        keys = om.group("keys").strip()
        for km in ORDER_KEY.finditer(keys):
            order.append((km.group("v1") or km.group("v2"), (km.group("dir") or "").upper() == "DESC"))
        if ORDER_KEY.sub("", keys).strip():
            raise NotPerDocument(f"{q.name}: ORDER BY other than variables")
        body = body[:len(body) - len(tail)] + tail[:om.start()]
    if re.search(r"\b(LIMIT|OFFSET)\b", tail, re.I):
        raise NotPerDocument(f"{q.name}: LIMIT or OFFSET")
    sm = re.search(r"^\s*SELECT\s+(DISTINCT\s+)?", body, re.M | re.I)
    if not sm:
        raise NotPerDocument(f"{q.name}: not a SELECT")
    projection = body[sm.end():body.index("WHERE", sm.end())]
    visible = set(re.findall(r"(?:^|\s)\?(\w+)|AS\s+\?(\w+)", projection))
    visible = {a or b for a, b in visible}
    hidden = [p for p in params if p not in visible]
    hidden += [v for v, _ in order if v not in visible and v not in hidden]
    if summed and (params or any(v in summed for v in hidden)):
        raise NotPerDocument(f"{q.name}: a summed query with parameters or hidden order keys")
    query = body[:sm.end()] + "".join(f"?{v} " for v in hidden) + body[sm.end():]
    return Spec(q.name, q.text, with_prefixes(query), tuple(params), tuple(params.values()), tuple(order),
                summed, tuple(hidden))


def specs() -> list[Spec]:
    out = []
    for q in canned_queries():
        try:
            out.append(spec_of(q))
        except NotPerDocument:
            pass
    return out


# ---------------------------------------------------------------------------------------------------------
# a document's rows

def cell(term) -> tuple[str | None, object]:
    """(text as a query result shows it, None when unbound; SPARQL sort key)."""
    if term is None:
        return None, None
    kind = type(term).__name__
    if kind == "NamedNode":
        return term.value, "\x02" + term.value
    if kind == "BlankNode":
        return term.value, "\x01" + term.value
    if term.datatype is not None and term.datatype.value in NUMERIC:
        try:
            return term.value, float(term.value)
        except ValueError:
            pass
    return term.value, "\x03" + term.value


def document_rows(store, graphs: list, spec_list: list[Spec] | None = None) -> dict[str, list[list]]:
    """Each canned query's rows for one document, evaluated over `graphs` (pyoxigraph NamedNodes: the document's
    graph and what it sees beside it) as the default graph. A row is the per-document query's cells."""
    out = {}
    for spec in spec_list if spec_list is not None else specs():
        res = store.query(spec.query, default_graph=graphs)
        names = [v.value for v in res.variables]
        out[spec.name] = [[s[v] for v in names] for s in res], names
    return {name: _encode(rows, names) for name, (rows, names) in out.items()}


def _encode(rows, names) -> list[list]:
    """Rows as plain values, picklable and ready for SQLite: per variable its text and its sort key."""
    return {"names": names, "rows": [[c for t in r for c in cell(t)] for r in rows]}


# ---------------------------------------------------------------------------------------------------------
# shared nodes that documents state differently

def _subject(line: str) -> str | None:
    return line[1:line.index(">")] if line.startswith("<") else None


class SharedLedger:
    """What a load's documents say of the shared nodes (statutes, parties), for exact per-document rows.

    A document's rows are computed with its own statements of the shared nodes it leads to, but a query of the
    whole store sees every document's: two documents that name one ordinance with two titles give it two labels,
    and the rows of both must show both. So the writer notes each document's shared statements here as it arrives;
    a node some document states differently from the others is 'varying', and its statements (few: a handful of
    nodes in a thousand documents) go with every later chunk to the workers, which add them to the documents that
    lead to the node before computing their rows. A document whose rows were computed before it could see all of
    them (it came first, or was in flight) is redone from the store when the rows are settled."""

    def __init__(self, count_in_store):
        self._count_in_store = count_in_store     # node -> its statements in the store's shared graph now
        self.lines: dict[str, set[str]] = {}      # node -> every statement of it seen (N-Triples, shared graph)
        self.before: dict[str, int] = {}          # node -> its statements in the store when first seen
        self.varying: set[str] = set()
        self.used: dict[str, dict[str, int]] = {}  # document graph -> node -> statements its rows saw
        self._forward: str | None = None

    def forwarded(self) -> str:
        """The varying nodes' statements, for the workers (N-Triples)."""
        if self._forward is None:
            self._forward = "".join(sorted(line for node in self.varying for line in self.lines[node]))
        return self._forward

    def note(self, graph: str, shared_nq: str, used: dict[str, int] | None) -> None:
        """A document's shared statements as it arrives (used: how many statements of each node its rows saw;
        None when its rows were not computed)."""
        own: dict[str, set[str]] = {}
        for line in shared_nq.splitlines(keepends=True):
            node = _subject(line)
            if node is not None:
                own.setdefault(node, set()).add(line[:line.rindex("<")].rstrip() + " .\n")
        for node, mine in own.items():
            if node not in self.lines:
                self.before[node] = self._count_in_store(node)
                self.lines[node] = set(mine)
                if self.before[node]:                 # stated by documents of earlier loads: theirs may differ
                    self.varying.add(node)
                    self._forward = None
            elif mine != self.lines[node]:
                self.lines[node] |= mine
                if node not in self.varying:
                    self.varying.add(node)
                    self._forward = None
                elif not mine <= self.lines[node]:
                    self._forward = None
        if used is not None:
            self.used[graph] = {node: max(used.get(node, 0), len(mine)) for node, mine in own.items()}

    def to_redo(self, leading_to) -> set[str]:
        """The documents whose rows did not see every statement the store now holds of a node they lead to: this
        load's, from what their rows saw; earlier loads' (leading_to(node): the documents that lead to a node),
        where this load added statements to a node they lead to."""
        now = {node: self._count_in_store(node) for node in self.lines}
        redo = {graph for graph, seen in self.used.items() if any(n < now[node] for node, n in seen.items())}
        for node, before in self.before.items():
            if before and now[node] > before:
                redo |= leading_to(node)
        return redo


# ---------------------------------------------------------------------------------------------------------
# the rows kept beside a store

class RowBook:
    """DIR/rows.sqlite: one table per canned query holding every document's rows, with an index in the query's
    order. Valid for one generation of the store (the answer book's token, see answers.py): stamp() after the
    rows match the store, and valid(token) before reading; anything else evaluates the query."""

    FILE = "rows.sqlite"

    def __init__(self, directory: str | Path, read_only: bool = False):
        self.path = Path(directory) / self.FILE
        self.read_only = read_only
        self._lock = threading.RLock()
        self._db = None
        self._tables: dict[str, tuple[Spec, str, list[str]]] = {}

    # -- connection and schema --------------------------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection | None:
        if self._db is None:
            if self.read_only:
                if not self.path.exists():
                    return None
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        return self._db

    def _meta(self, key: str) -> str | None:
        db = self.db
        if db is None:
            return None
        try:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def _set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def table(self, spec: Spec, names: list[str] | None = None) -> tuple[str, list[str]] | None:
        """The table of a spec (made when writing and names are known): (table, the per-document query's
        variables). None when there is none, or when it was made for another text of the query."""
        hit = self._tables.get(spec.name)
        if hit and hit[0] == spec:
            return hit[1], hit[2]
        table = "rows_" + re.sub(r"\W", "_", spec.name)
        kept = self._meta(f"table:{spec.name}")
        if kept:
            info = json.loads(kept)
            if info["fingerprint"] == spec.fingerprint:
                self._tables[spec.name] = (spec, table, info["names"])
                return table, info["names"]
        if names is None or self.read_only:
            return None
        with self._lock:
            db = self.db
            db.execute(f"DROP TABLE IF EXISTS {table}")
            cols = ", ".join(f"t{i} TEXT, k{i}" for i in range(len(names)))
            db.execute(f"CREATE TABLE {table} (graph TEXT NOT NULL, {cols})")
            db.execute(f"CREATE INDEX {table}_graph ON {table} (graph)")
            pos = {n: i for i, n in enumerate(names)}
            if spec.summed:
                keys = [f"t{pos[n]}" for n in names if n not in spec.summed]
            else:
                keys = [f"t{pos[p]}" for p in spec.params] + \
                       [f"k{pos[v]}{' DESC' if desc else ''}" for v, desc in spec.order]
            if keys:
                db.execute(f"CREATE INDEX {table}_order ON {table} ({', '.join(keys)})")
            self._set_meta(f"table:{spec.name}", json.dumps({"fingerprint": spec.fingerprint, "names": names}))
            self._set_meta("stamp", None)      # a new table has no rows yet
        self._tables[spec.name] = (spec, table, names)
        return table, names

    # -- writing ----------------------------------------------------------------------------------------
    def put(self, documents: list[tuple[str, dict]], spec_list: list[Spec] | None = None) -> None:
        """Documents' rows (graph IRI, document_rows()), replacing any kept for the same graphs, in one
        transaction."""
        spec_list = spec_list if spec_list is not None else specs()
        by_name = {s.name: s for s in spec_list}
        with self._lock:
            db = self.db
            db.execute("BEGIN")
            try:
                graphs = [(g,) for g, _ in documents]
                for spec in spec_list:
                    known = self.table(spec)
                    if known:
                        db.executemany(f"DELETE FROM {known[0]} WHERE graph = ?", graphs)
                for graph, rows in documents:
                    for name, data in rows.items():
                        spec = by_name.get(name)
                        if spec is None:
                            continue
                        table, names = self.table(spec, data["names"])
                        if names != data["names"]:
                            raise ValueError(f"{name}: rows with variables {data['names']}, table has {names}")
                        marks = ", ".join("?" for _ in range(1 + 2 * len(names)))
                        db.executemany(f"INSERT INTO {table} VALUES ({marks})", ((graph, *r) for r in data["rows"]))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def delete(self, graphs: list[str]) -> None:
        with self._lock:
            db = self.db
            db.execute("BEGIN")
            for spec in specs():
                known = self.table(spec)
                if known:
                    db.executemany(f"DELETE FROM {known[0]} WHERE graph = ?", [(g,) for g in graphs])
            db.execute("COMMIT")

    def graphs(self) -> dict[str, set[str]]:
        """The graphs each canned query holds rows for (a document whose queries found nothing holds none: the
        set of documents loaded is kept in the table 'documents')."""
        db = self.db
        if db is None:
            return {}
        out = {}
        for spec in specs():
            known = self.table(spec)
            out[spec.name] = {g for (g,) in db.execute(f"SELECT DISTINCT graph FROM {known[0]}")} if known else set()
        return out

    def documents(self) -> set[str]:
        db = self.db
        if db is None:
            return set()
        db_tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "documents" not in db_tables:
            return set()
        return {g for (g,) in db.execute("SELECT graph FROM documents")}

    def set_documents(self, add: list[str] = (), remove: list[str] = ()) -> None:
        with self._lock:
            db = self.db
            db.execute("CREATE TABLE IF NOT EXISTS documents (graph TEXT PRIMARY KEY)")
            db.executemany("INSERT OR IGNORE INTO documents VALUES (?)", [(g,) for g in add])
            db.executemany("DELETE FROM documents WHERE graph = ?", [(g,) for g in remove])

    def stamp(self, generation: str | None) -> None:
        """The rows match the store as it is at `generation` (None: they may not)."""
        with self._lock:
            self._set_meta("stamp", generation)

    def valid(self, generation: str) -> bool:
        return bool(generation) and self._meta("stamp") == generation

    def settle(self, generation: str) -> None:
        """Before stamp(generation): each canned query's total with its default values, and the whole answer of
        an aggregate (small: a row per law and article), kept for that generation. A count over half a million
        rows, or a sum over them, takes seconds on a cold disk; read from here, the first page after a load takes
        milliseconds whatever the store's size."""
        with self._lock:
            for spec in specs():
                sel = self._select(spec, {})
                if sel is None:
                    continue
                _, rows_sql, count_sql, args = sel
                db = self.db
                rows = None
                if spec.summed:
                    rows = [[("" if c is None else str(c)) for c in r] for r in db.execute(rows_sql, args)]
                total = len(rows) if rows is not None else db.execute(count_sql, args).fetchone()[0]
                self._set_meta(f"settled:{spec.name}", json.dumps(
                    {"generation": generation, "values": args, "total": total, "rows": rows}, ensure_ascii=False))

    def _settled(self, spec: Spec, args: list) -> dict | None:
        """What settle() kept for the query with these values, if it holds for the rows as they are stamped."""
        kept = self._meta(f"settled:{spec.name}")
        if not kept:
            return None
        info = json.loads(kept)
        stamp = self._meta("stamp")
        return info if stamp and info["generation"] == stamp and info["values"] == list(args) else None

    # -- reading ----------------------------------------------------------------------------------------
    def _select(self, spec: Spec, values: dict[str, str]):
        known = self.table(spec)
        if known is None:
            return None
        table, names = known
        pos = {n: i for i, n in enumerate(names)}
        visible = [n for n in names if n not in spec.hidden]
        where, args = [], []
        for p, default in zip(spec.params, spec.defaults):
            where.append(f"t{pos[p]} = ?")
            args.append(values.get(p) or default)
        cond = f" WHERE {' AND '.join(where)}" if where else ""
        if spec.summed:
            group = [n for n in visible if n not in spec.summed]
            cols = ", ".join(f"CAST(SUM(k{pos[n]}) AS INTEGER)" if n in spec.summed else f"t{pos[n]}" for n in visible)
            order = ", ".join((f"SUM(k{pos[v]})" if v in spec.summed else f"MIN(k{pos[v]})") + (" DESC" if d else "")
                              for v, d in spec.order) or "1"
            body = (f"FROM {table}{cond} GROUP BY {', '.join(f't{pos[n]}' for n in group) or 'graph'}")
            return (visible, f"SELECT {cols} {body} ORDER BY {order}", f"SELECT COUNT(*) FROM (SELECT 1 {body})",
                    args)
        cols = ", ".join(f"t{pos[n]}" for n in visible)
        order = ", ".join(f"k{pos[v]}{' DESC' if d else ''}" for v, d in spec.order)
        order = f"{order + ', ' if order else ''}rowid"
        return (visible, f"SELECT {cols} FROM {table}{cond} ORDER BY {order}",
                f"SELECT COUNT(*) FROM {table}{cond}", args)

    def page(self, spec: Spec, values: dict[str, str], offset: int = 0, limit: int | None = 100):
        """(columns, rows, total) of a canned query's answer, rows from `offset`; None without rows kept."""
        sel = self._select(spec, values)
        if sel is None:
            return None
        columns, rows_sql, count_sql, args = sel
        with self._lock:
            settled = self._settled(spec, args)
            if settled is not None and settled["rows"] is not None:
                end = None if limit is None else offset + int(limit)
                return columns, settled["rows"][offset:end], settled["total"]
            db = self.db
            total = settled["total"] if settled is not None else db.execute(count_sql, args).fetchone()[0]
            lim = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else (f" LIMIT -1 OFFSET {int(offset)}"
                                                                                       if offset else "")
            rows = [[("" if c is None else str(c)) for c in r] for r in db.execute(rows_sql + lim, args)]
        return columns, rows, total

    def export(self, spec: Spec, values: dict[str, str], batch: int = 5000) -> tuple[list[str], Iterator[list[str]]]:
        """Every row of a canned query's answer, streamed (columns, row iterator)."""
        sel = self._select(spec, values)
        if sel is None:
            raise LookupError(spec.name)
        columns, rows_sql, _, args = sel
        with self._lock:
            settled = self._settled(spec, args)
        if settled is not None and settled["rows"] is not None:
            return columns, iter(settled["rows"])

        def rows():
            # a connection of its own: an export streamed by a web server's thread while others read pages
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            try:
                cur = db.execute(rows_sql, args)
                while True:
                    chunk = cur.fetchmany(batch)
                    if not chunk:
                        return
                    for r in chunk:
                        yield [("" if c is None else str(c)) for c in r]
            finally:
                db.close()
        return columns, rows()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


__all__ = ["Spec", "spec_of", "specs", "NotPerDocument", "document_rows", "cell", "RowBook", "SharedLedger"]
