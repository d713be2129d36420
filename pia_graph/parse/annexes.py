"""Read the appendices: 別紙 recipient tables (rows such as 85の2) and 別添3, the change history."""

from __future__ import annotations

import re

from ..model import AnnexRow, ChangeRow, span_of
from ..normalize import compact, parse_japanese_date
from .layout import Line, Section, joined_text, nonblank
from .reading import Reading

_SHEET = re.compile(r"^\(別紙(\d+)\)")
_ROW = re.compile(r"^(?P<row>\d+(の\d+)*)(項)?(\s+(?P<rest>.*))?$")
_DATED_ROW = re.compile(r"^\s*(令和|平成|昭和|\d{4})")
_TIMINGS = ("事前", "事後")
_ITEM_CODE = re.compile(r"^((I|II|III|IV|V|VI|Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ)([-－ー−(]|$)|\(別添\d\))")
_ITEM_START = re.compile(r"^(I|II|III|IV|V|VI|Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ)[^A-Za-z]|^(表紙|\(別添\d\)|\(別紙\d\))")


def read_sheet(r: Reading, section: Section) -> None:
    annex = f"別紙{_SHEET.match(section.heading.key).group(1)}"
    known = {(row.annex, row.row) for row in r.doc.annex_rows}
    rows: list[tuple[Line, str, list[str]]] = []
    for ln in nonblank(section.lines):
        m = _ROW.match(ln.text)
        if m and len(m.group("row")) <= 7:
            rows.append((ln, m.group("row"), [m.group("rest")] if m.group("rest") else []))
        elif rows and not ln.key.startswith(("項番", "(別紙")):
            rows[-1][2].append(ln.text)
    for ln, row, parts in rows:
        if (annex, row) in known:
            continue
        known.add((annex, row))
        r.doc.annex_rows.append(AnnexRow(annex=annex, row=row, recipient=parts[0] if parts else None,
                                         affair="".join(parts[1:]) or None, span=span_of(ln.n, ln.last)))


def _first_cell(ln: Line) -> str:
    return ln.raw.partition("\t")[0]


def _is_date_cell(cell: str) -> bool:
    return "年" in cell and len(compact(cell)) <= 12 and parse_japanese_date(cell) is not None


def read_changes(r: Reading, section: Section) -> None:
    rows: list[list[Line]] = []
    body = nonblank(section.lines)
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
        date = parse_japanese_date(cells[0]) if cells and cells[0] else None
        text = joined_text(row)
        timing = "事前" if "事前" in text else ("事後" if "事後" in text else None)
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
