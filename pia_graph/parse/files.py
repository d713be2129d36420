"""Read Ⅱ 特定個人情報ファイルの概要, once per file: its fields, declared counts, 委託 rows and 提供/移転 rows."""

from __future__ import annotations

import re

from .. import vocab
from ..model import Field_, FileSection, Mark, Outsourcing, Provision, Span, span_of
from ..parties import split_parties
from .boxes import BoxPairing
from .choices import read_choice_word
from .fields import CHOICE_LINE, Entry, find_entries, starts_label, value_text
from .form import (DECLARED_COUNT, FILE_LABELS, FILE_NAME_HEADING, FIRST_FILE_HEADING, OUTSOURCING_ANSWERS, OUTSOURCING_METHOD_ORDER,
                   PLAIN_COUNT, PROVISION_METHOD_ORDER, Kind)
from .items import Cluster, cluster_rows
from .layout import Line, Section, joined_text, line_range, nonblank
from .reading import Reading, entry_span
from .repairs import FILE_REPAIRS

_FILE_NAME = re.compile(r"^(?:[\(（](\d+)[\)）])?\s*(.+ファイル)$")
_ANNEX_REF = re.compile(r"別紙\s*(\d+)")
_OUTSOURCING_COUNT = re.compile(r"[\(（]\s*(\d+)\s*[\)）]\s*件")
_FILE_FIELDS = {(label.group, label.field): label for label in FILE_LABELS}


def file_segments(overview: list[Section]) -> list[list[Line]]:
    """Each file's lines: a Ⅱ section per file, or (a table export) one Ⅱ section whose every
    "1. 特定個人情報ファイル名" after the first opens the next file."""
    segments: list[list[Line]] = []
    for s in overview:
        cuts = [i for i, ln in enumerate(s.lines) if ln.key.startswith(FIRST_FILE_HEADING)][1:]
        bounds = [0, *cuts, len(s.lines)]
        first = len(segments)
        segments.extend(s.lines[a:b] for a, b in zip(bounds, bounds[1:]))
        if s.heading:
            segments[first].insert(0, s.heading)
    return segments


def read_files(r: Reading, overview: list[Section]) -> None:
    segments = file_segments(overview)
    for repair in FILE_REPAIRS:
        segments = repair.run(segments)
    for k, seg in enumerate(segments, 1):
        fs = read_file(r, k, seg)
        if fs:
            r.doc.files.append(fs)


def _file_name(r: Reading, k: int, seg: list[Line]) -> tuple[int, str]:
    """The file's number and name from its "1. 特定個人情報ファイル名" block, else from Ⅰ's list."""
    for i, ln in enumerate(seg):
        if not FILE_NAME_HEADING.match(ln.key):
            continue
        rest = FILE_NAME_HEADING.sub("", ln.key)
        candidates = ([rest] if rest else []) + [x.text for x in seg[i + 1:i + 4] if x.key]
        for c in candidates:
            m = _FILE_NAME.match(c.strip())
            if m:
                # The document's own number ((2) in a fragment) keeps Ⅲ's references to the file right.
                return (int(m.group(1)) if m.group(1) else k), m.group(2).strip()
    if k <= len(r.doc.file_names):
        r.note(f"file {k}: Ⅱ1 ファイル名 not found; named from the Ⅰ3 list")
        return k, r.doc.file_names[k - 1]
    r.note(f"file {k}: no file name in Ⅱ1 or Ⅰ3")
    return k, f"(file {k}: name not found)"


