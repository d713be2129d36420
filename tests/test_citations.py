"""Tests for pia_graph.citations: grammar, inheritance, 別表, 条例, abbreviations, e-Gov links,
the 2021 renumbering, and real strings taken from the seed assessments in samples/."""

from __future__ import annotations

from pathlib import Path

import pytest

from pia_graph.citations import (
    BUILTIN_ABBREVIATIONS,
    KNOWN_LAWS,
    Citation,
    Law,
    egov_url,
    find_abbreviations,
    law_for,
    normalize_numerals,
    parse_citations,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

JUKI = "住民基本台帳法"
JUKI_ORDER = "住民基本台帳法施行令"
BANGO = "行政手続における特定の個人を識別するための番号の利用等に関する法律"
SHUMU = "行政手続における特定の個人を識別するための番号の利用等に関する法律第十九条第八号に基づく利用特定個人情報の提供に関する命令"
# The 個人番号カード省令 under its current title (a 命令 since 2024); OLD_CARD is its title before.
CARD = "行政手続における特定の個人を識別するための番号の利用等に関する法律に規定する個人番号、個人番号カード、特定個人情報の提供等に関する命令"
OLD_CARD = (
    "行政手続における特定の個人を識別するための番号の利用等に関する法律の規定による通知カード及び"
    "個人番号カード並びに情報提供ネットワークシステムによる特定個人情報の提供等に関する省令"
)
SEIBI = "行政手続における特定の個人を識別するための番号の利用等に関する法律の施行に伴う関係法律の整備等に関する法律"


def seed(prefix: str) -> str:
    files = sorted(SAMPLES.glob(f"{prefix}_*.txt"))
    if not files:
        pytest.skip(f"seed {prefix} not available")
    return files[0].read_text(encoding="utf-8")


def from_seed(prefix: str, s: str) -> str:
    """The string, after checking it really occurs in the seed."""
    assert s in seed(prefix), f"not a verbatim excerpt of seed {prefix}"
    return s


def summary(cs: list[Citation]) -> list[tuple]:
    return [(c.law.name, c.article, c.paragraph, c.item) for c in cs]


def check_offsets(text: str, cs: list[Citation]) -> None:
    for c in cs:
        assert text[c.start : c.end] == c.text
        assert c.start < c.end


# --------------------------------------------------------------------------------------------
# Grammar and chains
# --------------------------------------------------------------------------------------------


def test_chain_inherits_law_and_switches_law():
    s = "住基法第１条及び第３条第２項並びに番号法第９条第１項"
    cs = parse_citations(s)
    check_offsets(s, cs)
    assert summary(cs) == [(JUKI, "1", None, None), (JUKI, "3", 2, None), (BANGO, "9", 1, None)]
    assert [c.text for c in cs] == ["住基法第１条", "第３条第２項", "番号法第９条第１項"]
    # The inherited law name is kept only in law_as_written.
    assert [c.law_as_written for c in cs] == ["住基法", "住基法", "番号法"]


def test_paragraph_and_item_only_elements_inherit_the_article():
    cs = parse_citations("番号法第9条第1項及び第2項")
    assert summary(cs) == [(BANGO, "9", 1, None), (BANGO, "9", 2, None)]
    cs = parse_citations("番号法第19条第7号及び第8号")
    assert summary(cs) == [(BANGO, "19", None, "7"), (BANGO, "19", None, "8")]
    cs = parse_citations("住基法第30条の15第1項第4号又は第5号")
    assert summary(cs) == [(JUKI, "30の15", 1, "4"), (JUKI, "30の15", 1, "5")]


def test_other_chain_connectors():
    cs = parse_citations("番号法第7条、第16条・第17条又は第18条")
    assert [c.article for c in cs] == ["7", "16", "17", "18"]
    assert {c.law.name for c in cs} == {BANGO}


def test_full_name_with_number_parenthesis():
    s = "行政手続における特定の個人を識別するための番号の利用等に関する法律（平成25年法律第27号）第19条第8号"
    (c,) = parse_citations(s)
    assert (c.law.name, c.article, c.item) == (BANGO, "19", "8")
    assert c.text == s  # the law name and its 法令番号 are part of the citation's text


def test_ocr_spaces_and_full_width_digits():
    for s in ["住基法第 30 条の 6", "住基法第３０条の６", "住基法第30条の6", "住基法 第３０条の６"]:
        (c,) = parse_citations(s)
        assert (c.law.name, c.article) == (JUKI, "30の6"), s
        check_offsets(s, [c])
    (c,) = parse_citations("個人番号カード省令第２３条の２")
    assert c.article == "23の2"


def test_line_wrapped_citation():
    s = from_seed("002", "（別紙１）\u3000特定個人情報の提供先（番号法第１\n９条第７号別表第２）")
    (c,) = parse_citations(s)
    assert (c.article, c.item, c.annex) == ("19", "7", "別表第2")
    assert c.text == "番号法第１\n９条第７号別表第２"
    check_offsets(s, [c])


def test_whitespace_between_numbers_is_not_a_longer_number():
    (c,) = parse_citations("番号法第９条第１項別表第１ 15件")
    assert c.annex == "別表第1"


def test_kanji_numerals():
    (c,) = parse_citations("住基法第三十条の六第一項第二号")
    assert (c.article, c.paragraph, c.item) == ("30の6", 1, "2")
    (c,) = parse_citations("番号法第十九条第八号")
    assert (c.article, c.item) == ("19", "8")
    # "第五条の一部" is article 5, not 5の1.
    (c,) = parse_citations("住基法第五条の一部を改正")
    assert c.article == "5"


def test_normalize_numerals():
    assert normalize_numerals("第三十条の六") == "第30条の6"
    assert normalize_numerals("第十九条第八号") == "第19条第8号"
    assert normalize_numerals("二") == "2"
    assert normalize_numerals("百二十三") == "123"
    assert normalize_numerals("第２３条の２") == "第23条の2"
    assert normalize_numerals("第 30 条の 6") == "第30条の6"
    assert normalize_numerals("別表第二の八十五の二の項") == "別表第2の85の2の項"
    # Kanji numerals outside citations are words, not numbers.
    assert normalize_numerals("第三者点検と一元化") == "第三者点検と一元化"


def test_captions():
    (c,) = parse_citations("住基法第３０条の６（市町村長から都道府県知事への本人確認情報の通知等）に明示されている")
    assert c.caption == "市町村長から都道府県知事への本人確認情報の通知等"
    assert c.text.endswith("通知等）")
    # A remark in parentheses is not a caption, and is not part of the citation.
    (c,) = parse_citations("番号法第１９条第８号　別表第二（別紙１参照）")
    assert c.caption is None and c.text.endswith("別表第二")


# --------------------------------------------------------------------------------------------
# 別表, 表, 欄, 条例
# --------------------------------------------------------------------------------------------


def test_annex_rows_and_columns():
    (c,) = parse_citations("番号法別表第二の第27項")
    assert (c.law.name, c.article, c.annex, c.annex_row) == (BANGO, None, "別表第2", "27")
    (c,) = parse_citations("番号法別表第1の85の2の項")
    assert (c.annex, c.annex_row) == ("別表第1", "85の2")
    (c,) = parse_citations("主務省令第2条の表の第3欄")
    assert (c.law.name, c.article, c.annex, c.annex_column) == (SHUMU, "2", "表", "3")
    (c,) = parse_citations("情報連携主務省令第2条の表85の2の項")
    assert (c.law.name, c.article, c.annex, c.annex_row) == (SHUMU, "2", "表", "85の2")


# 003's Ⅰ6 basis (line 39 after its tab): 番号法 別表第二 by 58 row numbers, the 別表第二主務省令 by 55 article numbers.
SEED_003_LINKAGE = (
    "【情報提供の根拠】 ・番号利用法第19条第8号(特定個人情報の提供の制限)及び別表第二:第三欄(情報提供者)が「市町村長」の項のうち、"
    "第四欄(特定個人情報)に「住民票関係情報」が含まれる項(1、2、3、4、6、8、9、11、16、18、20、23、27、30、31、34、35、37、38、39、"
    "40、42、48、53、54、57、58、59、61、62、66、67、70、74、77、80、84、85の2、89、91、92、94、96、97、101、102、103、105、106、"
    "107、108、111、112、113、114、116、117、120の項) ・行政手続における特定の個人を識別するための番号の利用等に関する法律別表第二の"
    "主務省令で定める事務を定める命令に「住民票関係情報」が含まれる条項(第1、2、3、4、6、7、8、10、12、13、14、15、16、20、22、"
    "22の3、22の4、23、24、24の2、24の3、25、26の3、27、28、31、31の2の2、31の3、32、33、37、38、39、40、41、43、43の4、44の3、"
    "44の5、45、47、48、49、49の2、51、53、54、55、56、57、58、59、59の2の2、59の2の3、59条の3) 【情報照会の根拠】 なし"
)
ANNEX2_ORDER = "行政手続における特定の個人を識別するための番号の利用等に関する法律別表第二の主務省令で定める事務を定める命令"


def _listed_numbers(s: str, opening: str) -> list[str]:
    """The numbers of the list that follows `opening`, split by hand: 85の2, 59条の3 -> 59の3, 第1 -> 1."""
    inner = s[s.index(opening) + len(opening):].split(")")[0]
    return [x.removeprefix("第").removesuffix("の項").replace("条", "") for x in inner.split("、")]


def test_seed_003_every_listed_row_and_article_is_a_citation():
    s = from_seed("003", SEED_003_LINKAGE)
    cs = parse_citations(s)
    check_offsets(s, cs)
    rows, articles = _listed_numbers(s, "含まれる項("), _listed_numbers(s, "含まれる条項(")
    assert (len(rows), len(articles)) == (58, 55)
    assert len(cs) == 2 + 58 + 55
    assert [(c.article, c.item, c.annex, c.annex_column) for c in cs[:2]] == [("19", "8", None, None), (None, None, "別表第2", "3")]
    listed_rows, listed_articles = cs[2:60], cs[60:]
    assert [c.annex_row for c in listed_rows] == rows
    assert {(c.law.name, c.law_as_written, c.annex, c.article, c.annex_column) for c in listed_rows} == {
        (BANGO, "番号利用法", "別表第2", None, None)}
    assert [c.text for c in listed_rows][-3:] == ["116", "117", "120の項"]
    assert [c.article for c in listed_articles] == articles
    assert {(c.law.name, c.annex, c.annex_row) for c in listed_articles} == {(ANNEX2_ORDER, None, None)}
    assert [c.text for c in listed_articles][:2] == ["第1", "2"] and listed_articles[-1].text == "59条の3"
    assert listed_articles[-1].article == "59の3"


def test_seed_001_rows_of_the_order_table_are_citations():
    s = from_seed(
        "001",
        "・番号法第１９条第８号（特定個人情報の提供の制限）及び同号に基づく主務省令第２条の表\n\n"
        "（番号法第１９条第８号に基づく主務省令第２条の表における情報提供の根拠）\n"
        "：第三欄（情報提供者）が「市町村長」の項のうち、第四欄（利用特定個人情報）に「住民票関係情報」が\n含まれる項\n"
        "（１、２、３、５、７、１１、１３、１５、２０、２８、３７、３９、４８、５３、５７、５８、５９、６３、６５、６６、６９、７３、７\n"
        "５、７６、８１、８３、８４、８６、８７、９１、９２、９６、１０６、１０８、１１０、１１２、１１５、１１８、１２４、１２９、１３\n"
        "０、１３２、１３６、１３７、１３８、１４１、１４２、１４４、１４９、１５０、１５１、１５２、１５５、１５６、１５８、１６０、１\n"
        "６３、１６４、１６５、１６６の項）",
    )
    cs = parse_citations(s)
    check_offsets(s, cs)
    rows = [c for c in cs if c.annex_row]
    # The numbers wrap mid-number at the line ends (７\n５): one row 75, not 7 and 5.
    assert [c.annex_row for c in rows] == _listed_numbers(normalize_numerals(s.replace("\n", "")), "含まれる項(")
    assert len(rows) == 60 and "75" in [c.annex_row for c in rows] and rows[-1].annex_row == "166"
    assert {(c.law.name, c.law_as_written, c.article, c.annex) for c in rows} == {(SHUMU, "主務省令", "2", "表")}
    assert len(cs) == 4 + 60


def test_seed_001_rows_after_a_heading_that_names_the_table_again():
    # 001's change history quotes the older wording, in which a heading in parentheses names 別表第二 again.
    s = from_seed(
        "001",
        "・番号法第１９条第８号（特定個人情報の提供の\n制限）及び別表第二\n\n（別表第二における情報提供の根拠）\n"
        "第３欄（情報提供者）が「市町村長」の項のうち、\n第４欄（特定個人情報）に「住民票関係情報」が\n"
        "含まれる項（１、２、３、４、６、８、９、１１、１６、１\n８、２０、２３、２７、３０、３１、３４、３５、３７、３８、\n",
    )
    assert [c.annex for c in parse_citations(s)] == [None, "別表第2", "別表第2"]  # the list is cut: no ')'
    s += "３９の項）"
    cs = parse_citations(s)
    assert [c.annex_row for c in cs[3:]] == ["1", "2", "3", "4", "6", "8", "9", "11", "16", "18", "20", "23", "27",
                                             "30", "31", "34", "35", "37", "38", "39"]
    assert {c.law.name for c in cs} == {BANGO}


def test_a_list_needs_its_table_or_law_in_the_same_sentence():
    # No table cited before: the numbers are no citations.
    assert parse_citations("第四欄に「住民票関係情報」が含まれる項(1、2、3の項)") == []
    # A table in an earlier sentence does not reach a list.
    cs = parse_citations("番号法別表第二に定める。第四欄に「住民票関係情報」が含まれる項(1、2、3の項)")
    assert [(c.annex, c.annex_row) for c in cs] == [("別表第2", None)]
    # No law before an article list: nothing.
    assert parse_citations("「住民票関係情報」が含まれる条項(第1、2、59条の3)") == []
    # The parenthesis after 第5条 or 第3項 is a caption or a remark, never a list.
    cs = parse_citations("住基法第5条(1、2)及び番号法別表第二の第3項(1、2)")
    assert [(c.article, c.annex, c.annex_row) for c in cs] == [("5", None, None), (None, "別表第2", "3")]
    # Rows and articles do not mix, and a lone number with no unit is not a list.
    assert [c.annex_row for c in parse_citations("番号法別表第二が含まれる項(1、2条)")] == [None]
    assert [c.annex_row for c in parse_citations("番号法別表第二が含まれる項(1)")] == [None]
    assert [c.annex_row for c in parse_citations("番号法別表第二が含まれる項(1の項)")] == [None, "1"]


def test_bare_annex_after_a_law():
    cs = parse_citations("番号法第９条第１項に掲げる別表第一に基づき")
    assert [(c.article, c.paragraph, c.annex) for c in cs] == [("9", 1, None), (None, None, "別表第1")]
    assert {c.law.name for c in cs} == {BANGO}


def test_local_ordinance():
    s = "久留米市個人番号の利用に関する条例（平成27年久留米市条例第42号）第3条第1項及び別表1"
    first, second = parse_citations(s)
    law = first.law
    assert law.name == "久留米市個人番号の利用に関する条例"
    assert law.number == "平成27年久留米市条例第42号"
    assert law.ordinance_of == "久留米市"
    assert law.egov_id is None
    assert law.key.startswith("num-H27-ordinance-42-") and law.key.isascii()
    assert (first.article, first.paragraph) == ("3", 1)
    assert first.text == "久留米市個人番号の利用に関する条例（平成27年久留米市条例第42号）第3条第1項"
    assert (second.law, second.annex, second.article, second.text) == (law, "別表第1", None, "別表1")
    assert egov_url(first) is None


def test_ordinance_body_comes_from_the_caller_when_not_in_the_name():
    (c,) = parse_citations("個人番号利用条例第3条", body="久留米市長")
    assert c.law.ordinance_of == "久留米市"
    (d,) = parse_citations("個人番号利用条例第3条", body="札幌市長")
    assert c.law.key != d.law.key  # two bodies' ordinances of the same name stay apart


def test_ordinance_keys_from_the_number_include_the_body():
    a = law_for("久留米市個人番号の利用に関する条例（平成27年久留米市条例第42号）")
    b = law_for("札幌市個人番号利用条例（平成27年条例第42号）")
    assert a.key != b.key
    assert b.ordinance_of == "札幌市" and b.number == "平成27年条例第42号"


# --------------------------------------------------------------------------------------------
# Laws, abbreviations
# --------------------------------------------------------------------------------------------


def test_known_laws_and_builtin_abbreviations():
    assert KNOWN_LAWS[JUKI] == Law(JUKI, "342AC0000000081", "昭和42年法律第81号")
    assert KNOWN_LAWS[BANGO].egov_id == "425AC0000000027"
    assert KNOWN_LAWS[CARD].egov_id == "426M60000008085"
    assert KNOWN_LAWS["個人情報の保護に関する法律"].egov_id == "415AC0000000057"
    assert KNOWN_LAWS[SHUMU].egov_id is None
    assert KNOWN_LAWS[JUKI_ORDER].number == "昭和42年政令第292号" and KNOWN_LAWS[JUKI_ORDER].egov_id is None
    for short in ("番号法", "番号利用法", "マイナンバー法"):
        assert BUILTIN_ABBREVIATIONS[short] == BANGO
        assert law_for(short) is KNOWN_LAWS[BANGO]
    assert law_for("住基法").name == JUKI
    assert law_for("個人情報保護法").egov_id == "415AC0000000057"
    assert law_for("情報連携主務省令").name == SHUMU == law_for("主務省令").name
    assert law_for("番号整備法").name == SEIBI
    # Keys: e-Gov ID when known, else from the number, else a hash of the name; always ASCII.
    assert law_for("住基法").key == "342AC0000000081"
    assert law_for("住民基本台帳法施行令").key == "num-S42-cabinet-order-292"
    unknown = law_for("何とか特別措置法")
    assert unknown.egov_id is None and unknown.number is None and unknown.key.startswith("name-")


def test_the_linkage_order_is_recognised_however_its_number_is_written():
    s = "行政手続における特定の個人を識別するための番号の利用等に関する法律第19条第8号に基づく利用特定個人情報の提供に関する命令第2条の表"
    (c,) = parse_citations(s)  # the 第19条第8号 inside the order's title is not a citation
    assert (c.law.name, c.article, c.annex) == (SHUMU, "2", "表")


def test_find_abbreviations_in_a_document_paragraph():
    par = (
        "この事務は、住民基本台帳法（昭和42年法律第81号。以下「住基法」という。）に基づき、"
        "住民の居住関係の公証を行う。市においては、住基法及び行政手続における特定の個人を識別"
        "するための番号の利用等に関する法律(以下「番号利用法」という。)の規定に従い、"
        "地方公共団体情報システム機構（以下「機構」という。）へ照会する。"
        "久留米市個人番号の利用に関する条例（平成27年久留米市条例第42号。以下「利用条例」という。）"
    )
    found = find_abbreviations(par)
    assert found == {"住基法": JUKI, "番号利用法": BANGO, "利用条例": "久留米市個人番号の利用に関する条例"}
    # The document's own short name is used when parsing it.
    cs = parse_citations(par + "利用条例第3条")
    assert cs[-1].law.name == "久留米市個人番号の利用に関する条例"
    assert cs[-1].law.number == "平成27年久留米市条例第42号"


def test_caller_supplied_abbreviations():
    (c,) = parse_citations("利用条例第4条", abbreviations={"利用条例": "札幌市個人番号利用条例"})
    assert (c.law.name, c.law.ordinance_of, c.law_as_written) == ("札幌市個人番号利用条例", "札幌市", "利用条例")


# --------------------------------------------------------------------------------------------
# What must not be a citation
# --------------------------------------------------------------------------------------------


def test_no_citation_from_prose():
    assert parse_citations("住基法に基づき住民票を作成する。") == []
    assert parse_citations("番号法で認められた場合に限り、他部署からの求めに応じる") == []
    assert parse_citations("第三者点検を実施した。提供の方法第") == []


def test_bare_article_without_law_is_skipped():
    assert parse_citations("住民票の写しの交付（第１２条）を行う") == []
    # …also when a law appeared in an earlier sentence.
    cs = parse_citations("住基法第１条の目的による。その後、第３条に従う。")
    assert [c.article for c in cs] == ["1"]


def test_bare_article_in_the_same_sentence_inherits():
    cs = parse_citations("住基法第30条の44の6第3項に基づき、情報を利用し、第30条の15第1項の規定による事務")
    assert summary(cs) == [(JUKI, "30の44の6", 3, None), (JUKI, "30の15", 1, None)]


def test_supplementary_provisions_are_skipped():
    assert parse_citations("番号整備法（平成25年法律第28号）附則第3号施行日時点") == []


def test_numbers_inside_law_number_parentheses_are_not_citations():
    cs = parse_citations("住民基本台帳法（昭和四十二年法律第八十一号）第七条第四号に規定する事項")
    assert summary(cs) == [(JUKI, "7", None, "4")]


def test_same_law_refers_to_the_law_last_named():
    cs = parse_citations("公営住宅法による公営住宅（同法第二条第二号に規定する公営住宅をいう。）")
    assert [(c.law.name, c.article, c.item, c.law_as_written) for c in cs] == [("公営住宅法", "2", "2", "同法")]


# --------------------------------------------------------------------------------------------
# e-Gov links and the 2021 renumbering
# --------------------------------------------------------------------------------------------


def test_egov_url_format():
    (c,) = parse_citations("住基法第３０条の６")
    assert egov_url(c) == "https://laws.e-gov.go.jp/law/342AC0000000081#Mp-At_30_6"
    (c,) = parse_citations("番号法第１９条第８号")
    assert egov_url(c) == "https://laws.e-gov.go.jp/law/425AC0000000027#Mp-At_19-Pr_1-It_8"
    (c,) = parse_citations("番号法第９条第２項")
    assert egov_url(c) == "https://laws.e-gov.go.jp/law/425AC0000000027#Mp-At_9-Pr_2"
    (c,) = parse_citations("番号法別表第二")
    assert egov_url(c) == "https://laws.e-gov.go.jp/law/425AC0000000027"
    (c,) = parse_citations("住民基本台帳法施行令第３４条")
    assert egov_url(c) is None


def test_renumbering_2021():
    old, new = parse_citations("番号法第19条第7号 番号法第19条第8号")
    assert old.renumbered_to is not None
    assert (old.renumbered_to.law, old.renumbered_to.article, old.renumbered_to.item) == (old.law, "19", "8")
    assert old.renumbered_to.renumbered_to is None
    assert new.renumbered_to is None
    # Only 番号法 article 19 item 7 moves.
    assert parse_citations("住基法第19条第7号")[0].renumbered_to is None
    assert parse_citations("番号法第9条第7号")[0].renumbered_to is None


# --------------------------------------------------------------------------------------------
# Real strings from the seeds
# --------------------------------------------------------------------------------------------


def test_seed_001_chain():
    s = from_seed("001", "①法令上の根拠 住基法第１条及び第３条第２項並びに番号法第９条第１項")
    cs = parse_citations(s)
    check_offsets(s, cs)
    assert summary(cs) == [(JUKI, "1", None, None), (JUKI, "3", 2, None), (BANGO, "9", 1, None)]


def test_seed_001_provision_with_order_table():
    s = from_seed("001", "番号法第１９条第８号（特定個人情報の提供の制限）及び同号に基づく主務省令第２条の表")
    a, b = parse_citations(s)
    assert (a.law.name, a.article, a.item, a.caption) == (BANGO, "19", "8", "特定個人情報の提供の制限")
    assert (b.law.name, b.law_as_written, b.article, b.annex) == (SHUMU, "主務省令", "2", "表")
    check_offsets(s, [a, b])


def test_seed_001_ordinance_annex_in_chain():
    s = from_seed("001", "住基法第１条及び第３条第２項並びに札幌市個人番号利用条例（平成27年条例第42号）別表2")
    cs = parse_citations(s)
    assert summary(cs)[:2] == [(JUKI, "1", None, None), (JUKI, "3", 2, None)]
    c = cs[2]
    assert (c.law.name, c.law.number, c.law.ordinance_of, c.annex) == (
        "札幌市個人番号利用条例", "平成27年条例第42号", "札幌市", "別表第2"
    )


def test_seed_000_caption():
    s = from_seed("000", "①法令上の根拠 住基法第３０条の６（市町村長から都道府県知事への本人確認情報の通知等）")
    (c,) = parse_citations(s)
    assert (c.law.name, c.article, c.caption) == (JUKI, "30の6", "市町村長から都道府県知事への本人確認情報の通知等")
    assert c.text == "住基法第３０条の６（市町村長から都道府県知事への本人確認情報の通知等）"


def test_seed_001_card_ordinance():
    s = from_seed("001", "個人番号カード省令第２３条の２（個人番号通知書及び個人番号カードに関し機構が処理する事務）")
    (c,) = parse_citations(s)
    assert (c.law.name, c.law.egov_id, c.article) == (CARD, "426M60000008085", "23の2")
    assert egov_url(c) == "https://laws.e-gov.go.jp/law/426M60000008085#Mp-At_23_2"


def test_seed_003_card_ordinance_under_its_old_title_is_the_order_under_its_current_title():
    s = from_seed(
        "003",
        "行政手続における特 定の個人を識別するための番号の利用等に関する法律の規定による通知カード及び個人番号カード並 "
        "びに情報提供ネットワークシステムによる特定個人情報の提供等に関する省令(平成26年11月20日総 務省令第85号)"
        "(以下「通知カード及び個人番号カード省令」という。)第35条(通知カード、個人番号カー ド関連事務の委任)",
    )
    (c,) = parse_citations(s)
    assert (c.law.name, c.law.egov_id, c.law.number, c.article) == (
        CARD, "426M60000008085", "平成26年総務省令第85号", "35")
    assert find_abbreviations(s) == {"通知カード及び個人番号カード省令": CARD}
    # Every title and short name it has had is the same law.
    for name in (CARD, OLD_CARD, "通知カード及び個人番号カード省令", "個人番号カード省令",
                 "番号法に規定する個人番号、個人番号カード、特定個人情報の提供等に関する命令"):
        assert law_for(name) == KNOWN_LAWS[CARD], name
    assert OLD_CARD not in KNOWN_LAWS


def test_seed_002_article_and_bare_annex():
    s = from_seed("002", "①法令上の根拠 番号法第９条第１項及び別表")
    a, b = parse_citations(s)
    assert (a.article, a.paragraph) == ("9", 1)
    assert (b.law.name, b.article, b.annex, b.text) == (BANGO, None, "別表", "別表")


def test_seed_002_kurume_ordinance():
    s = from_seed("002", "久留米市個人番号の利用に関する条例（平成27年久留米市条例第42号）第3条第1項及び別表1")
    a, b = parse_citations(s)
    assert (a.law.ordinance_of, a.article, a.paragraph, b.annex) == ("久留米市", "3", 1, "別表第1")


def test_seed_002_order_table_column_across_a_line_break():
    s = from_seed(
        "002",
        "情報連携主務省令第2条の表の第3欄（情報提供者）に「市町村長」が含まれる項のうち第4欄（利用特\n定個人情報）",
    )
    (c,) = parse_citations(s)
    assert (c.law.name, c.article, c.annex, c.annex_column, c.caption) == (SHUMU, "2", "表", "3", "情報提供者")


def test_seed_003_annex_column():
    s = from_seed(
        "003", "・番号利用法第19条第8号(特定個人情報の提供の制限)及び別表第二:第三欄(情報提供者)が「市町村長」の項のうち"
    )
    a, b = parse_citations(s)
    assert (a.law.name, a.article, a.item) == (BANGO, "19", "8")
    assert (b.law.name, b.annex, b.annex_column, b.caption) == (BANGO, "別表第2", "3", "情報提供者")


def test_seed_003_list_with_abbreviation_and_numbers():
    s = from_seed(
        "003",
        "2. 住民基本台帳法(住基法)(昭和42年7月25日法律第81号) (平成25年5月31日法律第28号施行時点) ・第5条(住民基本台帳の備え付け) ・第6条(住民基本台帳の作成)",
    )
    cs = parse_citations(s)
    assert [(c.law.name, c.article, c.caption) for c in cs] == [
        (JUKI, "5", "住民基本台帳の備え付け"),
        (JUKI, "6", "住民基本台帳の作成"),
    ]
    assert find_abbreviations(s) == {"住基法": JUKI}


def test_seed_001_bulleted_lists():
    s = from_seed(
        "001",
        "１．番号法\n・第７条（指定及び通知）\n・第１６条（本人確認の措置）\n・第１７条（個人番号カードの交付等）\n\n"
        "２．住基法\n・第５条（住民基本台帳の備付け）",
    )
    cs = parse_citations(s)
    check_offsets(s, cs)
    assert [(c.law.name, c.article) for c in cs] == [(BANGO, "7"), (BANGO, "16"), (BANGO, "17"), (JUKI, "5")]
    assert cs[0].text == "第７条（指定及び通知）" and cs[0].law_as_written == "番号法"


def test_seed_004_footnoted_list():
    s = from_seed("004", "住基法※ ・第7条(住民票の記載事項) ・第12条の5(住民基本台帳の脱漏等に関する都道府県知事の通報)")
    assert [(c.law.name, c.article) for c in parse_citations(s)] == [(JUKI, "7"), (JUKI, "12の5")]


def test_seed_004_consecutive_provisions_with_nested_caption():
    s = from_seed(
        "004",
        "住基法第30条の15第1項(本人確認情報の利用)住基法第30条の44の6第3項(都道府県知事保存附票本人確認情報(住民票コードに限る。))の利用)",
    )
    a, b = parse_citations(s)
    assert (a.article, a.paragraph, a.caption) == ("30の15", 1, "本人確認情報の利用")
    assert (b.article, b.paragraph) == ("30の44の6", 3)


def test_seed_004_same_sentence_inheritance():
    s = from_seed(
        "004",
        "住基法第30条の44の6第3項に基づき、都道府県知事保存附票本人確認情報(住民票コードに限る。)を利用し、第30条の15第1項又は第2項の規定による事務",
    )
    cs = parse_citations(s)
    assert summary(cs) == [(JUKI, "30の44の6", 3, None), (JUKI, "30の15", 1, None), (JUKI, "30の15", 2, None)]
    assert [c.text for c in cs][1:] == ["第30条の15第1項", "第2項"]


def test_seed_004_seibi_act():
    s = from_seed("004", "番号整備法第20条第9項及び第22条第7項に基づく経過措置である。")
    cs = parse_citations(s)
    assert summary(cs) == [(SEIBI, "20", 9, None), (SEIBI, "22", 7, None)]
    assert all(c.law.egov_id is None and c.law.number == "平成25年法律第28号" for c in cs)


def test_seed_002_change_history_renumbering():
    s = from_seed("002", "番号利用法第１９条第７号　別表第２ 番号利用法第１９条第８号　別表第２ 事後")
    old, new = parse_citations(s)
    assert (old.item, old.annex, new.item, new.annex) == ("7", "別表第2", "8", "別表第2")
    assert old.renumbered_to is not None and old.renumbered_to.item == "8" and new.renumbered_to is None
    check_offsets(s, [old, new])


def test_seed_002_article_without_dai():
    s = from_seed("002", "⑪番号法19条第７号別表第２における情報提")
    (c,) = parse_citations(s)
    assert (c.law.name, c.article, c.item, c.annex) == (BANGO, "19", "7", "別表第2")


def test_seed_002_quoted_renamed_card_ordinance_chain():
    s = from_seed(
        "002",
        "「行政手続における特\n定の個人を識別するための番号の利用等に関する法律に規定する個人番号、個人番号カード、特定個\n"
        "人情報の提供等に関する命令（平成26年総務省令第85号。以下「個人番号カード省令」という。）」第23\n"
        "条の2（個人番号通知書及び個人番号カードに関し機構が処理する事務）、第23条の3（個人番号カード\n"
        "の作成）及び第36条（機構への通知）に基づき",
    )
    cs = parse_citations(s)
    assert [(c.law.name, c.article) for c in cs] == [(CARD, "23の2"), (CARD, "23の3"), (CARD, "36")]
    assert cs[2].caption == "機構への通知"
    assert find_abbreviations(s) == {"個人番号カード省令": CARD}
    check_offsets(s, cs)


def test_seed_002_wrapped_order_name():
    s = from_seed("002", "住民基本台帳法施\n行令（昭和42年政令第292号）第３４条に定める期間保管する。")
    (c,) = parse_citations(s)
    assert (c.law.name, c.article, c.law_as_written) == (JUKI_ORDER, "34", "住民基本台帳法施行令")


def test_seed_002_same_law_across_sentences():
    s = from_seed(
        "002",
        "番号法第７条第１項（指定及び通知）に基づき、\n通知カードを個人番号の付番対象者全員に送\n付する必要がある。\n"
        "また、同法第１７条第１項（個人番号カードの交\n付等）により",
    )
    a, b = parse_citations(s)
    assert (b.law.name, b.article, b.paragraph, b.law_as_written) == (BANGO, "17", 1, "同法")
    assert b.caption == "個人番号カードの交付等"


def test_seed_001_kanji_annex_table():
    s = from_seed("001", "住民基本台帳法（昭和四十二年法律第八十一\n\n号）第七条第四号に規定する事項")
    (c,) = parse_citations(s)
    assert (c.law.name, c.article, c.item) == (JUKI, "7", "4")


def test_seed_004_prose_yields_nothing():
    s = from_seed("004", "千葉県の他の執行機関又は他部署による住基法に基づく情報照会に対応するため")
    assert parse_citations(s) == []


def test_seed_paragraph_abbreviations():
    s = from_seed(
        "002",
        "行政手続における特定の個人を識別するための番号の利用等に関する法律第19条第8号に基づく利用\n"
        "特定個人情報の提供に関する命令（令和6年デジタル庁・総務省令第9号。以下「情報連携主務省令」と\nいう。）",
    )
    assert find_abbreviations(s) == {"情報連携主務省令": SHUMU}


# --------------------------------------------------------------------------------------------
# Whole seed documents
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_whole_seed_offsets_and_laws(prefix):
    text = seed(prefix)
    cs = parse_citations(text)
    check_offsets(text, cs)
    assert cs, "every seed cites at least one law"
    assert all(c.law.name and c.law.key.isascii() for c in cs)
    assert all(c.article or c.annex for c in cs)
    assert [c.start for c in cs] == sorted(c.start for c in cs)


def test_whole_seed_000_exact():
    cs = parse_citations(seed("000"))
    assert [(c.law.name, c.article) for c in cs] == [
        (JUKI, "5"),
        (JUKI, "14"),
        (JUKI, "30の6"),
        (JUKI, "30の6"),
        (JUKI, "14"),
    ]


def test_whole_seed_002_change_history_has_old_numbers():
    cs = parse_citations(seed("002"))
    renumbered = [c for c in cs if c.renumbered_to is not None]
    assert renumbered and all((c.article, c.item) == ("19", "7") for c in renumbered)
    assert all(c.law.name == BANGO for c in renumbered)


def test_whole_seed_001_abbreviations():
    found = find_abbreviations(seed("001"))
    assert found["住基法"] == JUKI
    assert found["番号法"] == BANGO
    assert found["個人番号カード省令"] == CARD
    assert "平成八年法律第八十二号" not in found


def test_seed_001_a_law_number_given_as_a_short_name_is_no_abbreviation():
    # 001's 別紙1 (the 主務省令's table) names the law by its own 法令番号: that number is no short name.
    s = from_seed(
        "001",
        "厚生年金保険法等の一部を改正する法律（平成\n\n八年法律第八十二号。以下「平成八年法律第八\n\n十二号」という。）",
    )
    assert find_abbreviations(s) == {}
    # A short name that is a name is still one, in the same table.
    s = from_seed("001", "済組合法等を廃止する等の法律（平成十三年法\n\n律第百一号。以下「平成十三年統合法」とい\n\nう。）")
    assert list(find_abbreviations(s)) == ["平成十三年統合法"]
