"""Benchmarks: extraction, build, validation (compiled shapes against pySHACL), ingest with and without validation at
several corpus sizes, every canned query from the kept rows and evaluated (pyoxigraph, rdflib, Virtuoso).

    .venv/bin/python bench/run.py [--sizes 1000,10000] [--runs 20] [--jobs N] [--rdflib-max 1000] [--no-profile]
                                  [--equivalence 200] [--build-runs 7] [--virtuoso-max 1000]
                                  [--workdir DIR [--reuse]] [--no-virtuoso | --engines-only]

Queries in bench/proposed/*.rq (rewrites proposed for queries/) are timed on pyoxigraph next to the canned ones.

Prints one table per measure and writes docs/benchmarks.md (machine, tables, profile of the slowest part).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SHAPES = {"000": "fragment (PDF text)", "001": "PDF layout", "002": "PDF + 別紙 tables", "003": "OCR", "004": "table export"}


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        ram = f"{int(mem.split()[1]) / 1024 / 1024:.1f} GiB"
    except Exception:  # noqa: BLE001
        ram = "?"
    import pyoxigraph
    import rdflib
    return {"nproc": os.cpu_count(), "ram": ram, "cpu": cpu, "python": platform.python_version(),
            "rdflib": rdflib.__version__, "pyoxigraph": pyoxigraph.__version__, "os": platform.platform()}


def reference_seconds() -> float:
    """A fixed pure-Python loop (10 million additions), best of three: this VM's speed drifts by up to 3x with its
    neighbours, so every run states it, and figures from runs with different references are not comparable."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - t0)
    return best


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(c) for c in r] for r in rows]
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in cells]
    return "\n".join(out)


def extraction(rounds: int = 21) -> list[list]:
    """Each seed read and parsed once per round, the seeds interleaved, so that the VM's drift falls on all of
    them alike. The best round is the code's own speed; the median shows what the neighbours' steal time added
    (on this VM the mean of a few runs swung by a third from one minute to the next)."""
    from pia_graph.pipeline import collect, extract
    paths = collect([ROOT / "samples"])
    for p in paths:
        extract(p)  # warm: imports, compiled patterns, the fold tables
    times: dict = {p: [] for p in paths}
    for _ in range(rounds):
        for p in paths:
            t0 = time.perf_counter()
            extract(p)
            times[p].append(time.perf_counter() - t0)
    rows = []
    for p in paths:
        size = p.stat().st_size
        best, median = min(times[p]), statistics.median(times[p])
        rows.append([p.name[:3], SHAPES.get(p.name[:3], "?"), f"{size / 1e3:.0f} KB", f"{best * 1000:.1f} ms",
                     f"{median * 1000:.1f} ms", f"**{size / 1e6 / best:.2f}**", f"{size / 1e6 / median:.2f}",
                     f"{1 / best:.1f}"])
    return rows


def shapes_present() -> bool:
    from pia_graph.validate import ONTOLOGY_PATH, SHAPES_PATH
    return SHAPES_PATH.exists() and ONTOLOGY_PATH.exists()


def build() -> list[list]:
    """Each seed extracted, mapped, and validated by pySHACL and by the compiled shapes (each seed alone: in a build
    the compiled shapes validate a chunk of documents at once), shapes loaded beforehand."""
    from pia_graph.mapping import assessment_triples, graph_iri
    from pia_graph.pipeline import collect, extract, vocabulary
    from pia_graph.validate import validate_graph, validation_shapes
    from pia_graph.validate_batch import compiled, validate_many
    rows, tot = [], [0.0, 0.0, 0.0, 0.0]
    can_validate = shapes_present()
    if can_validate:
        validation_shapes()
        compiled()
    for p in collect([ROOT / "samples"]):
        t0 = time.perf_counter()
        doc = extract(p)
        t1 = time.perf_counter()
        g, shared, _ = assessment_triples(doc)
        t2 = time.perf_counter()
        if can_validate:
            validate_graph(g, shared, vocabulary())
        t3 = time.perf_counter()
        if can_validate:
            validate_many([(str(graph_iri(doc.sha256)), [g, shared])], common=[vocabulary()])
        t4 = time.perf_counter()
        parts = [t1 - t0, t2 - t1, t3 - t2, t4 - t3]
        tot = [a + b for a, b in zip(tot, parts)]
        rows.append([p.name[:3], *[f"{x * 1000:.0f}" for x in parts], f"{(parts[0] + parts[1] + parts[3]) * 1000:.0f}",
                     len(g)])
    rows.append(["all five", *[f"{x * 1000:.0f}" for x in tot], f"**{(tot[0] + tot[1] + tot[3]) * 1000:.0f}**", ""])
    return rows


