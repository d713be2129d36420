"""Renderers: the same document as other text tools would emit it, every fact kept.

Each renderer is a small function over a document's pages (lists of lines) that gives the same document as another
tool would print it: the page furniture a PDF carries (page numbers in their common styles, running heads, form
feeds), the spacing habits of text tools (double spacing, wrapping at a column, layout indentation and runs of
spaces, CRLF) and the single-line pages of web captures. The metamorphic tests (tests/test_renderings.py) read every
sample through every renderer, and through pairs of them, and expect the same facts as from the plain sample.

The samples' texts carry no page boundaries, so a rendering first cuts the text into pages of `PAGE` lines, as a PDF
of that many lines a page would; renderers then work page by page, so that furniture added by one and pages joined
by another line up as they do in a real capture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

Pages = list[list[str]]
Renderer = Callable[[Pages], Pages]
PAGE = 50


def paginate(text: str, page: int = PAGE) -> Pages:
    lines = text.split("\n")
    return [lines[i:i + page] for i in range(0, len(lines), page)]


def page_numbers(style: str) -> Renderer:
    """A page number on a line of its own under every page, after a blank line."""
    formats = {"dash": "- {n} -", "of": "{n} / {total}", "bare": "{n}", "p": "P.{n}", "ja": "{n}ページ",
               "centred": " " * 38 + "－ {n} －"}

    def render(pages: Pages) -> Pages:
        return [p + ["", formats[style].format(n=k, total=len(pages))] for k, p in enumerate(pages, 1)]
    return render


def running_heads(head: str) -> Renderer:
    """A running head at the top of every page, then a blank line."""
    def render(pages: Pages) -> Pages:
        return [[head, ""] + p for p in pages]
    return render


def form_feeds(pages: Pages) -> Pages:
    """pdftotext's habit: a form feed before the first line of every page after the first."""
    return [p if k == 0 or not p else ["\f" + p[0]] + p[1:] for k, p in enumerate(pages)]


def double_spacing(pages: Pages) -> Pages:
    """One blank line after every line."""
    return [[x for line in p for x in (line, "")] for p in pages]


def _width(ch: str) -> int:
    """Columns as Japanese text tools count them: two for a character Shift_JIS stores in two bytes."""
    return len(ch.encode("cp932", "replace"))


def wrap(columns: int) -> Renderer:
    """Every line cut at `columns` columns (a full-width character takes two), as a layout tool with a narrow text
    column would; a cut never splits a character."""
    def cut(line: str) -> list[str]:
        out, piece, used = [], [], 0
        for ch in line:
            w = _width(ch)
            if used + w > columns and piece:
                out.append("".join(piece))
                piece, used = [], 0
            piece.append(ch)
            used += w
        out.append("".join(piece))
        return out

    def render(pages: Pages) -> Pages:
        return [[piece for line in p for piece in cut(line)] for p in pages]
    return render


def layout_spacing(pages: Pages) -> Pages:
    """pdftotext -layout's look: lines indented, cells (tabs) and words set apart by runs of spaces."""
    def spread(k: int, line: str) -> str:
        if not line.strip():
            return ""
        return " " * (2 + 3 * (k % 4)) + line.replace("\t", "      ").replace(" ", "   ").replace("\u3000", "\u3000  ")
    return [[spread(k, line) for k, line in enumerate(p)] for p in pages]


def crlf(pages: Pages) -> Pages:
    """CR LF line ends (the last line's CR lands before the file's end)."""
    return [[line + "\r" for line in p] for p in pages]


def joined_pages(pages: Pages) -> Pages:
    """Each page one long line, as web captures of the PDFs are: the page's non-blank lines joined by a space."""
    return [[" ".join(line.strip() for line in p if line.strip())] for p in pages]


# The order in which the tools that make a text apply their habits: the PDF's page furniture, then how its pages
# become lines (a web capture's one line a page), then the text tool's own spacing and line breaking, then the
# blank line it puts after each line it prints, then the file's line ends. Two renderings combine in this order.
STAGES = ("furniture", "capture", "layout", "wrap", "spacing", "file")


@dataclass(frozen=True)
class Rendering:
    name: str
    renderers: tuple[Renderer, ...]
    page: int = PAGE
    stage: str = "furniture"
    staged: tuple = ()      # (stage, renderer) of a combination

    def __call__(self, text: str) -> str:
        pages = paginate(text, self.page)
        for render in self.renderers:
            pages = render(pages)
        return "\n".join(line for p in pages for line in p)

    def with_(self, other: "Rendering") -> "Rendering":
        """Both renderings, each step applied in the order its tool would apply it (STAGES); the pages are the
        first rendering's."""
        steps = sorted(self.steps + other.steps, key=lambda step: STAGES.index(step[0]))
        return Rendering(f"{self.name} + {other.name}", tuple(r for _, r in steps), self.page, staged=tuple(steps))

    @property
    def steps(self) -> tuple[tuple[str, Renderer], ...]:
        return self.staged or tuple((self.stage, r) for r in self.renderers)


RUNNING_HEAD = "特定個人情報保護評価書　住民基本台帳に関する事務"

RENDERINGS: list[Rendering] = [
    Rendering("- N - footers", (page_numbers("dash"),)),
    Rendering("N / M footers", (page_numbers("of"),)),
    Rendering("bare N footers, 47-line pages", (page_numbers("bare"),), page=47),
    Rendering("P.N footers, 61-line pages", (page_numbers("p"),), page=61),
    Rendering("Nページ footers, 38-line pages", (page_numbers("ja"),), page=38),
    Rendering("centred － N － footers, 55-line pages", (page_numbers("centred"),), page=55),
    Rendering("running heads", (running_heads(RUNNING_HEAD),)),
    Rendering("running heads 札幌市 and N / M, 44-line pages", (running_heads("札幌市"), page_numbers("of")), page=44),
    Rendering("form feeds", (form_feeds,)),
    Rendering("double spacing", (double_spacing,), stage="spacing"),
    Rendering("wrapped at 40 columns", (wrap(40),), stage="wrap"),
    Rendering("wrapped at 64 columns", (wrap(64),), stage="wrap"),
    Rendering("wrapped at 100 columns", (wrap(100),), stage="wrap"),
    Rendering("layout indentation and runs of spaces", (layout_spacing,), stage="layout"),
    Rendering("CRLF", (crlf,), stage="file"),
    Rendering("pages joined into lines", (joined_pages,), stage="capture"),
    Rendering("pages joined into lines, 37-line pages", (joined_pages,), page=37, stage="capture"),
]
