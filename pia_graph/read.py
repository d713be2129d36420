"""Read a source document (text in any Japanese encoding, or PDF) into normalised lines."""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Union

__all__ = [
    "InputError",
    "SourceText",
    "MAX_BYTES",
    "read_source",
    "decode_bytes",
    "read_pdf",
]

MAX_BYTES = 50 * 1024 * 1024

#: The error kinds an InputError may carry (other modules raise the last two).
KINDS = frozenset(
    {"empty", "binary", "encoding", "too-large", "pdf", "not-found", "not-an-assessment", "truncated"}
)


class InputError(Exception):
    """One-line, typed error naming the file and the problem."""

    def __init__(self, path: str, kind: str, reason: str):
        if kind not in KINDS:
            raise ValueError(f"unknown InputError kind {kind!r}")
        self.path = str(path)
        self.kind = kind
        # Keep the message on one line whatever the reason text holds.
        self.reason = " ".join(str(reason).split())
        super().__init__(self.path, self.kind, self.reason)

    def __str__(self) -> str:
        return f"{self.path}: {self.kind}: {self.reason}"


@dataclass(frozen=True)
class SourceText:
    path: str  # as given
    name: str  # file name only
    sha256: str  # of the raw bytes
    encoding: str  # "utf-8", "utf-8-sig", "cp932", "euc-jp", "utf-16" or "pdf"
    text: str  # decoded, newlines normalised to \n, NUL removed, form feeds turned into \n
    lines: tuple[str, ...]  # text.split("\n"); line N is lines[N-1]
    page_starts: tuple[int, ...] = ()  # 1-based line numbers where a page starts; empty if unknown


# --------------------------------------------------------------------------------------------
# reading files


def read_source(path: Union[str, Path], max_bytes: int = MAX_BYTES) -> SourceText:
    """Read a text or PDF file into a SourceText, or raise InputError."""
    shown = str(path)
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(shown, "not-found", "no such file") from None
    except NotADirectoryError:
        raise InputError(shown, "not-found", "a parent of this path is not a directory") from None
    except OSError as e:
        raise InputError(shown, "not-found", f"cannot stat the file ({e.strerror or e})") from None
    if p.is_dir():
        raise InputError(shown, "not-found", "is a directory, not a file")
    # Size is checked before reading anything; the bounded read below also covers files that
    # grow meanwhile and special files whose stat size is 0 (pipes, /dev/stdin).
    if st.st_size > max_bytes:
        raise InputError(shown, "too-large", f"{st.st_size} bytes, more than the limit of {max_bytes} bytes")
    try:
        with open(p, "rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(shown, "not-found", "no such file") from None
    except OSError as e:
        raise InputError(shown, "not-found", f"cannot be read ({e.strerror or e})") from None
    if len(data) > max_bytes:
        raise InputError(shown, "too-large", f"more than the limit of {max_bytes} bytes")

    digest = hashlib.sha256(data).hexdigest()
    if _is_pdf(data):
        text, page_starts = _pdf_text(data, shown)
        encoding = "pdf"
    else:
        text, encoding = decode_bytes(data, shown)
        text, page_starts = _normalise(text, trailing_page_break_ends_page=True)
    if not text.strip():
        # decode_bytes/_pdf_text already refuse empty input; this is a guard for both paths.
        raise InputError(shown, "empty", "no text after normalisation")
    return SourceText(
        path=shown,
        name=p.name,
        sha256=digest,
        encoding=encoding,
        text=text,
        lines=tuple(text.split("\n")),
        page_starts=page_starts,
    )


# --------------------------------------------------------------------------------------------
# decoding text

# Magic numbers of binary formats people are likely to hand over by mistake, so the error can
# say what the file is (an .xlsx assessment is a ZIP container, an .xls one is OLE2).
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP container (xlsx/docx/odt?); export it to text or PDF first"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE2 document (xls/doc?); export it to text or PDF first"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an ELF executable"),
)

# Control characters plain text does not hold: all C0 but tab, LF, VT, FF, CR (NUL is counted
# separately, it is removed from text), DEL and C1.
_BAD_CONTROL = re.compile("[\x01-\x08\x0e-\x1f\x7f-\x9f]")
_BAD_CONTROL_OR_NUL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# More than this share of other control characters means the bytes are not text.
_MAX_CONTROL_RATIO = 0.05
# Below this many such characters a file is too short to call binary on the ratio alone.
_MIN_CONTROLS = 4
# The lowest _japanese_score a cp932/EUC-JP reading may have (see _decode).
_MIN_SCORE = 0.25


