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
