"""Lines and top-level sections of a document, whatever order the text tool emitted them in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ..normalize import _SPACES, compact, fold, strip_markup
from bisect import bisect_right
from itertools import accumulate

from .form import HEADING_WORDS, SECTION_ORDER, SECTIONS, TABLE_OF_CONTENTS


class Line(NamedTuple):
    """One line as the parser reads it: a source line, part of one (a web capture's page cut at the form's
    labels) or several (a hard-wrapped line joined again). A NamedTuple: a document has thousands of lines."""
    n: int          # 1-based number of the source line it starts on
    raw: str
    text: str       # clean_line(raw)
    key: str        # compact(text): the form used to match labels
    last: int       # the source line it ends on (n unless lines were joined)
    seq: int        # its order among the lines as read (increasing, not always by one): n and last are for
                    # provenance, seq for order (the parts of a page that a web capture ran into one line share n)

    @property
    def blank(self) -> bool:
        return not self.key


def retext(line: Line, text: str, raw: str | None = None) -> Line:
    """The line with other (already clean) text, at the same source lines."""
    return line._replace(text=text, key=compact(text), raw=line.raw if raw is None else raw)


def joined(first: Line, second: Line, apart: bool = False) -> Line:
    """Two lines read as one (a wrapped line and its continuation); a space the cut fell on is kept, and one is put
    between them when they are `apart` (two words, not one cut in two)."""
    space = " " if apart or first.raw[-1:].isspace() or second.raw[:1].isspace() else ""
    return Line(first.n, first.raw + second.raw, first.text + space + second.text, first.key + second.key,
                max(first.last, second.last), first.seq)


def containing(lines: list[Line], word: str, in_key: bool = False) -> list[int]:
    """Positions of the lines whose text (or compact key) holds `word`, in order."""
    if in_key:
        return [i for i, ln in enumerate(lines) if word in ln.key]
    return [i for i, ln in enumerate(lines) if word in ln.text]


def nonblank(lines: list[Line]) -> list[Line]:
    return [ln for ln in lines if ln.key]


def joined_text(lines: list[Line]) -> str:
    """The lines' texts, one per line."""
    return "\n".join(ln.text for ln in lines)


def line_range(lines: list[Line]) -> tuple[int, int]:
    """The first and last source line numbers among the lines (which PDF text may have put out of order)."""
    return min(ln.n for ln in lines), max(ln.last for ln in lines)


def index_of(lines: list[Line], line: Line) -> int:
    """The position of this very line object in lines (two parts of one source line share a number)."""
    return next(i for i, ln in enumerate(lines) if ln is line)


RUN_ON = 100      # characters of compact text: the form's typical line is 15 to 55 long (the samples), a page 500 or more


def is_run_on(lines: list[Line]) -> bool:
    """Whether the text's lines are whole pages (a web capture of a PDF prints one line a page): its typical
    non-blank line is longer than any line of the form."""
    filled = long = 0
    for ln in lines:
        if ln.key:
            filled += 1
            long += len(ln.key) >= RUN_ON
    return long * 2 > filled


def make_lines(raw_lines) -> list[Line]:
    """Number and clean every line. The text is folded (NFKC keeping circled numbers, OCR fixes) in one pass over
    the whole text rather than line by line, which is several times faster; folding never creates or removes a line
    break, so the numbering is kept."""
    raw_lines = list(raw_lines)
    marked = [strip_markup(r) if "<" in r else r for r in raw_lines]     # a table export's HTML fragments
    spaced = _SPACES.sub(" ", fold("\n".join(marked)))
    texts = spaced.split("\n")
    # The keys are the texts without spaces; only where other whitespace is left (rare) is each line compacted.
    keys = (spaced.replace(" ", "").split("\n") if _OTHER_WHITESPACE.search(spaced) is None
            else [compact(t) for t in texts])
    if len(texts) != len(raw_lines):      # never expected; fall back to folding line by line
        texts = [_SPACES.sub(" ", fold(m)) for m in marked]
        keys = [compact(t) for t in texts]
    return [Line(n, raw, text.strip(), key, n, n - 1)
            for n, (raw, text, key) in enumerate(zip(raw_lines, texts, keys), 1)]


_OTHER_WHITESPACE = re.compile(r"[^\S \n]")      # whitespace but the space and the line break


