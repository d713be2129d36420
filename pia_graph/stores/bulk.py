"""The bulk writer: documents into an OxigraphStore through a few large bulk loads, each committed by its documents' manifest entries."""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from .base import BaseStore, IngestOutcome, PreparedDocument
from .manifest import MANIFEST_GRAPH, manifest_entry, now


class BulkWriter:
    """Writes documents to an OxigraphStore in a few large bulk loads. Each new document's N-Quads go to a spool
    file as it arrives (so the parent holds metadata, not quads); when a load is due, oxigraph's bulk loader reads
    the spool in a background thread (it releases the GIL) while the next spool fills, and the documents' manifest
    entries are then written in one transaction, which is the commit.

    When a load is due: each load's SST files overlap the keys of everything loaded before (every index interleaves
    all documents), so RocksDB merges the store again for each load, while the loader's memory is bounded by its
    batches of a million quads, not by the load (2.06 GB peak for a 2.75 GB load, 1.81 GB for 0.9 GB; the older
    belief that it grows with the load came from a misread peak). So: load rarely. Told how many documents are
    coming (`expected`), the writer makes one load in the background once `first_load_share` of them are spooled,
    sized so that it ends about when extraction does, and loads the rest at the end: at 10,000 synthetic
    documents, 60 % (docs/benchmarks.md, seventh pass). Otherwise, and in any case, a load starts at `max_bytes`
    of spool (8 GiB: the disk a spool takes, and the work a crash before its commit costs) or `max_documents`.

    A crash before a commit leaves graphs no manifest entry lists, which OxigraphStore.recover() drops when the
    store is next opened: the store holds whole documents only, and a new run skips those committed (same bytes).
    A load that fails as a whole (a quad the loader refuses, a full disk) is retried one document at a time, each
    in its own transaction, so one bad document does not cost the others. The same bytes twice are written once;
    a document that replaces a current one waits for the loads before it and goes through OxigraphStore.write()
    (one transaction). Not for a store other processes query while it is written."""

    def __init__(self, store, keep_history: bool = False, max_documents: int | None = None,
                 max_bytes: int = 8 << 30, background: bool = True, expected: int | None = None,
                 first_load_share: float = 0.6):
        self.store, self.keep_history = store, keep_history
        self.max_documents, self.max_bytes, self.background = max_documents, max_bytes, background
        # the one planned load: after this many documents, once
        self._planned = max(1, round(expected * first_load_share)) if expected else None
        spool_dir = store.spool_dir if store.path else Path(tempfile.gettempdir())
        spool_dir.mkdir(parents=True, exist_ok=True)
        self._spool_dir = spool_dir
        self._outcomes: list[IngestOutcome | None] = []
        # every document this writer was given, loaded or not yet: a load in flight is not in the manifest yet
        self._names: set[str] = set()
        self._shas: dict[str, PreparedDocument] = {}
        self._loading: threading.Thread | None = None
        self._failure: BaseException | None = None
        # canned rows waiting to go into the store's RowBook: kept before their documents are committed (the rows
        # are not used until OxigraphStore.settle_rows() has matched them with the manifest and stamped them)
        self._rows: list[tuple[str, dict]] = []
        if store.rows is not None:
            store.rows.stamp(None)
        self._open()

    def _put_rows(self) -> None:
        if self._rows:
            self.store.rows.put(self._rows)
            self.store.rows.set_documents(add=[g for g, _ in self._rows])
            self._rows = []

    def _open(self) -> None:
        fd, name = tempfile.mkstemp(prefix="spool-", suffix=".nq", dir=self._spool_dir)
        self._spool_path = Path(name)
        self._spool = os.fdopen(fd, "wb")
        self._pending: list[tuple[int, PreparedDocument, int, int]] = []   # (outcome slot, metadata, offset, length)
        self._shared: set[str] = set()

    def add(self, p: PreparedDocument) -> None:
        self._outcomes.append(None)
        i = len(self._outcomes) - 1
        if p.error:
            self._outcomes[i] = IngestOutcome(p.name, p.sha256, None, "error", error=p.error)
        elif p.sha256 in self._shas:
            q = self._shas[p.sha256]
            self._outcomes[i] = IngestOutcome(q.name, q.sha256, q.graph, "unchanged", q.triples)
        elif p.name in self._names or self.store.lookup(name=p.name) or self.store.lookup(sha=p.sha256):
            self.flush(wait=True)
            self._outcomes[i] = write_guarded(self.store, p, self.keep_history)
        else:
            data = p.doc_nq + p.report_nq
            offset = self._spool.tell()
            self._spool.write(data)
            self._shared.update(p.shared_nq.splitlines(keepends=True))
            self.store.watch_shared(p)
            if p.rows is not None and self.store.rows is not None:
                self._rows.append((p.graph, p.rows))
                if len(self._rows) >= 256:
                    self._put_rows()
            # keep what the manifest needs, not the quads
            meta = replace(p, doc_nq=b"", shared_nq="", report_nq=b"", rows=None)
            self._pending.append((i, meta, offset, len(data)))
            self._names.add(p.name)
            self._shas[p.sha256] = meta
            if self._load_due():
                self.flush()

    def _load_due(self) -> bool:
        """Whether the spool should be loaded now; the planned load answers yes once, then is spent (>= rather
        than ==: the document that reaches the count may be one that is not spooled, an error or a duplicate)."""
        if self._planned is not None and len(self._outcomes) >= self._planned:
            self._planned = None
            return True
        return (self._spool.tell() >= self.max_bytes
                or (self.max_documents is not None and len(self._pending) >= self.max_documents))

    def flush(self, wait: bool = False) -> None:
        """Hand the spool to the loader (waiting for the load before it), and start a new spool."""
        self._put_rows()
        if self._pending:
            self._join()    # one load at a time; and the shared quads it committed need not be sent again
            shared = self._shared - self.store.shared_written
            self._spool.write("".join(shared).encode("utf-8"))
            self._spool.close()
            job = (self._spool_path, self._pending, shared)
            self._open()
            if self.background and not wait:
                self._loading = threading.Thread(target=self._load_guarded, args=job, daemon=True)
                self._loading.start()
            else:
                self._load(*job)
        if wait:
            self._join()

    def finish(self) -> list[IngestOutcome]:
        """Write what is spooled and return every document's outcome, in the order added."""
        try:
            self.flush(wait=True)
        finally:
            self._spool.close()
            self._spool_path.unlink(missing_ok=True)
        return list(self._outcomes)

    def _join(self) -> None:
        if self._loading is not None:
            self._loading.join()
            self._loading = None
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _load_guarded(self, *job) -> None:
        try:
            self._load(*job)
        except BaseException as e:  # noqa: BLE001 - raised again in the adding thread by _join()
            self._failure = e

    def _load(self, spool: Path, pending: list, shared: set[str]) -> None:
        store = self.store
        try:
            try:
                with store.changing():
                    store.bulk_load(spool)
                    if store.hook is not None:
                        for _, q, _, _ in pending:
                            store.hook(q)
                    when, mg = now(), f" <{MANIFEST_GRAPH}> .\n"
                    manifest = "".join(manifest_entry(q, when).replace(" .\n", mg) for _, q, _, _ in pending)
                    store.load_nquads(manifest.encode("utf-8"))
                store.shared_written |= shared   # only once committed: a failed load sends them again
                for i, q, _, _ in pending:
                    self._outcomes[i] = IngestOutcome(q.name, q.sha256, q.graph, "added", q.triples)
            except Exception:  # noqa: BLE001 - the load failed as a whole: each document in a transaction of its own
                store.recover()
                with store.changing():
                    store.load_nquads("".join(shared).encode("utf-8"))
                store.shared_written |= shared
                with open(spool, "rb") as f:
                    for i, q, offset, length in pending:
                        f.seek(offset)
                        doc = replace(q, doc_nq=f.read(length))
                        self._outcomes[i] = write_guarded(store, doc, self.keep_history)
        finally:
            spool.unlink(missing_ok=True)


def write_guarded(store: BaseStore, p: PreparedDocument, keep_history: bool = False) -> IngestOutcome:
    """store.write(p), with a store's refusal of this one document reported as its outcome, not raised."""
    try:
        return store.write(p, keep_history)
    except Exception as e:  # noqa: BLE001 - a store refusing one document does not stop the batch
        return IngestOutcome(p.name, p.sha256, None, "error", error=f"{type(e).__name__}: {' '.join(str(e).split())}")


__all__ = ["BulkWriter", "write_guarded"]
