"""What the section readers share while they read one document: its lines, its short names, the model they fill."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import citations as cit
from ..model import Assessment, CitationRef, Field_, LegalBasis, Mark, Span, span_of
from ..normalize import parse_japanese_date, parse_japanese_month
from .choices import read_band, read_checkboxes, read_choice_word
from .fields import Entry, value_span, value_text
from .form import Kind, Label
from .layout import Line, joined_text, nonblank


def entry_span(e: Entry) -> Span:
    return span_of(*value_span(e))


@dataclass
class Reading:
    doc: Assessment
    lines: list[Line]
    abbrev: dict[str, str] = field(default_factory=dict)

    def note(self, text: str) -> None:
        """Say in words what the text could not decide."""
        self.doc.notes.append(text)

    def cite(self, text: str, span: Span | None) -> LegalBasis:
        refs = []
        for c in cit.parse_citations(text, self.abbrev, self.doc.body):
            renum = c.renumbered_to
            refs.append(CitationRef(
                text=c.text, law_name=c.law.name, law_key=c.law.key, law_egov_id=c.law.egov_id,
                law_number=c.law.number, law_as_written=c.law_as_written, ordinance_of=c.law.ordinance_of,
                article=c.article, paragraph=c.paragraph, item=c.item, annex=c.annex, annex_row=c.annex_row,
                annex_column=c.annex_column, caption=c.caption, egov_url=cit.egov_url(c),
                current_item=renum.item if renum is not None else None, span=span))
        return LegalBasis(text=text, citations=refs, span=span)

    def value(self, label: Label, entry: Entry | None, lines: list[Line] | None = None,
              order: tuple[str, ...] | None = None):
        """The value of a field as its kind reads it, from its entry (or from `lines`, where a box may sit away
        from its label); None (an empty list for boxes, unknown for a word) when the field is not there."""
        lines = lines if lines is not None else (entry.lines if entry else [])
        kind = label.kind
        if kind is Kind.BOXES:
            return read_checkboxes(lines, label.scheme, order=list(order) if order else None) if lines else []
        if kind is Kind.BAND:
            return read_band(lines, label.scheme) if lines else None
        if kind is Kind.WORD:
            word, _ = read_choice_word(lines, {c.ja: c.key for c in label.scheme.concepts})
            return {"yes": Mark.checked, "no": Mark.unchecked}.get(word, Mark.unknown)
        if entry is None:
            return None
        text = value_text(entry)
        if not text:
            return None
        if kind is Kind.NAME:
            return text.split("\n")[0]
        if kind is Kind.DATE:
            return parse_japanese_date(text) or parse_japanese_month(text)
        if kind is Kind.BASIS:
            return self.cite(text, entry_span(entry))
        return text

    def keep(self, section: str, lines: list[Line], label: str) -> None:
        """Keep a block's whole text as a literal so that nothing in the document is lost."""
        body = nonblank(lines)
        if body:
            self.doc.fields.append(Field_(section=section, label=label, value=joined_text(body),
                                          span=span_of(body[0].n, max(ln.last for ln in body))))
