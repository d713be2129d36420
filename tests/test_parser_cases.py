"""Hand-made hard cases for the parser: torn checkboxes, out-of-order rows, fragments, non-assessments."""

from __future__ import annotations

import pytest

from pia_graph import vocab
from pia_graph.model import Mark
from pia_graph.parse.assessment import NotAnAssessment, parse_assessment
from pia_graph.parse.choices import read_band, read_checkboxes
from pia_graph.parse.layout import make_lines
from pia_graph.parties import KIKO, canonical_party, split_parties


def states(lines, scheme=vocab.METHODS, required=True):
    return {c.option: c.state for c in read_checkboxes(make_lines(lines), scheme, required)}


def test_checked_unchecked_and_torn_boxes():
    s = states(["[ ] 情報提供ネットワークシステム [ ] 専用線", "[", "] 紙", "[ ○ ] その他 （ 住基ネット ）",
                "] 電子メール [ ] 電子記録媒体（フラッシュメモリを除く。）"])
    assert s["info-network"] == Mark.unchecked
    assert s["other"] == Mark.checked
    assert s["paper"] == Mark.unchecked          # torn in two, no mark on either half
    assert s["flash"] == Mark.unknown            # never printed beside this field


def test_torn_box_with_a_loose_mark_is_unknown():
    s = states(["[ ○", "] 紙", "[ ] 電子メール", "[ ○ ] 専用線"])
    assert s["paper"] == Mark.unknown
    assert s["email"] == Mark.unchecked and s["leased-line"] == Mark.checked


def test_required_list_with_every_mark_lost_is_unknown_not_unchecked():
    s = states(['<input type="checkbox"/> 本人又は本人の代理人 <input type="checkbox"/> 評価実施機関内の他部署 ()'],
               vocab.SOURCES)
    assert s["self"] == Mark.unknown and s["other-department"] == Mark.unknown


def test_html_checked_input():
    s = states(['[<input checked="" type="checkbox"/>] 紙 [] 専用線'])
    assert s["paper"] == Mark.checked and s["leased-line"] == Mark.unchecked


def test_band_with_torn_closing_bracket():
    band = read_band(make_lines(["＜選択肢＞", "[ 100万人以上1,000万人未満", "] 2） 1万人以上10万人未満"]), vocab.PERSON_BANDS)
    assert band.option == "1m-10m"


def test_band_that_cannot_be_read_is_none():
    assert read_band(make_lines(["[", "] 2） 1万人以上10万人未満"]), vocab.PERSON_BANDS) is None


SCRAMBLED = """特定個人情報保護評価書（全項目評価書）
評価書番号
1
評価書名
テスト事務　全項目評価書
評価実施機関名
テスト市長
[令和６年１月　様式４]
Ⅱ　特定個人情報ファイルの概要
 １．特定個人情報ファイル名
（１）テストファイル
 ５．特定個人情報の提供・移転（委託に伴うものを除く。）
 提供・移転の有無
[ ○ ] 提供を行っている （ 2 ） 件 [ ] 移転を行っている （ ） 件
 ⑦時期・頻度 毎月
 ②提供先における用途 照合
 ③提供する情報 ４情報
 提供先1 地方公共団体情報システム機構（機構）
 ①法令上の根拠 住基法第３０条の７
 ⑦時期・頻度 随時
 ②提供先における用途 通知
 ①法令上の根拠 番号法第１９条第８号
 提供先2 都道府県及び機構
 提供先2～5
""".split("\n")


def test_rows_are_paired_by_label_not_by_position():
    doc = parse_assessment("scrambled.txt", "0" * 64, SCRAMBLED)
    assert doc.body == "テスト市長" and doc.form == "full"
    f = doc.files[0]
    assert f.provision_declared == 2 and f.transfer_declared == 0
    rows = {p.n: p for p in f.provisions}
    assert set(rows) == {1, 2}
    assert rows[1].parties == [KIKO] and rows[1].timing == "毎月"
    assert rows[1].legal_basis.citations[0].article == "30の7"
    assert rows[2].parties == ["都道府県", KIKO] and rows[2].timing == "随時"
    assert rows[2].legal_basis.citations[0].item == "8"


def test_fragment_without_cover_says_so():
    doc = parse_assessment("fragment.txt", "0" * 64, SCRAMBLED[8:])
    assert doc.body is None and "cover" in doc.lacks
    assert len(doc.files[0].provisions) == 2


def test_text_that_is_not_an_assessment_is_refused():
    with pytest.raises(NotAnAssessment):
        parse_assessment("recipe.txt", "0" * 64, ["カレーの作り方", "玉ねぎを炒める。", "煮込む。"])


@pytest.mark.parametrize("written", ["機構", "地方公共団体情報システム機構", "地方公共団体情報システム機構（機構）",
                                     "地方公共団体情報システム機構(機構)", "機構（全国サーバ）"])
def test_kiko_spellings_are_one_party(written):
    assert canonical_party(written) == KIKO


def test_one_cell_two_parties_and_annex_rows():
    assert split_parties("都道府県及び機構") == ["都道府県", KIKO]
    assert split_parties("別紙１に掲げる者") == []
    assert split_parties("千葉県の他の執行機関（教育委員会など）") == ["千葉県の他の執行機関"]


def test_vendor_branch_is_dropped_from_the_party():
    assert canonical_party("富士通Ｊａｐａｎ株式会社　福岡支社") == "富士通Japan株式会社"
    assert canonical_party("BIPROGY株式会社北海道支店") == "BIPROGY株式会社"


def test_prefecture_only_where_the_document_names_it():
    from pia_graph.parties import home_prefecture
    assert home_prefecture("札幌市長", "北海道及び機構と連携する。北海道知事に通知する。") == "北海道"
    assert home_prefecture("いわき市長", "都道府県に通知する。") is None          # not named: no guess
    assert home_prefecture("千葉県知事", "千葉県 千葉県 千葉県") is None            # a prefecture's own document
    assert home_prefecture("福岡県久留米市長", "") == "福岡県"


def test_municipal_provision_to_todofuken_links_the_prefecture(extracted):
    from pia_graph.mapping import assessment_graphs, party_iri
    from pia_graph.namespaces import PIA
    g, shared, _ = assessment_graphs(extracted["001_c929cc07fcd15d36.txt"])
    assert party_iri("北海道") in set(g.objects(None, PIA.recipientResolved))
