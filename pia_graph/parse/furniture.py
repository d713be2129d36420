"""Page furniture (page numbers, running heads) found and set aside before parsing; line numbers are kept.

A page number is told from a number in the text by the company it keeps: page numbers run 1, 2, 3 … down the whole
document, one a page, a page apart. A running head is told from the form's own repeated lines (＜選択肢＞, the risk
questions) by standing at the edge of every page: next to the page numbers or form feeds where the text has them,
else at a page's interval through the whole document. What is set aside is returned, so that the parser can say
what it dropped; the remaining lines keep their numbers, so every fact still points at its source lines.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from .layout import Line, is_run_on, retext

# Page number styles, each matched on a line's folded text (NFKC: full-width digits and dashes already folded).
_DASHES = "\\-‐‑‒–—―−－~〜"
PAGE_NUMBER_STYLES: dict[str, str] = {
    "dash": rf"[{_DASHES}]\s*(?P<n>\d{{1,4}})\s*[{_DASHES}]",          # - 12 -
    "of": r"(?P<n>\d{1,4})\s*/\s*(?P<total>\d{1,4})",                    # 12 / 60
    "page": r"(?:P|p|Page|page|PAGE)\.?\s*(?P<n>\d{1,4})(?:\s*of\s*(?P<total>\d{1,4}))?",   # P.12, Page 3 of 9
    "ja": r"(?:第\s*)?(?P<n>\d{1,4})\s*(?:ページ|頁)",                    # 12ページ, 第12頁
    "bare": r"(?P<n>\d{1,4})",                                           # 12
}
_WHOLE_LINE = {style: re.compile(rf"^{p}$") for style, p in PAGE_NUMBER_STYLES.items()}
# Any style at all, tried once on each short line before the styles one by one (named groups made plain).
_ANY_STYLE = re.compile("^(?:" + "|".join(re.sub(r"\(\?P<\w+>", "(?:", p) for p in PAGE_NUMBER_STYLES.values()) + ")$")
# A page that a web capture printed as one line ends (or starts) with its number.
_AT_END = {style: re.compile(rf"\s{p}$") for style, p in PAGE_NUMBER_STYLES.items()}
_AT_START = {style: re.compile(rf"^{p}\s") for style, p in PAGE_NUMBER_STYLES.items()}

MIN_PAGE_LINES = 5        # fewer lines between two numbers: a numbered list or a table's row numbers, not pages
MAX_PAGE_LINES = 200      # a page of PDF text rarely runs longer; a running head recurs at least this often
EDGE = 2                  # non-blank lines looked at on either side of a page boundary for running heads


@dataclass
class Furniture:
    """What was set aside: line numbers of page-number lines and running heads, and the pages found."""
    page_numbers: list[int]
    running_heads: list[int]
    heads: list[str]                  # the running heads' texts
    page_starts: list[int]            # source line numbers where a page starts, as far as the text tells

    @property
    def lines(self) -> set[int]:
        return set(self.page_numbers) | set(self.running_heads)


def _chain(candidates: list[tuple[int, int, int | None]], min_gap: int, max_gap: int = MAX_PAGE_LINES
           ) -> list[tuple[int, int, int | None]]:
    """The longest run of (position, number, total) whose numbers go up by one (a missing page allowed), at least
    min_gap and at most max_gap positions a page apart; of two equally long runs the one whose members sit closer
    together."""
    best: list[tuple[int, int]] = []          # (length, -span) of the best chain ending at each candidate
    back: list[int | None] = []
    for i, (pos, n, total) in enumerate(candidates):
        length, span, prev = 1, 0, None
        for j in range(i - 1, -1, -1):
            pj, nj, tj = candidates[j]
            if pos - pj < min_gap or not (1 <= n - nj <= 2) or (total and tj and total != tj):
                continue
            if pos - pj > (n - nj) * max_gap:
                continue            # farther apart than the pages between them can be long
            cand = (best[j][0] + 1, best[j][1] - (pos - pj))
            if cand > (length, span):
                length, span, prev = cand[0], cand[1], j
        best.append((length, span))
        back.append(prev)
    if not best:
        return []
    i = max(range(len(best)), key=lambda k: best[k])
    out = []
    while i is not None:
        out.append(candidates[i])
        i = back[i]
    return out[::-1]


def _is_pages(chain: list[tuple[int, int, int | None]], extent: int, min_members: int = 3) -> bool:
    """Whether a chain of numbers reads as page numbers: enough of them, spread over the document."""
    if len(chain) < min_members:
        return False
    span = chain[-1][0] - chain[0][0]
    return span * 2 >= extent or len(chain) >= 8


def _with_repeats(chain: list[tuple[int, int, int | None]], candidates) -> set[int]:
    """The chain's positions, and those of the same page's number printed again beside it (in a head and a foot)."""
    numbers = {pos: n for pos, n, _ in chain}
    found = set(numbers)
    for pos, n, _ in candidates:
        if any(numbers.get(p) == n for p in range(pos - MIN_PAGE_LINES, pos + MIN_PAGE_LINES + 1)):
            found.add(pos)
    return found


def _page_number_lines(lines: list[Line]) -> list[int]:
    """Positions of the lines that are page numbers, over all styles."""
    found: set[int] = set()
    positions = [i for i, ln in enumerate(lines) if 0 < len(ln.key) <= 16 and _ANY_STYLE.match(ln.text)]
    extent = len(lines)
    min_gap = 1 if is_run_on(lines) else MIN_PAGE_LINES     # a page on one line is a page nonetheless
    for style, pattern in _WHOLE_LINE.items():
        candidates = []
        for i in positions:
            m = pattern.match(lines[i].text)
            if m:
                total = m.groupdict().get("total")
                candidates.append((i, int(m.group("n")), int(total) if total else None))
        chain = _chain(candidates, min_gap)
        if _is_pages(chain, extent, 2 if style == "of" else 3):
            found |= _with_repeats(chain, candidates)
    return sorted(found)


def _edge_numbers(lines: list[Line]) -> dict[int, re.Match]:
    """Page numbers at the end or start of the lines of a text whose every line is a page (a web capture);
    position -> the number's match."""
    if not is_run_on(lines):
        return {}
    pages = [i for i, ln in enumerate(lines) if ln.key]
    found: dict[int, re.Match] = {}
    for table in (_AT_END, _AT_START):
        for style, pattern in table.items():
            matches = {i: m for i in pages if i not in found and (m := pattern.search(lines[i].text))}
            candidates = [(i, int(m.group("n")), int(m.group("total")) if m.groupdict().get("total") else None)
                          for i, m in matches.items()]
            chain = _chain(candidates, 1, 2)
            if _is_pages(chain, len(lines)):
                found.update((pos, matches[pos]) for pos, _, _ in chain)
    return found


