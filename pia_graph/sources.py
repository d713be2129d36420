"""Each document's text kept beside its graph or store, keyed by SHA-256, for the source links of every fact.

A fact's source is a document and a line range ("002_528b050b7c0b5747.txt#L1879-L1948"). The lines are the text as
pia-graph read it (decoded, a PDF's extracted text), which the original file may not show as such (a PDF), so that
text is what is kept: gzip-compressed (about a quarter of its size), one file per document named by the SHA-256 of
the original bytes, written once (same bytes, same file) and atomically (a reader never sees half a file).
"""

from __future__ import annotations

import gzip
import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")


class SourceTexts:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    @classmethod
    def beside(cls, graph_file: str | Path) -> "SourceTexts":
        """The texts of a graph file's documents: out/pia-graph.trig → out/pia-graph.sources/."""
        graph_file = Path(graph_file)
        return cls(graph_file.with_name(graph_file.stem + ".sources"))

    def path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.folder / f"{sha256}.txt.gz"

    def put(self, sha256: str, text: str) -> None:
        target = self.path(sha256)
        if target.exists():
            return                          # the same bytes give the same text
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(gzip.compress(text.encode("utf-8"), compresslevel=1))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, sha256: str) -> str | None:
        try:
            return gzip.decompress(self.path(sha256).read_bytes()).decode("utf-8")
        except (FileNotFoundError, ValueError, OSError):
            return None

    def drop(self, sha256: str) -> None:
        try:
            self.path(sha256).unlink(missing_ok=True)
        except ValueError:
            pass

    def keep_only(self, wanted: set[str]) -> int:
        """Texts of documents no longer held (dropped, or spooled by a crashed load) removed; how many."""
        removed = 0
        if self.folder.is_dir():
            for f in self.folder.glob("*.txt.gz"):
                if f.name.split(".")[0] not in wanted:
                    f.unlink(missing_ok=True)
                    removed += 1
        return removed
