"""Real SPARQL engines for the tests and the benchmark, started on loopback: Oxigraph's server (the `oxigraph` wheel in
the test extras) and Debian's Virtuoso 7 (virtuoso-opensource, installed with apt-get when missing, where this
process may)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

VIRTUOSO_PACKAGE = "virtuoso-opensource"


class Unavailable(RuntimeError):
    """The engine cannot be had on this machine; the message says why."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Engine:
    name: str
    url: str                       # the SPARQL endpoint, as a user would give it
    process: subprocess.Popen
    directory: Path
    isql: list[str] = field(default_factory=list)     # Virtuoso's SQL client, for its own bulk loader

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def sparql(self, query: str) -> list[dict]:
        r = httpx.post(self.url, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                       timeout=60)
        r.raise_for_status()
        return r.json()["results"]["bindings"]

    def clear(self, prefix: str = "https://w3id.org/pia-graph/") -> None:
        """Drop every graph under prefix (the engine stays up for the next test)."""
        graphs = [b["g"]["value"] for b in self.sparql(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}')]
        update = self.url if self.name == "virtuoso" else self.url.rsplit("/", 1)[0] + "/update"
        for g in graphs:
            httpx.post(update, data={"update": f"DROP SILENT GRAPH <{g}>"}, timeout=60).raise_for_status()


def _wait_until_answering(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            r = httpx.post(url, data={"query": "SELECT (1 AS ?one) WHERE {}"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=2)
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise Unavailable(f"{url} did not start: {tail}")
        time.sleep(0.2)


def start_oxigraph(directory: Path, union: bool = True) -> Engine:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).exists():
        raise Unavailable("the oxigraph server is missing: it comes with the test extras (pip install -e '.[test]')")
    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "oxigraph.log"
    args = [binary, "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(args + (["--union-default-graph"] if union else []), stdout=subprocess.DEVNULL,
                            stderr=log.open("wb"))
    url = f"http://127.0.0.1:{port}/query"
    _wait_until_answering(url, proc, log)
    return Engine("oxigraph" if union else "oxigraph-no-union", url, proc, directory)


def virtuoso_binary() -> str:
    """virtuoso-t, installed from Debian with apt-get when it is missing and this process is root."""
    found = shutil.which("virtuoso-t")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise Unavailable(f"Virtuoso is not installed and cannot be: {'apt-get is missing' if os.geteuid() == 0 else 'not root'} "
                          f"(apt-get install {VIRTUOSO_PACKAGE})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", VIRTUOSO_PACKAGE]
    r = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:      # the package lists may be missing or old on a fresh machine
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
        r = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    found = shutil.which("virtuoso-t")
    if r.returncode != 0 or not found:
        last = (r.stderr or r.stdout).strip().splitlines()[-1:] or ["no output"]
        raise Unavailable(f"apt-get install {VIRTUOSO_PACKAGE} failed: {last[0]}")
    return found


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
DirsAllowed = ., {d}, {load_dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = {query_mem}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 600
"""


def start_virtuoso(directory: Path, load_dir: Path | None = None, buffers: int = 170_000,
                   max_rows: int = 1_000_000) -> Engine:
    """A fresh Virtuoso database in directory, SQL and HTTP on loopback, the SPARQL user allowed to update (as a
    store written by pia-graph needs). buffers: 8 KB pages of cache (170,000 ≈ 1.3 GB, Virtuoso's advice for 2 GB)."""
    binary = virtuoso_binary()
    directory.mkdir(parents=True, exist_ok=True)
    load_dir = load_dir or directory
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=directory, load_dir=load_dir, sql_port=sql_port, http_port=http_port,
                                       buffers=buffers, dirty=buffers * 3 // 4, max_rows=max_rows,
                                       query_mem="2G" if buffers > 200_000 else "1G"))
    log = directory / "virtuoso.log"
    proc = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=directory,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http_port}/sparql"
    _wait_until_answering(url, proc, log)
    isql = [shutil.which("isql-vt") or "isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba"]
    engine = Engine("virtuoso", url, proc, directory, isql)
    try:
        sql(engine, 'GRANT SPARQL_UPDATE TO "SPARQL"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET (\'nobody\', 7);')
    except Exception:
        engine.stop()
        raise
    return engine


def sql(engine: Engine, statements: str, timeout: float = 3600) -> str:
    """Statements run by Virtuoso's SQL client (for its own bulk loader and its grants)."""
    r = subprocess.run(engine.isql + [f"exec={statements}"], capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0 or "*** Error" in r.stdout:
        raise RuntimeError(f"isql failed: {(r.stdout + r.stderr).strip()[-500:]}")
    return r.stdout


def virtuoso_bulk_load(engine: Engine, folder: Path, pattern: str = "*.nq", graph: str = "urn:unused") -> None:
    """Virtuoso's own bulk loader (ld_dir, rdf_loader_run, checkpoint) over the files in folder: quads keep their
    graphs; graph is only the default for triple files."""
    sql(engine, f"ld_dir('{folder}', '{pattern}', '{graph}'); rdf_loader_run(); checkpoint;")