def _heads_at_edges(lines: list[Line], boundaries: list[int], taken: set[int]) -> set[int]:
    """Positions of the lines standing at most page boundaries with the same text: running heads and feet."""
    if len(boundaries) < 3:
        return set()
    near: dict[str, set[int]] = defaultdict(set)
    seen_at: Counter = Counter()
    for b in boundaries:
        keys_here = set()
        for step in (-1, 1):
            i, got = b + (0 if step == 1 else -1), 0
            while 0 <= i < len(lines) and got < EDGE:
                ln = lines[i]
                if ln.key and i not in taken:
                    near[ln.key].add(i)
                    keys_here.add(ln.key)
                    got += 1
                i += step
        seen_at.update(keys_here)
    heads = set()
    for key, count in seen_at.items():
        if count >= 3 and count * 10 >= len(boundaries) * 6 and len(key) <= 80:
            heads |= near[key]
    return heads


def _periodic_heads(lines: list[Line], is_form_line) -> set[int]:
    """Positions of lines whose text recurs at a page's interval from the start of the document to its end:
    running heads of a text with no page numbers or form feeds. The form's own repeated lines (＜選択肢＞, labels,
    the risk questions) are never taken for one; an occurrence closer to the one before than half the usual
    interval is the same words in the text itself, and stays."""
    repeated = {key for key, count in Counter(ln.key for ln in lines).items() if count >= 3 and 0 < len(key) <= 60}
    where: dict[str, list[int]] = defaultdict(list)
    for i, ln in enumerate(lines):
        if ln.key in repeated:
            where[ln.key].append(i)
    heads: set[int] = set()
    last = len(lines) - 1
    for key, positions in where.items():
        if len(positions) < 3 or is_form_line(lines[positions[0]]):
            continue
        gaps = sorted(b - a for a, b in zip(positions, positions[1:]))
        usual = gaps[len(gaps) // 2]
        kept = [positions[0]]
        for pos in positions[1:]:
            if pos - kept[-1] >= max(MIN_PAGE_LINES * 2, usual // 2):
                kept.append(pos)
        if len(kept) < 3 or any(b - a > MAX_PAGE_LINES for a, b in zip(kept, kept[1:])):
            continue
        if kept[0] > MAX_PAGE_LINES or last - kept[-1] > MAX_PAGE_LINES:
            continue          # not through the whole document: a section's repeated line (a change history's date)
        heads.update(kept)
    return heads


def _common_words(texts: list[str], from_end: bool) -> str:
    """The longest run of leading (or trailing) words that most of the texts share."""
    split = [t.split() for t in texts]
    best = ""
    for k in range(1, 9):
        heads = Counter(" ".join(w[-k:] if from_end else w[:k]) for w in split if len(w) > k)
        if not heads:
            break
        words, count = heads.most_common(1)[0]
        if count < 3 or count * 10 < len(texts) * 6:
            break
        best = words
    return best


def set_aside(lines: list[Line], page_starts: tuple[int, ...] = (), is_form_line=lambda ln: False
              ) -> tuple[list[Line], Furniture]:
    """The lines without the page numbers and running heads that stand on lines of their own, and what was set
    aside. `page_starts` are the line numbers where the source said a page starts (form feeds, a PDF's pages);
    `is_form_line` tells a line of the form itself (a label, a heading), which is never a running head."""
    numbers = _page_number_lines(lines)
    taken = set(numbers)
    position = {ln.n: i for i, ln in enumerate(lines)}
    boundaries = sorted(set(numbers) | {position[n] for n in page_starts if n in position and position[n] > 0})
    heads = _heads_at_edges(lines, boundaries, taken) if boundaries else _periodic_heads(lines, is_form_line)
    heads -= taken
    furniture = Furniture(page_numbers=sorted(lines[i].n for i in numbers), running_heads=sorted(lines[i].n for i in heads),
                          heads=sorted({lines[i].text for i in heads}),
                          page_starts=sorted({lines[i].n for i in boundaries} | set(page_starts)))
    return _without(lines, taken | heads), furniture


def trim_page_edges(lines: list[Line]) -> tuple[list[Line], Furniture]:
    """In a text whose every line is a page (a web capture), the page numbers and running heads at the lines'
    ends and starts taken off."""
    if not is_run_on(lines):
        return lines, Furniture([], [], [], [])
    edge = _edge_numbers(lines)
    lines = list(lines)
    for i, m in edge.items():
        lines[i] = retext(lines[i], (lines[i].text[:m.start()] + lines[i].text[m.end():]).strip())
    pages = [i for i, ln in enumerate(lines) if ln.key]
    heads: list[str] = []
    trimmed: set[int] = set()
    for from_end in (False, True):
        common = _common_words([lines[i].text for i in pages], from_end) if len(pages) >= 3 else ""
        if not common:
            continue
        heads.append(common)
        for i in pages:
            t = lines[i].text
            if from_end and t.endswith(" " + common):
                lines[i] = retext(lines[i], t[:-len(common)].rstrip())
                trimmed.add(i)
            elif not from_end and t.startswith(common + " "):
                lines[i] = retext(lines[i], t[len(common):].lstrip())
                trimmed.add(i)
    return lines, Furniture(page_numbers=sorted(lines[i].n for i in edge),
                            running_heads=sorted(lines[i].n for i in trimmed), heads=heads, page_starts=[])


def _without(lines: list[Line], dropped: set[int]) -> list[Line]:
    """The lines but the dropped ones, each of which takes one blank line beside it along (the blank that set a
    page number or a running head apart from the page): a paragraph that runs on over a page break reads on."""
    if not dropped:
        return lines
    out: list[Line] = []
    run_blanks: list[Line] = []
    run_dropped = 0
    for i, ln in enumerate(lines):
        if i in dropped:
            run_dropped += 1
        elif not ln.key:
            run_blanks.append(ln)
        else:
            out.extend(run_blanks[:max(0, len(run_blanks) - run_dropped)])
            run_blanks, run_dropped = [], 0
            out.append(ln)
    out.extend(run_blanks[:max(0, len(run_blanks) - run_dropped)])
    return out