_ANY_HEADING = re.compile("|".join(f"(?P<{name.replace('-', '_')}>{words}{tail})$" for name, words, tail in SECTIONS))
def headings(lines: list[Line]) -> list[tuple[int, str]]:
    """(position, section name) of every line that is a top-level heading. Only the lines that hold one of the
    headings' words are tried (str.find over the whole document's keys finds them)."""
    keys = "\n".join(ln.key for ln in lines)
    starts = list(accumulate((len(ln.key) + 1 for ln in lines), initial=0))
    candidates: set[int] = set()
    for word in HEADING_WORDS:
        at = keys.find(word)
        while at >= 0:
            candidates.add(bisect_right(starts, at) - 1)
            at = keys.find(word, at + 1)
    return [(i, name) for i in sorted(candidates) if (name := heading_of(lines[i]))]


def heading_of(line: Line) -> str | None:
    """The top-level section a line is the heading of, or None."""
    if len(line.key) > 80:
        return None
    m = _ANY_HEADING.match(line.key)
    return m.lastgroup.replace("_", "-") if m else None


ROW_START = re.compile(r"^\d+(の\d+)*(項)?$")
TOC_GAP = 2        # non-blank lines that may stand between two entries of the table of contents


@dataclass
class Section:
    name: str
    heading: Line | None
    lines: list[Line] = field(default_factory=list)

    @property
    def start(self) -> int:
        return (self.heading.n if self.heading else self.lines[0].n) if (self.heading or self.lines) else 0

    @property
    def all_lines(self) -> list[Line]:
        return ([self.heading] if self.heading else []) + self.lines


def split_sections(lines: list[Line]) -> tuple[list[Line], list[Section]]:
    """Cut the document at its top-level headings, ignoring the table of contents (項目一覧).

    PDF text scatters the table of contents around the cover page, so position cannot tell it from the
    real headings. A table of contents is headings with next to nothing between them: three or more headings, each
    at most TOC_GAP non-blank lines after the one before (a page number or a running head the furniture pass did
    not recognise, a line of the cover that the PDF text put among them), up to the first heading the group names
    twice, which is the real one.
    Returns the lines before the first heading (the cover, if any) and the sections in document order.
    """
    # (position in lines, line, heading name or None) of every heading and every 項目一覧 mark, in order.
    marks = sorted([(pos, lines[pos], name) for pos, name in headings(lines)]
                   + [(pos, ln, None) for pos, ln in enumerate(lines) if ln.key == TABLE_OF_CONTENTS],
                   key=lambda mark: mark[0])
    toc: set[int] = set()        # positions of the table of contents' entries

    def close_group(group: list) -> None:
        if sum(1 for _, _, name in group if name) >= 3:
            seen: set[str] = set()
            for pos, _, name in group:
                if name in seen:
                    break
                if name:
                    seen.add(name)
                toc.add(pos)

    # 別紙 headings are not listed in the table of contents: they neither join a group nor extend one.
    group: list = []
    for mark in marks:
        pos, ln, name = mark
        if name == "sheet":
            close_group(group)
            group = []
            continue
        if group and sum(1 for x in lines[group[-1][0] + 1:pos] if x.key) > TOC_GAP:
            close_group(group)
            group = []
        group.append(mark)
    close_group(group)

    def looks_like_table(pos: int) -> bool:
        """A row number or 項番 among the next eleven non-blank lines."""
        following = [nb for nb in lines[pos + 1:pos + 60] if nb.key][:11]
        return any(nb.key.startswith("項番") or ROW_START.match(nb.key) for nb in following)

    # Change-history rows (別添3) quote other sections' headings as the item they changed: once the change
    # history starts, only an appendix sheet that really holds a table (row numbers follow) opens a section.
    starts: list[tuple[int, str]] = []
    in_history = False
    for pos, ln, name in marks:
        if not name or pos in toc:
            continue
        if in_history and (name != "sheet" or not looks_like_table(pos)):
            continue
        # The form's sections come in a fixed order; a heading that would go back (Ⅰ after Ⅵ) is a quote
        # inside the current section, typically a change-history row whose page header came out late.
        if starts and SECTION_ORDER[name] < SECTION_ORDER[starts[-1][1]]:
            continue
        if name == "annex3":
            in_history = True
        starts.append((pos, name))
    if not starts:
        return list(lines), []
    # Slices of a list are new lists already: each section owns its own, and may grow or shrink it.
    ends = [pos for pos, _ in starts[1:]] + [len(lines)]
    sections = [Section(name, lines[pos], lines[pos + 1:end]) for (pos, name), end in zip(starts, ends)]
    return lines[:starts[0][0]], sections
