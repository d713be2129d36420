"""Tests for pia_graph.read: encodings, line ends, page breaks, PDFs and typed input errors."""

from __future__ import annotations

import codecs
import hashlib
import random
import unicodedata
from pathlib import Path

import pytest

from pia_graph import read as read_mod
from pia_graph.read import MAX_BYTES, InputError, SourceText, decode_bytes, read_pdf, read_source

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SEEDS = sorted(SAMPLES.glob("*.txt"))
SEED_001 = SAMPLES / "001_c929cc07fcd15d36.txt"


def seed_text(path: Path) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def encodable(text: str, codec: str) -> str:
    """The text with every character the codec cannot write replaced by "?" (what errors="replace" writes)."""
    cache: dict[str, str] = {}
    out = []
    for ch in text:
        if ch not in cache:
            try:
                ch.encode(codec)
                cache[ch] = ch
            except UnicodeEncodeError:
                cache[ch] = "?"
        out.append(cache[ch])
    return "".join(out)


def test_there_are_seeds():
    assert len(SEEDS) == 5


# ------------------------------------------------------------------------------------------
# the seeds as they are


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_reads_as_utf8_with_right_lines(seed: Path):
    src = read_source(seed)
    expected = seed_text(seed).split("\n")
    assert isinstance(src, SourceText)
    assert src.encoding == "utf-8"
    assert len(src.lines) == len(expected)
    assert list(src.lines) == expected
    assert src.text == "\n".join(expected)
    assert src.name == seed.name
    assert src.path == str(seed)
    assert src.sha256 == hashlib.sha256(seed.read_bytes()).hexdigest()
    assert src.page_starts == ()


def test_path_is_kept_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(SAMPLES)
    src = read_source("003_125bf745e0367fcb.txt")
    assert src.path == "003_125bf745e0367fcb.txt"
    assert src.name == "003_125bf745e0367fcb.txt"


def test_line_numbers_are_one_based():
    src = read_source(SEED_001)
    # seed 001 opens with an empty line; line 2 is the form stamp
    assert src.lines[0] == ""
    assert src.lines[1] == "[令和６年10月　様式４]"


# ------------------------------------------------------------------------------------------
# the seeds re-encoded