def samples_build(runs: int) -> list[list]:
    """`pia-graph build samples` as a user runs it (a fresh process, its wall time), in its default form (jobs chosen
    by the batch's size: one for the samples) beside one and two jobs and the reference validator, interleaved."""
    exe = [sys.executable, "-m", "pia_graph.cli", "build", str(ROOT / "samples")]
    forms = [("`pia-graph build samples` (default: jobs chosen, compiled shapes)", []),
             ("… `-j 1`", ["-j", "1"]), ("… `-j 2`", ["-j", "2"]),
             ("… `--validator pyshacl` (the reference)", ["--validator", "pyshacl"])]
    times: dict[str, list[float]] = {name: [] for name, _ in forms}
    out = Path(tempfile.mkdtemp(prefix="pia-bench-build-")) / "g.trig"
    for k in range(runs):
        for name, extra in forms:
            if "pyshacl" in name and k >= 3:
                continue          # seconds each: three runs tell
            t0 = time.perf_counter()
            r = subprocess.run(exe + ["-o", str(out)] + extra, capture_output=True, text=True, cwd=ROOT)
            times[name].append(time.perf_counter() - t0)
            if r.returncode not in (0, 1):
                raise SystemExit(f"build failed: {r.stderr[-2000:]}")
    return [[name, len(t), f"**{min(t):.2f}**" if k == 0 else f"{min(t):.2f}", f"{statistics.median(t):.2f}",
             "< 1.5 s" if k == 0 else ""] for k, (name, t) in enumerate(times.items())]


def equivalence(work: Path, synthetic: int) -> list[list]:
    """The compiled shapes against pySHACL, result for result and finding for finding: the samples, every rendering
    of every sample (tests/renderings.py), and `synthetic` synthetic documents."""
    from collections import Counter
    sys.path.insert(0, str(ROOT / "tests"))
    import synth
    from renderings import RENDERINGS

    from pia_graph.pipeline import collect, vocabulary
    from pia_graph import validate_batch as vb
    from pia_graph.validate import validate_graph

    samples = collect([ROOT / "samples"])
    rendered = []
    for k, rendering in enumerate(RENDERINGS):
        for p in samples:
            path = work / "renderings" / f"r{k:02d}" / p.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(rendering(p.read_text(encoding="utf-8")).encode("utf-8"))
            rendered.append(path)
    corpus = work / f"equivalence-{synthetic}"
    shutil.rmtree(corpus, ignore_errors=True)
    synth.generate(synthetic, corpus, seed=1)
    rows = []
    for label, paths in (("the five samples", samples), (f"every rendering ({len(RENDERINGS)}) of the samples", rendered),
                         ("synthetic (bench/synth.py, seed 1)", sorted(corpus.glob("*.txt")))):
        docs = vb.documents_of(paths)
        t0 = time.perf_counter()
        want, findings_want = Counter(), {}
        for graph, parts in docs:
            want.update(vb.comparable(r) for r in vb.reference_results(graph, [*parts, vocabulary()]))
            findings_want[graph] = sorted(validate_graph(*parts, vocabulary()), key=repr)
        ref = (time.perf_counter() - t0) / 2        # the results and the findings are two pySHACL runs each
        t0 = time.perf_counter()
        found = vb.validate_many(docs, common=[vocabulary()])
        fast = time.perf_counter() - t0
        batch = vb.Batch([vocabulary()])
        for graph, parts in docs:
            batch.add(graph, parts)
        got = Counter(vb.comparable(r) for r in batch.results())
        same_findings = all(sorted(found[g], key=repr) == findings_want[g] for g, _ in docs)
        rows.append([label, len(docs), sum(want.values()), sum(got.values()), "yes" if got == want else "**NO**",
                     "yes" if same_findings else "**NO**", f"{ref / len(docs) * 1000:.0f}",
                     f"{fast / len(docs) * 1000:.1f}"])
    return rows


