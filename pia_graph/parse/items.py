"""Group the labels of repeated rows (委託事項N, 提供先N, 移転先N) into one cluster per row.

PDF text emits a page's blocks out of order: a 提供先's ⑦ can come before its ①, a row's fields can sit between the
next row's heading and its ①, and its heading can sit above or below its labels. A row is therefore found by its
labels, not by the next label after the previous one. Where the rows have headings, each heading anchors a row
together with the first field printed beside it (①, on the heading's own table row); then, field by field in the
form's order, the occurrences of a field are shared among the rows so that the distance from each to the nearest
label its row already holds is least in total (an optimal assignment: every field occurs once per row). Labels
that no headed row can take, and texts without headings, are grouped by the older rule: every field occurs once
per row, so a repeated field (or a 提供 label after 移転 ones) starts the next row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scipy.optimize import linear_sum_assignment

from .fields import Entry
from .form import FILE_LABELS

# The fields of a row in the order the form prints them; the first is printed beside the row's heading.
ROW_FIELDS = {family: [label.field for label in FILE_LABELS if label.group == family]
              for family in ("provision", "outsourcing")}
FIRST_FIELD = {"provision": "basis", "outsourcing": "content"}


@dataclass(eq=False)
class Cluster:
    family: str
    kind: str | None = None              # 提供 / 移転 for provisions
    entries: list[Entry] = field(default_factory=list)
    header: Entry | None = None

    def get(self, name: str) -> Entry | None:
        return next((e for e in self.entries if e.field == name), None)

    @property
    def first(self) -> int:
        """Where the row starts among the lines as read (Line.seq)."""
        return min(e.line.seq for e in self._all)

    @property
    def last(self) -> int:
        return max(e.line.seq for e in self._all)

    @property
    def first_line(self) -> int:
        """The source line the row starts on, for messages."""
        return min(e.line.n for e in self._all)

    @property
    def _all(self) -> list[Entry]:
        return self.entries + ([self.header] if self.header else [])


def _header_kind(h: Entry) -> str | None:
    return {"提供先": "提供", "移転先": "移転"}.get(h.header.group("what"))


def _takes(row: Cluster, e: Entry) -> bool:
    return row.get(e.field) is None and (not e.kind or not row.kind or e.kind == row.kind)


def _by_repeats(labels: list[Entry], family: str) -> list[Cluster]:
    """Rows as consecutive runs of labels: a repeated field, or a 提供 label after 移転 ones, starts the next."""
    clusters: list[Cluster] = []
    current: Cluster | None = None
    for e in labels:
        if current is None or not _takes(current, e):
            current = Cluster(family)
            clusters.append(current)
        current.entries.append(e)
        current.kind = current.kind or e.kind
    return clusters


def _anchored_rows(headers: list[Entry], labels: list[Entry], family: str) -> tuple[list[Cluster], list[Entry]]:
    """One row per heading, its fields assigned by least total distance; the labels no row takes."""
    rows: list[Cluster] = []
    seen: set[tuple[str, int]] = set()
    for h in sorted(headers, key=lambda e: e.line.seq):
        key = (h.header.group("what"), int(h.header.group("n")))
        if key in seen:
            continue            # a continuation page printed the heading again
        seen.add(key)
        rows.append(Cluster(family, kind=_header_kind(h), header=h))
    free = sorted(labels, key=lambda e: e.line.seq)
    # The first field printed right after its heading shares the heading's table row.
    first = FIRST_FIELD[family]
    for row in rows:
        after = [e for e in free if e.line.seq > row.header.line.seq]
        nxt = after[0] if after else None
        between = any(row.header.line.seq < r.header.line.seq < nxt.line.seq for r in rows) if nxt else True
        if nxt is not None and nxt.field == first and not between and _takes(row, nxt):
            row.entries.append(nxt)
            free.remove(nxt)
    for name in ROW_FIELDS[family]:
        occurrences = [e for e in free if e.field == name]
        candidates = [r for r in rows if r.get(name) is None]
        if not occurrences or not candidates:
            continue
        big = 10 ** 9
        cost = [[min(abs(e.line.seq - m.line.seq) for m in r._all) if _takes(r, e) else big
                 for r in candidates] for e in occurrences]
        for i, j in zip(*linear_sum_assignment(cost)):
            if cost[i][j] < big:
                candidates[j].entries.append(occurrences[i])
                candidates[j].kind = candidates[j].kind or occurrences[i].kind
                free.remove(occurrences[i])
    return rows, free


def cluster_rows(entries: list[Entry], family: str) -> list[Cluster]:
    labels = [e for e in entries if e.family == family and e.header is None]
    headers = [e for e in entries if e.family == family and e.header is not None]
    rows, free = _anchored_rows(headers, labels, family) if headers else ([], labels)
    clusters = rows + _by_repeats(free, family)
    clusters.sort(key=lambda c: c.first)
    return clusters
