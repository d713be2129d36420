"""Lines and top-level sections of a document, whatever order the text tool emitted them in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import compress, count, islice, repeat
from operator import contains, getitem, itemgetter
from typing import Callable, Iterator, NamedTuple

from ..normalize import _SPACES, fold, strip_markup


class Line(NamedTuple):
    """One source line. A NamedTuple rather than a frozen dataclass: a document has thousands of lines and a frozen
    dataclass's __init__ (one object.__setattr__ per field) was a tenth of make_lines."""
    n: int          # 1-based line number in the source
    raw: str
    text: str       # clean_line(raw)
    key: str        # compact(text): the form used to match labels

    @property
    def blank(self) -> bool:
        return not self.key      # loops over every line test `not ln.key` itself: a property call a line showed


# A line's fields read straight off the tuple, for map(): the passes over every line below run in C.
_N, _TEXT, _KEY = (itemgetter(Line._fields.index(name)) for name in ("n", "text", "key"))
_FIRST = slice(0, 1)                               # a key's first character ("" for a blank line)


def containing(lines: list[Line], word: str, in_key: bool = False) -> Iterator[int]:
    """Positions of the lines whose text (or compact key) holds `word`, in order; picked in C."""
    return compress(count(), map(contains, map(_KEY if in_key else _TEXT, lines), repeat(word)))


def any_of(*positions: Iterator[int]) -> list[int]:
    """The positions that any of the pickers gave, once each and in order."""
    return sorted(set().union(*positions))


def short_lines(lines: list[Line], most: int) -> Iterator[int]:
    """Positions of the lines that are not blank and whose key is at most `most` characters long; picked in C."""
    return compress(count(), map(range(1, most + 1).__contains__, map(len, map(_KEY, lines))))


def nonblank(lines: list[Line]) -> list[Line]:
    return list(compress(lines, map(_KEY, lines)))


def joined_text(lines: list[Line]) -> str:
    """The lines' texts, one per line."""
    return "\n".join(map(_TEXT, lines))


def line_range(lines: list[Line]) -> tuple[int, int]:
    """The first and last line numbers among the lines (which PDF text may have put out of order)."""
    return min(map(_N, lines)), max(map(_N, lines))


def starting_with(lines: list[Line], chars: frozenset[str] | Callable[[str], bool] | None) -> Iterator[int]:
    """Positions of the lines whose key starts with one of `chars`, or with a character the test `chars` passes
    (str.isdigit), or of every line that is not blank when chars is None; in order. Picked in C: keys and first
    characters taken by map, looked up by map, kept by compress. Most lines start with a character no label or
    heading does, and a Python loop over every line was a third of the label search."""
    keys = map(_KEY, lines)
    if chars is None:
        return compress(count(), keys)
    test = chars.__contains__ if isinstance(chars, frozenset) else chars
    return compress(count(), map(test, map(getitem, keys, repeat(_FIRST))))


def make_lines(raw_lines) -> list[Line]:
    """Number and clean every line. The text is folded, its spaces collapsed and its keys compacted each in one
    pass over the whole text rather than line by line (per-line calls were most of this function's time); none of
    these passes creates or removes a line break, so the numbering is kept."""
    raw_lines = list(raw_lines)
    joined = "\n".join(raw_lines)
    if "<" in joined:          # a table export's HTML fragments, line by line (most texts have none)
        marked = [strip_markup(r) if "<" in r else r for r in raw_lines]
        joined = "\n".join(marked)
    else:
        marked = raw_lines
    folded = fold(joined)
    # NFKC has made every ideographic space a space: unless a tab is left, only runs of two or more spaces are
    # to collapse, and re finds those by their literal start, ten times faster than trying the class everywhere.
    spaced = _SPACES.sub(" ", folded) if "\t" in folded or "\u3000" in folded else _SPACE_RUNS.sub(" ", folded)
    texts = spaced.split("\n")
    if len(texts) != len(raw_lines):      # never expected; fall back to the line-by-line path
        texts = [_SPACES.sub(" ", fold(m)) for m in marked]
        keys = ["".join(t.split()) for t in texts]
    elif _MAYBE_OTHER_WHITESPACE.search(spaced) is None:
        keys = spaced.replace(" ", "").split("\n")       # the usual case: only spaces are left to drop
    else:
        keys = _OTHER_WHITESPACE.sub("", spaced).replace(" ", "").split("\n")
    # tuple.__new__ straight from C: a tenth faster than Line._make or Line(...) for ten thousand lines
    columns = zip(range(1, len(raw_lines) + 1), raw_lines, map(str.strip, texts), keys)
    return list(map(tuple.__new__, repeat(Line), columns))


_SPACE_RUNS = re.compile("  +")
# The whitespace str.split() drops, but for the space (collapsed above) and the line break.
_OTHER_WHITESPACE = re.compile(r"[^\S \n]")
# The probe for it, listed rather than negated: a positive class lets re skip ahead in C (twice as fast over a
# text). Unicode has no whitespace beyond the BMP; characters there pass the probe too, which only sends a text
# down the slower path that drops exactly _OTHER_WHITESPACE.
_MAYBE_OTHER_WHITESPACE = re.compile("[" + "".join(re.escape(chr(c)) for c in range(0x10000)
                                                   if chr(c).isspace() and chr(c) not in " \n")
                                     + "\U00010000-\U0010ffff]")


