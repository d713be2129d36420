"""Read Ⅲ (and the basic form's Ⅳ): each risk question's verdict, with the file and processing stage it is about."""

from __future__ import annotations

import re

from .. import vocab
from ..model import RiskVerdict, span_of
from ..normalize import compact
from .form import FILE_NAME_HEADING, FILE_NUMBER, RISK_HEADING, RISK_QUESTION, STAGE_WORDS, VERDICT_BOX
from .layout import Line, Section
from .reading import Reading

_BOX_ALONE = re.compile(r"^\[\s*([^\[\]]*?)\s*(\]|$)")
_RISK_NUMBER = re.compile(r"^リスク(\d+)")
# A stage heading wherever it sits in its line: PDF text prints one after the boxes of the stage's own first question
# at times ("] 接続しない（提供）[] 接続しない（入手）○[ ６．情報提供ネットワークシステムとの接続").
_STAGE = re.compile(r"(?:^|(?<=[\s\[\]○]))" + STAGE_WORDS.pattern)


def _stage_in(line: Line) -> str | None:
    m = _STAGE.search(line.key)
    return vocab.STAGES.match(m.group(1)).key if m else None


def read_verdicts(r: Reading, section: Section) -> None:
    """Each "リスクへの対策は十分か [ 十分である ]" with the stage heading and file it sits under.

    A verdict whose box is empty or torn is recorded with no verdict (unknown), not skipped. A verdict that precedes
    the section's first file name belongs to that file (its page came out above it). Stages (stage_verdicts) are
    told by the headings and the risks' own numbers, so that a page PDF text printed bottom-up keeps its stage."""
    file_n = None
    found: list[RiskVerdict] = []
    events: list[tuple] = []            # ("stage", key) and ("risk", number) and ("verdict", RiskVerdict), in order

    def unreadable(q: Line) -> RiskVerdict:
        # A question whose answer box OCR or the text tool destroyed (OCR read "[ ]" as "Γ]"): unknown.
        return RiskVerdict(file_n=file_n, stage=None, question=q.text.split("[")[0].strip(), verdict=None,
                           span=span_of(q.n, q.last))

    def keep(v: RiskVerdict) -> None:
        found.append(v)
        events.append(("verdict", v))

    question: Line | None = None
    files_seen = 0
    for ln in section.lines:
        if not ln.key:
            continue
        heading = FILE_NAME_HEADING.match(ln.key)
        if heading:
            files_seen += 1
            events.append(("file", None))         # a file's Ⅲ starts: no stage yet
        # the file's number on the heading's next line, or after the heading on its own line (a run-on page)
        m_file = FILE_NUMBER.match(ln.key[heading.end():] if heading else ln.key)
        if m_file and files_seen:
            file_n = int(m_file.group(1))
        m_risk = _RISK_NUMBER.match(ln.key) if RISK_HEADING.match(ln.key) else None
        if m_risk:
            events.append(("risk", int(m_risk.group(1))))
        stage = _stage_in(ln)
        if stage:
            events.append(("stage", stage))
        if RISK_QUESTION in ln.key:
            if question is not None:
                keep(unreadable(question))
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
        keep(RiskVerdict(file_n=file_n, stage=None, question=q.text.split("[")[0].strip(),
                         verdict=concept.key if concept else None, span=span_of(q.n, ln.last)))
        question = None
    if question is not None:
        keep(unreadable(question))
    stage_verdicts(events)
    first_file = next((v.file_n for v in found if v.file_n is not None), None)
    for v in found:
        if v.file_n is None:
            v.file_n = first_file
    r.doc.verdicts.extend(found)


def stage_verdicts(events: list[tuple]) -> None:
    """Give each verdict its stage. A verdict is under the stage heading before it; but a stage numbers its risks
    from リスク1, and a page that PDF text printed bottom-up shows the next stage's first risks before that stage's
    heading. So, in the risk blocks between two headings: from the first risk number the stage has had already, the
    blocks are the next heading's; and where no number repeats, a run falling by one to リスク1 at the end (…3, 2, 1)
    is the next heading's. A verdict before any heading keeps no stage."""
    groups: list[list[list]] = [[]]              # risk blocks between headings: [risk number or None, verdicts]
    heads: list[str | None] = [None]             # the heading that opens each group (None: none yet)
    for kind, value in events:
        if kind == "stage":
            groups.append([])
            heads.append(value)
        elif kind == "file":
            continue      # PDF text prints a file's heading among its stages' blocks: it closes no group
        elif kind == "risk":
            groups[-1].append([value, []])
        else:
            if not groups[-1]:
                groups[-1].append([None, []])
            groups[-1][-1][1].append(value)
    seen: list[set[int]] = [set() for _ in heads]     # the risk numbers each heading's stage has had
    for k, blocks in enumerate(groups):
        numbers = [n for n, _ in blocks]
        nxt = k + 1 if k + 1 < len(heads) else None
        cut = len(blocks)
        if nxt is not None:
            had = set(seen[k])
            for i, n in enumerate(numbers):
                if n is not None and n in had:
                    cut = i
                    break
                if n is not None:
                    had.add(n)
            if cut == len(blocks) and numbers and numbers[-1] == 1:
                start = len(blocks) - 1
                while start > 0 and numbers[start - 1] is not None and numbers[start - 1] == numbers[start] + 1:
                    start -= 1
                if len(blocks) - start >= 2:
                    cut = start
        for i, (n, verdicts) in enumerate(blocks):
            owner = k if i < cut else nxt
            if n is not None:
                seen[owner].add(n)
            for v in verdicts:
                v.stage = heads[owner]
