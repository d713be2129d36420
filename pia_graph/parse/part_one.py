"""Read Ⅰ 基本情報: the affair, its systems with their connections, the file list, the legal bases, the department."""

from __future__ import annotations

import re

from .. import vocab
from ..model import Mark, Span, System, span_of
from ..normalize import compact
from .choices import read_band, read_checkboxes, read_choice_word
from .fields import CHOICE_LINE, Entry, find_entries, value_text
from .form import LINKAGE_ANSWERS, PART_ONE_INDEX, SYSTEM_HEADER
from .layout import Line, Section, retext
from .reading import Reading, entry_span
from .relayout import cut_at_elements

# "(1) 住民基本台帳ファイル": a file of Ⅰ's list, up to the next one; a list bullet before the next ("- (2)", as OCR
# prints a list that a web capture runs into one line) is not part of the name
_LISTED_FILE = re.compile(r"\((\d+)\)\s*([^()\s][^()]*?)(?=\s*(?:[-－・•●]\s*)?\(\d+\)|\s*$)")
# The basic form lists its systems as "(1) name (2) name" around ③システムの名称.
_LISTED_SYSTEM = re.compile(r"\((\d+)\)\s*([^()|①②③④⑤]+?)\s*(?=\(※\)|\(\d+\)|[①②③④⑤|]|$)")
_NUMBERED_ITEM = re.compile(r"^\(\d+\)")
_ALIAS = re.compile(r"以下「(.+?)」という")
_ALIAS_NOTE = re.compile(r"[（(]以下「.*?」という。?[）)]")


def _labels_apart(lines: list[Line]) -> list[Line]:
    """A line that starts with one of Ⅰ's labels and runs on into more of them (OCR of a table whose cells came out
    as one line: "1. 特定個人情報ファイルを取り扱う事務 ①事務の名称 住民基本台帳に関する事務 … ②事務の概要 …") cut
    where each label starts, as a web capture's run-on page is: each label then heads its own value."""
    out = []
    for ln in lines:
        parts = cut_at_elements(ln) if ln.key and PART_ONE_INDEX.match(ln.key) else [ln]
        out.extend(parts if sum(1 for p in parts if PART_ONE_INDEX.match(p.key)) > 1 else [ln])
    return out


def read_part_one(r: Reading, section: Section) -> None:
    doc = r.doc
    lines = section.lines
    entries = find_entries(_labels_apart(lines), PART_ONE_INDEX, with_headers=False)
    first: dict[str, Entry] = {}
    for e in entries:
        first.setdefault(e.field, e)
    if "affair_name" in first:
        e = first["affair_name"]
        name = value_text(e).split("\n")[0]
        if len(name) > 40:      # OCR put the name and the description in one cell
            m = re.match(r"^(.{2,40}?事務)\s", name)
            name = m.group(1) if m else name[:40]
        doc.affair, doc.affair_span = name, entry_span(e)
    if "affair_persons" in first:
        doc.affair_persons_band = read_band(first["affair_persons"].lines, vocab.AFFAIR_BANDS)
    if "file_list" in first:
        e = first["file_list"]
        doc.file_list_span = entry_span(e)
        for ln in e.lines:
            for m in _LISTED_FILE.finditer(ln.text):
                name = m.group(2).strip()
                if name and name not in doc.file_names:
                    doc.file_names.append(name)
    if "use_basis" in first:
        e = first["use_basis"]
        doc.use_basis = r.cite(_paragraphs(e), entry_span(e))
    if "linkage_done" in first:
        e = first["linkage_done"]
        key, _ = read_choice_word(e.lines, LINKAGE_ANSWERS)
        doc.linkage_done = {"yes": Mark.checked, "no": Mark.unchecked}.get(key, Mark.unknown)
        if key is None:
            r.note(f"Ⅰ6①実施の有無 unreadable (line {e.line.n})")
    if "linkage_basis" in first:
        e = first["linkage_basis"]
        doc.linkage_basis = r.cite(_paragraphs(e), entry_span(e))
    if "department" in first:
        doc.department = value_text(first["department"]).split("\n")[0] or None
    read_systems(r, lines, entries)


def _paragraphs(e: Entry, limit: int = 60) -> str:
    """A long free-text value that may span blank lines (Ⅰ5 lists of articles)."""
    parts = [e.inline] if e.inline else []
    for ln in e.owned[:limit]:
        if ln.key and not CHOICE_LINE.match(ln.key):
            parts.append(ln.text)
    return "\n".join(parts).strip()


def _is_box_line(ln: Line) -> bool:
    return "[" in ln.text or "]" in ln.text or ln.key in (")", "）", "○")


def _connection_starts(lines: list[Line], groups: list[list[Entry]]) -> list[int] | None:
    """Where each system's ③他のシステムとの接続 region starts: its label, or the box row just above it (which the
    label cell is centred against); None when not every system has a ③ label."""
    conn = [next((e for e in g if e.field == "system_connections"), None) for g in groups]
    if not all(conn):
        return None
    position = {id(ln): i for i, ln in enumerate(lines)}

    def region_start(e: Entry) -> int:
        k = position[id(e.line)]
        prev = next((ln for ln in reversed(lines[:k]) if ln.key), None)
        return prev.seq if prev is not None and _is_box_line(prev) else e.line.seq
    return [region_start(e) for e in conn]


