"""Repairs for pages that PDF text emitted out of order, as a named list of passes run in the order given.

PDF text tools emit a page's blocks bottom-up at times, so a block can land on the wrong side of a heading: a 別紙
table's first page above the sheet's heading, a file's first fields above its Ⅱ heading, Ⅲ's first questions at
the end of Ⅱ. Each repair moves such lines back by a rule of the form (what a block starts with, which fields a file
has once), never by line positions of a particular document. Section repairs run after the document is cut into
sections and before any section is read; file repairs run on Ⅱ's per-file segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .fields import find_entries
from .form import FILE_INDEX, LEADING_FIELDS, RISK_HEADING, RISK_QUESTION, LabelIndex, STORAGE_LABELS
from .layout import Line, Section


@dataclass(frozen=True)
class Repair:
    name: str
    why: str
    run: Callable


def reclaim_sheet_first_pages(sections: list[Section]) -> list[Section]:
    """A 別紙 table's first page can come out above the sheet's heading, at the end of the previous section: its
    column header (項番 情報照会者 …) marks where the table starts, so the lines from there belong to the sheet."""
    for k in range(1, len(sections)):
        sheet, prev = sections[k], sections[k - 1]
        if sheet.name != "sheet" or prev.name == "sheet":
            continue
        idx = next((i for i in range(len(prev.lines) - 1, -1, -1) if prev.lines[i].key.startswith("項番")), None)
        if idx is not None:
            sheet.lines[:0] = prev.lines[idx:]
            del prev.lines[idx:]
    return sections


def reclaim_leading_fields(sections: list[Section]) -> list[Section]:
    """PDF text can print the first file's 基本情報 (保有開始日, 事務担当部署 …) above its Ⅱ heading, at the tail
    of the previous section: give those lines back to the first file."""
    first = next((i for i, s in enumerate(sections) if s.name == "II"), 0)
    if first == 0:
        return sections
    prev = sections[first - 1]
    tail_start = max(0, len(prev.lines) - 120)
    hits = [e for e in find_entries(prev.lines[tail_start:], with_headers=False)
            if e.family == "basic" and e.field in LEADING_FIELDS]
    if hits:
        idx = next(i for i, ln in enumerate(prev.lines) if ln is hits[0].line)
        sections[first].lines[:0] = prev.lines[idx:]
        del prev.lines[idx:]
    return sections


_STORAGE_INDEX = LabelIndex(STORAGE_LABELS)


def reclaim_trailing_risk(sections: list[Section]) -> list[Section]:
    """Ⅲ's first page can come out above its own heading, at the end of the section before it (the last file's
    Ⅱ, or 別添2): move the lines from the first risk question there into the first Ⅲ section."""
    first = next((i for i, s in enumerate(sections) if s.name == "III"), None)
    if not first:
        return sections
    prev = sections[first - 1]
    after = -1
    if prev.name == "II":
        # Ⅱ's own text ends with its storage fields; only a question after them can be Ⅲ's.
        last = next((i for i in range(len(prev.lines) - 1, -1, -1) if _STORAGE_INDEX.match(prev.lines[i].key)), None)
        if last is None:
            return sections
        after = last
    idx = next((i for i in range(after + 1, len(prev.lines))
                if RISK_QUESTION in prev.lines[i].key or RISK_HEADING.match(prev.lines[i].key)), None)
    if idx is not None:
        sections[first].lines[:0] = prev.lines[idx:]
        del prev.lines[idx:]
    return sections


SECTION_REPAIRS: tuple[Repair, ...] = (
    Repair("sheet first pages", "a 別紙 table's first page printed above the sheet's heading", reclaim_sheet_first_pages),
    Repair("leading fields", "a file's first 基本情報 fields printed above its Ⅱ heading", reclaim_leading_fields),
    Repair("trailing risk", "Ⅲ's first questions printed at the end of Ⅱ", reclaim_trailing_risk),
)


def rebalance_files(segments: list[list[Line]]) -> list[list[Line]]:
    """Move a file's leading fields that PDF text emitted above its Ⅱ heading back to that file: a field of
    基本情報 that occurs twice in one segment, after the segment's storage fields, opens the next file's first
    page."""
    for k in range(len(segments) - 1):
        seg = segments[k]
        seen: set[str] = set()
        storage_seen = False
        cut = None
        for e in find_entries(seg, FILE_INDEX):
            if e.family == "storage":
                storage_seen = True
            if e.family == "basic" and e.field in seen and storage_seen:
                cut = e.line
                break
            if e.family == "basic":
                seen.add(e.field)
        if cut is not None:
            idx = next(i for i, ln in enumerate(seg) if ln is cut)
            segments[k + 1] = seg[idx:] + segments[k + 1]
            segments[k] = seg[:idx]
    return segments


FILE_REPAIRS: tuple[Repair, ...] = (
    Repair("file first pages", "a file's first page printed at the end of the file before it", rebalance_files),
)
