"""Pair a row's checkbox lists with their labels: the boxes beside the label, and the block of boxes that PDF text
printed elsewhere, matched to the label left wanting.

A method list (⑥提供方法, ④委託先への提供方法) is a grid of boxes over two or three lines. PDF text tools cut the
grid in two: the half beside the label stays there, the other half lands elsewhere in the row's page, often after
the next row's heading (seeds 000 and 002: 提供先1's 紙 / その他 / 電子メール / 電子記録媒体 boxes come out under
提供先2's ①). Reading every box of a row's lines then takes another row's ticks. So each label takes the run of box
lines beside it, and the runs beside no label are shared among the labels of the same list so that the distance
between each run and its label is least in total.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.optimize import linear_sum_assignment

from ..vocab import Scheme
from .fields import Entry
from .layout import Line


def is_box_line(line: Line) -> bool:
    return "[" in line.text or line.key.startswith("]")


@dataclass
class BoxRun:
    lines: list[Line]            # box lines, in order (blank lines between them skipped)
    first: int                   # position of its first and last line in the segment
    last: int


def box_runs(seg: list[Line]) -> list[BoxRun]:
    """The maximal runs of box lines in the segment, blank lines not breaking a run."""
    runs: list[BoxRun] = []
    current: list[tuple[int, Line]] = []
    for i, ln in enumerate(seg):
        if not ln.key:
            continue
        if is_box_line(ln):
            current.append((i, ln))
            continue
        if current:
            runs.append(BoxRun([ln for _, ln in current], current[0][0], current[-1][0]))
            current = []
    if current:
        runs.append(BoxRun([ln for _, ln in current], current[0][0], current[-1][0]))
    return runs


def _mentions(run: BoxRun, scheme: Scheme) -> bool:
    return any(scheme.match(part.strip().lstrip("[]○◯ ")) for ln in run.lines
               for part in ln.text.replace("]", "[").split("[") if part.strip())


class BoxPairing:
    """A file segment's box runs, read once, and where its lines are; pairs the box labels of each row family."""

    def __init__(self, seg: list[Line], box_labels: list[Entry]):
        self.seg = seg
        self.position = {id(ln): i for i, ln in enumerate(seg)}
        self.runs = box_runs(seg)
        self.taken = {id(r) for e in box_labels for r in self._beside(e, self.runs)}

    def at(self, line: Line) -> int | None:
        return self.position.get(id(line))

    def _beside(self, e: Entry, runs: list[BoxRun]) -> list[BoxRun]:
        at = self.at(e.line)
        if at is None:
            return []
        seg = self.seg
        prev = next((i for i in range(at - 1, -1, -1) if seg[i].key), None)
        nxt = next((i for i in range(at + 1, len(seg)) if seg[i].key), None)
        return [r for r in runs if r.first <= at <= r.last or r.last == prev or r.first == nxt]

    def boxes_of(self, labels: list[Entry], scheme: Scheme, region: tuple[int, int] | None = None
                 ) -> dict[int, list[Line]]:
        """The box lines of each label (by id): the run on or beside its line, and the run matched to it among
        those beside no box label of the segment and within `region` (positions in the segment: the rows' part of
        the file). A label that has neither gets nothing here (the caller reads its row's lines instead)."""
        runs = self.runs if region is None else [r for r in self.runs if region[0] <= r.first and r.last <= region[1]]
        own = {id(e): [ln for r in self._beside(e, runs) for ln in r.lines] for e in labels}
        orphans = [r for r in runs if id(r) not in self.taken and _mentions(r, scheme)]
        if orphans and labels:
            cost = [[min(abs(self.at(e.line) - r.first), abs(self.at(e.line) - r.last)) for r in orphans]
                    for e in labels]
            for i, j in zip(*linear_sum_assignment(cost)):
                own[id(labels[i])] = own[id(labels[i])] + orphans[j].lines
        return {k: v for k, v in own.items() if v}
