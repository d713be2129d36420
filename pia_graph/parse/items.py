"""Group the labels of repeated rows (委託事項N, 提供先N, 移転先N) into one cluster per row.

PDF text emits a page's blocks out of order: a 提供先's ⑦ can come before its ①, and its heading can sit
above or below its labels. A row is therefore found by its labels, not by position: every field occurs
once per row, so a repeated field (or a 提供 label after 移転 ones) starts the next row; the row headings
are then matched to the rows beside them by kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .fields import Entry


@dataclass
class Cluster:
    family: str
    kind: str | None = None              # 提供 / 移転 for provisions
    entries: list[Entry] = field(default_factory=list)
    header: Entry | None = None

    def get(self, name: str) -> Entry | None:
        for e in self.entries:
            if e.field == name:
                return e
        return None

    @property
    def first(self) -> int:
        """Where the row starts among the lines as read (Line.seq)."""
        return min(e.line.seq for e in self.entries) if self.entries else (self.header.line.seq if self.header else 0)

    @property
    def last(self) -> int:
        return max(e.line.seq for e in self.entries) if self.entries else (self.header.line.seq if self.header else 0)

    @property
    def first_line(self) -> int:
        """The source line the row starts on, for messages."""
        return min((e.line.n for e in self.entries), default=self.header.line.n if self.header else 0)


def _header_kind(h: Entry) -> str | None:
    what = h.header.group("what")
    return {"提供先": "提供", "移転先": "移転"}.get(what)


def cluster_rows(entries: list[Entry], family: str) -> list[Cluster]:
    labels = [e for e in entries if e.family == family and e.header is None]
    headers = [e for e in entries if e.family == family and e.header is not None]
    clusters: list[Cluster] = []
    current: Cluster | None = None
    for e in labels:
        repeat = current is not None and current.get(e.field) is not None
        clash = current is not None and e.kind and current.kind and e.kind != current.kind
        if current is None or repeat or clash:
            current = Cluster(family)
            clusters.append(current)
        current.entries.append(e)
        if e.kind and not current.kind:
            current.kind = e.kind
    # A header whose number repeats one already placed is a continuation page heading; keep the first.
    seen: set[tuple[str, int]] = set()
    # The rows' line ranges, taken once: their entries are all placed (a row made below for a lone heading has
    # none, and its range is its heading's, read when it is needed).
    ranges = {id(c): (c.first, c.last) for c in clusters}

    def first_last(c: Cluster) -> tuple[int, int]:
        return ranges.get(id(c)) or (c.first, c.last)

    for h in headers:
        key = (h.header.group("what"), int(h.header.group("n")))
        kind = _header_kind(h)
        n = h.line.seq
        bounds = [(c, *first_last(c)) for c in clusters]
        inside = [c for c, first, last in bounds
                  if first < n < last and c.header is None and (not kind or c.kind in (None, kind))]
        before = [c for c, _, last in bounds if last < n]
        after = [c for c, first, _ in bounds if first > n]
        candidates = inside[:1]
        if after:
            candidates.append(after[0])
        if before:
            candidates.append(before[-1])
        target = None
        for c in candidates:
            if c.header is None and (kind is None or c.kind in (None, kind)):
                target = c
                break
        if key in seen and target is None:
            continue
        seen.add(key)
        if target is None:
            target = Cluster(family, kind=kind)     # a row with a heading and no readable fields
            clusters.append(target)
        target.header = h
        if kind and not target.kind:
            target.kind = kind
    clusters.sort(key=lambda c: c.first)
    return clusters
