"""The pia-graph command line: build, validate, query, extract, load, serve, viz.

typer gives typed options and --help from the signatures; rich gives the progress bar and tables.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn 特定個人情報保護評価書 (My Number privacy impact assessments) into a validated RDF graph.")
# A terminal's own width; 120 columns when writing to a file or pipe (COLUMNS overrides both): tables fold long
# cells onto more lines rather than cut them.
out = Console(width=None if Console().is_terminal or os.environ.get("COLUMNS") else 120)
err = Console(stderr=True, soft_wrap=True)   # an error stays on one line, whatever the terminal width

SUMMARY_COLUMNS = ["document", "form", "body", "files", "provisions", "transfers", "outsourcing", "citations",
                   "violations", "warnings", "unknown"]


# Short headers keep the summary within 120 columns with whole document and body names; the caption spells them out.
SUMMARY_HEADERS = {"provisions": "提供", "transfers": "移転", "outsourcing": "委託", "citations": "cit.",
                   "violations": "viol.", "warnings": "warn.", "unknown": "unkn."}


def summary_table(rows: list[dict]) -> Table:
    table = Table(title="pia-graph build summary", show_lines=False, box=box.SIMPLE_HEAD,
                  caption="提供/移転/委託: provision, transfer and outsourcing rows; cit.: citations; viol./warn.: "
                          "SHACL violations and warnings; unkn.: checkboxes read as unknown")
    for c in SUMMARY_COLUMNS:
        text = c in ("document", "form", "body")
        table.add_column(SUMMARY_HEADERS.get(c, c), justify="left" if text else "right", overflow="fold",
                         no_wrap=c == "document")
    for r in rows:
        if "error" in r:
            table.add_row(r["document"], "[red]error[/red]", r["error"], *[""] * (len(SUMMARY_COLUMNS) - 3))
        else:
            table.add_row(*[str(r[c]) for c in SUMMARY_COLUMNS])
    return table


@app.command()
def build(paths: List[Path] = typer.Argument(..., help="Assessment documents or folders of them"),
          output: Path = typer.Option(Path("out/pia-graph.trig"), "-o", "--output", help="Graph file to write"),
          fmt: Optional[str] = typer.Option(None, "--format", help="trig, nquads, turtle, json-ld (default: by extension)"),
          no_validate: bool = typer.Option(False, "--no-validate", help="Skip SHACL validation"),
          summary_json: Optional[Path] = typer.Option(None, "--summary-json", help="Also write the summary table as JSON"),
          jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes (0: one per CPU core; "
                                             "default: one per core from a dozen documents on, else one)"),
          validator: str = typer.Option("auto", "--validator", help="sparql: the shapes compiled to SPARQL, run by "
                                        "pyoxigraph over a batch of documents (the default); pyshacl: the reference")):
    """Extract, map, validate and write the graph: one named graph per assessment plus a shared graph."""
    from . import services
    from .pipeline import collect
    from .sources import SourceTexts
    from .store import format_for, write_dataset, write_nquads

    try:
        format_for(output, fmt)
    except ValueError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    files = collect(paths)
    if not files:
        err.print("[red]error:[/red] no documents found in " + ", ".join(map(str, paths)))
        raise typer.Exit(2)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=False, disable=not err.is_terminal and len(files) < 2) as progress:
        task = progress.add_task("building", total=len(files))

        def advance(done: int, total: int, name: str) -> None:
            progress.update(task, completed=done, description=f"built {name}")

        try:
            built = services.build(files, validate=not no_validate, jobs=jobs, validator=validator, progress=advance,
                                   sources=SourceTexts.beside(output))
        except ValueError as e:      # an unknown validator, or shapes the compiled one cannot take
            err.print(f"[red]error:[/red] {e}")
            raise typer.Exit(2)
    for error in built.errors:
        err.print(f"[red]error:[/red] {error}")
    quads = built.nquads()
    written = write_nquads(quads, output, fmt) or write_dataset(built.dataset, output, fmt)
    out.print(summary_table(built.summaries))
    n = quads.count(b"\n")
    out.print(f"wrote {output} ({written}, {n} quads) from {len(files) - built.failed} of {len(files)} documents")
    style = {"violation": "red", "could not be read": "red", "declared ≠ read": "yellow"}
    for kind, name, text in built.notices:
        err.print(f"[{style[kind]}]{kind}:[/{style[kind]}] {name}: {text}")
    if summary_json:
        summary_json.write_text(json.dumps(built.summaries, ensure_ascii=False, indent=2), encoding="utf-8")
    violations = sum(r.get("violations", 0) for r in built.summaries)
    if built.failed or violations or built.unread:
        # The graph is written all the same: what could be read is in it, and what could not is named above.
        err.print(f"[red]{built.failed} document(s) could not be read, {built.unread} required part(s) unread, "
                  f"{violations} violation(s)[/red]: exit 1")
        raise typer.Exit(1)


@app.command()
def validate(graph: Path = typer.Argument(..., help="A graph file written by build"),
             fmt: Optional[str] = typer.Option(None, "--format"),
             show_warnings: bool = typer.Option(True, "--warnings/--no-warnings", help="List warnings too"),
             validator: str = typer.Option("auto", "--validator", help="sparql (the shapes compiled to SPARQL, run by "
                                           "pyoxigraph; the default) or pyshacl (the reference, one document at a "
                                           "time; both give the same findings)")):
    """Run the SHACL shapes per assessment and print a readable report; exit 1 on violations.

    Each finding names where to look: the document and lines of the node it is about (or of the file or row it
    hangs from, said so), or, for a shared node such as a party or an article, the documents it was found in."""
    from .pipeline import choose_validator
    from .store import load_dataset
    from .validate import counts, validate_dataset

    try:
        engine = choose_validator(validator)
        ds = load_dataset(graph, fmt)
    except (FileNotFoundError, ValueError) as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    findings = validate_dataset(ds, engine)
    total = counts(findings)
    table = Table(title=f"SHACL report for {graph}", box=box.SIMPLE_HEAD)
    table.add_column("severity", no_wrap=True)
    # a whole file#Lstart-Lend on one line; the message gets the rest of the width
    table.add_column("source", overflow="fold", min_width=37, max_width=40)
    table.add_column("focus", overflow="fold", max_width=24)
    table.add_column("message", overflow="fold")
    for f in findings:
        if f.severity == "Violation" or show_warnings:
            style = {"Violation": "red", "Warning": "yellow"}.get(f.severity, "cyan")
            where = "\n".join(filter(None, (f.source, f.lines_of and f"(lines of {f.lines_of})"))) \
                or "\n".join(f.documents)
            table.add_row(f"[{style}]{f.severity}[/{style}]", where, f.label or f.focus, f.message)
    out.print(table)
    out.print(f"violations: {total['Violation']}  warnings: {total['Warning']}  info: {total['Info']}")
    if total["Violation"]:
        raise typer.Exit(1)


@app.command()
def query(query_text: str = typer.Argument(..., metavar="QUERY", help="A .rq file, a canned query name, or SPARQL text"),
          data: Optional[Path] = typer.Option(None, "--data", "-d", help="Graph file to query"),
          store: Optional[str] = typer.Option(None, "--store", help="…or a store: a directory written by `load` "
                                                                     "(pyoxigraph) or a SPARQL endpoint URL"),
          fmt: str = typer.Option("table", "--format", "-f", help="table, csv, tsv or json"),
          columns: Optional[str] = typer.Option(None, "--columns", "-c", help="Comma-separated variables to show in "
                                                "the table, or 'all' (the flagship shows a compact set by default)"),
          fresh: bool = typer.Option(False, "--fresh", help="With --store: evaluate even if the store's answer book "
                                                            "holds the answer for the store as it is"),
          timeout: float = typer.Option(120.0, "--timeout", help="Seconds to wait for a remote store's answer")):
    """Run a SPARQL query over a graph file or a store.

    On a store directory, a SELECT or ASK already answered since the store last changed (`load` answers the
    flagship question when it finishes) is read from the store's answer book instead of being evaluated again.
    A query that finds no pia-graph documents where it looks says so and exits 1 instead of printing an empty table."""
    from . import services
    from .citations import SHORT_NAMES
    from .namespaces import shorten
    from .query import QueryError, canned_source, format_result, format_rows, resolve_query, run
    from .sparql_endpoint import EndpointError
    from .stores import NoDocuments, StoreError

    if (data is None) == (store is None):
        err.print("[red]error:[/red] give exactly one of --data GRAPH or --store DIR|URL")
        raise typer.Exit(2)
    rendered = None          # a CONSTRUCT's graph as Turtle, made while its store is open
    spec = str(data) if data is not None else store
    try:
        text = resolve_query(query_text)
        if data is not None and not data.exists():
            raise FileNotFoundError(f"{data}: no such graph file")
        reader = services.open_reader(spec, **({"timeout": timeout} if spec.startswith(("http://", "https://")) else {}))
        try:
            canned = query_text if text == canned_source(query_text) else None
            answer = services.ask(reader, text, fresh=fresh, canned=canned)
            if fmt in ("turtle", "ttl") and hasattr(reader, "dataset"):
                result = run(reader.dataset(), text)
                if result.type in ("CONSTRUCT", "DESCRIBE"):
                    rendered = format_result(result, fmt)
        finally:
            reader.close()     # a store's lock goes with it (another command may open it next)
    except NoDocuments as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(1)
    except (QueryError, EndpointError, StoreError, FileNotFoundError, ValueError) as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    for note in answer.notes:
        err.print(note)
    table_rows = (answer.columns, answer.rows)
    if fmt == "table":
        header, body = table_rows
        try:
            shown = table_columns(header, columns)
        except ValueError as e:
            err.print(f"[red]error:[/red] {e}")
            raise typer.Exit(2)
        table = Table(show_lines=False, box=box.SIMPLE_HEAD)
        for h in shown:
            table.add_column(h, overflow="fold", min_width=min(len(h), 12), no_wrap=h == "source")
        at = [header.index(h) for h in shown]
        for r in body:
            # A terminal table cannot fit full IRIs nor a statute's full title: it shows prefixed names and the
            # law's usual short name (個人番号カード省令); csv/tsv/json keep them whole.
            table.add_row(*(SHORT_NAMES.get(r[i]) or shorten(r[i]) for i in at))
        out.print(table)
        hidden = len(header) - len(shown)
        out.print(f"{len(body)} row(s)" + (f"; {hidden} more variable(s) with --columns all or -f csv" if hidden else ""))
    else:
        try:
            sys.stdout.write(rendered if rendered is not None else format_rows(*table_rows, fmt))
        except QueryError as e:
            err.print(f"[red]error:[/red] {e}")
            raise typer.Exit(2)


# The flagship's 13 variables do not fit a terminal: by default the table shows what a reader needs (the rest are
# IRIs and the article's heading), and --columns all / -f csv give everything.
COMPACT = {"files-to-kiko": ["organization", "fileName", "kind", "recipient", "lawName", "article", "source"],
           "files-to-party": ["organization", "fileName", "kind", "recipient", "lawName", "article", "source"]}


def table_columns(header: list[str], columns: str | None) -> list[str]:
    """The variables the terminal table shows: --columns, else the compact set when the result has it, else all."""
    if columns and columns.strip().lower() != "all":
        wanted = [c.strip().lstrip("?") for c in columns.split(",") if c.strip()]
        unknown = [c for c in wanted if c not in header]
        if unknown:
            raise ValueError(f"--columns: no variable {', '.join(unknown)} in the result ({', '.join(header)})")
        return wanted
    if columns is None:
        for compact in COMPACT.values():
            if set(compact) <= set(header):
                return compact
    return header


@app.command()
def extract(document: Path = typer.Argument(..., help="One assessment document"),
            fmt: str = typer.Option("json", "--format", "-f", help="json")):
    """Print the typed model of one document (for debugging and tests)."""
    from .pipeline import extract as run_extract
    from .read import InputError

    try:
        doc = run_extract(document)
    except InputError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(1)
    if fmt != "json":
        err.print(f"[red]error:[/red] unknown format {fmt!r}; only json is supported")
        raise typer.Exit(2)
    sys.stdout.write(doc.model_dump_json(indent=2) + "\n")


@app.command()
def queries():
    """List the canned queries with their titles."""
    from .query import canned_queries

    table = Table(title="canned queries")
    for c in ("name", "title", "description"):
        table.add_column(c, overflow="fold")
    for q in canned_queries():
        table.add_row(q.name, q.title, q.description)
    out.print(table)


@app.command()
def load(paths: Optional[List[Path]] = typer.Argument(None, help="Assessment documents or folders of them"),
         store: str = typer.Option(..., "--store", help="A directory (pyoxigraph on disk) or a SPARQL endpoint URL "
                                                        "(Virtuoso's http://host:8890/sparql, Fuseki's http://host:3030/ds, "
                                                        "Oxigraph's http://host:7878)"),
         jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes for extraction and "
                                            "validation (0 or default: one per CPU core)"),
         validate: bool = typer.Option(True, "--validate/--no-validate", help="Validate every document with the "
                                       "SHACL shapes and keep its report in the store (id:graph/report/KEY)"),
         validator: str = typer.Option("auto", "--validator", help="sparql (the shapes compiled to SPARQL, run by "
                                       "pyoxigraph over a chunk of documents at once) or pyshacl (the reference)"),
         keep_history: bool = typer.Option(False, "--keep-history", help="Keep a replaced version as a dated graph"),
         drop: Optional[List[str]] = typer.Option(None, "--drop", help="Drop a document (by file name) first"),
         warm: bool = typer.Option(True, "--warm/--no-warm", help="Answer the flagship question (files-to-kiko "
                                   "and the 機構 page) when done, so query and serve answer it at once"),
         update_url: Optional[str] = typer.Option(None, "--update-url", help="A remote store's SPARQL Update endpoint "
                                                  "(found by itself: URL/update, or the query endpoint for Virtuoso)"),
         gsp_url: Optional[str] = typer.Option(None, "--gsp-url", help="A remote store's Graph Store Protocol endpoint "
                                               "(found by itself: /sparql-graph-crud, /data or /store)"),
         timeout: float = typer.Option(120.0, "--timeout", help="Seconds to wait for each answer of a remote store")):
    """Ingest documents into a persistent store: one named graph per document, keyed by its content hash.

    Re-ingesting the same bytes is a no-op, a new version of the same file replaces its graph, and each
    document is written in one transaction, so a crash leaves whole documents only. The ontology goes into the
    store too (graph id:graph/ontology), so that validation in the store sees what `validate` sees."""
    from . import services
    from .pipeline import collect
    from .stores import StoreError

    if not paths and not drop:
        err.print("[red]error:[/red] give documents to load (PATH...) or --drop NAME")
        raise typer.Exit(2)
    remote = store.startswith(("http://", "https://"))
    options = {"update_url": update_url, "gsp_url": gsp_url, "timeout": timeout} if remote else {}
    try:
        st = services.open_store(store, **options)
    except StoreError as e:       # a URL nothing answers at, a directory that cannot be opened (locked, not a store)
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    failed = 0
    try:
        for name in drop or []:
            out.print(f"dropped {name}" if st.drop(name) else f"[yellow]not in the store:[/yellow] {name}")
        if paths:
            files = collect(paths)
            with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=err, disable=not err.is_terminal) as progress:
                task = progress.add_task("ingest", total=len(files))

                def advance(done: int, total: int, name: str) -> None:
                    progress.update(task, total=total, completed=done,
                                    description="writing" if name == "writing" else "ingest")

                report = services.ingest(st, files, jobs=jobs, keep_history=keep_history, validate=validate,
                                         validator=validator, progress=advance)
            table = Table(title=f"pia-graph load into {store}")
            for c in ("document", "action", "triples", "detail"):
                table.add_column(c, overflow="fold")
            for o in report.outcomes:
                style = "red" if o.action == "error" else ""
                table.add_row(o.name, f"[{style}]{o.action}[/{style}]" if style else o.action, str(o.triples),
                              o.error or (f"replaced {o.replaced}" if o.replaced else ""))
            out.print(table)
            out.print(f"added {report.count('added')}, replaced {report.count('replaced')}, unchanged "
                      f"{report.count('unchanged')}, failed {report.count('error')} in {report.seconds:.1f} s; "
                      f"{st.triple_count()} triples in the store")
            failed = report.count("error")
            if report.validated:
                v, w = report.validated["Violation"], report.validated["Warning"]
                out.print(f"validated {report.validated['documents']} document(s) ({report.validated['validator']}): "
                          f"{v} violation(s) in {report.validated['with violations']} document(s), {w} warning(s); "
                          f"the reports are in the store: `pia-graph query validation --store {store}`")
        elif drop and hasattr(st, "settle_rows"):
            st.settle_rows()
        if warm and getattr(st, "answers", None) is not None:
            for name, n, seconds, cached in services.warm(st):
                how = "already answered" if cached else f"answered in {seconds:.1f} s"
                out.print(f"{name}: {n} rows {how}; kept in the store's answer book until the store changes")
    except StoreError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    finally:
        st.close()
    if failed:
        raise typer.Exit(1)


@app.command()
def serve(graph: Optional[Path] = typer.Argument(None, help="Graph file (default: build and serve the bundled samples)"),
          store: Optional[Path] = typer.Option(None, "--store", help="Serve a pyoxigraph store written by `load` "
                                               "(with --allow-ingest, uploads are written to it)"),
          host: str = typer.Option("127.0.0.1", "--host"),
          port: int = typer.Option(8000, "--port"),
          query_timeout: float = typer.Option(10.0, "--query-timeout", help="Seconds a SPARQL query may run"),
          max_results: int = typer.Option(10000, "--max-results", help="Rows a SPARQL query may return"),
          max_request_bytes: int = typer.Option(1_048_576, "--max-request-bytes", help="Largest request body"),
          allow_ingest: bool = typer.Option(False, "--allow-ingest/--no-allow-ingest",
                                            help="Accept documents at POST /api/ingest (off by default)"),
          ingest_token: Optional[str] = typer.Option(None, "--ingest-token", envvar="PIA_GRAPH_INGEST_TOKEN",
                                                     help="Bearer token that ingest requires"),
          max_ingest_bytes: int = typer.Option(52_428_800, "--max-ingest-bytes", help="Largest uploaded document")):
    """Serve the graph: SPARQL 1.1 endpoint at /sparql, web pages, JSON API (/docs) and the graph view."""
    from .server import serve_main
    from .stores import StoreError

    try:
        serve_main(graph, store=store, host=host, port=port, query_timeout=query_timeout, max_results=max_results,
                   max_request_bytes=max_request_bytes, max_ingest_bytes=max_ingest_bytes,
                   allow_ingest=allow_ingest, ingest_token=ingest_token)
    except (StoreError, FileNotFoundError) as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)


@app.command()
def viz(graph: Path = typer.Argument(..., help="Graph file"),
        output: Path = typer.Option(Path("out/graph.html"), "-o", "--output"),
        focus: Optional[str] = typer.Option(None, "--focus", help="IRI of the node whose neighbourhood to draw"),
        types: Optional[List[str]] = typer.Option(None, "--type", help="Node types to keep: assessment, file, provision, party, article, law …"),
        depth: int = typer.Option(1, "--depth"),
        under: Optional[str] = typer.Option(None, "--under", help="Only nodes around this assessment, party or law")):
    """Write the interactive graph view (pyvis) as a standalone HTML file."""
    from .store import load_dataset
    from .viz import write_viz

    try:
        ds = load_dataset(graph)
        n = write_viz(ds, output, focus=focus, types=types, depth=depth, under=under)
    except (FileNotFoundError, ValueError) as e:     # ViewError: an unknown type, or a focus not in the graph
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    out.print(f"wrote {output} ({n} nodes)")


@app.command()
def version():
    """Print the version."""
    out.print(__version__)


if __name__ == "__main__":
    app()
