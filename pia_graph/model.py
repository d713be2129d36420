"""The typed model of one assessment, as the parser reads it and the RDF mapping consumes it."""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Span(BaseModel):
    """Inclusive 1-based line range in the source document. Frozen, so that one range can be shared by every
    choice, field and row it covers (span_of hands out shared ones)."""
    model_config = ConfigDict(frozen=True)

    start: int
    end: int

    @classmethod
    def cover(cls, *spans: "Span | None") -> "Span | None":
        real = [s for s in spans if s is not None]
        if not real:
            return None
        return span_of(min(s.start for s in real), max(s.end for s in real))


@lru_cache(maxsize=16_384)
def span_of(start: int, end: int | None = None) -> Span:
    """The span of lines start..end (one line when end is None). Spans are most of the parser's model objects and
    the same few hundred line numbers recur: a shared frozen one costs a look-up instead of a validation."""
    return Span(start=start, end=start if end is None else end)


class Mark(str, Enum):
    checked = "checked"
    unchecked = "unchecked"
    unknown = "unknown"


class Choice(BaseModel):
    """One checkbox option of a form list; unknown when the text cannot tell whether it was ticked."""
    scheme: str
    option: str            # concept key from vocab
    label: str             # as printed
    state: Mark
    detail: str | None = None   # the free text in （ ） after その他 and similar options
    span: Span | None = None
    note: str | None = None     # why the state is unknown


class Band(BaseModel):
    """A single-choice band such as [ 10万人以上100万人未満 ]."""
    scheme: str
    option: str | None     # concept key, None when the chosen band could not be read
    label: str | None
    span: Span | None = None


class Field_(BaseModel):
    """Any other labelled cell, kept as text so nothing in the document is lost."""
    section: str           # e.g. "II.3", "III.2", "cover"
    label: str
    value: str
    span: Span


class CitationRef(BaseModel):
    text: str
    law_name: str
    law_key: str
    law_egov_id: str | None = None
    law_number: str | None = None
    law_as_written: str = ""
    ordinance_of: str | None = None
    article: str | None = None
    paragraph: int | None = None
    item: str | None = None
    annex: str | None = None
    annex_row: str | None = None
    annex_column: str | None = None
    caption: str | None = None
    egov_url: str | None = None
    current_item: str | None = None     # set when the citation uses a number renumbered since (番号法 第19条第7号 -> 8)
    span: Span | None = None


class LegalBasis(BaseModel):
    text: str
    citations: list[CitationRef] = Field(default_factory=list)
    span: Span | None = None


class System(BaseModel):
    n: int
    name: str
    aliases: list[str] = Field(default_factory=list)      # short names the document defines (以下「…」という)
    functions: str | None = None
    connections: list[Choice] = Field(default_factory=list)
    other_connection: str | None = None
    linked_systems: list[int] = Field(default_factory=list)   # other systems of this document named under その他
    span: Span | None = None


class Provision(BaseModel):
    """A 提供先 (to another body) or 移転先 (to another department of the same body) row."""
    kind: Literal["提供", "移転"]
    n: int
    recipient: str | None                                 # None: the row's recipient cell could not be read
    parties: list[str] = Field(default_factory=list)      # canonical party names
    annex_ref: str | None = None                          # "別紙1" when the row stands for a listed table
    legal_basis: LegalBasis | None = None
    purpose: str | None = None
    information: str | None = None
    persons_band: Band | None = None
    scope: str | None = None
    methods: list[Choice] = Field(default_factory=list)
    timing: str | None = None
    span: Span


class Outsourcing(BaseModel):
    """A 委託事項 row: a processing task handed to a contractor."""
    n: int
    title: str
    content: str | None = None
    scope: str | None = None
    staff_band: Band | None = None
    methods: list[Choice] = Field(default_factory=list)
    confirmation: str | None = None
    contractor: str | None = None
    contractor_parties: list[str] = Field(default_factory=list)
    subcontract: Mark = Mark.unknown          # checked = 再委託する, unchecked = 再委託しない
    subcontract_note: str | None = None
    subcontract_permission: str | None = None
    subcontract_items: str | None = None
    span: Span


class FileSection(BaseModel):
    """Ⅱ for one 特定個人情報ファイル."""
    n: int
    name: str
    file_type: Band | None = None
    persons_band: Band | None = None
    scope: str | None = None
    item_band: Band | None = None
    record_categories: list[Choice] = Field(default_factory=list)
    retention_start: str | None = None     # YYYY-MM-DD, or YYYY-MM where the form gives only a month
    department: str | None = None
    sources: list[Choice] = Field(default_factory=list)
    acquisition_methods: list[Choice] = Field(default_factory=list)
    purpose: str | None = None
    outsourcing_declared: int | None = None
    provision_declared: int | None = None
    transfer_declared: int | None = None
    outsourcings: list[Outsourcing] = Field(default_factory=list)
    provisions: list[Provision] = Field(default_factory=list)
    storage_place: str | None = None
    retention_band: Band | None = None
    deletion: str | None = None
    fields: list[Field_] = Field(default_factory=list)
    span: Span


class RiskVerdict(BaseModel):
    file_n: int | None
    stage: str | None      # concept key of STAGES, None when no stage heading precedes it
    question: str
    verdict: str | None    # concept key of VERDICTS, None when unreadable
    span: Span


class AnnexRow(BaseModel):
    annex: str             # "別紙1"
    row: str               # "85の2"
    recipient: str | None = None
    affair: str | None = None
    span: Span


class ChangeRow(BaseModel):
    date: str | None
    item: str
    before: str | None = None
    after: str | None = None
    timing: Literal["事前", "事後"] | None = None
    explanation: str | None = None
    text: str = ""            # the whole row as written: PDF text can run its cells together
    span: Span


class Unread(BaseModel):
    """A part of the form that the text should hold but that could not be read: a loud failure, never a silent
    gap. Mapped to a node that the shapes report as a violation, with the lines where the part was looked for."""
    part: str              # "Ⅱ 特定個人情報ファイルの概要", "Ⅱ of file (4) コンビニ交付用ファイル"
    reason: str
    span: Span | None = None


class Assessment(BaseModel):
    """Everything pia-graph reads from one 評価書."""
    source: str                   # file name
    sha256: str
    line_count: int
    form: Literal["full", "focused", "basic"] | None = None
    form_evidence: str | None = None
    stamp: str | None = None
    body: str | None = None
    title: str | None = None
    number: str | None = None
    published: str | None = None
    affair: str | None = None
    affair_span: Span | None = None
    affair_persons_band: Band | None = None
    systems: list[System] = Field(default_factory=list)
    file_names: list[str] = Field(default_factory=list)
    file_list_span: Span | None = None
    use_basis: LegalBasis | None = None
    linkage_done: Mark = Mark.unknown
    linkage_basis: LegalBasis | None = None
    department: str | None = None
    files: list[FileSection] = Field(default_factory=list)
    annex_rows: list[AnnexRow] = Field(default_factory=list)
    changes: list[ChangeRow] = Field(default_factory=list)
    verdicts: list[RiskVerdict] = Field(default_factory=list)
    fields: list[Field_] = Field(default_factory=list)
    prefecture: str | None = None     # what 都道府県 means in this (municipal) document, where the text names it
    abbreviations: dict[str, str] = Field(default_factory=dict)
    lacks: list[str] = Field(default_factory=list)        # parts of the form the text does not contain
    unread: list[Unread] = Field(default_factory=list)    # required parts that could not be read (violations)
    notes: list[str] = Field(default_factory=list)        # what the parser could not decide, in words
