"""A PDF made from a seed's text yields the same facts as the text itself (issue 5: PDFs read directly)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pia_graph.normalize import compact
from pia_graph.pipeline import extract

from conftest import SAMPLES
from test_read import make_pdf

SEED = "000_dc15c94368324d91.txt"   # PDF-origin text with short lines, so one text line fits one PDF line


def facts(doc):
    """What the graph says, without line numbers (a PDF's line numbering differs from the text's)."""
    out = set()
    for f in doc.files:
        out.add(("file", compact(f.name), f.provision_declared, f.outsourcing_declared, f.retention_start))
        for p in f.provisions:
            out.add(("row", p.kind, p.n, compact(p.recipient), tuple(p.parties)))
            for c in (p.legal_basis.citations if p.legal_basis else []):
                out.add(("cites", p.kind, p.n, c.law_key, c.article, c.paragraph, c.item))
        for c in f.sources + f.record_categories:
            out.add(("choice", c.scheme, c.option, c.state.value, c.detail))
        for p in f.provisions:
            for c in p.methods:
                out.add(("method", p.kind, p.n, c.option, c.state.value))
        for o in f.outsourcings:
            out.add(("outsourcing", o.n, o.contractor, o.subcontract.value))
    for v in doc.verdicts:
        out.add(("verdict", v.file_n, v.stage, v.verdict))
    return out


@pytest.fixture(scope="module")
def pdf_from_seed(tmp_path_factory) -> Path:
    lines = (SAMPLES / SEED).read_text(encoding="utf-8").split("\n")
    path = tmp_path_factory.mktemp("pdf") / (Path(SEED).stem + ".pdf")
    make_pdf(path, lines, per_page=25)
    return path


def test_pdf_gives_the_same_graph_facts_as_its_text(pdf_from_seed):
    from_text = extract(SAMPLES / SEED)
    from_pdf = extract(pdf_from_seed)
    assert from_pdf.form == from_text.form
    assert facts(from_pdf) == facts(from_text)
    assert len(facts(from_text)) >= 30    # the comparison is not between two empty sets
