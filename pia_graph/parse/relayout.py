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

from .form import CHOICE_LINE, ITEM_RANGE, RISK_HEADING, STAGE_WORDS, VERTICAL_LABELS, Label, element_at, starts_element
from .furniture import set_aside, trim_page_edges
from .layout import Line, heading_of, is_run_on, joined, make_lines, retext


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
    """A text with a blank line after every line (a PDF whose every line is a text box, a tool's double spacing):
    hardly two non-blank lines in a row. Every run of blank lines is halved, so that a blank line that separated
    two blocks (doubled into a run of three) still does, and the rest go."""
    count = sum(1 for ln in lines if ln.key)
    adjacent = sum(1 for a, b in zip(lines, lines[1:]) if a.key and b.key)
    if count < 20 or adjacent * 20 > count:
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
def _note_furniture(layout: Layout, furniture, where: str) -> None:
    if furniture.lines:
        heads = "; ".join(f"«{h}»" for h in furniture.heads[:3])
        layout.notes.append(f"page furniture set aside{where}: {len(furniture.page_numbers)} page number(s), "
                            f"{len(furniture.running_heads)} running head line(s)" + (f" {heads}" if heads else ""))


def set_aside_furniture(lines: list[Line], page_starts, layout: Layout) -> list[Line]:
    lines, furniture = set_aside(lines, page_starts, is_form_line)
    _note_furniture(layout, furniture, "")
    return lines