def decode_bytes(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Decode raw bytes of a text file; return (text, encoding) or raise InputError.

    The text is returned exactly as decoded (a BOM is dropped); newline, NUL and form-feed
    normalisation is read_source's job.
    """
    if not data:
        raise InputError(path, "empty", "file is empty (0 bytes)")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(path, "binary", f"looks like {what}, not text")

    text, encoding = _decode(data, path)
    _refuse_binary(text, path)
    if not text.replace("\x00", "").strip():
        raise InputError(path, "empty", "contains only whitespace" + (" and NUL bytes" if "\x00" in text else ""))
    return text, encoding


def _decode(data: bytes, path: str) -> tuple[str, str]:
    # 1. A byte order mark settles it.
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig", "utf-8-sig", path), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _strict(data, "utf-16", "utf-16", path), "utf-16"

    # 2. UTF-16 without a BOM: every ASCII character (newlines, spaces, digits) puts a NUL in
    #    the same half of its code unit, so NULs pile up on one parity and not the other.
    parity = _utf16_parity(data)
    if parity is not None:
        codec = "utf-16-le" if parity == 1 else "utf-16-be"
        try:
            return data.decode(codec), "utf-16"
        except UnicodeDecodeError as e:
            if _cut_at_end(e, data) and _decodes_without_tail(data, codec):
                raise InputError(
                    path, "truncated", f"UTF-16 text ends in the middle of a character (byte {e.start} of {len(data)})"
                ) from None
            # not UTF-16 after all; fall through (most likely to "binary")

    # 3. Strict UTF-8 first: random legacy bytes almost never form valid UTF-8.
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
        if _cut_at_end(e, data) and _decodes_without_tail(data, "utf-8"):
            raise InputError(
                path, "truncated", f"UTF-8 text ends in the middle of a character (byte {e.start} of {len(data)})"
            ) from None

    # 4. Shift_JIS (as Windows cp932) or EUC-JP. We decide with a strict decode of each plus a
    #    Japanese-character score, not with charset-normalizer: its guess is probabilistic and
    #    ranges over every codec it knows, so a short EUC-JP excerpt of seed 001 comes back as
    #    cp949 (Korean) and a longer one as euc_jis_2004 -- names outside our contract that would
    #    need mapping back. Here only two candidates are plausible, strict decoding rejects the
    #    wrong one almost always (cp932 trail bytes 0x40-0x7E are illegal in EUC-JP), and where
    #    EUC-JP bytes also happen to decode as cp932 the result is half-width katakana soup
    #    which the score ranks far below real kana and kanji. Deterministic and explainable.
    candidates: list[tuple[float, str, str]] = []
    errors: dict[str, UnicodeDecodeError] = {}
    for label, codecs_to_try in (("cp932", ("cp932",)), ("euc-jp", ("euc_jp", "euc_jis_2004"))):
        # euc_jis_2004 is the fallback for EUC-JP files written by eucJP-ms style converters,
        # which put the NEC specials (①, Ⅰ, ㈱) in row 13 that plain euc_jp lacks.
        for codec in codecs_to_try:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as e:
                errors.setdefault(label, e)
                continue
            # a sample is enough to tell the two apart, and keeps 50 MB files quick
            candidates.append((_japanese_score(text[: 1 << 18]), label, text))
            break
    if candidates:
        candidates.sort(key=lambda c: c[0], reverse=True)  # stable: cp932 wins a tie
        score, label, text = candidates[0]
        # Latin-1 or Windows-1252 text decodes as cp932 too, into half-width katakana and rare
        # kanji; real Japanese scores about 1.4 (seed lines never below 0.6), so a low score
        # means the bytes are in some other encoding.
        if score < _MIN_SCORE and sum(1 for ch in text if ord(ch) >= 0x80) >= 3:
            raise InputError(
                path,
                "encoding",
                f"not UTF-8 or UTF-16, and as {label} it reads as mojibake ({text.strip()[:20]!r}...)",
            )
        return text, label

    # 5. Nothing decodes. A file cut inside a multi-byte character is "truncated"; one full of
    #    control bytes is "binary"; otherwise it is text in an encoding we do not read.
    for label, codec in (("cp932", "cp932"), ("euc-jp", "euc_jp")):
        e = errors.get(label)
        if e is not None and _cut_at_end(e, data) and _decodes_without_tail(data, codec, "euc_jis_2004"):
            raise InputError(
                path, "truncated", f"{label} text ends in the middle of a character (byte {e.start} of {len(data)})"
            )
    loose = data.decode("latin-1")
    bad = len(_BAD_CONTROL.findall(loose))
    if bad / len(loose) > _MAX_CONTROL_RATIO or b"\x00" in data[:4096]:
        raise InputError(
            path,
            "binary",
            f"not text: undecodable as UTF-8, cp932, EUC-JP or UTF-16 and {bad} of {len(data)} bytes are control bytes",
        )
    raise InputError(
        path,
        "encoding",
        "not UTF-8, UTF-16, Shift_JIS (cp932) or EUC-JP "
        f"(invalid UTF-8 at byte {utf8_error.start}, invalid cp932 at byte {errors['cp932'].start}, "
        f"invalid EUC-JP at byte {errors['euc-jp'].start})",
    )


def _strict(data: bytes, codec: str, label: str, path: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        if _cut_at_end(e, data):
            raise InputError(
                path, "truncated", f"{label} text ends in the middle of a character (byte {e.start} of {len(data)})"
            ) from None
        raise InputError(path, "encoding", f"has a {label} byte order mark but byte {e.start} is invalid: {e.reason}") from None


def _cut_at_end(e: UnicodeDecodeError, data: bytes) -> bool:
    """The decode error is an incomplete sequence at the very end of the data."""
    return (
        e.end >= len(data)
        and len(data) - e.start <= 3
        and e.reason in ("unexpected end of data", "incomplete multibyte sequence", "truncated data")
    )


def _decodes_without_tail(data: bytes, *codecs_: str) -> bool:
    """The data decodes once its last 1-3 bytes are cut off (a file cut inside a character)."""
    for cut in (1, 2, 3):
        head = data[:-cut]
        if not head:
            return False
        for codec in codecs_:
            try:
                head.decode(codec)
                return True
            except UnicodeDecodeError:
                pass
    return False


def _utf16_parity(data: bytes) -> int | None:
    """1 if NULs sit in the odd bytes (UTF-16-LE), 0 if in the even ones (BE), None if no pattern."""
    sample = data[: 1 << 16]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    pairs = len(sample) // 2
    high, low, parity = (odd, even, 1) if odd >= even else (even, odd, 0)
    # Japanese text in UTF-16 still has an ASCII newline or space every few dozen characters,
    # and each puts its NUL in the same half of the code unit; NULs in binary data fall evenly.
    if high >= max(2, pairs // 100) and low * 10 <= high:
        return parity
    return None


def _refuse_binary(text: str, path: str) -> None:
    # NUL padding at the end (a file preallocated, or cut off by a crash) is not counted: the
    # text before it is intact and NULs are removed anyway. NULs and controls inside are.
    body = text.rstrip("\x00")
    if not body:
        return
    nul = body.count("\x00")
    bad = len(_BAD_CONTROL.findall(body))
    if bad + nul >= _MIN_CONTROLS and (bad + nul) / len(body) > _MAX_CONTROL_RATIO:
        first = _BAD_CONTROL_OR_NUL.search(body).start()
        raise InputError(
            path,
            "binary",
            f"not text: {bad + nul} of {len(body)} characters are control characters or NUL (first at character {first})",
        )


def _japanese_score(text: str) -> float:
    """How much a decoded text looks like Japanese, per non-ASCII character (higher is better)."""
    score = 0.0
    n = 0
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            continue
        n += 1
        if 0x3041 <= o <= 0x309F or 0x30A0 <= o <= 0x30FF:  # hiragana, katakana
            score += 2
        elif 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E:  # CJK punctuation, full-width forms
            score += 1.5
        elif 0x4E00 <= o <= 0x9FFF:  # CJK unified ideographs
            score += 1
        elif 0x2000 <= o <= 0x27BF:  # punctuation, arrows, ①, Ⅰ, box drawing, shapes
            score += 0.5
        elif 0xFF61 <= o <= 0xFF9F:  # half-width katakana: what EUC-JP bytes read as cp932 give
            score -= 2
        elif 0xE000 <= o <= 0xF8FF or 0x80 <= o <= 0x9F:  # private use, C1 controls
            score -= 3
        else:
            score -= 0.5
    return score / n if n else 0.0


# --------------------------------------------------------------------------------------------
# normalising


def _normalise(text: str, trailing_page_break_ends_page: bool) -> tuple[str, tuple[int, ...]]:
    """NUL removed, CRLF/CR to LF, form feeds taken out with the page starts recorded.

    A form feed adds no line: lines are numbered as an editor or `grep -n` numbers them, so that a fact's line
    range points at the same lines wherever the file is opened. The line holding a form feed starts a page, or the
    next line does when the form feed ends its line (pdftotext puts one before each page's first line)."""
    text = text.replace("\x00", "")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\x1a"):  # DOS end-of-file mark
        text = text[:-1]
    if "\f" not in text:
        return text, ()
    lines = text.split("\n")
    starts = [1]
    for n, line in enumerate(lines, 1):
        if "\f" not in line:
            continue
        start = n + 1 if not line.rsplit("\f", 1)[1].strip() else n
        if start not in starts and start <= len(lines):
            starts.append(start)
        lines[n - 1] = line.strip("\f").replace("\f", " ")
    if trailing_page_break_ends_page:
        # pdftotext and friends end every page, the last one included, with a form feed: a page
        # "starting" where only blank lines follow is the end of the previous page, not a page.
        while len(starts) > 1 and not "".join(lines[starts[-1] - 1:]).strip():
            starts.pop()
    return "\n".join(lines), tuple(sorted(starts))


# --------------------------------------------------------------------------------------------
# PDF


def _is_pdf(data: bytes) -> bool:
    # The header may follow some junk (readers accept it within the first 1024 bytes), but a
    # text file that merely mentions "%PDF-" is not a PDF: accept junk only if it is not text.
    pos = data.find(b"%PDF-", 0, 1024)
    if pos < 0:
        return False
    prefix = data[:pos]
    return not prefix.strip(b" \t\r\n\x00") or any(b < 0x09 for b in prefix)


def read_pdf(path: Union[str, Path, bytes, BinaryIO], *, laparams=None) -> tuple[str, tuple[int, ...]]:
    """Extract the text of a PDF: (text, page_starts), one page start per page.

    path may be a file path, the PDF's bytes or a binary file object. laparams is passed to
    pdfminer's layout analysis; the default (pdfminer's own defaults) gives the text shape of
    the PDF-text seeds 001 and 002 that the parser is built on.
    """
    if isinstance(path, (bytes, bytearray)):
        return _pdf_text(bytes(path), "<bytes>", laparams)
    if hasattr(path, "read"):
        return _pdf_text(path.read(), getattr(path, "name", "<stream>"), laparams)
    shown = str(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise InputError(shown, "not-found", "no such file") from None
    except OSError as e:
        raise InputError(shown, "not-found", f"cannot be read ({e.strerror or e})") from None
    return _pdf_text(data, shown, laparams)


def _pdf_text(data: bytes, path: str, laparams=None) -> tuple[str, tuple[int, ...]]:
    # Why pdfminer.six: it is pure Python (no poppler or MuPDF binary to install), it bundles
    # the Adobe CJK CMaps (Adobe-Japan1, UniJIS-*) needed to map the CID fonts of Japanese
    # government PDFs back to Unicode, and its layout analysis is ours to control (LAParams:
    # box grouping and reading order), which the page-block ordering of these forms depends on.
    from pdfminer.layout import LAParams, LTContainer, LTText, LTTextBox
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.converter import PDFPageAggregator

    if not data:
        raise InputError(path, "empty", "file is empty (0 bytes)")
    tail = data[-2048:].rstrip(b" \t\r\n\x00")
    if b"%%EOF" not in tail[-1024:]:
        raise InputError(path, "pdf", f"truncated or damaged: no %%EOF marker at the end of its {len(data)} bytes")

    if laparams is None:
        laparams = LAParams()
    pages: list[str] = []
    try:
        rsrc = PDFResourceManager(caching=True)
        device = PDFPageAggregator(rsrc, laparams=laparams)
        interpreter = PDFPageInterpreter(rsrc, device)
        for page in PDFPage.get_pages(io.BytesIO(data), caching=True):
            interpreter.process_page(page)
            layout = device.get_result()
            parts: list[str] = []

            # The same walk as pdfminer's TextConverter (extract_text): each text box's lines,
            # then a blank line.
            def render(item) -> None:
                if isinstance(item, LTContainer):
                    for child in item:
                        render(child)
                elif isinstance(item, LTText):
                    parts.append(item.get_text())
                if isinstance(item, LTTextBox):
                    parts.append("\n")

            render(layout)
            pages.append("".join(parts))
    except InputError:
        raise
    except PDFPasswordIncorrect:
        raise InputError(path, "pdf", "encrypted: a password is needed to read it") from None
    except Exception as e:  # pdfminer raises many types (PSEOF, PDFSyntaxError, KeyError, ...)
        detail = str(e) or type(e).__name__
        raise InputError(path, "pdf", f"cannot be parsed ({type(e).__name__}: {detail})") from None

    if not pages:
        raise InputError(path, "pdf", "has no pages")
    # Each page normalised on its own (a form feed inside a page's text would make a false page
    # start), then joined with "\n": the form feed pdfminer puts between pages, turned into a
    # newline as in text files.
    texts = [_normalise(p.replace("\f", "\n"), trailing_page_break_ends_page=False)[0] for p in pages]
    starts = [1]
    for t in texts[:-1]:
        starts.append(starts[-1] + t.count("\n") + 1)
    text = "\n".join(texts)
    if not text.strip():
        raise InputError(
            path, "empty", f"the PDF's {len(pages)} page(s) hold no extractable text (scanned images? they need OCR)"
        )
    return text, tuple(starts)
