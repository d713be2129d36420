"""Parse one assessment's text into the typed model: lines as the form prints them, sections, then each section's
reader in turn (cover, Ⅰ, Ⅱ per file, Ⅲ verdicts, appendices), with the repairs for scrambled pages in between."""

from __future__ import annotations

from .. import citations as cit
from ..model import Assessment
from ..parties import home_prefecture
from .annexes import read_changes, read_sheet
from .cover import detect_form, has_cover, read_cover
from .files import read_files
from .form import EXPECTED_SECTIONS, LANDMARKS
from .layout import Line, Section, joined_text, split_sections
from .part_one import read_part_one
from .reading import Reading
from .relayout import read_lines
from .repairs import SECTION_REPAIRS
from .risks import read_verdicts


class NotAnAssessment(ValueError):
    """The text has none of the form's landmarks."""


# The readers of the sections other than Ⅱ (read all files at once, after the repairs), by section name.
SECTION_READERS = {
    "I": read_part_one,
    "III": read_verdicts,
    "risk-basic": read_verdicts,
    "sheet": read_sheet,
    "annex3": read_changes,
}


def _definition_context(lines: list[Line]) -> str:
    """Only the lines that define a short name (以下「住基法」という) and the two lines before each: the long name
    they abbreviate can wrap onto them. Scanning the whole text cost a third of the parse time."""
    keep: set[int] = set()
    for i, ln in enumerate(lines):
        if "という" in ln.text or "以下" in ln.text:
            keep.update(range(max(0, i - 2), min(len(lines), i + 2)))
    return "\n".join(lines[i].text for i in sorted(keep))


def parse_assessment(name: str, sha256: str, raw_lines: list[str], page_starts: tuple[int, ...] = ()) -> Assessment:
    """Parse the lines of one document (as read by pia_graph.read, with the page starts it found) into an
    Assessment."""
    raw_lines = list(raw_lines)
    doc = Assessment(source=name, sha256=sha256, line_count=len(raw_lines))
    lines, layout = read_lines(raw_lines, tuple(page_starts))
    full_text = joined_text(lines)
    hits = sum(1 for mark in LANDMARKS if mark in full_text)
    if hits < 2:
        raise NotAnAssessment(f"none of the form's landmarks ({', '.join(LANDMARKS[:3])} …) were found")
    doc.notes.extend(layout.notes)
    r = Reading(doc, lines, cit.find_abbreviations(_definition_context(lines)))
    doc.abbreviations = dict(r.abbrev)

    preamble, sections = split_sections(lines)
    cover = has_cover(preamble)
    if cover:
        read_cover(r, preamble)
    else:
        doc.lacks.append("cover")
        if sections:
            # A fragment starts mid-section: what precedes the first heading belongs to that section.
            sections[0].lines[:0] = preamble
        elif preamble:
            sections = [Section("II", None, preamble)]
    names = [s.name for s in sections]
    detect_form(r, sections)
    if "I" not in names:
        doc.lacks.append("I")
    for repair in SECTION_REPAIRS:
        sections = repair.run(sections)

    overview = [s for s in sections if s.name == "II"]
    for s in sections:
        if s.name == "II":
            if s is overview[0]:
                read_files(r, overview)
            continue
        reader = SECTION_READERS.get(s.name)
        if reader is not None:
            reader(r, s)
        r.keep(s.name, s.all_lines, s.heading.text if s.heading else s.name)
    if not overview and doc.form != "basic":
        doc.lacks.append("II")
    doc.prefecture = home_prefecture(doc.body, full_text)
    if cover:
        # A document that starts with its cover but stops early (a truncated download) says what it lacks.
        for section in EXPECTED_SECTIONS.get(doc.form or "full", ()):
            if section not in names and section not in doc.lacks:
                doc.lacks.append(section)
    return doc
