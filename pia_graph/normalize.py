"""Normalise one line of assessment text so that form labels match whatever tool produced it."""

from __future__ import annotations

import html
import re
import unicodedata

# OCR misreadings seen in published scans, mapped to the characters the form prints.
# Keep the list conservative: every entry must be a string that never occurs correctly in a form.
OCR_FIXES = {
    "青報": "情報",
    "其磁値": "基礎項",
    "日証価": "目評価",
    "内部監查": "内部監査",
    "変更箇凡": "変更箇所",
    "訂正·": "訂正・",
    "〇": "○",
    # Not OCR: Japanese PDF fonts (Adobe-Japan1) map the vertical bar to the broken bar, which no form prints.
    "¦": "|",
}

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}

_CHECKED_INPUT = re.compile(r"\[?\s*<input[^>]*checked[^>]*>\s*\]?", re.I)
_UNCHECKED_INPUT = re.compile(r"\[?\s*<input[^>]*>\s*\]?", re.I)
_TAG = re.compile(r"<[^>]+>")
# Patterns scanned over a whole text start with a plain character class, not a repeat of one ("[ ][ ]*", not
# "[ ]+"): re then skips to the first character that can start a match in one C loop instead of trying a match
# at every position (half the time on a seed's text).
_SPACES = re.compile(r"[ \t\u3000][ \t\u3000]*")


