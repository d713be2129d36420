"""Read checkbox lists and single-choice bands, keeping torn or markless ones unknown."""

from __future__ import annotations

import re

from ..model import Band, Choice, Mark, Span
from ..normalize import compact
from ..vocab import Scheme
from .layout import Line

_MARKS = "○◯●✓✔☑■"
# "[ ○ ] label", "[ ] label", or "] label" whose opening bracket was torn off to another line.
_BOX = re.compile(r"(?P<open>\[)\s*(?P<mark>[" + _MARKS + r"]?)\s*\]\s*(?P<label>[^\[\]]*)|^\s*\]\s*(?P<torn>[^\[\]]+)")
_STRAY_MARK = re.compile(r"\[\s*[" + _MARKS + r"]\s*$|^\s*[" + _MARKS + r"]\s*\]")
_DETAIL = re.compile(r"[(（]\s*(?P<detail>[^()（）]*?)\s*[)）]?\s*$")
_BAND = re.compile(r"\[\s*(?P<label>[^\[\]" + _MARKS + r"][^\[\]]*?)\s*(\]|$)")


def _span(line: Line) -> Span:
    return Span(start=line.n, end=line.n)


def read_checkboxes(lines: list[Line], scheme: Scheme, required: bool = True) -> list[Choice]:
    """Every option of `scheme` with its state as the lines show it.

    An option that the lines never print is unknown (its box was torn off elsewhere). A list in which every
    printed box is empty although the form requires a tick (入手元, 提供方法) is unknown too: that is what a
    conversion that lost the marks looks like, and inventing "unchecked" would be a guess.
    """
    found: dict[str, Choice] = {}
    stray_mark = any(_STRAY_MARK.search(line.text) for line in lines)
    for line in lines:
        for m in _BOX.finditer(line.text):
            torn = m.group("torn")
            label = (torn if torn is not None else m.group("label")).strip()
            concept = scheme.match(label) if label else None
            if concept is None or concept.key in found:
                continue
            detail_match = _DETAIL.search(label)
            detail = detail_match.group("detail").strip() if detail_match else None
            if torn is not None:
                # "] label" lost its "[" to another line. PDF text keeps a mark beside one of the two halves,
                # so the box is empty unless some line of this field ends in a bracket with a mark on it.
                if stray_mark:
                    state, note = Mark.unknown, "box torn in two and a mark lies loose in the field: cannot pair them"
                else:
                    state, note = Mark.unchecked, "box torn in two; neither half carries a mark"
            else:
                state, note = (Mark.checked if m.group("mark") else Mark.unchecked), None
            found[concept.key] = Choice(scheme=scheme.key, option=concept.key, label=concept.ja, state=state,
                                        detail=detail or None, span=_span(line), note=note)
    if required and found and not any(c.state == Mark.checked for c in found.values()):
        for c in found.values():
            if c.state == Mark.unchecked:
                c.state = Mark.unknown
                c.note = "no option of a required list is ticked: the marks were lost in conversion"
    out = []
    for concept in scheme.concepts:
        if concept.key in found:
            out.append(found[concept.key])
        elif found:
            out.append(Choice(scheme=scheme.key, option=concept.key, label=concept.ja, state=Mark.unknown,
                              note="option not found beside its field: torn off by the text extraction"))
    return out


def read_band(lines: list[Line], scheme: Scheme) -> Band | None:
    """The band written inside [ ] (possibly with its closing bracket torn off); None when no box is there."""
    for line in lines:
        for m in _BAND.finditer(line.text):
            concept = scheme.match(m.group("label"))
            if concept and compact(m.group("label")) == compact(concept.ja):
                return Band(scheme=scheme.key, option=concept.key, label=concept.ja, span=_span(line))
    return None


def read_choice_word(lines: list[Line], words: dict[str, str]) -> tuple[str | None, Span | None]:
    """A single-choice answer such as [ 再委託する ] given as text; returns the key of the word found."""
    for line in lines:
        for m in _BAND.finditer(line.text):
            probe = compact(m.group("label"))
            for word, key in sorted(words.items(), key=lambda kv: -len(kv[0])):
                if probe == word:
                    return key, _span(line)
    return None, None
