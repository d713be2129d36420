"""A document whose required parts cannot be read fails loudly: a SHACL violation naming the document, the part
and the lines where it was looked for, and exit 1 from `build` (issue 15). Each case is made from a sample's own
text; the graph is still written, holding what could be read."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pia_graph.cli import app
from pia_graph.pipeline import extract, process

from conftest import SAMPLES, SEEDS

runner = CliRunner()


def sample_lines(seed: int) -> list[str]:
    return (SAMPLES / SEEDS[seed]).read_text(encoding="utf-8").split("\n")


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def build(tmp_path: Path, *paths: Path):
    out = tmp_path / "out.trig"
    result = runner.invoke(app, ["build", *map(str, paths), "-o", str(out)])
    return result, out


def violations(path: Path) -> list:
    return [f for f in process(path).findings if f.severity == "Violation"]


def test_a_full_assessment_cut_off_before_its_files_names_the_missing_part(tmp_path):
    """001 as a download that stopped after Ⅰ: the cover says 全項目, so Ⅱ was required."""
    lines = sample_lines(1)
    first_file = next(i for i, line in enumerate(lines) if i > 100 and line.strip() == "Ⅱ　特定個人情報ファイルの概要")
    path = write(tmp_path, "001-cut.txt", lines[:first_file])
    found = violations(path)
    assert len(found) == 1
    assert found[0].message.startswith("Ⅱ 特定個人情報ファイルの概要 could not be read")
    # Looked for after Ⅰ (which ends where its appendix 別添1 starts, line 630) to the end of the text.
    annex = next(i for i, line in enumerate(lines, 1) if i > 100 and "別添" in line and "事務の内容" in line)
    assert found[0].source == f"001-cut.txt#L{annex}-L{first_file}"
    result, out = build(tmp_path, path)
    assert result.exit_code == 1 and out.exists()
    assert "001-cut.txt: Ⅱ 特定個人情報ファイルの概要 could not be read" in result.output


def test_a_file_named_in_part_one_without_its_own_section_is_a_violation(tmp_path):
    """004 without the Ⅱ block of its second file (lines 232–262): Ⅰ still names it."""
    lines = sample_lines(4)
    start = next(i for i, line in enumerate(lines) if line.startswith("(2)都道府県知事保存附票本人確認情報ファイル")) - 1
    end = next(i for i, line in enumerate(lines) if line.startswith("(別添2)") and i > start)
    path = write(tmp_path, "004-one-file.txt", lines[:start] + lines[end:])
    doc = extract(path)
    assert [f.name for f in doc.files] == ["都道府県知事保存本人確認情報ファイル"]
    found = violations(path)
    assert [f.message.split(" could not")[0] for f in found] == ["Ⅱ of file (2) 都道府県知事保存附票本人確認情報ファイル"]
    assert found[0].source.startswith("004-one-file.txt#L")
    result, _ = build(tmp_path, path)
    assert result.exit_code == 1


def test_the_samples_own_file_without_a_section_is_named(sample_graph):
    """002 lists (4) コンビニ交付用ファイル in Ⅰ3 and its change history, but its text holds no Ⅱ for it."""
    doc = extract(SAMPLES / SEEDS[2])
    assert [u.part for u in doc.unread] == ["Ⅱ of file (4) コンビニ交付用ファイル"]
    assert {f.n for f in doc.files} == {1, 2, 3}


def test_a_row_whose_recipient_cannot_be_read_is_a_violation_not_a_made_up_party(tmp_path):
    lines = sample_lines(4)
    k = next(i for i, line in enumerate(lines) if line.startswith("提供先1\t"))
    lines[k] = "提供先1\t"
    path = write(tmp_path, "004-no-recipient.txt", lines)
    row = next(p for f in extract(path).files for p in f.provisions if p.kind == "提供" and p.n == 1)
    assert row.recipient is None and row.parties == []
    assert row.legal_basis is not None          # the rest of the row is kept
    found = violations(path)
    assert len(found) == 1 and "names no recipient" in found[0].message
    assert found[0].source.startswith(f"004-no-recipient.txt#L{k + 1}-")
    result, _ = build(tmp_path, path)
    assert result.exit_code == 1


def test_an_assessment_with_nothing_readable_is_never_an_empty_success(tmp_path):
    """The form's words are there (so it is not refused as a non-assessment), its parts are not."""
    path = write(tmp_path, "hollow.txt", ["特定個人情報保護評価書", "", "評価実施機関の皆様へ", "個人番号の取扱いについて"])
    found = violations(path)
    assert [f.message.split(" could not")[0] for f in found] == ["the form's content"]
    result, _ = build(tmp_path, path)
    assert result.exit_code == 1


def test_one_stray_line_in_the_table_of_contents_changes_nothing(tmp_path):
    """A lone page number or running head between the table of contents' entries Ⅱ and Ⅲ of 001 used to empty the
    whole document (files, systems and provisions all 0, exit 0)."""
    lines = sample_lines(1)
    toc = next(i for i, line in enumerate(lines) if line.strip() == "Ⅱ　特定個人情報ファイルの概要")
    plain = extract(SAMPLES / SEEDS[1])
    for stray in ("- 1 -", "札幌市", "1 / 133"):
        doc = extract(write(tmp_path, SEEDS[1], lines[:toc + 1] + [stray] + lines[toc + 1:]))
        assert [f.name for f in doc.files] == [f.name for f in plain.files], stray
        assert len(doc.systems) == len(plain.systems) == 9, stray
        assert sum(len(f.provisions) for f in doc.files) == sum(len(f.provisions) for f in plain.files), stray
        assert not doc.unread and not doc.lacks, stray


def test_declared_counts_the_rows_do_not_match_are_shown(sample_graph):
    result = runner.invoke(app, ["build", str(SAMPLES / SEEDS[2]), "-o", str(sample_graph.parent / "002.trig"),
                                 "--no-validate"])
    assert "declared ≠ read: 002_528b050b7c0b5747.txt: file (1) 住民基本台帳ファイル: 提供 60 declared, 1 read " \
           "(a row points at 別紙1, not read)" in result.output
    # 001's row pointing at 別紙1 stands for the 60 rows its 別紙1 lists: no mismatch is reported.
    clean = runner.invoke(app, ["build", str(SAMPLES / SEEDS[1]), "-o", str(sample_graph.parent / "001.trig"),
                                "--no-validate"])
    assert clean.exit_code == 0 and "declared ≠ read" not in clean.output
