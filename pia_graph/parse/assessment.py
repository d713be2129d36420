"""Parse one assessment's text into the typed model: lines as the form prints them, sections, then each section's
reader in turn (cover, Ⅰ, Ⅱ per file, Ⅲ verdicts, appendices), with the repairs for scrambled pages in between."""

from __future__ import annotations

from .. import citations as cit
from ..model import Assessment, Unread, span_of
from ..normalize import compact
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


def _span(lines: list[Line]):
    return span_of(min(ln.n for ln in lines), max(ln.last for ln in lines)) if lines else None


def check_required_parts(doc: Assessment, sections: list[Section], lines: list[Line]) -> None:
    """Every part the form requires that the text was expected to hold but that could not be read becomes an
    Unread (a violation naming the part and the lines where it was looked for), so that a document whose core
    could not be read never passes for a small one: Ⅱ of a full or focused form, the Ⅱ of each file its Ⅰ names,
    the basic form's list of files, and anything at all of a text recognised as an assessment."""
    overview = [ln for s in sections if s.name == "II" for ln in s.all_lines]
    part_one = next((s for s in sections if s.name == "I"), None)
    end_of_one = part_one.all_lines[-1].seq if part_one is not None else -1
    after_one = [ln for ln in lines if ln.seq > end_of_one] or lines
    if doc.form in ("full", "focused"):
        if not overview:
            doc.unread.append(Unread(part="Ⅱ 特定個人情報ファイルの概要", span=_span(after_one),
                                     reason="the form requires a Ⅱ section for each file; no Ⅱ heading was found"))
        elif not doc.files:
            doc.unread.append(Unread(part="Ⅱ 特定個人情報ファイルの概要", span=_span(overview),
                                     reason="Ⅱ's heading was found, but no file could be read under it"))
        else:
            read = {f.n for f in doc.files} | {compact(f.name) for f in doc.files}
            for k, name in enumerate(doc.file_names, 1):
                if k not in read and compact(name) not in read:
                    doc.unread.append(Unread(
                        part=f"Ⅱ of file ({k}) {name}", span=_span(overview),
                        reason="named in Ⅰ's list of files, but no Ⅱ section for it was found"))
    if doc.form == "basic" and not doc.file_names:
        doc.unread.append(Unread(part="Ⅰ 特定個人情報ファイル名", span=_span(part_one.all_lines if part_one else lines),
                                 reason="the basic form lists its files in Ⅰ; no list of files was read"))
    if not (doc.files or doc.file_names or doc.systems or doc.affair or doc.unread):
        doc.unread.append(Unread(part="the form's content", span=_span(lines),
                                 reason="recognised as an assessment by its words, but none of its parts could be read"))


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
    check_required_parts(doc, sections, lines)
    if cover:
        # A document that starts with its cover but stops early (a truncated download) says what it lacks.
        for section in EXPECTED_SECTIONS.get(doc.form or "full", ()):
            if section not in names and section not in doc.lacks:
                doc.lacks.append(section)
    return doc
