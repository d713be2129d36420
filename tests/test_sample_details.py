"""What a careful reading of the samples found wrong in the extractor's output, each checked on the sample's own
lines (issue 15): ticks paired with the row they belong to, only the options the form prints, 提出時期 from its own
cell, no change row made of column heads, 別紙 recipients whole, Ⅲ's questions under their own stage."""

from __future__ import annotations

from collections import Counter

import pytest

from pia_graph.model import Mark

from conftest import SEEDS


def provisions(doc):
    return [(f, p) for f in doc.files for p in f.provisions]


def method(row, option):
    return next(c for c in row.methods if c.option == option)


@pytest.mark.parametrize("seed, line", [(0, 234), (2, 1928)])
def test_a_ticked_box_torn_from_its_row_is_read_with_its_row(seed, line, extracted):
    """`] 電子メール [ ○ ] 電子記録媒体` (PDF text printed the upper half of the box grid away from ⑥提供方法): the
    row that takes it is the one whose ⑦ is 「必要に応じて随時（１年に１回程度）」, 提供先2, and its 電子記録媒体 is checked."""
    doc = extracted[SEEDS[seed]]
    [(f, row)] = [(f, p) for f, p in provisions(doc) if any(c.span and c.span.start == line for c in p.methods)]
    assert (row.kind, row.n) == ("提供", 2) and "１年に１回程度" in (row.timing or "").replace("1", "１")
    assert method(row, "media").state == Mark.checked
    assert method(row, "other").state == Mark.checked and "住民基本台帳ネットワークシステム" in method(row, "other").detail


def test_a_row_takes_its_boxes_from_its_own_part_of_the_page(extracted):
    """000's 提供先1 took its boxes from the 移転 block (lines 366–372) before."""
    row = next(p for _, p in provisions(extracted[SEEDS[0]]) if (p.kind, p.n) == ("提供", 1))
    spans = {c.span.start for c in row.methods if c.span}
    assert spans and all(270 <= n <= 300 for n in spans), spans
    assert method(row, "other").state == Mark.checked


@pytest.mark.parametrize("seed", SEEDS)
def test_no_option_the_form_does_not_print_for_the_list(seed, extracted):
    """庁内連携システム is not among the ways of 提供 (to another body), nor 情報提供ネットワークシステム among 移転's."""
    for _, row in provisions(extracted[seed]):
        options = {c.option for c in row.methods}
        assert ("internal-link" in options) == (row.kind == "移転") or not options
        assert ("info-network" in options) == (row.kind == "提供") or not options


def test_submission_timing_comes_from_its_own_cell(extracted):
    """004 lines 600–602 and 609: the 提出時期 cell says 事後; the explanation beside it mentions 事前提出."""
    changes = {c.span.start: c for c in extracted[SEEDS[4]].changes}
    for line in (600, 601, 602, 609):
        assert changes[line].timing == "事後", line
        assert "事前" in changes[line].text        # the prose that misled the old reading is still kept


def test_no_change_row_is_made_of_a_pages_column_heads(extracted):
    """002 lines 5132–5138: the table's column heads printed on each page, and a date cell alone."""
    for change in extracted[SEEDS[2]].changes:
        assert not change.item.replace(" ", "").startswith("変更日項目"), change.span
        assert change.text.strip() != change.date


@pytest.mark.parametrize("row, recipient", [
    ("20", "都道府県知事又は市町村長"),
    ("53", "公営住宅法(昭和二十六年法律第百九十三号)第二条第十六号に規定する事業主体である都道府県知事又は市町村長"),
    ("57", "日本私立学校振興・共済事業団"),
    ("1", "厚生労働大臣"),
])
def test_annex_recipients_are_read_whole_across_their_column_wrap(row, recipient, extracted):
    annex = {r.row: r for r in extracted[SEEDS[1]].annex_rows}
    assert annex[row].recipient == recipient
    assert not annex[row].affair.startswith(("長", "年法律", "事業団"))


def test_a_question_is_under_the_stage_whose_heading_it_sits_under(extracted):
    """001 line 2868: its heading 「６．情報提供ネットワークシステムとの接続」 comes two lines later, after the
    boxes of the stage's own question; the question is not 提供・移転's."""
    verdicts = {v.span.start: v for v in extracted[SEEDS[1]].verdicts}
    assert verdicts[2868].stage == "network"
    assert verdicts[2814].stage == verdicts[2825].stage == "provision"


@pytest.mark.parametrize("seed, files", [(1, (2, 3)), (2, (2, 3)), (4, (1,))])
def test_each_file_asks_the_forms_questions_stage_by_stage(seed, files, extracted):
    """The full form asks, per file: 入手 4, 使用 4, 委託 1, 提供・移転 3, 情報提供NWS 7, 保管・消去 3."""
    counts = Counter((v.file_n, v.stage) for v in extracted[SEEDS[seed]].verdicts)
    for n in files:
        assert {stage: counts[(n, stage)] for stage in
                ("acquisition", "use", "outsourcing", "provision", "network", "storage")} == {
            "acquisition": 4, "use": 4, "outsourcing": 1, "provision": 3, "network": 7, "storage": 3}, n