def trim_furniture_at_page_edges(lines: list[Line], page_starts, layout: Layout) -> list[Line]:
    lines, furniture = trim_page_edges(lines)
    _note_furniture(layout, furniture, " at the ends of whole-page lines")
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
    # A line's width is between its length and twice it: only lines at least half as long as the longest can reach
    # the widest columns, so only theirs are measured.
    longest = max((len(ln.raw) for ln in lines), default=0)
    shortest = max(MIN_WRAP // 2, (longest - 8) // 2)
    widths = [display_width(ln.raw) for ln in lines if len(ln.raw) >= shortest and ln.key]
    if not widths:
        return None
    counts = Counter(widths)
    widest = max(widths)
    at = counts[widest] + counts[widest - 1]
    below = sum(counts[w] for w in range(widest - 7, widest - 1))
    # The cut lines crowd the last two columns more than natural lines crowd the six below them, and there are
    # enough of them to be a habit, not a few lines that happen to be the widest.
    if widest < MIN_WRAP or at < max(3, len(widths) // 100) or at * 2 < below:
        return None
    return widest


# What a page's first word can be that never carries on a word cut at the end of the page before: a box, a remark,
# a count box.
_STARTS_APART = re.compile(r"\[|※|[(（]\s*\d+\s*[)）]\s*件")


def join_hard_wraps(lines: list[Line], page_starts, layout: Layout) -> list[Line]:
    """Join each line cut at the wrap width with the line that carries on from it, unless that line starts an
    element of the form (a label, a heading): a cut that fell just before one is a line end anyway. A text whose
    lines were whole pages before the wrap (a web capture saved with wrapping) is joined back into its pages
    whole: the next pass cuts those at the form's elements."""
    width = wrap_width(lines)
    if width is None:
        return lines
    for respect_elements in (False, True):
        out: list[Line] = []
        carry = False
        for ln in lines:
            element = bool(ln.key) and starts_element(ln.key, printed_alone=True)
            if carry and ln.key and not (respect_elements and element):
                # An element starts a word of its own (a page that ended at the wrap width by chance, say).
                apart = element or (not respect_elements and _STARTS_APART.match(ln.text) is not None)
                out[-1] = joined(out[-1], ln, apart=apart)
            else:
                out.append(ln)
            carry = bool(ln.key) and display_width(ln.raw) >= width - 1
        if respect_elements or is_run_on(out):
            break
    layout.notes.append(f"hard-wrapped at {width} columns: {len(lines) - len(out)} cut line(s) joined again")
    return out


# -- pages run into one line -------------------------------------------------------------------------------------

_QUOTE_CLOSE = frozenset("」』”)")
# Only where the page's lines have run together: the headings of a row table's empty pages ("提供先6～10"), a
# vertical cell label printed a character a line ("再 委 託")…
_SYSTEM_ALONE = re.compile(r"^システム\d+(?!\d)")
# …and, matched on the text itself: a choice's number "3)" (never "( 60 ) 件"), a box or its torn half, a remark.
_RUN_ON_STARTS = re.compile(r"\d{1,2}\)|\[|\]|※|[(（]\s*\d+\s*[)）]\s*件")


def _vertical_words() -> re.Pattern:
    """A vertical cell label run into a line a character a word ("再 委 託"), or the part of one that a page break
    left at the end or the start of a page's line ("… 再" + "委 託 …")."""
    alternatives = []
    for label in VERTICAL_LABELS:
        chars = [re.escape(c) for c in label]
        alternatives.append(" ".join(chars) + r"(?=\s|$)")
        alternatives += [" ".join(chars[:k]) + "$" for k in range(1, len(chars))]
        alternatives += [" ".join(chars[k:]) + r"(?=\s)" for k in range(1, len(chars)) if k]
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


_VERTICAL_WORD = _vertical_words()


def _run_on_element(key: str, text: str, i: int) -> tuple[int, bool, Label | None] | None:
    """An element of the form at position i of a run-on line (key: the compact text from there)."""
    found = element_at(key)
    if found is not None:
        return found
    m = ITEM_RANGE.match(key)
    if m:
        # the range ends with its word: in "システム16～20 3.特定個人情報ファイル名" the 3 starts the next heading,
        # though the compact key runs the two numbers together
        word = ITEM_RANGE.match(text[i:].split(None, 1)[0])
        return (word.end() if word else m.end()), False, None
    m = _SYSTEM_ALONE.match(key)
    if m:
        return m.end(), True, None        # システムN stands on a line of its own
    m = STAGE_WORDS.match(key) or RISK_HEADING.match(key)
    if m:
        return m.end(), False, None       # Ⅲ: a stage heading, a risk's heading
    m = _RUN_ON_STARTS.match(text, i)
    if m and not (m.group(0).endswith("件") and text[:i].rstrip().endswith("行っている")):   # 提供を行っている （3） 件
        return len(m.group(0).replace(" ", "")), False, None
    m = _VERTICAL_WORD.match(text, i)
    if m:
        return len(m.group(0).replace(" ", "")), True, None
    return None


def split_run_on_lines(lines: list[Line], page_starts, layout: Layout) -> list[Line]:
    """A web capture prints each page as one line. In a text whose typical line is that long, every line is cut
    again where the form's elements start after a space (a label, a row heading, a heading), which is where the
    page's lines started: the readers then see a label at the start of its line with its value beside it. Every
    part keeps the source line's number. Texts with line breaks keep their lines as they are, even long ones (an
    OCR'd table row, a table export's cell)."""
    if not is_run_on(lines):
        return lines
    out: list[Line] = []
    for ln in lines:
        out.extend(cut_at_elements(ln) if ln.key else [ln])
    layout.notes.append(f"pages run into single lines: {sum(1 for ln in lines if ln.key)} line(s) cut into "
                        f"{sum(1 for ln in out if ln.key)} where the form's elements start")
    return out


def cut_at_elements(line: Line) -> list[Line]:
    text = line.text
    # Where each non-space character of the text is, so that an element found in the compact key can be cut in
    # the text; an element counts only at the start of a word (after a space), never inside a sentence or a quote.
    where = [i for i, ch in enumerate(text) if not ch.isspace()]
    key = line.key
    cuts: set[int] = {0}
    skip_to = 0                   # key position up to which an element already found runs
    open_box = False              # a "[" since the last cut: its "]" closes it, not a torn box's second half
    for k, i in enumerate(where):
        ch = text[i]
        if k < skip_to or (i > 0 and not text[i - 1].isspace()):
            open_box = (open_box or ch == "[") and ch != "]"
            continue
        found = _run_on_element(key[k:], text, i)
        if found is None or (ch == "]" and open_box):
            open_box = (open_box or ch == "[") and ch != "]"
            continue
        open_box = ch == "["
        end, heading, _ = found
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
    LayoutPass("page furniture at page ends", trim_furniture_at_page_edges),
    LayoutPass("pages run into one line", split_run_on_lines),
)


def read_lines(raw_lines: list[str], page_starts: tuple[int, ...] = ()) -> tuple[list[Line], Layout]:
    """The document's lines as the form prints them, and what the passes did to get there."""
    lines = make_lines(raw_lines)
    layout = Layout()
    for layout_pass in LAYOUT_PASSES:
        lines = layout_pass.run(lines, page_starts, layout)
    if any(a.seq >= b.seq for a, b in zip(lines, lines[1:])):      # a line was cut in parts: number them anew
        lines = [Line(n, raw, text, key, last, i) for i, (n, raw, text, key, last, _) in enumerate(lines)]
    return lines, layout