# Top-level headings, matched on the compact line. The numeral is not trusted (基礎項目 numbers its
# sections differently, OCR reads Ⅰ as I); the heading's name decides the section.
SECTION_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("I", re.compile(r"^(I|1|Ⅰ)\.?(基本情報|関連情報)$")),
    ("annex1", re.compile(r"^\(別添1\)事務の内容")),
    ("II", re.compile(r"^(II|Ⅱ|2)\.?特定個人情報ファイルの概要$")),
    ("annex2", re.compile(r"^\(別添2\)(特定個人情報)?ファイル記録項目")),
    ("III", re.compile(r"^(III|Ⅲ|3)\.?(特定個人情報ファイルの取扱いプロセスにおける)?リスク対策(※.*)?$")),
    ("threshold", re.compile(r"^(II|Ⅱ)\.?しきい値判断項目$")),
    ("threshold-result", re.compile(r"^(III|Ⅲ)\.?しきい値判断結果")),
    ("risk-basic", re.compile(r"^(IV|Ⅳ)\.?リスク対策(※.*)?$")),
    ("IV", re.compile(r"^(IV|Ⅳ)\.?その他のリスク対策(※.*)?$")),
    ("V", re.compile(r"^(V|Ⅴ)\.?開示請求、?問合せ$")),
    ("VI", re.compile(r"^(VI|Ⅵ)\.?評価実施手続$")),
    ("annex3", re.compile(r"^(\(別添3\))?変更箇所$")),
    ("sheet", re.compile(r"^\(別紙\d+\)")),
]
_HEADING_STARTS = frozenset("IVⅠⅡⅢⅣⅤⅥ123(変")
TOC_MARK = "項目一覧"
_MARK_STARTS = _HEADING_STARTS | {TOC_MARK[0]}
ORDER = {name: i for i, (name, _) in enumerate(SECTION_PATTERNS)}
ORDER.update({"threshold": ORDER["annex2"], "threshold-result": ORDER["III"], "risk-basic": ORDER["III"]})
ROW_START = re.compile(r"^\d+(の\d+)*(項)?$")


# All the patterns as one alternation, tried in their order in C (one Python call a line instead of thirteen);
# each alternative is a named group, so the match says which section it found.
_ANY_HEADING = re.compile("|".join(f"(?P<{name.replace('-', '_')}>{pat.pattern.removeprefix('^')})"
                                   for name, pat in SECTION_PATTERNS))


def heading_of(line: Line) -> str | None:
    if len(line.key) > 80 or line.key[:1] not in _HEADING_STARTS:   # most lines are prose: skip them cheaply
        return None
    m = _ANY_HEADING.match(line.key)
    return m.lastgroup.replace("_", "-") if m else None


@dataclass
class Section:
    name: str
    heading: Line | None
    lines: list[Line] = field(default_factory=list)

    @property
    def start(self) -> int:
        return (self.heading.n if self.heading else self.lines[0].n) if (self.heading or self.lines) else 0


def split_sections(lines: list[Line]) -> tuple[list[Line], list[Section]]:
    """Cut the document at its top-level headings, ignoring the table of contents (項目一覧).

    PDF text scatters the table of contents around the cover page, so position cannot tell it from the
    real headings; a run of three or more consecutive headings (blank lines aside) is a table of contents,
    up to the first heading the run names twice, which is the real one.
    Returns the lines before the first heading (the cover, if any) and the sections in document order.
    Only the few lines that could be headings are looked at one by one; the sections are slices of `lines`.
    """
    # (position in lines, line, heading name or None) of every heading and every 項目一覧 mark, in order.
    marks = [(pos, ln, name) for pos in starting_with(lines, _MARK_STARTS)
             if (name := heading_of(ln := lines[pos])) or ln.key == TOC_MARK]
    toc: set[int] = set()

    def close_run(run: list) -> None:
        if sum(1 for _, _, name in run if name) >= 3:
            seen: set[str] = set()
            for _, ln, name in run:
                if name in seen:
                    break
                if name:
                    seen.add(name)
                toc.add(ln.n)

    # A run is consecutive non-blank lines that are all headings (other than 別紙) or 項目一覧 marks.
    run: list = []
    for mark in marks:
        pos, ln, name = mark
        if name == "sheet":
            close_run(run)
            run = []
            continue
        if run and any(x.key for x in lines[run[-1][0] + 1:pos]):
            close_run(run)
            run = []
        run.append(mark)
    close_run(run)

    def looks_like_table(pos: int) -> bool:
        """A row number or 項番 among the next eleven non-blank lines."""
        seen = 0
        for nb in islice(lines, pos + 1, None):
            if not nb.key:
                continue
            if nb.key.startswith("項番") or ROW_START.match(nb.key):
                return True
            seen += 1
            if seen == 11:
                return False
        return False

    # Change-history rows (別添3) quote other sections' headings as the item they changed: once the change
    # history starts, only an appendix sheet that really holds a table (row numbers follow) opens a section.
    starts: list[tuple[int, str]] = []
    in_history = False
    for pos, ln, name in marks:
        if not name or ln.n in toc:
            continue
        if in_history and (name != "sheet" or not looks_like_table(pos)):
            continue
        # The form's sections come in a fixed order; a heading that would go back (Ⅰ after Ⅵ) is a quote
        # inside the current section, typically a change-history row whose page header came out late.
        if starts and ORDER[name] < ORDER[starts[-1][1]]:
            continue
        if name == "annex3":
            in_history = True
        starts.append((pos, name))
    if not starts:
        return list(lines), []
    # Slices of a list are new lists already: each section owns its own, and may grow or shrink it.
    lines = lines if isinstance(lines, list) else list(lines)
    ends = [pos for pos, _ in starts[1:]] + [len(lines)]
    sections = [Section(name, lines[pos], lines[pos + 1:end]) for (pos, name), end in zip(starts, ends)]
    return lines[:starts[0][0]], sections