def peak_rss_mb() -> float:
    """This process's own peak RSS. Not getrusage's ru_maxrss: Linux carries that over an exec, so a child started
    by a bench that had grown to 10 GB holding rdflib graphs reported 10 GB itself (the fourth and the first sixth
    pass runs read 10,560 and 10,563 MB so); VmHWM is the high-water mark of this process's own memory."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest_child(corpus: str, n: int, db: str, jobs: int, validate: bool = True) -> None:
    """Run in a fresh process so peak RSS belongs to this ingest alone (workers counted via RUSAGE_CHILDREN)."""
    from pia_graph.services import ingest
    from pia_graph.stores.oxigraph import OxigraphStore
    files = sorted(Path(corpus).glob("*.txt"))[:n]
    store = OxigraphStore(db)
    t0 = time.perf_counter()
    report = ingest(store, files, jobs=jobs, validate=validate)
    store.raw.flush()
    wall = time.perf_counter() - t0
    t1 = time.perf_counter()
    store.optimize()
    opt = time.perf_counter() - t1
    self_rss = peak_rss_mb()
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    stats = {"n": n, "wall": wall, "optimize": opt, "triples": store.triple_count(), "validate": validate,
             "added": report.count("added"), "errors": report.count("error"),
             "parent_rss_mb": self_rss, "worker_rss_mb": child_rss, "disk_mb": store.size_on_disk() / 1e6,
             "rows_mb": (Path(db) / "rows.sqlite").stat().st_size / 1e6 if (Path(db) / "rows.sqlite").exists() else 0,
             "mb_text": sum(f.stat().st_size for f in files) / 1e6, "validated": report.validated, "rows": report.rows,
             # CPU: the writer and its loader threads (this process), and the extracting workers
             "cpu_parent_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
             "cpu_workers_s": sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]),
             "load_average": os.getloadavg()}
    store.close()
    (Path(db) / "ingest.json").write_text(json.dumps(stats))
    print(json.dumps(stats))


def kept_child(db: str, runs: int) -> None:
    """In a fresh process, right after a load (as an analyst's first question after it): every canned query's first
    page (100 rows and the total) from the store's kept rows, the first time and then repeated, and a full CSV
    export streamed into a buffer (rows per second). Prints JSON."""
    import csv
    import io

    from pia_graph import services
    from pia_graph.query import canned_queries
    from pia_graph.stores.oxigraph import OxigraphStore
    out = {}
    store = OxigraphStore(db, read_only=True)
    for q in canned_queries():
        t0 = time.perf_counter()
        page = services.canned_page(store, q.name, offset=0, limit=100)
        first = time.perf_counter() - t0
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            services.canned_page(store, q.name, offset=0, limit=100)
            times.append(time.perf_counter() - t0)
        times.sort()
        t0 = time.perf_counter()
        columns, rows = services.canned_export(store, q.name)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        n = 0
        for r in rows:
            w.writerow(r)
            n += 1
            if n % 5000 == 0:
                buf.seek(0)
                buf.truncate()
        export = time.perf_counter() - t0
        out[q.name] = {"kept": page.kept, "total": page.total, "first_ms": first * 1000,
                       "p50_ms": statistics.median(times) * 1000, "best_ms": times[0] * 1000,
                       "p95_ms": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] * 1000,
                       "export_rows": n, "export_s": export, "rows_per_s": n / export if export else 0}
    store.close()
    print(json.dumps(out))


FIRST: dict = {}     # the last latency() call's first run, seconds (the question asked fresh)


def latency(fn, runs: int) -> tuple[float, float, int]:
    times, n = [], 0
    for i in range(runs):
        t0 = time.perf_counter()
        _, rows = fn()
        times.append(time.perf_counter() - t0)
        n = len(rows)
        if i == 0:
            FIRST["s"] = times[0]
        if i == 0 and times[0] > 5:   # very slow: one run is enough to tell (marked with *)
            break
    if len(times) == 1:
        return times[0], times[0], n
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, n


def queries(db: str, n: int, runs: int, with_rdflib: bool) -> list[list]:
    from pia_graph.query import canned_queries
    from pia_graph.stores import MANIFEST_GRAPH
    from pia_graph.stores.memory import MemoryStore
    from pia_graph.stores.oxigraph import OxigraphStore
    oxi = OxigraphStore(db)
    mem = None
    load = None
    if with_rdflib:
        import pyoxigraph as ox
        t0 = time.perf_counter()
        mem = MemoryStore()
        quads = (q for q in oxi.raw.quads_for_pattern(None, None, None, None)
                 if q.graph_name != ox.NamedNode(str(MANIFEST_GRAPH)))
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        mem.live.parse(data=data.decode("utf-8"), format="nquads")
        load = time.perf_counter() - t0
    rows = []
    from pia_graph.query import QueryError
    todo = [(q.name, q.text) for q in canned_queries()]
    todo += [("proposed " + f.stem, f.read_text(encoding="utf-8")) for f in sorted((ROOT / "bench" / "proposed").glob("*.rq"))]
    from types import SimpleNamespace
    got, rdflib_p50 = {}, {}
    answered = ANSWERED
    for name, text in todo:
        q = SimpleNamespace(name=name, text=text)
        o50, o95, on = latency(lambda: oxi.query(q.text), runs)
        first_s = FIRST["s"]
        got[name] = on
        if name == "files-to-kiko":
            # what query --store and serve --store do: the answer book, filled once (as load does when it ends)
            first = oxi.answer(q.text)
            a50, a95, an = latency(lambda: (lambda a: (a.columns, a.rows))(oxi.answer(q.text)), runs)
            answered[n] = (first.seconds, a50, a95, an == on)
        if name.startswith("proposed "):
            base = got.get(name.split(" ", 1)[1])
            same = "-" if base is None else ("yes (vs canned, oxigraph)" if base == on else f"no (canned {base})")
            r = rdflib_p50.get(name.split(" ", 1)[1])   # rdflib has no LATERAL: the ratio is to its canned text
            rows.append([n, q.name, on, "-", "-", f"{o50 * 1000:.1f}", f"{o95 * 1000:.1f}",
                         f"{r / o50:.0f}x vs canned" if r else "-", same, f"{first_s * 1000:.1f}"])
        elif mem is not None:
            try:
                r50, r95, rn = latency(lambda: mem.query(q.text), runs)
            except QueryError:
                rows.append([n, q.name, on, "error", "-", f"{o50 * 1000:.1f}", f"{o95 * 1000:.1f}", "-", "-",
                             f"{first_s * 1000:.1f}"])
                continue
            rdflib_p50[name] = r50
            same = "yes" if rn == on else f"no ({rn})"
            rows.append([n, q.name, on, f"{r50 * 1000:.1f}", f"{r95 * 1000:.1f}", f"{o50 * 1000:.1f}", f"{o95 * 1000:.1f}",
                         f"{r50 / o50:.0f}x", same, f"{first_s * 1000:.1f}"])
        else:
            rows.append([n, q.name, on, "-", "-", f"{o50 * 1000:.1f}", f"{o95 * 1000:.1f}", "-", "-", f"{first_s * 1000:.1f}"])
    oxi.close()
    return rows, load


KEPT_HEADERS = ["docs", "query", "rows", "kept", "first page ms (fresh)", "first page p50 ms", "p95 ms",
                "CSV rows/s", "SPARQL pyoxigraph first ms", "pyoxigraph p50 ms", "rdflib p50 ms"]
ANSWERED: dict[int, tuple] = {}   # docs -> (evaluation s when the book was filled, p50 s, p95 s, same rows)

ENGINE_LOAD_HEADERS = ["docs", "store", "how it was filled", "wall s", "docs/s", "quads", "errors"]
ENGINE_QUERY_HEADERS = ["docs", "query", "rows", "same rows", "pyoxigraph p50 ms", "pyoxigraph p95 ms",
                        "Virtuoso p50 ms", "Virtuoso p95 ms", "pyoxigraph ÷ Virtuoso"]
ENGINES_BEGIN, ENGINES_END = "<!-- engines -->", "<!-- /engines -->"


def subset(corpus: Path, n: int, where: Path) -> Path:
    """The first n documents of the corpus as a folder of links (what `pia-graph load FOLDER` is given)."""
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    for f in sorted(corpus.glob("*.txt"))[:n]:
        (where / f.name).symlink_to(f)
    return where


def engines(work: Path, corpus: Path, n: int, db: str, jobs: int, runs: int) -> tuple[list[list], list[list]]:
    """Debian's Virtuoso 7 beside pyoxigraph on the same n documents, in one run: the load time, both ways a user
    fills Virtuoso (`pia-graph load DIR --store http://…/sparql`, documents through the Graph Store Protocol; and
    Virtuoso's own bulk loader over the same quads, N-Quads dumped from the pyoxigraph store, no manifest), and every
    canned query on pyoxigraph and on Virtuoso (the one pia-graph loaded), with whether the rows are the same."""
    sys.path.insert(0, str(ROOT / "tests"))
    import pyoxigraph as ox

    from engines import Unavailable, start_virtuoso, virtuoso_bulk_load
    from pia_graph.query import canned_queries
    from pia_graph.services import open_reader
    from pia_graph.stores import MANIFEST_GRAPH
    from pia_graph.stores.oxigraph import OxigraphStore

    oxi_stats = json.loads((Path(db) / "ingest.json").read_text())
    loads = [[n, "pyoxigraph (embedded)", "`services.ingest`, as `pia-graph load DIR` (its bulk writer)", f"{oxi_stats['wall']:.1f}",
              f"{n / oxi_stats['wall']:.1f}", f"{oxi_stats['triples']:,}", oxi_stats["errors"]]]
    folder = subset(corpus, n, work / f"corpus-{n}")
    # 8 KB pages: 680,000 is Virtuoso's advice for 8 GB of RAM (this machine has 24; pyoxigraph is closed by then)
    for old in (work / f"virtuoso-{n}", work / f"virtuoso-bulk-{n}"):      # fresh databases, even with --reuse
        shutil.rmtree(old, ignore_errors=True)
    try:
        engine = start_virtuoso(work / f"virtuoso-{n}", buffers=680_000, max_rows=10_000_000)
    except Unavailable as e:
        print(f"Virtuoso unavailable: {e}", file=sys.stderr)
        return [[n, "Virtuoso", f"unavailable: {e}", "-", "-", "-", "-"]], []
    qrows = []
    try:
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "pia_graph.cli", "load", str(folder), "--store", engine.url,
                            "-j", str(jobs), "--no-warm", "--timeout", "600"], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        (work / f"virtuoso-load-{n}.txt").write_text(r.stdout + r.stderr, encoding="utf-8")
        if r.returncode not in (0, 1):
            raise SystemExit(f"pia-graph load into Virtuoso failed: {r.stderr[-2000:]}")
        for line in r.stdout.splitlines():
            if "│ error" in line:
                print("Virtuoso refused:", " ".join(line.split()), file=sys.stderr)
        remote = open_reader(engine.url, timeout=600)
        quads = remote.triple_count()
        errors = r.stdout.count("│ error")
        loads.append([n, "Virtuoso 7 (server)", "`pia-graph load … --store http://…/sparql` (Graph Store Protocol, "
                      "one document a request)", f"{wall:.1f}", f"{n / wall:.1f}", f"{quads:,}", errors])
        oxi = OxigraphStore(db, read_only=True)
        for q in canned_queries():
            o50, o95, _ = latency(lambda: oxi.query(q.text), runs)
            v50, v95, _ = latency(lambda: remote.query(q.text), runs)
            a, b = oxi.query(q.text), remote.query(q.text)
            same = "yes" if a[0] == b[0] and sorted(a[1]) == sorted(b[1]) else \
                f"no ({len(set(map(tuple, a[1])) ^ set(map(tuple, b[1])))} differ)"
            qrows.append([n, q.name, f"{len(a[1]):,}", same, f"{o50 * 1000:.1f}", f"{o95 * 1000:.1f}",
                          f"{v50 * 1000:.1f}", f"{v95 * 1000:.1f}", f"{o50 / v50:.1f}x"])
            print(table(ENGINE_QUERY_HEADERS, qrows[-1:]), file=sys.stderr)
        remote.close()
        # Virtuoso's own loader over the same quads, into a fresh database
        dump = work / f"virtuoso-bulk-{n}-files"
        shutil.rmtree(dump, ignore_errors=True)
        dump.mkdir()
        manifest = ox.NamedNode(str(MANIFEST_GRAPH))
        ox.serialize((q for q in oxi.raw.quads_for_pattern(None, None, None, None) if q.graph_name != manifest),
                     output=str(dump / "store.nq"), format=ox.RdfFormat.N_QUADS)
        oxi.close()
    finally:
        engine.stop()
    bulk = start_virtuoso(work / f"virtuoso-bulk-{n}", load_dir=dump, buffers=680_000, max_rows=10_000_000)
    try:
        t0 = time.perf_counter()
        virtuoso_bulk_load(bulk, dump, "*.nq")
        wall = time.perf_counter() - t0
        reader = open_reader(bulk.url, timeout=600)
        oxi = OxigraphStore(db, read_only=True)
        same = all(sorted(oxi.query(q.text)[1]) == sorted(reader.query(q.text)[1]) for q in canned_queries())
        oxi.close()
        loads.append([n, "Virtuoso 7 (server)", "its own bulk loader (ld_dir + rdf_loader_run + checkpoint) over the "
                      f"same quads as N-Quads; every canned query the same rows: {'yes' if same else 'NO'}",
                      f"{wall:.1f}", f"{n / wall:.1f}", f"{reader.triple_count():,}", 0])
        reader.close()
    finally:
        bulk.stop()
        shutil.rmtree(dump, ignore_errors=True)
    return loads, qrows


def engines_section(load_rows: list[list], query_rows: list[list], jobs: int, runs: int) -> str:
    return (f"{ENGINES_BEGIN}\n## Virtuoso beside pyoxigraph: load and every canned query on the same documents\n\n"
            f"Debian's virtuoso-opensource 7.2 on loopback (started by the bench, 680,000 buffers, ResultSetMaxRows "
            f"10 M), pyoxigraph on disk; jobs={jobs}, {runs} query runs, p50 and p95. Virtuoso answers over HTTP "
            "(the SPARQL Protocol, JSON results parsed by pia-graph), pyoxigraph in process.\n\n"
            + table(ENGINE_LOAD_HEADERS, load_rows) + "\n\n" + table(ENGINE_QUERY_HEADERS, query_rows)
            + f"\n{ENGINES_END}")


def profile_slowest(out: Path) -> str:
    from pyinstrument import Profiler

    from pia_graph.services import prepare
    from pia_graph.pipeline import collect
    paths = collect([ROOT / "samples"])
    prof = Profiler(interval=0.001)
    prof.start()
    for p in paths:
        prepare(p, validate=shapes_present())
    prof.stop()
    out.write_text(prof.output_html(), encoding="utf-8")
    return prof.output_text(unicode=True, color=False, show_all=False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--rdflib-max", type=int, default=1000, help="largest size also loaded into rdflib for comparison")
    ap.add_argument("--workdir", type=Path, default=None, help="where corpora and stores go (default: a temp dir)")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--reuse", action="store_true",
                    help="keep the corpus and stores already in --workdir (an ingest is re-measured only if it did not finish)")
    ap.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--no-virtuoso", action="store_true", help="leave Virtuoso out")
    ap.add_argument("--engines-only", action="store_true",
                    help="only the ingest into pyoxigraph and Virtuoso beside it; rewrites only that section of --output")
    ap.add_argument("--virtuoso-max", type=int, default=1000, help="largest size also loaded into Virtuoso")
    ap.add_argument("--equivalence", type=int, default=200, metavar="N",
                    help="compare the compiled shapes with pySHACL on the samples, their renderings and N synthetic "
                         "documents (0: skip)")
    ap.add_argument("--build-runs", type=int, default=7, help="runs of each form of the samples' build")
    ap.add_argument("--ingest-child", nargs=5, metavar=("CORPUS", "N", "DB", "JOBS", "VALIDATE"), help=argparse.SUPPRESS)
    ap.add_argument("--kept-child", nargs=2, metavar=("DB", "RUNS"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.ingest_child:
        c, n, db, jobs, validate = a.ingest_child
        ingest_child(c, int(n), db, int(jobs), validate == "1")
        return 0
    if a.kept_child:
        kept_child(a.kept_child[0], int(a.kept_child[1]))
        return 0

    if not a.no_profile and not a.engines_only:
        try:      # checked first: the profile is the last section, after minutes of measuring
            import pyinstrument  # noqa: F401
        except ImportError:
            print("bench/run.py: the profile needs pyinstrument: pip install -e '.[bench]' (or pass --no-profile)",
                  file=sys.stderr)
            return 2
    sizes = [int(s) for s in a.sizes.split(",") if s]
    work = a.workdir or Path(tempfile.mkdtemp(prefix="pia-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    m = machine()
    ref = reference_seconds()
    sections = [f"Machine: {m['nproc']} cores ({m['cpu']}), {m['ram']} RAM, Python {m['python']}, rdflib {m['rdflib']}, "
                f"pyoxigraph {m['pyoxigraph']}, {m['os']}. Run: `.venv/bin/python bench/run.py --sizes {a.sizes}` "
                f"(jobs={a.jobs}, {a.runs} query runs). Speed reference (10 M additions in a Python loop, best of 3): "
                f"{ref:.2f} s at the start, {{END_REFERENCE}} s at the end."]

    if a.engines_only:
        return engines_only(a, sizes, work)

    print("== extraction throughput per text shape", file=sys.stderr)
    t = table(["seed", "shape", "size", "best of 21", "median", "MB/s (best)", "MB/s (median)", "docs/s (best)"],
              extraction())
    print(t)
    sections.append("## Extraction throughput (read + parse), per text shape\n\n" + t)

    print("== build (extract + map + validate)", file=sys.stderr)
    t = table(["seed", "extract ms", "map ms", "validate ms (pySHACL)", "validate ms (compiled, alone)",
               "total ms (compiled)", "triples"], build())
    print(t)
    note = "" if shapes_present() else "\n\n**shapes/pia-shapes.ttl was missing at run time: validate column is 0 (not measured).**"
    sections.append("## Build per seed: extract + map + SHACL validate (ms, shapes already loaded)\n\nThe compiled "
                    "shapes validate a batch of documents at once; a seed alone pays their fixed cost (a few hundred "
                    "queries) by itself.\n\n" + t + note)
    if shapes_present():
        print("== the samples' build, as a user runs it", file=sys.stderr)
        t = table(["command", "runs", "best s", "median s", "target"], samples_build(a.build_runs))
        print(t)
        sections.append("## The samples' build as a user runs it (`pia-graph build samples`, fresh process, wall time)"
                        "\n\nEverything a user waits for: Python's start, the imports, extraction, validation, writing "
                        "the TriG and printing the summary. Runs interleaved command by command.\n\n" + t)

    if a.equivalence:
        print(f"== compiled shapes against pySHACL: samples, renderings, {a.equivalence} synthetic", file=sys.stderr)
        t = table(["documents", "count", "pySHACL results", "compiled results", "same results", "same findings",
                   "pySHACL ms/doc", "compiled ms/doc (one batch)"], equivalence(work, a.equivalence))
        print(t)
        sections.append("## The compiled shapes against pySHACL (`validate_batch`, every result compared)\n\n"
                        "Every result (severity, focus node, path, value, messages, constraint component) and every "
                        "finding (with its source lines) compared, pySHACL one document at a time, the compiled shapes "
                        "over all the documents of a row at once. tests/test_validate_batch.py compares the same in CI "
                        "(the samples, every rendering of every sample and 200 synthetic documents of another seed, "
                        "in ingest's chunks of 8), with the hand-made defects and seeded mutations that make every "
                        "constraint kind fail.\n\n" + t)

    import synth
    corpus = work / "corpus"
    if sizes and not (a.reuse and len(list(corpus.glob("*.txt"))) >= max(sizes)):
        print(f"== synthesising {max(sizes)} documents", file=sys.stderr)
        shutil.rmtree(corpus, ignore_errors=True)
        synth.generate(max(sizes), corpus, seed=1)
    ing_rows, q_rows, kept_rows, loads = [], [], [], {}
    engine_loads, engine_queries = [], []
    ingest_headers = ["docs", "validation", "wall s", "docs/s", "triples", "findings (violations / warnings)",
                      "peak RSS parent MB", "peak RSS worker MB", "disk MB (rows MB)", "CPU parent / workers s",
                      "load avg (1/5/15 min) at the end", "errors"]
    for n in sizes:
        for validate in (False, True):
            db = work / (f"oxi-{n}" if validate else f"oxi-{n}-novalidate")
            s = ingest_once(a, corpus, n, db, validate)
            v = s.get("validated") or {}
            ing_rows.append([n, "validated" if validate else "none", f"{s['wall']:.1f}", f"{n / s['wall']:.1f}",
                             f"{s['triples']:,}", f"{v.get('Violation', '-')} / {v.get('Warning', '-')}" if v else "-",
                             f"{s['parent_rss_mb']:.0f}", f"{s['worker_rss_mb']:.0f}",
                             f"{s['disk_mb']:.0f} ({s.get('rows_mb', 0):.0f})",
                             f"{s['cpu_parent_s']:.0f} / {s['cpu_workers_s']:.0f}",
                             " / ".join(f"{x:.1f}" for x in s.get("load_average", ())), s["errors"]])
            print(table(ingest_headers, ing_rows[-1:]))
        db = work / f"oxi-{n}"
        print(f"== canned queries from the kept rows at {n}, fresh after the load", file=sys.stderr)
        kept = kept_once(db, a.runs)
        print(f"== canned queries evaluated at {n}", file=sys.stderr)
        rows, load = queries(str(db), n, a.runs, n <= a.rdflib_max)
        loads[n] = load
        q_rows += rows
        for name, k in kept.items():
            sparql = next((r for r in rows if r[1] == name), None)
            kept_rows.append([n, name, f"{k['total']:,}", "yes" if k["kept"] else "**no**", f"{k['first_ms']:.1f}",
                              f"{k['p50_ms']:.2f}", f"{k['p95_ms']:.2f}", f"{k['rows_per_s']:,.0f}",
                              sparql[9] if sparql else "-", sparql[5] if sparql else "-", sparql[3] if sparql else "-"])
        print(table(KEPT_HEADERS, [r for r in kept_rows if r[0] == n]))
        if not a.no_virtuoso and n <= a.virtuoso_max:
            print(f"== Virtuoso beside pyoxigraph at {n}", file=sys.stderr)
            el, eq = engines(work, corpus, n, str(db), a.jobs, a.runs)
            engine_loads += el
            engine_queries += eq
    if ing_rows:
        sections.append(f"## Ingest of synthetic assessments into pyoxigraph (`services.ingest`, jobs={a.jobs}), "
                        "with and without validation\n\nBoth keep every canned query's rows per document; "
                        "'validated' also validates every document (the compiled shapes, a chunk of 8 documents at "
                        "once in each worker) and writes its report beside it. Peak RSS: parent (writer, from /proc "
                        "VmHWM) and the largest worker (from getrusage). The load average says how busy the machine "
                        "was (2 cores; other engineers' work runs beside).\n\n" + table(ingest_headers, ing_rows))
        sections.append(f"## Every canned query: first page from the kept rows, fresh and repeated, beside SPARQL\n\n"
                        "First page: 100 rows and the total count, as `serve --store` and `query --store` ask it, in a "
                        "fresh process right after the load (the first time it is asked); repeated: p50/p95 of "
                        f"{a.runs} more. CSV: every row streamed through Python's csv writer. SPARQL: the same "
                        "query evaluated in full by pyoxigraph (first run, p50) and by rdflib (p50, at 1,000 and "
                        "below).\n\n" + table(KEPT_HEADERS, kept_rows))
        sections.append(f"## Query latency of every canned query evaluated, {a.runs} runs (rdflib in memory vs "
                        "pyoxigraph on disk)\n\n" + "rdflib load time (N-Quads parse): " +
                        ", ".join(f"{n}: {v:.0f} s" for n, v in loads.items() if v is not None) + "\n\n" +
                        table(["docs", "query", "rows", "rdflib p50 ms", "rdflib p95 ms", "oxigraph p50 ms",
                               "oxigraph p95 ms", "ratio", "same rows", "oxigraph first ms"], q_rows))
    if engine_loads:
        sections.append(engines_section(engine_loads, engine_queries, a.jobs, a.runs))
    if ANSWERED:
        t = table(["docs", "evaluated once (fills the book) ms", "answered from the book p50 ms", "p95 ms", "same rows"],
                  [[n, f"{v[0] * 1000:.0f}", f"{v[1] * 1000:.1f}", f"{v[2] * 1000:.1f}", "yes" if v[3] else "no"]
                   for n, v in sorted(ANSWERED.items())])
        print(t)
        sections.append("## The flagship question as `query --store` and `serve --store` answer it (answer book)\n\n"
                        "Evaluated once after the store changed (as `load` does when it ends), then read from "
                        "DIR/answers while the store is unchanged.\n\n" + t)
    if not a.no_profile:
        print("== profiling prepare(validate=True) over the five seeds", file=sys.stderr)
        text = profile_slowest(work / "profile.html")
        short = "\n".join(text.splitlines()[:60])
        sections.append("## Profile (pyinstrument): extract + map + validate + N-Triples over the five seeds\n\n```\n"
                        + short + "\n```")
    sections[0] = sections[0].replace("{END_REFERENCE}", f"{reference_seconds():.2f}")
    body = "# Benchmarks\n\n" + "\n\n".join(sections) + "\n"
    marker = "<!-- notes -->"
    if a.output.exists() and marker in a.output.read_text(encoding="utf-8"):
        # hand-written notes below the marker survive a re-run
        body += "\n" + marker + a.output.read_text(encoding="utf-8").split(marker, 1)[1]
    a.output.parent.mkdir(parents=True, exist_ok=True)
    a.output.write_text(body, encoding="utf-8")
    print(f"wrote {a.output}; work dir {work}", file=sys.stderr)
    return 0


def kept_once(db: Path, runs: int) -> dict:
    """kept_child() in a fresh process."""
    r = subprocess.run([sys.executable, __file__, "--kept-child", str(db), str(runs)], capture_output=True, text=True)
    if r.returncode:
        print(r.stderr, file=sys.stderr)
        raise SystemExit("the kept rows' measure failed")
    return json.loads(r.stdout.strip().splitlines()[-1])


def ingest_once(a, corpus: Path, n: int, db: Path, validate: bool = True) -> dict:
    """The ingest of n documents into pyoxigraph, in a child process (its own peak RSS); reused with --reuse."""
    if a.reuse and (db / "ingest.json").exists():
        print(f"== reusing the ingest of {n} in {db}", file=sys.stderr)
        return json.loads((db / "ingest.json").read_text())
    shutil.rmtree(db, ignore_errors=True)
    print(f"== ingest {n}", file=sys.stderr)
    r = subprocess.run([sys.executable, __file__, "--ingest-child", str(corpus), str(n), str(db), str(a.jobs),
                        "1" if validate else "0"], capture_output=True, text=True)
    if r.returncode:
        print(r.stderr, file=sys.stderr)
        raise SystemExit(f"ingest of {n} failed")
    return json.loads(r.stdout.strip().splitlines()[-1])


def engines_only(a, sizes: list[int], work: Path) -> int:
    """--engines-only: pyoxigraph's ingest and Virtuoso beside it, written into their own section of --output."""
    import synth
    corpus = work / "corpus"
    if not (a.reuse and len(list(corpus.glob("*.txt"))) >= max(sizes)):
        print(f"== synthesising {max(sizes)} documents", file=sys.stderr)
        shutil.rmtree(corpus, ignore_errors=True)
        synth.generate(max(sizes), corpus, seed=1)
    loads, rows = [], []
    for n in sizes:
        db = work / f"oxi-{n}"
        ingest_once(a, corpus, n, db, True)
        print(f"== Virtuoso beside pyoxigraph at {n}", file=sys.stderr)
        el, eq = engines(work, corpus, n, str(db), a.jobs, a.runs)
        loads += el
        rows += eq
    section = engines_section(loads, rows, a.jobs, a.runs)
    print(section)
    text = a.output.read_text(encoding="utf-8") if a.output.exists() else "# Benchmarks\n"
    if ENGINES_BEGIN in text and ENGINES_END in text:
        head, rest = text.split(ENGINES_BEGIN, 1)
        text = head + section + rest.split(ENGINES_END, 1)[1]
    elif "<!-- notes -->" in text:
        head, notes = text.split("<!-- notes -->", 1)
        text = head.rstrip() + "\n\n" + section + "\n\n<!-- notes -->" + notes
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    a.output.write_text(text, encoding="utf-8")
    print(f"wrote the Virtuoso section of {a.output}; work dir {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