def _unstable_characters() -> tuple[str, str]:
    """Two regex classes over the characters NFKC may change: every character whose NFKC is not itself, or that
    may combine with the character before it (a combining mark, the second half of a canonical pair, a Hangul
    vowel or final), or whose NFKC starts with such a mark (half-width ﾞ); and that second kind alone. Anything
    else is stable: NFKC leaves it alone and never lets it combine across, so a text can be normalised a run of
    unstable characters at a time (Unicode's "boundary before"). Built from this Python's own Unicode tables over
    the BMP (~30 ms); characters beyond it are all treated as unstable, which is always safe."""
    unstable, backward = set(), set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for cp in range(0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        folded = unicodedata.normalize("NFKC", c)
        if folded != c:
            unstable.add(cp)
        if unicodedata.combining(c):
            backward.add(cp)
        d = unicodedata.decomposition(c)
        if d and not d.startswith("<") and len(d.split()) == 2:
            backward.add(int(d.split()[1], 16))
    for cp in list(unstable):
        if unicodedata.combining(unicodedata.normalize("NFKC", chr(cp))[:1] or "a"):
            backward.add(cp)

    def char_class(cps: set[int], beyond: str) -> str:
        ranges: list[list[int]] = []
        for cp in sorted(cps):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
        return "[" + "".join(f"\\U{a:08x}" + (f"-\\U{b:08x}" if b > a else "") for a, b in ranges) + beyond + "]"

    return char_class(unstable | backward, "\\U00010000-\\U0010ffff"), char_class(backward, "\\U00010000-\\U0010ffff")


_UNSTABLE_CLASS, _BACKWARD_CLASS = _unstable_characters()
_UNSTABLE_SPLIT = re.compile("(" + _UNSTABLE_CLASS + _UNSTABLE_CLASS + "*)")     # a class first: see _SPACES
_BACKWARD = re.compile(_BACKWARD_CLASS)
# NFKC folds ① to "1", which would erase the form's field numbering: it runs on the text between circled
# numbers, which are kept as they are (split in C, not char by char).
_CIRCLED_SPLIT = re.compile("([\u2460-\u2473])")
# Runs repeat (full-width brackets and digits, ideographic spaces): remember what each folds to; and so do
# short texts (labels and cells), remembered whole.
_RUN_FOLDS: dict[str, str] = {}
_BACKWARD_RUNS: set[str] = set()
_SHORT = 200
_SHORT_FOLDS: dict[str, str] = {}


def _nfkc_keeping_circled(text: str) -> str:
    parts = _CIRCLED_SPLIT.split(text)
    parts[::2] = [unicodedata.normalize("NFKC", p) for p in parts[::2]]
    return "".join(parts)


def _fold_run(run: str) -> str:
    """A run of unstable characters folded (and remembered); a run holding a mark that combines backwards is
    noted as one, for fold() to join it to the character before it."""
    if len(_RUN_FOLDS) > 100_000:
        _RUN_FOLDS.clear()
        _BACKWARD_RUNS.clear()
    if _BACKWARD.search(run):
        _BACKWARD_RUNS.add(run)
    folded = _RUN_FOLDS[run] = _nfkc_keeping_circled(run)
    return folded


def fold(text: str) -> str:
    """NFKC without touching circled numbers, plus the OCR fixes. Only the runs of characters NFKC may change are
    normalised (a few thousand short runs in a 250 KB form, most of them one full-width bracket), which is several
    times faster than normalising the whole text and gives the same result. The text is cut into stable text and
    runs by re.split, in C; the runs are looked up in a table."""
    if text.isascii():
        return text
    if len(text) <= _SHORT and (known := _SHORT_FOLDS.get(text)) is not None:
        return known         # labels, cells and probes are folded again and again
    parts = _UNSTABLE_SPLIT.split(text)        # stable, run, stable, run, ..., stable
    runs = parts[1::2]
    folded_runs = list(map(_RUN_FOLDS.get, runs))        # looked up in C; the few new runs are folded below
    if None in folded_runs:
        folded_runs = [f if f is not None else _fold_run(r) for r, f in zip(runs, folded_runs)]
    parts[1::2] = folded_runs
    if not _BACKWARD_RUNS.isdisjoint(runs):
        # A mark that combines backwards: the stable character before its run joins it (they may compose).
        for i, run in enumerate(runs):
            before = parts[2 * i]
            if run in _BACKWARD_RUNS and before:
                parts[2 * i] = before[:-1]
                parts[2 * i + 1] = _nfkc_keeping_circled(before[-1] + run)
    folded = "".join(parts)
    for wrong, right in OCR_FIXES.items():
        if wrong in folded:
            folded = folded.replace(wrong, right)
    if len(text) <= _SHORT:
        if len(_SHORT_FOLDS) > 100_000:
            _SHORT_FOLDS.clear()
        _SHORT_FOLDS[text] = folded
    return folded


def strip_markup(text: str) -> str:
    """Turn a table export's HTML fragments into the bracket notation the PDF forms use."""
    if "<" not in text:
        return text
    text = _CHECKED_INPUT.sub("[○]", text)
    text = _UNCHECKED_INPUT.sub("[ ]", text)
    text = _TAG.sub(" ", text)
    return html.unescape(text)


def clean_line(raw: str) -> str:
    """The comparable form of one source line: markup gone, width folded, spaces collapsed."""
    line = fold(strip_markup(raw))
    return _SPACES.sub(" ", line).strip()


def compact(text: str) -> str:
    """Drop all whitespace: OCR and table exports split labels across cells and lines."""
    return "".join(text.split())     # str.split's whitespace is re's \s; faster than a regex on short text


def kanji_to_int(text: str) -> int | None:
    """Read a kanji numeral such as 三十 or 百二十三; None when it is not one."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[ch] if current else _KANJI_DIGITS[ch]
        elif ch in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


_WAREKI = re.compile(r"(令和|平成|昭和)\s*(元|\d+)\s*年\s*(\d+)\s*月\s*(\d+)\s*日")
_SEIREKI = re.compile(r"(\d{4})\s*年\s*(\d+)\s*月\s*(\d+)\s*日")
_ERA_OFFSET = {"令和": 2018, "平成": 1988, "昭和": 1925}


def parse_japanese_date(text: str) -> str | None:
    """The first date in the text as ISO YYYY-MM-DD, converting 和暦 (令和6年9月10日 -> 2024-09-10)."""
    text = fold(text)
    m = _WAREKI.search(text)
    if m:
        year = 1 if m.group(2) == "元" else int(m.group(2))
        y, mo, d = _ERA_OFFSET[m.group(1)] + year, int(m.group(3)), int(m.group(4))
    else:
        m = _SEIREKI.search(text)
        if not m:
            return None
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


_WAREKI_MONTH = re.compile(r"(令和|平成|昭和)\s*(元|\d+)\s*年\s*(\d+)\s*月(?!\s*\d+\s*日)")


def parse_japanese_month(text: str) -> str | None:
    """A date given only to the month (平成27年6月) as YYYY-MM."""
    m = _WAREKI_MONTH.search(fold(text))
    if not m:
        return None
    year = 1 if m.group(2) == "元" else int(m.group(2))
    month = int(m.group(3))
    return f"{_ERA_OFFSET[m.group(1)] + year:04d}-{month:02d}" if 1 <= month <= 12 else None