def _connection_lines(lines: list[Line], groups: list[list[Entry]], idx: int, first: int,
                      starts: list[int] | None) -> list[Line]:
    """The box lines of system idx's ③他のシステムとの接続.

    In PDF text the ③ label cell sits beside its boxes and a system's page continues after the next system's name,
    so the boxes of the k-th ③ run from that label (and the box row just above it) to the next ③ (`starts`). When
    the ③ labels cannot be paired one to one with the systems, fall back to the system's own block: from its first
    label to the next system's.
    """
    if starts is not None:
        lo = starts[idx - 1]
        hi = starts[idx] if idx < len(starts) else None
    else:
        lo = first
        hi = groups[idx][0].line.seq if idx < len(groups) else None
    picked = [ln for ln in lines if lo <= ln.seq and (hi is None or ln.seq < hi) and _is_box_line(ln)]
    return _close_details(picked, lines)


def _close_details(picked: list[Line], lines: list[Line]) -> list[Line]:
    """Rejoin "[ ○ ] その他 （" with the lines up to its closing parenthesis (free text wraps in PDF text)."""
    out: list[Line] = []
    index = {id(x): i for i, x in enumerate(lines)}
    for ln in picked:
        opened = ln.text.count("(") - ln.text.count(")")
        if opened > 0 and "その他" in ln.text:
            text = ln.text
            for nxt in lines[index[id(ln)] + 1:index[id(ln)] + 8]:
                if not nxt.key:
                    continue
                if "[" in nxt.text or (nxt.key.startswith("]") and len(nxt.key) > 1):
                    break
                text += nxt.text
                opened += nxt.text.count("(") - nxt.text.count(")")
                if opened <= 0:
                    break
            out.append(retext(ln, text))
        elif ln.key in (")", "）") and out and out[-1].text.count("(") <= out[-1].text.count(")"):
            continue
        else:
            out.append(ln)
    return out


def read_systems(r: Reading, lines: list[Line], entries: list[Entry]) -> None:
    doc = r.doc
    headers = [ln for ln in lines if SYSTEM_HEADER.match(ln.key)]
    sys_entries = [e for e in entries if e.field in ("system_name", "system_functions", "system_connections")]
    groups: list[list[Entry]] = []
    for e in sys_entries:
        # ②システムの機能 can continue over a page and print its label twice; the name and ③ cannot.
        repeat = e.field != "system_functions" and any(x.field == e.field for x in groups[-1]) if groups else True
        if repeat:
            groups.append([])
        groups[-1].append(e)
    names = [value_text(e) for g in groups for e in g if e.field == "system_name"]
    if any(_NUMBERED_ITEM.match(name) for name in names):
        # The basic form's one cell of "(1) name (2) name …", not the full form's システムN blocks.
        doc.systems.extend(_listed_systems(lines))
        return
    starts = _connection_starts(lines, groups)
    for idx, group in enumerate(groups, 1):
        name_e = next((x for x in group if x.field == "system_name"), None)
        first = min(x.line.seq for x in group)
        # The nearest システムN heading to the name decides the number; else the order of appearance.
        n = idx
        if headers and name_e:
            h = min(headers, key=lambda h: abs(h.seq - name_e.line.seq))
            n = int(SYSTEM_HEADER.match(h.key).group("n"))
        name = value_text(name_e).split("\n")[0] if name_e else ""
        if not name:
            continue
        aliases = _ALIAS.findall(name)
        name = _ALIAS_NOTE.sub("", name).strip()
        conn_lines = _connection_lines(lines, groups, idx, first, starts)
        connections = read_checkboxes(conn_lines, vocab.CONNECTIONS, required=False)
        other = next((c.detail for c in connections if c.option == "other" and c.state == Mark.checked), None)
        fn = next((x for x in group if x.field == "system_functions"), None)
        span = Span.cover(*[entry_span(x) for x in group])
        if any(s.n == n for s in doc.systems):
            n = max(s.n for s in doc.systems) + 1
        doc.systems.append(System(n=n, name=name, aliases=aliases, functions=value_text(fn) if fn else None,
                                  connections=connections, other_connection=other, span=span))
    doc.systems.sort(key=lambda s: s.n)
    for s in doc.systems:
        if s.other_connection:
            other_key = compact(s.other_connection)
            s.linked_systems = [t.n for t in doc.systems if t.n != s.n
                                and any(compact(x) in other_key for x in [t.name, *t.aliases])]
    if not doc.systems:
        doc.systems.extend(_listed_systems(lines))


def _listed_systems(lines: list[Line]) -> list[System]:
    """The basic form lists its systems as "(1) name (2) name" beside ③システムの名称; OCR runs the list, the label
    and the neighbouring cells together, and puts the label in the middle of the list at times, so the list is
    read from the label's line and the line before it: the longest run numbered from (1)."""
    for k, ln in enumerate(lines):
        if "システムの名称" not in ln.key:
            continue
        before = next((x for x in reversed(lines[:k]) if x.key), None)
        texts = [(ln.text, ln)] + ([(before.text + " " + ln.text, before)] if before is not None else [])
        best: list[System] = []
        for text, first in texts:
            found: list[System] = []
            for m in _LISTED_SYSTEM.finditer(text):
                if int(m.group(1)) == len(found) + 1:
                    found.append(System(n=len(found) + 1, name=m.group(2).strip().rstrip("|").strip(),
                                        span=span_of(first.n, ln.last)))
            if len(found) > len(best):
                best = found
        if best:
            return best
    return []
