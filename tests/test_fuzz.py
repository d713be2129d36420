"""Fuzzing the extractor with mutated seeds: it never crashes, never hangs, never invents a citation.

CI runs a few hundred examples; the long run is `PIA_FUZZ_EXAMPLES=10000 .venv/bin/pytest tests/test_fuzz.py`
(figures in docs/reliability.md).
"""

from __future__ import annotations

import os
import signal
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pia_graph.normalize import compact, fold
from pia_graph.parse.assessment import NotAnAssessment, parse_assessment

from conftest import SAMPLES, SEEDS

EXAMPLES = int(os.environ.get("PIA_FUZZ_EXAMPLES", "300"))
HANG_SECONDS = 60     # a hang guard, not a speed target: one document parses in well under a second
SEED_LINES = {name: (SAMPLES / name).read_text(encoding="utf-8").split("\n") for name in SEEDS}

# Width and kana variants a different PDF tool or OCR engine might produce for the same form.
VARIANTS = {"０": "0", "１": "1", "２": "2", "（": "(", "）": ")", "［": "[", "］": "]", "○": "〇", "条": "條",
            "ー": "－", "・": "･", "機構": "キコウ", "提供先": "提 供 先"}


@st.composite
def mutated_document(draw):
    name = draw(st.sampled_from(SEEDS))
    lines = SEED_LINES[name]
    start = draw(st.integers(0, max(0, len(lines) - 1)))
    length = draw(st.integers(1, 2500))
    doc = list(lines[start:start + length])
    for _ in range(draw(st.integers(0, 12))):
        if not doc:
            break
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "variant", "bytes", "truncate", "halfwidth"]))
        i = draw(st.integers(0, len(doc) - 1))
        if op == "delete":
            del doc[i]
        elif op == "duplicate":
            doc.insert(i, doc[i])
        elif op == "swap":
            j = draw(st.integers(0, len(doc) - 1))
            doc[i], doc[j] = doc[j], doc[i]
        elif op == "variant":
            old, new = draw(st.sampled_from(sorted(VARIANTS.items())))
            doc[i] = doc[i].replace(old, new)
        elif op == "bytes":
            noise = draw(st.binary(min_size=1, max_size=16)).decode("latin-1")
            pos = draw(st.integers(0, len(doc[i])))
            doc[i] = doc[i][:pos] + noise + doc[i][pos:]
        elif op == "truncate":
            doc[i] = doc[i][: draw(st.integers(0, len(doc[i])))]
        elif op == "halfwidth":
            doc[i] = unicodedata.normalize("NFKC", doc[i])
    return name, doc


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"parsing took longer than {HANG_SECONDS} s")


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_document())
def test_extractor_survives_mutations(case):
    name, lines = case
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        try:
            doc = parse_assessment(f"fuzz-{name}", "0" * 64, lines)
        except NotAnAssessment:
            return          # a clean refusal is a correct answer for a mangled fragment
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    text = compact(fold("\n".join(lines)))
    bases = [doc.use_basis, doc.linkage_basis] + [p.legal_basis for f in doc.files for p in f.provisions]
    for basis in filter(None, bases):
        for c in basis.citations:
            # Never invent: every citation is a piece of the text, and its article number is written there.
            assert compact(fold(c.text)) in text, c.text
            if c.article:
                # Written in the citation, or before it in the same cell: 第2項 after 第9条第1項, a row of 第2条の表.
                written = compact(fold(basis.text))
                assert c.article.split("の")[0] in written or any(
                    ch in basis.text for ch in "一二三四五六七八九十"), (c.text, c.article)
    for f in doc.files:
        for p in f.provisions:
            # None: the recipient could not be read, and the shapes say so (a violation), not a made-up party.
            assert p.recipient is None or compact(fold(p.recipient)) in text
            assert 1 <= p.span.start <= p.span.end <= len(lines)
