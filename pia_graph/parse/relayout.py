"""Undo what the text tool did to the form's lines, as an ordered list of passes: double spacing, page furniture,
hard wraps, and pages run together into single lines; line numbers are kept throughout.

The same document comes out of different tools in different shapes: pdftotext with and without -layout, a viewer's
copy and paste, a web capture of the PDF with one line a page. Each pass recognises one habit from the text as a whole
(never from one sample's line positions) and undoes it, so that the section readers see the form's lines as the
form prints them: a label at the start of its line, a value beside or under it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from .fields import CHOICE_LINE
from .form import (COVER_INDEX, FILE_HEADINGS, FILE_INDEX, ITEM_HEADER, PART_ONE_INDEX, QUESTION_STARTS, SECTIONS,
                   CHOICE_LIST)
from .furniture import set_aside
from .layout import Line, heading_of, joined, make_lines, retext

_INDEXES = (FILE_INDEX, PART_ONE_INDEX, COVER_INDEX)


def starts_element(key: str) -> bool:
    """Whether a compact line starts one of the form's elements: a heading, a label, a row heading, a choice list."""
    return element_end(key) is not None


def is_form_line(line: Line) -> bool:
    """A line the form itself prints (a heading, a label, a row heading, a box, a choice, a risk question): never
    page furniture."""
    key = line.key
    return bool(heading_of(line) or starts_element(key) or CHOICE_LINE.match(key) or key.startswith("リスク")
                or "十分か" in key)


@dataclass
class Layout:
    """What the passes found out about the text's shape, for the document's notes."""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LayoutPass:
    name: str
    run: Callable[[list[Line], tuple[int, ...], Layout], list[Line]]


