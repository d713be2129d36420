"""The extractor's fast paths give what the plain definitions give.

fold() normalises only the runs of characters NFKC may change, make_lines() folds and compacts the whole text in
one pass, and the citation grammar's compact view copies words already in NFKC whole. Each is checked here against the slow, obvious definition it replaced: on
the seeds, on hand-made hard cases (marks that compose with the character before them, half-width voiced kana,
Hangul, circled numbers beside them), and on generated text.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from pia_graph import citations
from pia_graph.normalize import OCR_FIXES, clean_line, compact, fold
from pia_graph.parse.layout import make_lines

from conftest import SAMPLES, SEEDS

SEED_TEXT = {name: (SAMPLES / name).read_text(encoding="utf-8") for name in SEEDS}


def fold_by_definition(text: str) -> str:
    """NFKC of everything between circled numbers (kept as printed), then the OCR fixes."""
    parts = re.split("([\u2460-\u2473])", text)
    parts[::2] = [unicodedata.normalize("NFKC", p) for p in parts[::2]]
    folded = "".join(parts)
    for wrong, right in OCR_FIXES.items():
        folded = folded.replace(wrong, right)
    return folded


HARD_CASES = [
    "ｶﾞｷﾞｸﾞ ﾊﾟﾋﾟ",                       # half-width kana: the mark composes with the kana before it
    "か\u3099き\u309a",                      # combining voiced marks after full-width kana
    "e\u0301 a\u0308\u0301 ①\u0301",        # Latin marks; a mark after a circled number stays apart from it
    "\u1100\u1161\u11a8 \uac00\u11a8",       # Hangul jamo that compose, and LV + T
    "（１）①②　⑳㉑ ㈱ ㍻ ﬁ",                 # full width, circled (kept up to ⑳), enclosed and compatibility forms
    "Ａ\u0301",                              # a full-width letter whose folded form composes with the mark after it
    "青報 其磁値 〇 訂正·",                    # the OCR fixes
    "\U0001d400\U0001f600 𠮷",               # beyond the BMP
    "",
]

HARD_ALPHABET = st.sampled_from(
    list("aAｱｶﾊﾞﾟか は ①⑳（）０９　\t\n ") + ["\u3099", "\u309a", "\u0301", "\u0308", "\u1100", "\u1161",
                                             "\u11a8", "\uac00", "\u00a8", "\u3300", "\ufb01", "\U0001d400"])


def test_fold_is_nfkc_keeping_circled_numbers_on_the_seeds_and_hard_cases():
    for name, text in SEED_TEXT.items():
        assert fold(text) == fold_by_definition(text), name
    for case in HARD_CASES:
        assert fold(case) == fold_by_definition(case), case
    assert fold("ｶﾞ") == "ガ" and fold("（１）①") == "(1)①"


@settings(max_examples=400, deadline=None)
@given(st.text(HARD_ALPHABET, max_size=40))
def test_fold_is_nfkc_keeping_circled_numbers_on_generated_text(text):
    assert fold(text) == fold_by_definition(text)
    assert fold(text) == fold(text)        # the remembered answer is the computed one


def lines_by_definition(raw_lines):
    """Each line cleaned on its own, as normalize.clean_line does."""
    return [(i, raw, clean_line(raw), compact(clean_line(raw))) for i, raw in enumerate(raw_lines, 1)]


def test_make_lines_matches_line_by_line_cleaning():
    for name, text in SEED_TEXT.items():
        raw = [r for r in text.split("\n") if "<" not in r]      # markup is stripped the same way on both paths
        assert [tuple(ln)[:4] for ln in make_lines(raw)] == lines_by_definition(raw), name
    odd = ["  a\u3000\u3000b\t c  ", "\u2028x\x0by\x1c", "\u00a0①\u3000②", "", " ", "ｶﾞ\u3099 ",
           "𠮷野\u3000家 \U0001f600"]     # beyond the BMP: the whitespace probe sends it the exact way
    assert [tuple(ln)[:4] for ln in make_lines(odd)] == lines_by_definition(odd)
    assert make_lines(["\u2028x\x0by\x1c"])[0].key == "xy"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.sampled_from(list(" \t\u3000\u00a0\x0b\u2028\u1680ab①（ｶﾞ𠮷")), max_size=12), max_size=8))
def test_make_lines_matches_line_by_line_cleaning_on_generated_lines(raw):
    assert [tuple(ln)[:4] for ln in make_lines(raw)] == lines_by_definition(raw)


class CompactByDefinition:
    """The citation grammar's view, one source character at a time (what citations._Compact computes faster)."""

    def __init__(self, raw: str) -> None:
        self.n_chars, self.src, self.hard = [], [], []
        pending, ws_at, line_len, last_line_len = None, 0, 0, 0
        for i, ch in enumerate(raw):
            if ch.isspace():
                if ch == "\r":
                    continue
                if ch == "\n":
                    if line_len:
                        last_line_len, line_len = line_len, 0
                    kind = "soft" if last_line_len >= citations._WRAPPED_LINE_MIN else "hard"
                else:
                    kind = "hard"
                pending = "hard" if "hard" in (pending, kind) else "soft"
                ws_at = i
                continue
            line_len += 1
            for c in unicodedata.normalize("NFKC", ch):
                if c.isspace():
                    continue
                if pending == "hard" and self.n_chars and self.n_chars[-1] in "0123456789" and c in "0123456789":
                    self.n_chars.append(citations._DIGIT_GAP)
                    self.src.append(ws_at)
                    self.hard.append(True)
                self.n_chars.append(c)
                self.src.append(i)
                self.hard.append(pending == "hard")
                pending = None
        self.hard.append(False)
        self.n = "".join(self.n_chars)


def assert_same_view(text: str) -> None:
    fast, slow = citations._Compact(text), CompactByDefinition(text)
    assert (fast.n, fast.src, fast.hard) == (slow.n, slow.src, slow.hard), text[:80]


def test_compact_view_matches_character_by_character_on_the_seeds():
    for name, text in SEED_TEXT.items():
        for start in range(0, len(text), 20_000):
            assert_same_view(text[start:start + 20_000])
    for case in HARD_CASES + ["番号法第１\n９条", "別表第１ 15件", "住民基本台帳法\r\n（昭和42年法律第81号）", "１ ２\t３\n\n４"]:
        assert_same_view(case)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list(" \t\n\r\u3000\u00a0012１２第条項号法①（ｶﾞ¨") + ["\u3099", "\u3300"]), max_size=40))
def test_compact_view_matches_character_by_character_on_generated_text(text):
    assert_same_view(text)


def prefecture_by_definition(text: str) -> str | None:
    from collections import Counter

    from pia_graph.parties import PREFECTURES
    pref, n = Counter({p: text.count(p) for p in PREFECTURES}).most_common(1)[0]
    return pref if n >= 2 else None


def test_home_prefecture_counts_names_as_str_count_does():
    from pia_graph.parties import home_prefecture
    cases = list(SEED_TEXT.values()) + [
        "", "福岡県 福岡県 佐賀県 佐賀県",            # a tie: the first in the list wins
        "東京都府 京都府",                           # overlapping names both count
        "北海道" * 3 + "沖縄県" * 3, "大阪府のみ",
    ]
    for text in cases:
        assert home_prefecture("どこか市長", text) == prefecture_by_definition(text), text[:40]
    assert home_prefecture("どこか市長", "東京都府 京都府") == "京都府"
