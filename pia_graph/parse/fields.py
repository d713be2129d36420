"""Find the form's field labels in a run of lines and the value text each label owns."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .form import CHOICE_LINE, CHOICE_LIST, FILE_INDEX, ITEM_HEADER, Label, LabelIndex, starts_element
from .layout import Line


@dataclass(eq=False)        # an entry is itself: compared by identity (value equality compared whole line lists)
class Entry:
    """One label occurrence: which field, where, and the value written beside or under it."""
    label: Label | None
    header: re.Match | None            # a row heading (提供先2 …) instead of a label
    line: Line
    kind: str | None                   # 提供 / 移転 when the label or heading says so
    label_text: str
    inline: str                        # the rest of the label's own line
    owned: list[Line]                  # lines after it up to the next entry

    @property
    def family(self) -> str:
        if self.header:
            return "outsourcing" if self.header.group("what") == "委託事項" else "provision"
        return self.label.group

    @property
    def field(self) -> str:
        return "header" if self.header else self.label.field

    @property
    def lines(self) -> list[Line]:
        return [self.line, *self.owned]


def match_label(index: LabelIndex, lines: list[Line], i: int) -> tuple[Label, str, int, bool] | None:
    """The label line i starts with: (label, word, where it ends in the key, whether it wrapped onto line i+1).

    A label may wrap ("④提供する情報の対象となる" + "本人の数"): when the line ends inside a longer label, the next
    line's key is read on with it, and only a label longer than the first line's part is taken."""
    key = lines[i].key
    if index.cut_short(key) and i + 1 < len(lines):
        joined = key + lines[i + 1].key
        found = index.match(joined)
        if found is not None and found[2] > len(key):
            return (*found, True)
    found = index.match(key)
    return (*found, False) if found is not None else None


def _inline_value(line: Line, label_end: int) -> str:
    """The text after the label on its own line: the visible text past the first `label_end` key characters."""
    text = line.text
    seen = 0
    cut = 0
    if label_end:
        for idx, ch in enumerate(text):
            if not ch.isspace():
                seen += 1
            if seen >= label_end:
                cut = idx + 1
                break
    rest = text[cut:].strip()
    return rest.removeprefix("※").strip() if rest.startswith("※") else rest


_HEADER_TITLE = re.compile(r"^\s*(提供先|移転先|委託事項)\s*\d+\s*")


def find_entries(lines: list[Line], index: LabelIndex = FILE_INDEX, with_headers: bool = True) -> list[Entry]:
    """Every label (and, with_headers, every row heading) in the lines, each owning the lines up to the next."""
    entries: list[Entry] = []
    positions: list[int] = []          # where each entry's line is in `lines`
    for i, line in enumerate(lines):
        if not line.key:
            continue
        if with_headers:
            h = ITEM_HEADER.match(line.key)
            if h:
                what = h.group("what")
                title = _HEADER_TITLE.sub("", line.text).strip()
                entries.append(Entry(None, h, line, what[:2] if what != "委託事項" else None, what, title, []))
                positions.append(i)
                continue
        found = match_label(index, lines, i)
        if found is None:
            continue
        label, word, end, wrapped = found
        kind = word[:2] if word.startswith(("提供", "移転")) else None
        # A label that wrapped was matched on two lines' keys; its value starts under it.
        inline = "" if wrapped else _inline_value(line, end)
        entries.append(Entry(label, None, line, kind, word, inline, []))
        positions.append(i)
    ends = positions[1:] + [len(lines)]
    for e, start, end in zip(entries, positions, ends):
        e.owned = lines[start + 1:end]
    return entries


def starts_label(lines: list[Line], i: int, index: LabelIndex = FILE_INDEX) -> bool:
    return match_label(index, lines, i) is not None


def value_text(entry: Entry) -> str:
    """A free-text field's value: its inline text, else the first paragraph under it (choice lists skipped)."""
    parts = [entry.inline] if entry.inline else []
    started = bool(parts)
    blanks = 0
    owned = entry.owned
    if entry.label is not None and entry.inline == "" and owned and entry.label_text not in entry.line.key:
        owned = owned[1:]            # the second half of a wrapped label
    for ln in owned:
        if not ln.key:
            if started:
                break
            blanks += 1
            if blanks > 2:
                break
            continue
        if CHOICE_LINE.match(ln.key):
            if started:
                break
            continue          # a choice list between the label and its value
        if starts_element(ln.key):
            break             # another part of the form: the value, if any, was not under this label
        parts.append(ln.text)
        started = True
    return "\n".join(p for p in parts if p).strip()


def value_span(entry: Entry) -> tuple[int, int]:
    last = entry.line.last
    for ln in entry.owned:
        if ln.key:
            last = max(last, ln.last)
    return entry.line.n, last


__all__ = ["CHOICE_LINE", "CHOICE_LIST", "Entry", "find_entries", "match_label", "starts_label", "value_span",
           "value_text"]