# -- double spacing --------------------------------------------------------------------------------------------
def undo_double_spacing(lines: list[Line], page_starts, layout: Layout) -> list[Line]:
    """A text with a blank line after every line: hardly two non-blank lines in a row, and the blank lines that
    separated blocks doubled into runs of three or more. Every run of blank lines is halved, so that a blank line
    that separated two blocks still does and the rest go. A text where every line stands alone (a PDF whose every
    line is a text box) has no longer runs to tell its blocks apart by, and is left as it is."""
    gaps: list[int] = []
    run, count, adjacent, seen = 0, 0, 0, False
    for ln in lines:
        if ln.key:
            count += 1
            if seen:
                gaps.append(run)
                adjacent += run == 0
            run, seen = 0, True
        else:
            run += 1
    if count < 20 or adjacent * 20 > count or not any(g >= 3 for g in gaps):
        return lines
    layout.notes.append("double-spaced text: one blank line of every two dropped")
    out: list[Line] = []
    blanks: list[Line] = []
    for ln in lines:
        if ln.key:
            out.extend(blanks[:len(blanks) // 2])
            blanks = []
            out.append(ln)
        else:
            blanks.append(ln)
    return out


# -- page furniture ----------------------------------------------------------------------------------------------
def set_aside_furniture(lines: list[Line], page_starts, layout: Layout) -> list[Line]:
    lines, furniture = set_aside(lines, page_starts, is_form_line)
    if furniture.lines:
        heads = "; ".join(f"«{h}»" for h in furniture.heads[:3])
        layout.notes.append(f"page furniture set aside: {len(furniture.page_numbers)} page number(s), "
                            f"{len(furniture.running_heads)} running head line(s)" + (f" {heads}" if heads else ""))
    return lines


# -- hard wraps --------------------------------------------------------------------------------------------------
MIN_WRAP = 24        # columns: a text column narrower than this is not a wrap width


def display_width(text: str) -> int:
    """Columns as a Japanese text tool counts them: two for a character Shift_JIS (cp932) stores in two bytes."""
    return len(text.encode("cp932", "replace"))


def wrap_width(lines: list[Line]) -> int | None:
    """The column at which a tool cut every longer line, when there is one: the cut lines pile up at the widest
    width (or one short of it, where a two-column character did not fit), many more of them than just below it.
    Natural text, wrapped by the PDF's own cell widths, thins out towards its widest line instead."""
    widths = [display_width(ln.raw) for ln in lines if len(ln.raw) * 2 >= MIN_WRAP and ln.key]
    if not widths:
        return None
    counts = Counter(widths)
    widest = max(widths)
    at = counts[widest] + counts[widest - 1]
    below = sum(counts[w] for w in range(widest - 7, widest - 1))
    if widest < MIN_WRAP or at < 3 or at < 2 * below:
        return None
    return widest


def join_hard_wraps(lines: list[Line], page_starts, layout: Layout) -> list[Line]:
    """Join each line cut at the wrap width with the line that carries on from it, unless that line starts an
    element of the form (a label, a heading): a cut that fell just before one is a line end anyway."""
    width = wrap_width(lines)
    if width is None:
        return lines
    out: list[Line] = []
    joined_count = 0
    carry = False
    for ln in lines:
        if carry and ln.key and not starts_element(ln.key):
            out[-1] = joined(out[-1], ln)
            joined_count += 1
        else:
            out.append(ln)
        carry = bool(ln.key) and display_width(ln.raw) >= width - 1
    layout.notes.append(f"hard-wrapped at {width} columns: {joined_count} cut line(s) joined again")
    return out


# -- pages run into one line -------------------------------------------------------------------------------------
RUN_ON = 300      # characters of compact text: a document whose typical line is this long has lost its line breaks


def _numbered_headings() -> re.Pattern:
    """Ⅱ's numbered block headings (2. 基本情報, 5. 特定個人情報の提供・移転 …)."""
    words = "|".join(re.escape(h) for h in FILE_HEADINGS)
    return re.compile(rf"^\d+\.(?:{words})")


_NUMBERED_HEADING = _numbered_headings()
_SECTION_WORDS = re.compile("|".join(f"(?:{words})" for _, words, _ in SECTIONS))
_QUESTION = re.compile("|".join(map(re.escape, QUESTION_STARTS)))
_QUOTE_CLOSE = frozenset("」』”)")


def element_end(key: str) -> tuple[int, bool] | None:
    """When the compact text starts one of the form's elements: where the element's own words end, and whether it
    is a section heading (whose line holds nothing else)."""
    m = _SECTION_WORDS.match(key)
    if m:
        return m.end(), True
    for index in _INDEXES:
        found = index.match(key)
        if found:
            return found[2], False
    for pattern in (ITEM_HEADER, _NUMBERED_HEADING, _QUESTION):
        m = pattern.match(key)
        if m:
            return (m.end("n") if pattern is ITEM_HEADER else m.end()), False
    if key.startswith(CHOICE_LIST):
        return len(CHOICE_LIST), False
    return None


def _is_run_on(lines: list[Line]) -> bool:
    lengths = sorted(len(ln.key) for ln in lines if ln.key)
    return bool(lengths) and lengths[len(lengths) // 2] >= RUN_ON


def split_run_on_lines(lines: list[Line], page_starts, layout: Layout) -> list[Line]:
    """A web capture prints each page as one line. In a text whose typical line is that long, every line is cut
    again where the form's elements start after a space (a label, a row heading, a heading), which is where the
    page's lines started: the readers then see a label at the start of its line with its value beside it. Every
    part keeps the source line's number. Texts with line breaks keep their lines as they are, even long ones (an
    OCR'd table row, a table export's cell)."""
    if not _is_run_on(lines):
        return lines
    out: list[Line] = []
    for ln in lines:
        out.extend(_cut_at_elements(ln) if ln.key else [ln])
    layout.notes.append(f"pages run into single lines: {sum(1 for ln in lines if ln.key)} line(s) cut into "
                        f"{sum(1 for ln in out if ln.key)} where the form's elements start")
    return out


def _cut_at_elements(line: Line) -> list[Line]:
    text = line.text
    # Where each non-space character of the text is, so that an element found in the compact key can be cut in
    # the text; an element counts only at the start of a word (after a space), never inside a sentence or a quote.
    where = [i for i, ch in enumerate(text) if not ch.isspace()]
    key = line.key
    cuts: set[int] = {0}
    skip_to = 0                   # key position up to which an element already found runs
    for k, i in enumerate(where):
        if k < skip_to or (i > 0 and not text[i - 1].isspace()):
            continue
        found = element_end(key[k:])
        if found is None:
            continue
        end, heading = found
        if key[k + end:k + end + 1] in _QUOTE_CLOSE or (k > 0 and key[k - 1] == "「"):
            continue              # a quotation of the label: 「2. 特定個人情報ファイル名」に示す…
        cuts.add(i)
        skip_to = k + end
        if heading and k + end < len(where):
            cuts.add(where[k + end])
    bounds = sorted(cuts) + [len(text)]
    parts = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return [retext(line, part, raw=part) for part in parts if part]


LAYOUT_PASSES: tuple[LayoutPass, ...] = (
    LayoutPass("double spacing", undo_double_spacing),
    LayoutPass("page furniture", set_aside_furniture),
    LayoutPass("hard wraps", join_hard_wraps),
    LayoutPass("pages run into one line", split_run_on_lines),
)


def read_lines(raw_lines: list[str], page_starts: tuple[int, ...] = ()) -> tuple[list[Line], Layout]:
    """The document's lines as the form prints them, and what the passes did to get there."""
    lines = make_lines(raw_lines)
    layout = Layout()
    for layout_pass in LAYOUT_PASSES:
        lines = layout_pass.run(lines, page_starts, layout)
    return lines, layout
