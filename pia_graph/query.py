"""Run SPARQL over a loaded graph and format the results; canned queries live in queries/*.rq."""

from __future__ import annotations

import csv
import importlib.resources
import io
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset
from rdflib.plugins.sparql.parser import parseQuery

from .namespaces import sparql_prologue

# queries/ at the top of the repository, shipped in the wheel as pia_graph.queries (pip installs packages unzipped,
# so importlib.resources gives a directory on disk)
QUERIES_DIR = Path(str(importlib.resources.files("pia_graph.queries")))


# rdflib's SPARQL parser (pyparsing) is not thread-safe: under concurrent requests it fails at random. Every
# parse and algebra translation in the process (server, validation, CLI) goes through this one lock.
PARSE_LOCK = threading.RLock()


class QueryError(ValueError):
    """A malformed or refused query, with the parser's own words."""


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    text: str
    path: Path


def parse_header(text: str) -> tuple[str, str]:
    """Canned queries start with '# title: …' and '# description: …' comment lines."""
    title = description = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = re.match(r"#\s*(title|description)\s*:\s*(.*)", line)
        if m and m.group(1) == "title":
            title = m.group(2).strip()
        elif m:
            description = m.group(2).strip()
        elif description and line.startswith("#  "):
            description += " " + line[1:].strip()
    return title, description


def canned_queries(directory: Path = QUERIES_DIR) -> list[CannedQuery]:
    out = []
    for p in sorted(directory.glob("*.rq")):
        text = p.read_text(encoding="utf-8")
        title, description = parse_header(text)
        out.append(CannedQuery(p.stem, title or p.stem, description, text, p))
    return out


def resolve_query(arg: str) -> str:
    """A query given as a file path, a canned query's name, or inline text."""
    p = Path(arg)
    if p.suffix == ".rq" and p.exists():
        return p.read_text(encoding="utf-8")
    named = QUERIES_DIR / f"{arg}.rq"
    if re.fullmatch(r"[\w-]+", arg) and named.exists():
        return named.read_text(encoding="utf-8")
    if p.suffix == ".rq":
        raise QueryError(f"{arg}: no such query file")
    return arg


def canned_source(name: str) -> str | None:
    """A canned query's text by its name, None when there is no such query."""
    named = QUERIES_DIR / f"{name}.rq"
    return named.read_text(encoding="utf-8") if re.fullmatch(r"[\w-]+", name) and named.exists() else None


def with_prefixes(text: str) -> str:
    """Add the project's prefixes unless the query declares them itself."""
    declared = set(re.findall(r"PREFIX\s+([\w-]*):", text, flags=re.I))
    missing = "".join(line for line in sparql_prologue().splitlines(keepends=True)
                      if line.split()[1].rstrip(":") not in declared)
    return missing + text


def check_syntax(text: str) -> None:
    try:
        with PARSE_LOCK:
            parseQuery(text)
    except Exception as e:
        raise QueryError(f"malformed SPARQL: {e}") from None


FLAGSHIP = "files-to-kiko"


def canned_text(name: str) -> str:
    return (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")


# A canned query's parameters are its single-IRI VALUES blocks (VALUES ?kiko { <…party/j-lis> }).
VALUES_PARAM = re.compile(r"VALUES\s+\?(?P<var>\w+)\s*\{\s*<(?P<iri>[^<>\s]+)>\s*\}", re.I)
SAFE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\s]*$")


def query_params(text: str) -> dict[str, str]:
    """A canned query's parameters with their defaults."""
    return {m.group("var"): m.group("iri") for m in VALUES_PARAM.finditer(text)}


def bind_values(text: str, values: dict[str, str]) -> str:
    """Give parameters other IRIs: every VALUES block of the variable (a query may bind one in two places)."""
    def sub(m):
        v = values.get(m.group("var"))
        if not v:
            return m.group(0)
        if not SAFE_IRI.match(v):
            raise QueryError(f"parameter {m.group('var')}: not an IRI: {v!r}")
        return f"VALUES ?{m.group('var')} {{ <{v}> }}"
    return VALUES_PARAM.sub(sub, text)


def party_files_query(party: str) -> str:
    """The flagship question for any party, with the row and the article node too (the web pages link them)."""
    text = bind_values(canned_text(FLAGSHIP), {"kiko": party})
    text = text.replace("SELECT ?assessment", "SELECT ?row ?articleNode ?assessment", 1)
    return text[text.index("SELECT"):]


def run(ds: Dataset, text: str):
    text = with_prefixes(text)
    check_syntax(text)
    try:
        return ds.query(text)
    except Exception as e:
        raise QueryError(f"query failed: {e}") from None


def term_text(term) -> str:
    return "" if term is None else str(term)


def rows(result) -> tuple[list[str], list[list[str]]]:
    if result.type == "ASK":
        return ["ask"], [[str(bool(result.askAnswer)).lower()]]
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return ["s", "p", "o"], [[term_text(t) for t in triple] for triple in result.graph]
    variables = [str(v) for v in result.vars]
    return variables, [[term_text(r[v]) for v in result.vars] for r in result]


def format_result(result, fmt: str) -> str:
    if result.type in ("CONSTRUCT", "DESCRIBE") and fmt in ("turtle", "ttl"):
        return result.graph.serialize(format="turtle")
    return format_rows(*rows(result), fmt)


def format_rows(header: list[str], body: list[list[str]], fmt: str) -> str:
    """A table of strings (from a result, or from a store's answer book) as json, csv or tsv."""
    if fmt == "json":
        return json.dumps([dict(zip(header, r)) for r in body], ensure_ascii=False, indent=2)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
        return buf.getvalue()
    raise QueryError(f"unknown output format {fmt!r}")