# (label, how to turn the seed text into bytes, the text those bytes hold, the encoding expected)
VARIANTS = {
    "cp932": (lambda t: t.encode("cp932", "replace"), lambda t: encodable(t, "cp932"), "cp932"),
    "euc-jp": (lambda t: t.encode("euc_jp", "replace"), lambda t: encodable(t, "euc_jp"), "euc-jp"),
    # eucJP-ms style: NEC specials (①, Ⅰ) in row 13, which plain euc_jp cannot decode
    "euc-jp-2004": (
        lambda t: t.encode("euc_jis_2004", "replace"),
        lambda t: encodable(t, "euc_jis_2004"),
        "euc-jp",
    ),
    "utf-16-bom": (lambda t: t.encode("utf-16"), lambda t: t, "utf-16"),
    "utf-16-be-bom": (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), lambda t: t, "utf-16"),
    "utf-16-le-nobom": (lambda t: t.encode("utf-16-le"), lambda t: t, "utf-16"),
    "utf-16-be-nobom": (lambda t: t.encode("utf-16-be"), lambda t: t, "utf-16"),
    "utf-8-sig": (lambda t: t.encode("utf-8-sig"), lambda t: t, "utf-8-sig"),
    "crlf": (lambda t: t.replace("\n", "\r\n").encode("utf-8"), lambda t: t, "utf-8"),
    "cr": (lambda t: t.replace("\n", "\r").encode("utf-8"), lambda t: t, "utf-8"),
    "cp932-crlf": (
        lambda t: t.replace("\n", "\r\n").encode("cp932", "replace"),
        lambda t: encodable(t, "cp932"),
        "cp932",
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_reencoded_seed_round_trips(seed: Path, variant: str, tmp_path: Path):
    to_bytes, expected_text, expected_encoding = VARIANTS[variant]
    text = seed_text(seed)
    data = to_bytes(text)
    target = tmp_path / f"{seed.stem}.{variant}.txt"
    target.write_bytes(data)

    src = read_source(target)

    expected = expected_text(text).split("\n")
    assert src.encoding == expected_encoding
    assert len(src.lines) == len(expected)
    assert list(src.lines) == expected
    assert src.sha256 == hashlib.sha256(data).hexdigest()
    assert not any(line.endswith("\r") for line in src.lines)


def test_nec_specials_survive_euc_jp(tmp_path: Path):
    text = "①法令上の根拠\nⅡ　特定個人情報ファイルの概要\n番号法第１９条第８号\n"
    target = tmp_path / "nec.txt"
    target.write_bytes(text.encode("euc_jis_2004"))
    src = read_source(target)
    assert src.encoding == "euc-jp"
    assert src.lines == ("①法令上の根拠", "Ⅱ　特定個人情報ファイルの概要", "番号法第１９条第８号", "")


@pytest.mark.parametrize("codec,label", [("cp932", "cp932"), ("euc_jp", "euc-jp")])
def test_short_legacy_snippets_are_told_apart(codec: str, label: str):
    # One- and two-line excerpts are where guessing is hardest; every non-ASCII one must be right.
    rnd = random.Random(7)
    lines = [line for line in seed_text(SEED_001).split("\n") if line.strip() and not line.isascii()]
    for _ in range(200):
        i = rnd.randrange(len(lines) - 1)
        snippet = "\n".join(lines[i : i + rnd.choice([1, 2])])
        data = snippet.encode(codec, "replace")
        if data.isascii():
            continue
        text, encoding = decode_bytes(data)
        assert encoding == label, snippet
        assert text == encodable(snippet, codec)


# ------------------------------------------------------------------------------------------
# line ends, NULs, form feeds


def test_mixed_line_ends_nul_and_trailing_cr(tmp_path: Path):
    target = tmp_path / "mixed.txt"
    target.write_bytes("一行目\r\n二行目\r三行目\n四\x00行目\r".encode("utf-8"))
    src = read_source(target)
    assert src.lines == ("一行目", "二行目", "三行目", "四行目", "")
    assert "\r" not in src.text and "\x00" not in src.text


def test_form_feeds_mark_page_starts_without_adding_lines(tmp_path: Path):
    """Lines are numbered as an editor numbers them (a form feed is no line break), so source line ranges point
    at the same lines wherever the file is opened; the form feeds become page starts."""
    target = tmp_path / "pages.txt"
    target.write_bytes("一頁\n続き\f二頁\n\f三頁\n末尾\f\n四頁\n".encode("utf-8"))
    src = read_source(target)
    assert src.lines == ("一頁", "続き 二頁", "三頁", "末尾", "四頁", "")
    assert src.page_starts == (1, 2, 3, 5)
    assert src.lines[src.page_starts[2] - 1] == "三頁"
    assert src.lines[src.page_starts[3] - 1] == "四頁"


def test_trailing_form_feed_does_not_start_a_page(tmp_path: Path):
    target = tmp_path / "pdftotext.txt"
    target.write_bytes("一頁\n\f二頁\n\f".encode("utf-8"))
    src = read_source(target)
    assert src.lines == ("一頁", "二頁", "")
    assert src.page_starts == (1, 2)


def test_nfkc_is_not_applied(tmp_path: Path):
    target = tmp_path / "wide.txt"
    text = "番号法第１９条第８号　ｶﾌﾞｼｷｶﾞｲｼｬ　①"
    target.write_text(text, encoding="utf-8")
    assert read_source(target).lines == (text,)


def test_nul_padding_at_end_is_dropped(tmp_path: Path):
    target = tmp_path / "padded.txt"
    target.write_bytes("特定個人情報保護評価書\n".encode("utf-8") + b"\x00" * 4096)
    src = read_source(target)
    assert src.lines == ("特定個人情報保護評価書", "")


# ------------------------------------------------------------------------------------------
# typed input errors

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def expect_error(path: Path, kind: str, **kw) -> InputError:
    with pytest.raises(InputError) as info:
        read_source(path, **kw)
    err = info.value
    assert err.kind == kind, str(err)
    assert path.name in str(err)
    assert str(err) == f"{err.path}: {err.kind}: {err.reason}"
    assert "\n" not in str(err)
    assert err.path == str(path)
    return err


@pytest.mark.parametrize(
    "name,data,kind",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", " \n\t\r\n".encode() + "　\n".encode("utf-8"), "empty"),
        ("blank-cp932.txt", "　　\r\n".encode("cp932"), "empty"),
        ("blank-utf16.txt", " \n \n".encode("utf-16"), "empty"),
        ("nuls.txt", b"\x00" * 64, "empty"),
        ("image.png", PNG, "binary"),
        ("random.bin", random.Random(0).randbytes(4096), "binary"),
        ("controls.txt", bytes(range(1, 9)) * 100, "binary"),
        ("sheet.xlsx", b"PK\x03\x04\x14\x00\x06\x00" + random.Random(1).randbytes(256), "binary"),
        ("latin1.txt", "Évaluation d'impact sur la vie privée - données\n".encode("latin-1"), "encoding"),
        ("cut.txt", "特定個人情報".encode("utf-8")[:-1], "truncated"),
        ("cut-cp932.txt", "特定個人情報".encode("cp932")[:-1], "truncated"),
    ],
)
def test_bad_input_raises_typed_error(tmp_path: Path, name: str, data: bytes, kind: str):
    target = tmp_path / name
    target.write_bytes(data)
    expect_error(target, kind)


def test_png_reason_says_png(tmp_path: Path):
    target = tmp_path / "diagram.png"
    target.write_bytes(PNG)
    assert "PNG" in expect_error(target, "binary").reason


def test_missing_file(tmp_path: Path):
    expect_error(tmp_path / "no-such-file.txt", "not-found")