def read_file(r: Reading, k: int, seg: list[Line]) -> FileSection | None:
    body = nonblank(seg)
    entries = find_entries(seg)
    if not body or not (entries or any(FILE_NAME_HEADING.match(ln.key) for ln in body)):
        return None          # no name and none of Ⅱ's fields: text that is not a file's Ⅱ, and no file is made up
    k, name = _file_name(r, k, seg)
    fs = FileSection(n=k, name=name, span=span_of(*line_range(body)))
    first: dict[tuple[str, str], Entry] = {}
    for e in entries:
        if e.label is not None:
            first.setdefault((e.label.group, e.label.field), e)
    for label in FILE_LABELS:
        if label.group in ("outsourcing", "provision") or label.target is None:
            continue
        entry = first.get((label.group, label.field))
        lines = None
        if label.field == "categories":
            # 主な記録項目's boxes can sit under ④記録される項目 (the two cells share a box in the form).
            items = first.get(("basic", "items"))
            lines = (entry.lines if entry else []) + (items.lines if items else [])
        setattr(fs, label.target, r.value(label, entry, lines))
    read_declared(fs, seg, entries)
    pairing = BoxPairing(seg, [e for e in entries
                               if e.label is not None and e.label.kind in (Kind.BOXES, Kind.BAND, Kind.WORD)])
    for family, read_row, into in (("outsourcing", outsourcing_row, fs.outsourcings),
                                   ("provision", provision_row, fs.provisions)):
        clusters = cluster_rows(entries, family)
        methods = [e for c in clusters if (e := c.get("methods")) is not None]
        boxes = pairing.boxes_of(methods, vocab.METHODS, _region(pairing, entries, family)) if methods else {}
        for c in clusters:
            row = read_row(r, fs, c, boxes)
            if row:
                into.append(row)
    fs.fields.append(Field_(section=f"II.{k}", label="Ⅱ 特定個人情報ファイルの概要", value=joined_text(body),
                            span=fs.span))
    return fs


def read_declared(fs: FileSection, seg: list[Line], entries: list[Entry]) -> None:
    """The counts the file declares: 提供を行っている （N） 件, 移転を行っている （N） 件, [ 委託する ] （N） 件."""
    for ln in seg:
        if "を行っている" not in ln.text:
            continue
        for m in DECLARED_COUNT.finditer(ln.text):
            n = int(m.group("n")) if m.group("n") else None
            if n is None:
                # An empty count is zero only when the box is visibly empty; a torn box decides nothing.
                n = 0 if (m.group("box") or "").startswith("[") and not m.group("mark") else None
            if m.group("what") == "提供" and fs.provision_declared is None:
                fs.provision_declared = n
            elif m.group("what") == "移転" and fs.transfer_declared is None:
                fs.transfer_declared = n
    # 委託の有無: "[ 委託する ] … （ N ） 件" or "[ 委託しない ]", under its label (PDF text may put the count on a
    # line of its own anywhere in the file's block, or run it into the choice list's line)
    declared = next((e for e in entries if e.label is not None and e.field == "outsourcing"
                     and e.label.group == "declared"), None)
    if declared is not None:
        word, _ = read_choice_word(declared.lines, OUTSOURCING_ANSWERS)
        if word == "no":
            fs.outsourcing_declared = 0
        for ln in declared.lines:
            m = _OUTSOURCING_COUNT.search(ln.text)
            if m and "行っている" not in ln.text:
                fs.outsourcing_declared = int(m.group(1))
                break
    if fs.outsourcing_declared is None:
        for ln in seg:
            m = PLAIN_COUNT.match(ln.key)
            if m:
                fs.outsourcing_declared = int(m.group("n"))
                break


def _region(pairing: BoxPairing, entries: list[Entry], family: str) -> tuple[int, int] | None:
    """Where a family's rows are in the segment: from its first label or heading to the next label of another
    block after its last one."""
    at = [k for k, e in enumerate(entries) if e.family == family]
    if not at:
        return None
    after = next((e for e in entries[at[-1] + 1:] if e.family != family), None)
    return pairing.at(entries[at[0]].line), pairing.at(after.line) if after else len(pairing.seg)


