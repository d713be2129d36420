"""Lines and top-level sections of a document, whatever order the text tool emitted them in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

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
        return not self.key


def make_lines(raw_lines) -> list[Line]:
    """Number and clean every line. Folding the whole text in one NFKC call rather than line by line is what
    makes this fast; NFKC never creates or removes a line break, so the numbering is kept."""
    raw_lines = list(raw_lines)
    marked = [strip_markup(r) if "<" in r else r for r in raw_lines]
    folded = fold("\n".join(marked)).split("\n")
    if len(folded) != len(raw_lines):      # never expected; fall back to the line-by-line path
        folded = [fold(m) for m in marked]
    spaces, join = _SPACES.sub, "".join
    out = []
    for i, (raw, text) in enumerate(zip(raw_lines, folded), 1):
        text = spaces(" ", text).strip()
        out.append(Line(i, raw, text, join(text.split())))
    return out


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
_HEADING_STARTS = set("IVⅠⅡⅢⅣⅤⅥ123(変")
TOC_MARK = "項目一覧"
ORDER = {name: i for i, (name, _) in enumerate(SECTION_PATTERNS)}
ORDER.update({"threshold": ORDER["annex2"], "threshold-result": ORDER["III"], "risk-basic": ORDER["III"]})
ROW_START = re.compile(r"^\d+(の\d+)*(項)?$")


def heading_of(line: Line) -> str | None:
    if len(line.key) > 80 or line.key[:1] not in _HEADING_STARTS:   # most lines are prose: skip them cheaply
        return None
    for name, pat in SECTION_PATTERNS:
        if pat.match(line.key):
            return name
    return None


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
    """
    nonblank = [ln for ln in lines if not ln.blank]
    heads = {ln.n: heading_of(ln) for ln in nonblank}
    toc: set[int] = set()
    run: list[Line] = []

    def close_run():
        named = [ln for ln in run if heads.get(ln.n)]
        if len(named) >= 3:
            seen: set[str] = set()
            for ln in run:
                name = heads.get(ln.n)
                if name in seen:
                    break
                if name:
                    seen.add(name)
                toc.add(ln.n)
        run.clear()

    for ln in nonblank:
        if (heads[ln.n] and heads[ln.n] != "sheet") or ln.key == TOC_MARK:
            run.append(ln)
        else:
            close_run()
    close_run()
    # Change-history rows (別添3) quote other sections' headings as the item they changed: once the change
    # history starts, only an appendix sheet that really holds a table (row numbers follow) opens a section.
    index = {ln.n: i for i, ln in enumerate(nonblank)}

    def looks_like_table(ln: Line) -> bool:
        following = nonblank[index[ln.n] + 1: index[ln.n] + 12]
        return any(nb.key.startswith("項番") or ROW_START.match(nb.key) for nb in following)

    preamble: list[Line] = []
    sections: list[Section] = []
    in_history = False
    for ln in lines:
        name = heads.get(ln.n) if ln.n not in toc else None
        if name and in_history and (name != "sheet" or not looks_like_table(ln)):
            name = None
        # The form's sections come in a fixed order; a heading that would go back (Ⅰ after Ⅵ) is a quote
        # inside the current section, typically a change-history row whose page header came out late.
        if name and sections and ORDER[name] < ORDER[sections[-1].name]:
            name = None
        if name == "annex3":
            in_history = True
        if name and ln.n not in toc:
            sections.append(Section(name, ln))
        elif sections:
            sections[-1].lines.append(ln)
        else:
            preamble.append(ln)
    return preamble, sections
