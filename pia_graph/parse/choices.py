"""Read checkbox lists and single-choice bands, keeping torn or markless ones unknown."""

from __future__ import annotations

import re

from ..model import Band, Choice, Mark, Span, span_of
from ..normalize import compact
from ..vocab import Scheme
from .layout import Line

_MARKS = "○◯●✓✔☑■"
# "[ ○ ] label", "[ ] label", or "] label" whose opening bracket was torn off to another line.
_BOX = re.compile(r"(?P<open>\[)\s*(?P<mark>[" + _MARKS + r"]?)\s*\]\s*(?P<label>[^\[\]]*)|^\s*\]\s*(?P<torn>[^\[\]]+)")
_OPEN_AT_END = re.compile(r"\[\s*(?P<mark>[" + _MARKS + r"])?\s*$")
_LOOSE_MARK = re.compile(r"^\s*[" + _MARKS + r"]\s*\]?\s*$")
_DETAIL = re.compile(r"[(（]\s*(?P<detail>[^()（）]*?)\s*[)）]?\s*$")
_BAND = re.compile(r"\[\s*(?P<label>[^\[\]" + _MARKS + r"][^\[\]]*?)\s*(\]|$)")


def _detail(rest: str) -> str | None:
    """The free text inside the outermost （ ） after an option, nested parentheses kept."""
    rest = rest.strip()
    if not rest or rest[0] not in "(（":
        return None
    depth, out = 0, []
    for ch in rest:
        if ch in "(（":
            depth += 1
            if depth == 1:
                continue
        elif ch in ")）":
            depth -= 1
            if depth == 0:
                break
        out.append(ch)
    text = "".join(out).strip()
    return text or None


def read_checkboxes(lines: list[Line], scheme: Scheme, required: bool = True,
                    order: list[str] | None = None) -> list[Choice]:
    """Every option of `scheme` with its state as the lines show it.

    `order` lists the options the form prints for this list, in the order it prints them (default: the scheme's);
    no other option of the scheme is reported. A line ending in an
    opened box, "[ ] 住民基本台帳ネットワークシステム [ ○", tore the next box of the same row from its label: the
    form's layout says which option that is, so the mark decides it wherever its "] label" half landed.
    An option that the lines never print is unknown (its box was torn off elsewhere). A list in which every
    printed box is empty although the form requires a tick (入手元, 提供方法) is unknown too: that is what a
    conversion that lost the marks looks like, and inventing "unchecked" would be a guess.
    """
    order = order or [c.key for c in scheme.concepts]
    # What the lines show of each option, as plain fields; each Choice is made once at the end (a model a box
    # that was made, copied when its torn half turned up and set again when a loose mark did cost a tenth of this).
    found: dict[str, dict] = {}
    paired: dict[str, dict] = {}
    loose_marks = 0
    for line in lines:
        if "[" not in line.text and "]" not in line.text:
            # A mark all alone on its line: it belongs to some box torn off elsewhere.
            loose_marks += bool(line.key) and len(line.key) <= 2 and bool(_LOOSE_MARK.match(line.text))
            continue
        has_open = "[" in line.text
        last = None
        for m in _BOX.finditer(line.text):
            torn = m.group("torn")
            label = (torn if torn is not None else m.group("label")).strip()
            concept = scheme.match(label) if label else None
            if concept is None:
                continue
            last = concept.key
            if concept.key in found:
                continue
            detail = _detail(label[len(concept.ja):] if label.startswith(concept.ja) else label)
            if torn is not None:
                state, note = Mark.unchecked, "box torn in two; neither half carries a mark"
            else:
                state, note = (Mark.checked if m.group("mark") else Mark.unchecked), None
            found[concept.key] = dict(state=state, detail=detail or None, span=span_of(line.n), note=note)
        tail = _OPEN_AT_END.search(line.text) if has_open else None
        if tail and last in order and order.index(last) + 1 < len(order):
            nxt = order[order.index(last) + 1]
            if nxt not in paired:
                paired[nxt] = dict(state=Mark.checked if tail.group("mark") else Mark.unchecked, span=span_of(line.n),
                                   note="box torn at the end of the line; paired with its label by the form's layout")
        elif tail and tail.group("mark"):
            loose_marks += 1
        elif len(line.key) <= 2 and _LOOSE_MARK.match(line.text):     # a loose mark is all its line holds
            loose_marks += 1
    for key, facts in paired.items():
        if key not in found or found[key]["note"]:
            found[key] = {**facts, "detail": found[key]["detail"] if key in found else None}
    if loose_marks:
        # A mark lies loose in the field: any torn box without a mark of its own could be its owner.
        for c in found.values():
            if c["note"] and c["state"] == Mark.unchecked and (c["note"].startswith("box torn") or "layout" in c["note"]):
                c["state"], c["note"] = Mark.unknown, "box torn in two and a mark lies loose in the field: cannot pair them"
    if required and found and not any(c["state"] == Mark.checked for c in found.values()):
        for c in found.values():
            if c["state"] == Mark.unchecked:
                c["state"] = Mark.unknown
                c["note"] = "no option of a required list is ticked: the marks were lost in conversion"
    if not found:
        return []
    missing = dict(state=Mark.unknown, note="option not found beside its field: torn off by the text extraction")
    # Only the options the form prints for this list: 庁内連携システム is no way to provide to another body.
    printed = set(order)
    return [Choice(scheme=scheme.key, option=concept.key, label=concept.ja, **found.get(concept.key, missing))
            for concept in scheme.concepts if concept.key in printed]


def read_band(lines: list[Line], scheme: Scheme) -> Band | None:
    """The band written inside [ ] (possibly with its closing bracket torn off); None when no box is there."""
    for line in lines:
        if "[" not in line.text:
            continue
        for m in _BAND.finditer(line.text):
            concept = scheme.match(m.group("label"))
            if concept and compact(m.group("label")) == compact(concept.ja):
                return Band(scheme=scheme.key, option=concept.key, label=concept.ja, span=span_of(line.n))
    return None


def read_choice_word(lines: list[Line], words: dict[str, str]) -> tuple[str | None, Span | None]:
    """A single-choice answer such as [ 再委託する ] given as text; returns the key of the word found."""
    for line in lines:
        if "[" not in line.text:
            continue
        for m in _BAND.finditer(line.text):
            probe = compact(m.group("label"))
            for word, key in sorted(words.items(), key=lambda kv: -len(kv[0])):
                if probe == word:
                    return key, span_of(line.n)
    return None, None
