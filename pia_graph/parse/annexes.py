"""Read the appendices: 別紙 recipient tables (rows such as 85の2) and 別添3, the change history."""

from __future__ import annotations

import re

from ..model import AnnexRow, ChangeRow, span_of
from ..normalize import compact, parse_japanese_date
from .layout import Line, Section, joined_text, nonblank
from .reading import Reading
from .relayout import display_width

_SHEET = re.compile(r"^\(別紙(\d+)\)")
_ROW = re.compile(r"^(?P<row>\d+(の\d+)*)(項)?(\s+(?P<rest>.*))?$")
_DATED_ROW = re.compile(r"^\s*(令和|平成|昭和|\d{4})")
_TIMINGS = ("事前", "事後")
_ITEM_CODE = re.compile(r"^((I|II|III|IV|V|VI|Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ)([-－ー−(]|$)|\(別添\d\))")
_ITEM_START = re.compile(r"^(I|II|III|IV|V|VI|Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ)[^A-Za-z]|^(表紙|\(別添\d\)|\(別紙\d\))")


def read_sheet(r: Reading, section: Section) -> None:
    """The rows of a 別紙 recipient table: 項番, then its cells piece by piece. A cell wraps within its column, so
    the recipient (the first cell) goes on while its pieces fill the column: the column's width is the widest
    first piece, which many recipients reach."""
    annex = f"別紙{_SHEET.match(section.heading.key).group(1)}"
    known = {(row.annex, row.row) for row in r.doc.annex_rows}
    rows: list[tuple[Line, str, list[str]]] = []
    for ln in nonblank(section.lines):
        m = _ROW.match(ln.text)
        if m and len(m.group("row")) <= 7:
            rows.append((ln, m.group("row"), [m.group("rest")] if m.group("rest") else []))
        elif rows and not ln.key.startswith(("項番", "(別紙")):
            rows[-1][2].append(ln.text)
    widths = sorted(display_width(parts[0]) for _, _, parts in rows if parts)
    column = widths[-1] if len(widths) >= 2 and widths[-2] >= widths[-1] - 1 else None
    for ln, row, parts in rows:
        if (annex, row) in known:
            continue
        known.add((annex, row))
        cut = 1
        while column and cut < len(parts) and display_width(parts[cut - 1]) >= column - 1:
            cut += 1          # the recipient's piece filled its column: the next piece carries it on
        r.doc.annex_rows.append(AnnexRow(annex=annex, row=row, recipient="".join(parts[:cut]) or None,
                                         affair="".join(parts[cut:]) or None, span=span_of(ln.n, ln.last)))


def _first_cell(ln: Line) -> str:
    return ln.raw.partition("\t")[0]


def _is_date_cell(cell: str) -> bool:
    return "年" in cell and len(compact(cell)) <= 12 and parse_japanese_date(cell) is not None


# The change history's column heads, printed again at the top of every page of the table.
_COLUMN_HEADS = "変更日項目"


def _timing(row: list[Line], cells: list[str]) -> str | None:
    """提出時期 from its own cell (the table's fifth column), else from a line that ends with it as a word of its own:
    never from the explanation's prose ("事前提出が求められる「重要な変更」に当たらない" is a 事後 row)."""
    if len(cells) >= 5 and cells[4] in _TIMINGS:
        return cells[4]
    for ln in row:
        words = ln.text.split()
        if words and words[-1] in _TIMINGS:
            return words[-1]
    return None


def read_changes(r: Reading, section: Section) -> None:
    rows: list[list[Line]] = []
    body = [ln for ln in nonblank(section.lines) if not ln.key.startswith(_COLUMN_HEADS)]
    dated = any(_is_date_cell(_first_cell(ln)) for ln in body)
    timed = False       # whether the last row holds its 提出時期 (事前/事後) yet
    for ln in body:
        opens = bool(
            # a row that starts with its date
            (_is_date_cell(_first_cell(ln)) and _DATED_ROW.match(ln.text))
            # a table without a date column: each row starts with its item code (Ⅰ－４－①)
            or (not dated and _ITEM_CODE.match(ln.key))
            # a row whose date cell is empty: it starts with the item after the last row's 提出時期
            or (dated and rows and timed and _ITEM_START.match(ln.key))
            # a table row whose date cell is empty (same date as above)
            or (ln.raw.startswith("\t") and "\t" in ln.raw.strip("\t") and rows))
        if opens:
            rows.append([ln])
            timed = False
        elif rows:
            rows[-1].append(ln)
        timed = timed or ln.key.endswith(_TIMINGS)
    for row in rows:
        head = row[0]
        cells = [c.strip() for c in head.raw.split("\t")]
        if len(row) == 1 and len(cells) == 1 and _is_date_cell(head.text):
            continue          # a date with nothing after it: the page's date cell, the row is on the next page
        date = parse_japanese_date(cells[0]) if cells and cells[0] else None
        text = joined_text(row)
        timing = _timing(row, cells)
        if len(cells) >= 4:
            item, before, after = cells[1], cells[2] or None, cells[3] or None
            explanation = cells[5] if len(cells) > 5 else None
        elif _ITEM_CODE.match(head.key):
            # PDF text runs the before/after cells together: keep the code as the item, the rest as text.
            item, before, after, explanation = head.text, None, None, None
        else:
            item = joined_text(row[1:]) or head.text
            before = after = explanation = None
        r.doc.changes.append(ChangeRow(date=date, item=item, before=before, after=after, timing=timing,
                                       explanation=explanation or None, text=text,
                                       span=span_of(row[0].n, max(ln.last for ln in row))))
