"""The statute nodes of the samples' graph: labels in legal notation, one caption per article from one authority,
and canned queries that count each citation once."""

from __future__ import annotations

import re

import pytest
from rdflib import RDF, RDFS, Dataset

from pia_graph.citations import provision_label, table_label
from pia_graph.namespaces import PIA


SHUMU = "行政手続における特定の個人を識別するための番号の利用等に関する法律第十九条第八号に基づく利用特定個人情報の提供に関する命令"


@pytest.fixture(scope="module")
def graph(sample_graph) -> Dataset:
    ds = Dataset(default_union=True)
    ds.parse(sample_graph, format="trig")
    return ds


def labels(ds: Dataset, cls) -> set[str]:
    """The labels of every node of a class."""
    return {str(label) for s in ds.subjects(RDF.type, cls) for label in ds.objects(s, RDFS.label)}


def test_provisions_in_legal_notation():
    assert provision_label("30の7") == "第30条の7"
    assert provision_label("30の44の6", 3) == "第30条の44の6第3項"
    assert provision_label("19", None, "8") == "第19条第8号"
    assert provision_label("2", 1, "1の2") == "第2条第1項第1号の2"
    assert table_label("表", "2") == "第2条の表" and table_label("別表第2", None) == "別表第2"


def test_article_labels_of_the_samples_are_in_legal_notation(graph):
    arts = {s: str(label) for s in graph.subjects(RDF.type, PIA.Article) for label in graph.objects(s, RDFS.label)}
    assert arts
    # A branch follows 条: 第30条の7, never 第30の7条.
    assert not [label for label in arts.values() if re.search(r"第\d+(の\d+)+条", label)]
    by_number = {str(graph.value(s, PIA.number)): label for s, label in arts.items() if "住民基本台帳法 " in label}
    assert by_number["30の7"] == "住民基本台帳法 第30条の7"
    assert by_number["30の44の6"] == "住民基本台帳法 第30条の44の6"
    assert "住民基本台帳法 第30条の44の6第3項" in labels(graph, PIA.Paragraph)


def test_the_table_of_an_article_is_named_by_its_article(graph):
    # 001 cites 主務省令第2条の表 and 60 of its rows (its Ⅰ6 basis).
    assert [label for label in labels(graph, PIA.Annex) if label.startswith(SHUMU)] == [SHUMU + " 第2条の表"]
    rows = {label for label in labels(graph, PIA.AnnexRow) if "第2条の表" in label}
    assert len(rows) == 60 and any(label.endswith("命令 第2条の表の166の項") for label in rows)


# --------------------------------------------------------------------------------------------
# Captions: one authority for the article, the document's wording on its citation
# --------------------------------------------------------------------------------------------


def citations_written(ds: Dataset, start: str) -> list:
    return [c for c in ds.subjects(RDF.type, PIA.Citation)
            if str(ds.value(c, PIA.citationText)).replace("\n", "").startswith(start)]


def test_the_caption_table_names_known_laws_and_articles():
    from pia_graph.citations import KNOWN_LAWS, article_captions

    table = article_captions()
    assert table[("342AC0000000081", "30の7")] == "都道府県知事から機構への本人確認情報の通知等"
    ids = {law.egov_id for law in KNOWN_LAWS.values() if law.egov_id}
    for (egov_id, article), caption in table.items():
        assert egov_id in ids and re.fullmatch(r"\d+(の\d+)*", article) and caption.strip() == caption and caption


def test_no_article_has_two_captions(graph):
    twice = {a: caps for a in graph.subjects(RDF.type, PIA.Article)
             if len(caps := set(graph.objects(a, PIA.caption))) > 1}
    assert not twice


def test_the_provisions_query_lists_each_citation_once(sample_graph):
    """住基法 30の6, 5 and 12 were written with two spellings of their caption, which gave two rows each."""
    from pia_graph.query import resolve_query, rows, run
    from pia_graph.store import load_dataset

    ds = load_dataset(sample_graph)
    for name in ("provisions", "files-to-kiko"):
        header, body = rows(run(ds, resolve_query(name)))
        keys = [tuple(v for k, v in zip(header, r) if k != "articleLabel") for r in body]
        assert body and len(keys) == len(set(keys)), name
    header, body = rows(run(ds, resolve_query("files-to-kiko")))
    labels_30_7 = {dict(zip(header, r))["articleLabel"] for r in body if dict(zip(header, r))["article"] == "30の7"}
    assert labels_30_7 == {"都道府県知事から機構への本人確認情報の通知等"}


def test_a_column_name_after_a_table_stays_on_the_citation(graph):
    # 002 line 1376: 情報連携主務省令第2条の表の第3欄（情報提供者）: 情報提供者 names the table's 3rd column, not 第2条.
    (c,) = citations_written(graph, "情報連携主務省令第2条の表の第3欄")
    assert {str(x) for x in graph.objects(c, PIA.captionAsWritten)} == {"情報提供者"}
    article = graph.value(c, PIA.citesArticle)
    assert str(graph.value(article, PIA.number)) == "2" and graph.value(article, PIA.caption) is None


def test_a_document_spelling_of_a_caption_stays_on_its_citation(graph):
    # 003 writes 住基法 第30条の6's caption 市町村長「からの」…, 000 as the statute does; 第5条 備え付け / 備付け.
    for start, as_written in (("第30条の6(市町村長からの", "市町村長からの都道府県知事への本人確認情報の通知等"),
                              ("第5条(住民基本台帳の備え付け)", "住民基本台帳の備え付け")):
        (c,) = citations_written(graph, start)
        assert {str(x) for x in graph.objects(c, PIA.captionAsWritten)} == {as_written}
    captions = {str(graph.value(a, PIA.number)): str(graph.value(a, PIA.caption))
                for a in graph.subjects(RDF.type, PIA.Article) if str(a).startswith(str(_juki(graph)))}
    assert captions["30の6"] == "市町村長から都道府県知事への本人確認情報の通知等"
    assert captions["5"] == "住民基本台帳の備付け"
    assert captions["12"] == "本人等の請求に係る住民票の写し等の交付"


def _juki(graph):
    return next(law for law in graph.subjects(RDF.type, PIA.Law) if str(graph.value(law, PIA.egovId)) == "342AC0000000081")
