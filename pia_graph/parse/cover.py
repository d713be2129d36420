"""Read the cover (評価書番号, 評価書名, 評価実施機関名, 公表日, the 様式 stamp) and decide which form the document is."""

from __future__ import annotations

import re

from ..normalize import parse_japanese_date
from .fields import find_entries
from .form import (BODY, BODY_AFTER_LABEL, COVER_INDEX, FORM_BY_NAME, FORM_BY_STYLE, FORM_NUMBERING, STAMP, Kind)
from .layout import Line, Section, nonblank, retext
from .reading import Reading

_NUMBER_AND_TITLE = re.compile(r"^(\d+)\s+(.+評価書)$")
_LEADING_NUMBER = re.compile(r"^(\d+)(\s|$)")
COVER_KEYS = ("評価実施機関名", "評価書番号", "評価書名")


def has_cover(preamble: list[Line]) -> bool:
    """Whether the lines before the first heading are a cover (a fragment starts mid-section instead)."""
    text = "".join(ln.key for ln in preamble)
    return any(k in text for k in COVER_KEYS)


def read_cover(r: Reading, lines: list[Line]) -> None:
    doc = r.doc
    text_lines = nonblank(lines)
    r.keep("cover", text_lines, "表紙")
    for ln in text_lines:
        m = STAMP.search(ln.text)
        if m and not doc.stamp:
            doc.stamp = m.group(0)
            doc.form = FORM_BY_STYLE.get(m.group("style"))
            doc.form_evidence = m.group(0)
        for name, form in FORM_BY_NAME.items():
            if f"({name})" in ln.key and not doc.form:
                doc.form, doc.form_evidence = form, ln.text
    entries = {e.field: e for e in reversed(find_entries(text_lines, COVER_INDEX, with_headers=False))}
    position = {id(ln): i for i, ln in enumerate(text_lines)}

    def following(field: str, count: int) -> list[Line]:
        e = entries.get(field)
        return text_lines[position[id(e.line)] + 1:position[id(e.line)] + 1 + count] if e else []

    # 評価書番号: beside its label (a cover on one line, a table export) or on the lines under it, where PDF text
    # may print it with the title ("1 住民基本台帳事務 基礎項目評価書").
    if "number" in entries:
        inline = _LEADING_NUMBER.match(entries["number"].inline)
        if inline:
            doc.number = inline.group(1)
        title_inline = [entries["title"].line] if "title" in entries and entries["title"].inline else []
        for cand in following("number", 3) + [retext(x, entries["title"].inline) for x in title_inline]:
            m = _NUMBER_AND_TITLE.match(cand.text)
            if m:
                doc.number, doc.title = doc.number or m.group(1), m.group(2)
                break
            if cand.key.isdigit() and not doc.number:
                doc.number = cand.key
    if "title" in entries and not doc.title:
        # The title follows its label; some bodies title it by the affair alone (…に関する事務).
        inline = entries["title"].inline
        candidates = ([inline] if inline else []) + [x.text for x in following("title", 2)]
        for cand in candidates:
            key = "".join(cand.split())
            if key.startswith(("特定個人情報保護評価書", "評価書番号")) or key.endswith("宣言"):
                continue
            if key.endswith(("評価書", "事務")):
                doc.title = cand
                break
    if "published" in entries:
        for cand in [entries["published"].inline] + [x.text for x in following("published", 3)]:
            d = parse_japanese_date(cand)
            if d:
                doc.published = d
                break
    doc.body = _body(text_lines, entries.get("body"))
    if doc.body is None:
        r.note("the cover names no 評価実施機関 in a recognisable form")
    if doc.published is None:
        r.note("公表日 is not given on the cover")


def _body(text_lines: list[Line], label) -> str | None:
    """The assessing body: beside its label when it is written there (a table export, a cover captured as one
    line); else, as PDF text scatters the cover, the cover text that has the shape of a body (…市長, …県知事)
    nearest to the label, on a line of its own or beside another of the cover's labels."""
    if label is not None and label.inline:
        name = label.inline.replace(" ", "")
        if BODY.match(name) or BODY_AFTER_LABEL.match(name):
            return name
    label_at = next((k for k, ln in enumerate(text_lines) if label is not None and ln is label.line), 0)
    candidates = []
    for k, ln in enumerate(text_lines):
        found = COVER_INDEX.match(ln.key)
        value = ln.key[found[2]:] if found else ln.key
        if BODY.match(value):
            candidates.append((k, value))
    if not candidates:
        return None
    return min(candidates, key=lambda kv: abs(kv[0] - label_at) + (0 if kv[0] > label_at else 0.5))[1]


def detect_form(r: Reading, sections: list[Section]) -> None:
    """The form, where the cover did not say: the basic form's own sections, or the field numbering."""
    doc = r.doc
    if doc.form:
        return
    if {s.name for s in sections} & {"threshold", "risk-basic"}:
        doc.form, doc.form_evidence = "basic", "しきい値判断 sections"
        return
    for ln in r.lines:
        m = FORM_NUMBERING.match(ln.key)
        if m:
            form = "focused" if m.group(1) == "③" else "full"
            doc.form = form
            doc.form_evidence = f"line {ln.n}: {ln.text} ({'重点項目' if form == 'focused' else '全項目'} numbering)"
            return
    r.note("form not stated (no cover, no 様式 stamp) and not decidable from the field numbering")


__all__ = ["COVER_KEYS", "Kind", "detect_form", "has_cover", "read_cover"]