def test_directory_is_not_a_file(tmp_path: Path):
    target = tmp_path / "adir.txt"
    target.mkdir()
    expect_error(target, "not-found")


def test_too_large_with_small_limit(tmp_path: Path):
    target = tmp_path / SEED_001.name
    target.write_bytes(SEED_001.read_bytes())
    err = expect_error(target, "too-large", max_bytes=1000)
    assert "1000" in err.reason
    # exactly at the limit is fine
    assert read_source(target, max_bytes=target.stat().st_size).lines == tuple(seed_text(SEED_001).split("\n"))


def test_too_large_is_decided_before_reading(tmp_path: Path, monkeypatch):
    target = tmp_path / "huge.txt"
    with open(target, "wb") as f:  # sparse: no disk used
        f.truncate(MAX_BYTES + 1)

    def no_open(*a, **k):
        raise AssertionError("the file was opened although its size alone rules it out")

    monkeypatch.setattr(read_mod, "open", no_open, raising=False)
    expect_error(target, "too-large")


def test_decode_bytes_names_its_source():
    with pytest.raises(InputError) as info:
        decode_bytes(b"", "some/where.txt")
    assert str(info.value) == "some/where.txt: empty: file is empty (0 bytes)"
    assert decode_bytes("評価書".encode("cp932")) == ("評価書", "cp932")


def test_input_error_rejects_unknown_kind():
    with pytest.raises(ValueError):
        InputError("x.txt", "weird", "no such kind")


# ------------------------------------------------------------------------------------------
# PDF

PDF_LINES = seed_text(SEED_001).split("\n")[1859:1900]  # lines 1860-1900 of seed 001
PER_PAGE = 21


def squash(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def make_pdf(path: Path, lines: list[str], per_page: int = PER_PAGE) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for start in range(0, len(lines), per_page):
        y = height - 50
        for line in lines[start : start + per_page]:
            c.setFont("HeiseiMin-W3", 9)
            c.drawString(30, y, line)
            y -= 30
        c.showPage()
    c.save()


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "seed001_1860-1900.pdf"
    make_pdf(path, PDF_LINES)
    return path


def test_pdf_lines_come_back(pdf_path: Path):
    assert len(PDF_LINES) == 41 and sum(1 for line in PDF_LINES if line.strip()) >= 20
    src = read_source(pdf_path)
    assert src.encoding == "pdf"
    assert src.name == pdf_path.name
    assert src.sha256 == hashlib.sha256(pdf_path.read_bytes()).hexdigest()
    assert src.lines == tuple(src.text.split("\n"))
    got = squash(src.text)
    for line in PDF_LINES:
        assert squash(line) in got, line


def test_pdf_page_starts(pdf_path: Path):
    src = read_source(pdf_path)
    assert len(src.page_starts) == 2
    assert src.page_starts[0] == 1
    page1 = squash("\n".join(src.lines[: src.page_starts[1] - 1]))
    page2 = squash("\n".join(src.lines[src.page_starts[1] - 1 :]))
    for line in PDF_LINES[:PER_PAGE]:
        assert squash(line) in page1, line
    for line in PDF_LINES[PER_PAGE:]:
        assert squash(line) in page2, line
    # the first non-blank line of page 2 is at or after its page start
    first = next(line for line in PDF_LINES[PER_PAGE:] if line.strip())
    hit = next(i for i, line in enumerate(src.lines, 1) if squash(first) and squash(first) in squash(line))
    assert hit >= src.page_starts[1]


def test_read_pdf_directly(pdf_path: Path):
    text, starts = read_pdf(pdf_path)
    assert text == read_source(pdf_path).text
    assert len(starts) == 2
    assert read_pdf(pdf_path.read_bytes()) == (text, starts)


@pytest.mark.parametrize("keep", [0.5, 0.9, -12], ids=["half", "most", "trailer-cut"])
def test_truncated_pdf(pdf_path: Path, tmp_path: Path, keep: float):
    data = pdf_path.read_bytes()
    cut = data[:keep] if keep < 0 else data[: int(len(data) * keep)]
    target = tmp_path / "cut.pdf"
    target.write_bytes(cut)
    err = expect_error(target, "pdf")
    assert str(len(cut)) in err.reason or "truncated" in err.reason or "parse" in err.reason


def test_pdf_with_garbage_body(tmp_path: Path):
    target = tmp_path / "broken.pdf"
    target.write_bytes(b"%PDF-1.4\n" + random.Random(3).randbytes(2000) + b"\n%%EOF\n")
    expect_error(target, "pdf")


def test_pdf_without_text(tmp_path: Path):
    from reportlab.pdfgen import canvas

    target = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(target))
    c.rect(100, 100, 200, 200, fill=1)
    c.showPage()
    c.save()
    err = expect_error(target, "empty")
    assert "OCR" in err.reason


def test_text_mentioning_pdf_header_is_text(tmp_path: Path):
    target = tmp_path / "note.txt"
    target.write_text("公表ファイルは %PDF-1.7 形式です\n", encoding="utf-8")
    assert read_source(target).encoding == "utf-8"
