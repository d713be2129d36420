"""Read Ⅲ (and the basic form's Ⅳ): each risk question's verdict, with the file and processing stage it is about."""

from __future__ import annotations

import re

from .. import vocab
from ..model import RiskVerdict, span_of
from ..normalize import compact
from .form import RISK_QUESTION, STAGE_HEADING, VERDICT_BOX
from .layout import Line, Section
from .reading import Reading

_FILE_NAME_HEADING = re.compile(r"^(\d\.)?特定個人情報ファイル名")
_FILE_NUMBER = re.compile(r"^\((\d+)\)")
_BOX_ALONE = re.compile(r"^\[\s*([^\[\]]*?)\s*(\]|$)")


def read_verdicts(r: Reading, section: Section) -> None:
    """Each "リスクへの対策は十分か [ 十分である ]" with the stage heading and file it sits under.

    A verdict whose box is empty or torn is recorded with no verdict (unknown), not skipped; one that precedes
    every stage heading (a reversed PDF page) is recorded with no stage, and one that precedes the section's first
    file name belongs to that file (its page came out above it)."""
    file_n = None
    found: list[RiskVerdict] = []
    stage = None

    def unreadable(q: Line) -> RiskVerdict:
        # A question whose answer box OCR or the text tool destroyed (OCR read "[ ]" as "Γ]"): unknown.
        return RiskVerdict(file_n=file_n, stage=stage, question=q.text.split("[")[0].strip(), verdict=None,
                           span=span_of(q.n, q.last))

    question: Line | None = None
    files_seen = 0
    for ln in section.lines:
        if not ln.key:
            continue
        if _FILE_NAME_HEADING.match(ln.key):
            files_seen += 1
        m_file = _FILE_NUMBER.match(ln.key)
        if m_file and files_seen:
            file_n = int(m_file.group(1))
        m_stage = STAGE_HEADING.match(ln.key)
        if m_stage:
            concept = vocab.STAGES.match(m_stage.group("name"))
            if concept:
                stage = concept.key
        if RISK_QUESTION in ln.key:
            if question is not None:
                found.append(unreadable(question))
            question = ln
        answer = None
        m = VERDICT_BOX.search(ln.text) if "[" in ln.text else None
        if m:
            answer = m.group("answer")
        elif question is not None and ln.seq - question.seq <= 3 and ln.key.startswith("["):
            m2 = _BOX_ALONE.match(ln.text)
            answer = m2.group(1) if m2 else None
        if answer is None:
            continue
        concept = vocab.VERDICTS.match(answer) if answer else None
        if concept is not None and compact(answer) != compact(concept.ja):
            continue      # a longer phrase that merely starts like a verdict
        q = question or ln
        found.append(RiskVerdict(file_n=file_n, stage=stage, question=q.text.split("[")[0].strip(),
                                 verdict=concept.key if concept else None, span=span_of(q.n, ln.last)))
        question = None
    if question is not None:
        found.append(unreadable(question))
    first_file = next((v.file_n for v in found if v.file_n is not None), None)
    for v in found:
        if v.file_n is None:
            v.file_n = first_file
    r.doc.verdicts.extend(found)