def _row_values(r: Reading, c: Cluster, family: str, order: tuple[str, ...], boxes: dict[int, list[Line]]) -> dict:
    """The row's fields by their labels: each read from its own entry; a box list from the boxes paired with its
    label (pia_graph.parse.boxes); where PDF text tore the boxes from their label, from the whole row."""
    row_lines = [ln for e in c.entries for ln in e.lines]
    values = {}
    for label in FILE_LABELS:
        if label.group != family or label.target is None:
            continue
        entry = c.get(label.field)
        lines = row_lines if label.row_wide else None
        if entry is not None and id(entry) in boxes:
            lines = boxes[id(entry)]
        values[label.target] = r.value(label, entry, lines, order=order if label.kind is Kind.BOXES else None)
    return values


def outsourcing_row(r: Reading, fs: FileSection, c: Cluster, boxes: dict[int, list[Line]]) -> Outsourcing | None:
    if c.header is None and not c.get("contractor") and not c.get("content"):
        return None
    n = int(c.header.header.group("n")) if c.header else len(fs.outsourcings) + 1
    if c.header is None:
        r.note(f"file {fs.n}: a 委託 row without its 委託事項 heading (line {c.first_line})")
    values = _row_values(r, c, "outsourcing", OUTSOURCING_METHOD_ORDER, boxes)
    note = None
    if values["subcontract"] is Mark.unknown:
        # The answer can be torn from its label: look for it anywhere in the row.
        sub = _FILE_FIELDS[("outsourcing", "subcontract")]
        values["subcontract"] = r.value(sub, None, [ln for e in c.entries for ln in e.lines])
        if values["subcontract"] is Mark.unknown:
            note = "the chosen answer of 再委託の有無 was torn from its box"
    contractor = values["contractor"]
    title = (c.header.inline if c.header else "") or (values["content"] or "").split("\n")[0]
    span = Span.cover(*[entry_span(e) for e in c.entries], entry_span(c.header) if c.header else None)
    return Outsourcing(n=n, title=title, contractor_parties=split_parties(contractor) if contractor else [],
                       subcontract_note=note, span=span, **values)


def _recipient(c: Cluster) -> str:
    """The recipient as its heading names it: beside the heading, or under it, wrapped over several lines; a ※
    remark, a box or the next label ends it."""
    recipient = c.header.inline.strip()
    if recipient:
        return recipient
    parts = []
    owned = c.header.owned
    for i, ln in enumerate(owned):
        if not ln.key:
            if parts:
                break
            continue
        if ln.key.startswith("※") or CHOICE_LINE.match(ln.key) or starts_label(owned, i):
            break
        parts.append(ln.text)
    return "".join(parts)


def provision_row(r: Reading, fs: FileSection, c: Cluster, boxes: dict[int, list[Line]]) -> Provision | None:
    if c.header is None:
        if c.get("basis") or c.get("purpose"):
            r.note(f"file {fs.n}: 提供/移転 fields without a 提供先/移転先 heading (line {c.first_line}); not a row")
        return None
    kind = c.kind or ("提供" if c.header.header.group("what") == "提供先" else "移転")
    recipient = _recipient(c)
    basis_text = value_text(c.get("basis")) if c.get("basis") else ""
    if not recipient and not basis_text:
        # An unused row of the form (移転先1 printed but left blank): nothing to record.
        return None
    if not recipient:
        # Kept without a recipient (no party is made up): the shapes report a row with no recipient as a violation.
        r.note(f"file {fs.n}: {kind}先{c.header.header.group('n')}: its recipient could not be read "
               f"(line {c.header.line.n})")
        recipient = None
    values = _row_values(r, c, "provision", PROVISION_METHOD_ORDER[kind], boxes)
    m = _ANNEX_REF.search(recipient or "")
    span = Span.cover(*[entry_span(e) for e in c.entries], entry_span(c.header))
    return Provision(kind=kind, n=int(c.header.header.group("n")), recipient=recipient,
                     parties=split_parties(recipient) if recipient else [],
                     annex_ref=f"別紙{m.group(1)}" if m else None, span=span, **values)
