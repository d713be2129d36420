"""Parse Japanese legal citations (法令名 第N条…) into structured references."""

# Design notes
# ------------
# * Everything is matched on a *compact view* of the input: each character is NFKC-normalised
#   (full-width digits and parentheses become ASCII) and whitespace is dropped, so PDF line wraps
#   ("別\n表第２") and OCR spaces ("第 30 条の 6") do not break a citation.  The view keeps, for each
#   of its characters, the offset of the source character, so every Citation carries exact
#   offsets into the caller's string (input[c.start:c.end] == c.text).
# * A citation element is 第N条[のM][第P項][第Q号][別表…|の表…][（見出し）].  Its law is, in order:
#   a law name written directly before it (known name, abbreviation, 同法, or an unknown name ending
#   in 法/法律/令/条例/規則), optionally followed by （法令番号…） parentheses or a list bullet "・";
#   else the previous element's law when the two are joined by a chain connector
#   (及び/並びに/又は/若しくは/、/・/から); else, for a bare 第N条 only, the previous citation's law
#   when it lies in the same sentence with no other law mentioned in between.
# * A parenthesised list of numbers names several rows or articles at once, one citation each: after 項 the rows
#   of the table cited last in the same sentence ("…別表第二:第三欄…が含まれる項(1、2、…、120の項)"), after 条項/条
#   the articles of the law named last in it ("…命令に…が含まれる条項(第1、2、…、59条の3)").
# * Otherwise the element is skipped: a law is never invented.  Elements under 附則 (supplementary
#   provisions) are skipped too, as are numbers inside a law name ("…法律第十九条第八号に基づく…命令")
#   or inside a 法令番号 parenthesis ("平成27年条例第42号").
# * 2021 renumbering: 番号法 第19条第7号 always gets `renumbered_to` = the same citation with item 8.
#   Whether a document is old (or quotes old text, as change-history rows do) is the caller's call.

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

__all__ = [
    "BUILTIN_ABBREVIATIONS",
    "Citation",
    "KNOWN_LAWS",
    "Law",
    "article_caption",
    "article_captions",
    "egov_url",
    "find_abbreviations",
    "law_for",
    "normalize_numerals",
    "numbered",
    "parse_citations",
    "provision_label",
    "table_label",
]


# ---------------------------------------------------------------------------------------------
# Numerals
# ---------------------------------------------------------------------------------------------

_KANJI_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNIT = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUM = "[〇零一二三四五六七八九十百千]+"
# A number as written in a citation: ASCII digits (after NFKC) or kanji numerals.
_NUM = rf"(?:[0-9]+|{_KANJI_NUM})"
# A kanji の-branch must be followed by something that can follow a citation; without this
# "第五条の一部" would read as article 5の1.
_KANJI_BRANCH_END = r"(?=$|[第のにをでとがは及並又若・、,。:;()「」\s])"
# の-branch of an article or item: 第30条の6, 第23条の2, 第30条の44の6, 第一号の二.
_BRANCH = rf"の(?:[0-9]+|{_KANJI_NUM}{_KANJI_BRANCH_END})"


def _to_int(s: str) -> int:
    """ASCII digits or kanji numerals (百二十三, 三十, 一二〇) to int."""
    if s.isascii():
        return int(s)
    if not any(c in _KANJI_UNIT for c in s):  # positional kanji digits: 一二〇 -> 120
        return int("".join(str(_KANJI_DIGIT[c]) for c in s))
    total, cur = 0, 0
    for c in s:
        if c in _KANJI_DIGIT:
            cur = _KANJI_DIGIT[c]
        else:
            total += (cur or 1) * _KANJI_UNIT[c]
            cur = 0
    return total + cur


def _num(s: str) -> str:
    return str(_to_int(s))


def _branches(s: str | None) -> str:
    """'の四十四の六' -> 'の44の6'."""
    if not s:
        return ""
    return "".join("の" + _num(p) for p in s.split("の")[1:])


# 第…条/項/号/欄 (or 別表第…) with its の-branches; spaces tolerated for OCR text.
_NUMERAL_SPAN_RE = re.compile(
    rf"""
    (?P<head>別表\s*第|第)\s*(?P<num>{_NUM})\s*
    (?P<unit>条|項|号|欄|款|目|章|節|編)?
    (?P<branches>(?:\s*の\s*(?:[0-9]+|{_KANJI_NUM}{_KANJI_BRANCH_END}))*)
    """,
    re.VERBOSE,
)


def normalize_numerals(s: str) -> str:
    """NFKC, then kanji numerals inside 第…条/項/号/欄 (and their の-branches) to ASCII digits.

    第三十条の六 -> 第30条の6, 第十九条第八号 -> 第19条第8号, 別表第二 -> 別表第2; a string that is
    only a numeral converts too (二 -> 2, 百二十三 -> 123).  Kanji numerals elsewhere ("一元化",
    "第三者") are left alone.
    """
    s = unicodedata.normalize("NFKC", s)
    if re.fullmatch(_KANJI_NUM, s.strip()):
        return _num(s.strip())

    def conv(m: re.Match) -> str:
        head = re.sub(r"\s", "", m.group("head"))
        if head == "第" and not m.group("unit"):
            return m.group(0)  # "第三者", "第1、2": not a citation number
        branches = re.sub(r"\s", "", m.group("branches"))
        return f"{head}{_num(m.group('num'))}{m.group('unit') or ''}{_branches(branches)}"

    return _NUMERAL_SPAN_RE.sub(conv, s)


# ---------------------------------------------------------------------------------------------
# Laws
# ---------------------------------------------------------------------------------------------

# 法令番号: 昭和42年法律第81号, 平成26年11月20日総務省令第85号, 令和6年デジタル庁・総務省令第9号,
# 平成27年久留米市条例第42号.  The promulgation date is dropped; the issuer is kept.
_LAW_NUMBER_RE = re.compile(
    rf"""
    (?P<era>明治|大正|昭和|平成|令和)(?P<year>{_NUM}|元)年
    (?:{_NUM}月{_NUM}日)?
    (?P<issuer>[^()（）第]*?)
    (?P<type>法律|政令|府令|省令|規則|条例|命令|告示|訓令)
    第(?P<no>{_NUM})号
    """,
    re.VERBOSE,
)
_ERA_SLUG = {"明治": "M", "大正": "T", "昭和": "S", "平成": "H", "令和": "R"}
_TYPE_SLUG = {
    "法律": "act",
    "政令": "cabinet-order",
    "府令": "cabinet-office-order",
    "省令": "ministerial-order",
    "規則": "rule",
    "条例": "ordinance",
    "命令": "order",
    "告示": "notice",
    "訓令": "directive",
}


def _sha(s: str, n: int) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:n]


def _parse_number(s: str | None) -> str | None:
    """First 法令番号 in `s`, normalised (ASCII digits, no date), else None."""
    if not s:
        return None
    m = _LAW_NUMBER_RE.search(normalize_numerals(re.sub(r"\s", "", s)))
    if not m:
        return None
    year = "元" if m.group("year") == "元" else _num(m.group("year"))
    return f"{m.group('era')}{year}年{m.group('issuer')}{m.group('type')}第{_num(m.group('no'))}号"


def _law_key(name: str, egov_id: str | None, number: str | None, ordinance_of: str | None) -> str:
    """Stable ASCII slug: e-Gov ID, else one built from the 法令番号, else a hash of the name."""
    if egov_id:
        return egov_id
    if number:
        m = _LAW_NUMBER_RE.fullmatch(number)
        if m:
            year = "1" if m.group("year") == "元" else _num(m.group("year"))
            slug = f"num-{_ERA_SLUG[m.group('era')]}{year}-{_TYPE_SLUG[m.group('type')]}-{_num(m.group('no'))}"
            # Ordinance numbers repeat across bodies and ministry orders across ministries:
            # qualify by the issuer (written in the number, or the ordinance's body).
            issuer = m.group("issuer") or (ordinance_of if m.group("type") in ("条例", "規則") else "")
            return f"{slug}-{_sha(issuer, 8)}" if issuer else slug
        return "num-" + _sha(number, 12)
    # Two bodies can both have a "個人番号利用条例": qualify a name that does not carry its body.
    if ordinance_of and not name.startswith(ordinance_of):
        return "name-" + _sha(f"{ordinance_of}|{name}", 12)
    return "name-" + _sha(name, 12)


@dataclass(frozen=True)
class Law:
    name: str  # canonical full name, e.g. "住民基本台帳法"
    egov_id: str | None  # e-Gov 法令ID where known, else None (never guessed)
    number: str | None  # 法令番号, e.g. "昭和42年法律第81号", where known or written
    ordinance_of: str | None = None  # for a local body's 条例/規則: the body as written, e.g. "久留米市"
    key: str = ""  # ASCII-safe slug for IRIs; computed when not given

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", _law_key(self.name, self.egov_id, self.number, self.ordinance_of))


@dataclass(frozen=True)
class Citation:
    text: str  # exact substring of the input for this citation
    start: int
    end: int
    law: Law
    law_as_written: str  # "住基法", "番号法", "同法", … (layout whitespace removed)
    article: str | None  # "30の6"
    paragraph: int | None  # 項
    item: str | None  # 号, "8" or "1の2"
    annex: str | None  # "別表第2", "別表", or "表" for the table of an article (第2条の表)
    annex_row: str | None  # 別表 row 項: "85の2"
    annex_column: str | None  # 欄: "3"
    caption: str | None  # （見出し）
    renumbered_to: Citation | None = None


MYNUMBER_ACT = "行政手続における特定の個人を識別するための番号の利用等に関する法律"
RESIDENT_ACT = "住民基本台帳法"
RESIDENT_ORDER = "住民基本台帳法施行令"
APPI = "個人情報の保護に関する法律"
# 平成26年総務省令第85号, titled a 命令 since the 2024 amendment that made it a joint order of デジタル庁 and
# 総務省 (same number, same e-Gov ID); its earlier titles are in _TITLE_VARIANTS.
CARD_ORDINANCE = MYNUMBER_ACT + "に規定する個人番号、個人番号カード、特定個人情報の提供等に関する命令"
LINKAGE_ORDER = (
    "行政手続における特定の個人を識別するための番号の利用等に関する法律第十九条第八号に基づく"
    "利用特定個人情報の提供に関する命令"
)
OLD_ANNEX2_ORDER = "行政手続における特定の個人を識別するための番号の利用等に関する法律別表第二の主務省令で定める事務を定める命令"
MYNUMBER_ADJUSTMENT_ACT = "行政手続における特定の個人を識別するための番号の利用等に関する法律の施行に伴う関係法律の整備等に関する法律"

KNOWN_LAWS: dict[str, Law] = {
    law.name: law
    for law in (
        Law(RESIDENT_ACT, "342AC0000000081", "昭和42年法律第81号"),
        Law(MYNUMBER_ACT, "425AC0000000027", "平成25年法律第27号"),
        Law(CARD_ORDINANCE, "426M60000008085", "平成26年総務省令第85号"),
        Law(APPI, "415AC0000000057", "平成15年法律第57号"),
        # No e-Gov IDs below: only IDs we are sure of are recorded.
        Law(LINKAGE_ORDER, None, "令和6年デジタル庁・総務省令第9号"),
        Law(OLD_ANNEX2_ORDER, None, None),
        Law(MYNUMBER_ADJUSTMENT_ACT, None, "平成25年法律第28号"),
        Law(RESIDENT_ORDER, None, "昭和42年政令第292号"),
    )
}

BUILTIN_ABBREVIATIONS: dict[str, str] = {
    "住基法": RESIDENT_ACT,
    "住基法施行令": RESIDENT_ORDER,
    "番号法": MYNUMBER_ACT,
    "番号利用法": MYNUMBER_ACT,
    "マイナンバー法": MYNUMBER_ACT,
    "個人情報保護法": APPI,
    "個人番号カード省令": CARD_ORDINANCE,
    "通知カード及び個人番号カード省令": CARD_ORDINANCE,
    "主務省令": LINKAGE_ORDER,
    "情報連携主務省令": LINKAGE_ORDER,
    "番号整備法": MYNUMBER_ADJUSTMENT_ACT,
}
# Each known law's usual short name (the first listed above), for labels where its full title does not fit.
SHORT_NAMES: dict[str, str] = {}
for _short, _name in BUILTIN_ABBREVIATIONS.items():
    SHORT_NAMES.setdefault(_name, _short)

# Other titles seen in the documents: the 個人番号カード省令's title before its 2024 renaming (documents written
# earlier, and later ones that quote them, still use it), a 省令 form of today's title, and today's title with the
# act's short name in it.
_TITLE_VARIANTS: dict[str, str] = {
    MYNUMBER_ACT + "の規定による通知カード及び個人番号カード並びに情報提供ネットワークシステムによる特定個人情報の"
    "提供等に関する省令": CARD_ORDINANCE,
    MYNUMBER_ACT + "に規定する個人番号、個人番号カード、特定個人情報の提供等に関する省令": CARD_ORDINANCE,
    "番号法に規定する個人番号、個人番号カード、特定個人情報の提供等に関する命令": CARD_ORDINANCE,
}


def _name_key(name: str) -> str:
    return re.sub(r"\s", "", normalize_numerals(name))


_KNOWN_BY_NAME: dict[str, str] = {_name_key(n): n for n in KNOWN_LAWS}
_KNOWN_BY_NAME.update({_name_key(v): c for v, c in _TITLE_VARIANTS.items()})
_KNOWN_BY_NUMBER: dict[str, str] = {law.number: law.name for law in KNOWN_LAWS.values() if law.number}

# A local body at the start of an ordinance's name: 久留米市, 千葉県, 東京都港区.
_BODY_PREFIX_RE = re.compile(r"[一-龥々ヶ]{1,7}(?:都|道|府|県|市|区|町|村)")
_LOCAL_SUFFIXES = ("条例", "規則")


def _body_name(body: str | None) -> str | None:
    """'久留米市長' -> '久留米市', '千葉県知事' -> '千葉県'."""
    if not body:
        return None
    b = re.sub(r"\s", "", unicodedata.normalize("NFKC", body))
    if b.endswith("知事"):
        return b[:-2]
    if re.search(r"[市区町村]長$", b):
        return b[:-1]
    return b


def _ordinance_body(name: str, body: str | None) -> str | None:
    if not name.endswith(_LOCAL_SUFFIXES):
        return None
    m = _BODY_PREFIX_RE.match(name)
    if m:
        return m.group(0)
    # A 条例 is always a local body's; a bare 規則 may be national (特定個人情報保護評価に関する規則).
    return _body_name(body) if name.endswith("条例") else None


def _resolve(
    name: str,
    number: str | None,
    abbreviations: dict[str, str],
    body: str | None,
    doc_numbers: dict[str, str] | None = None,
) -> Law:
    """Law for a compact written name and the 法令番号 written after it (if any)."""
    canonical = abbreviations.get(name) or _KNOWN_BY_NAME.get(_name_key(name))
    if canonical is None and name in abbreviations.values():
        canonical = name
    canonical = _KNOWN_BY_NAME.get(_name_key(canonical), canonical) if canonical else None
    if canonical in KNOWN_LAWS:
        return KNOWN_LAWS[canonical]
    if number and number in _KNOWN_BY_NUMBER:
        return KNOWN_LAWS[_KNOWN_BY_NUMBER[number]]
    full = canonical or name
    if not number and doc_numbers:
        number = doc_numbers.get(full)
    return Law(full, None, number, _ordinance_body(full, body))


_TRAILING_NUMBER_RE = re.compile(r"^(?P<name>.+?)\((?P<paren>[^()]*)\)$")


def law_for(name: str, abbreviations: dict[str, str] | None = None, body: str | None = None) -> Law:
    """Resolve a written law name ("住基法", a full title, "久留米市…条例（平成27年久留米市条例第42号）")."""
    compact = re.sub(r"\s", "", unicodedata.normalize("NFKC", name))
    number = None
    m = _TRAILING_NUMBER_RE.match(compact)
    if m and _parse_number(m.group("paren")):
        compact, number = m.group("name"), _parse_number(m.group("paren"))
    return _resolve(compact, number, {**BUILTIN_ABBREVIATIONS, **(abbreviations or {})}, body)


# ---------------------------------------------------------------------------------------------
# Compact view of the input
# ---------------------------------------------------------------------------------------------

# A PDF line at least this long is taken to be wrapped (narrow table columns wrap at ~11
# characters), so its newline does not end a law name; shorter lines are labels or cells
# ("①法令上の根拠", "移転先２") and their newline is a boundary.
_WRAPPED_LINE_MIN = 10
# Put between two digits that a hard boundary separated, so "別表第１ 15件" is not read as
# 別表第115 (a wrapped line may still split a number: "番号法第１\n９条").
_DIGIT_GAP = "\u2063"


# NFKC of one character, remembered: the view is built character by character (to keep the map back to source
# offsets) and a document uses a few thousand distinct characters.
_NFKC_CHAR: dict[str, str] = {}
_WORD = re.compile(r"\S+")
_DIGITS = frozenset("0123456789")


class _Compact:
    """NFKC'd, whitespace-free view of a string with a map back to source offsets."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        out: list[str] = []
        src: list[int] = []
        # hard[j]: a word boundary (space, tab, short line's newline) was removed before out[j].
        hard: list[bool] = []
        self.src, self.hard = src, hard
        pending: str | None = None  # None, "soft" or "hard"
        ws_at = 0
        line_len = last_line_len = 0
        last = ""  # the last character put out
        gap_from = 0
        # Word by word: a word already in NFKC (nearly all of them) maps to itself character for character, so
        # it is copied whole; only the whitespace between words and the other words go character by character.
        for word in _WORD.finditer(raw):
            start, end = word.span()
            for i in range(gap_from, start):
                ch = raw[i]
                if ch == "\r":
                    continue  # CRLF: the \n decides
                if ch == "\n":
                    # Blank lines between wrapped lines are common in narrow PDF columns: judge
                    # by the last non-empty line.
                    if line_len:
                        last_line_len, line_len = line_len, 0
                    kind = "soft" if last_line_len >= _WRAPPED_LINE_MIN else "hard"
                else:
                    kind = "hard"
                pending = "hard" if "hard" in (pending, kind) else "soft"
                ws_at = i
            gap_from = end
            text = word.group()
            line_len += end - start
            if unicodedata.is_normalized("NFKC", text):
                if pending == "hard" and last in _DIGITS and text[0] in _DIGITS:
                    out.append(_DIGIT_GAP)
                    src.append(ws_at)
                    hard.append(True)
                out.append(text)
                src.extend(range(start, end))
                hard.append(pending == "hard")
                hard.extend([False] * (end - start - 1))
                pending = None
                last = text[-1]
                continue
            for i in range(start, end):
                ch = raw[i]
                folded = _NFKC_CHAR.get(ch)
                if folded is None:
                    folded = _NFKC_CHAR[ch] = unicodedata.normalize("NFKC", ch)
                for c in folded:
                    if c.isspace():
                        continue
                    if pending == "hard" and last in _DIGITS and c in _DIGITS:
                        out.append(_DIGIT_GAP)
                        src.append(ws_at)
                        hard.append(True)
                    out.append(c)
                    src.append(i)
                    hard.append(pending == "hard")
                    pending = None
                    last = c
        hard.append(False)
        self.n = "".join(out)

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Source offsets of compact range [a, b)."""
        return self.src[a], self.src[b - 1] + 1

    def written(self, a: int, b: int) -> str:
        s, e = self.span(a, b)
        return re.sub(r"\s", "", self.raw[s:e])


@functools.lru_cache(maxsize=64)
def _compact_view(raw: str) -> _Compact:
    """parse_citations reads each cell twice (its own short names, then its citations): build the view once.
    Nothing writes to a _Compact after it is made, so one can be shared."""
    return _Compact(raw)


# ---------------------------------------------------------------------------------------------
# Grammar (on the compact view)
# ---------------------------------------------------------------------------------------------


def _row(p: str) -> str:
    # Row (項) of a table: "第27項" or "85の2の項".
    return rf"(?:第(?P<{p}_row1>{_NUM}(?:の{_NUM})*)項|(?P<{p}_row2>{_NUM}(?:の{_NUM})*)の項)"


# One citation element.  All parts are optional so one pattern covers 第N条…, 第P項…, 第Q号…, 別表…
# and 同条/同項…; the anchor lookahead keeps it from matching everywhere, and a match without any
# part is dropped.  An article without 第 ("番号法19条") is accepted only right after a law name.
_ELEMENT_RE = re.compile(
    rf"""
    (?=第|別表|同[条項]|[0-9]+条)
    (?P<same>同条|同項)?
    (?:(?P<art_dai>第)?(?P<art>{_NUM})条(?P<art_br>(?:{_BRANCH})*))?
    (?:第(?P<para>{_NUM})項)?
    (?:第(?P<item>{_NUM})号(?P<item_br>(?:{_BRANCH})*))?
    (?:
        # the table inside an article: 主務省令第2条の表, …の表85の2の項, …の表の第3欄
        (?P<table>の?表(?![示記明現彰面題紙]))
        (?:の?{_row('t')})?
        (?:[の:]?第(?P<t_col>{_NUM})欄)?
      |
        # an annex: 別表第二, 別表1, 別表第1の85の2の項, 別表第二の第27項, 別表第二:第三欄
        (?P<annex>別表)(?:第?(?P<annex_no>{_NUM}))?
        (?:の?{_row('a')})?
        (?:[の:]?第(?P<a_col>{_NUM})欄)?
    )?
    """,
    re.VERBOSE,
)

# A list of numbers in parentheses that names several rows of one table or several articles of one law at once:
#   …第三欄(情報提供者)が「市町村長」の項のうち…が含まれる項(1、2、3、…、85の2、…、120の項)   rows of that table
#   …命令に「住民票関係情報」が含まれる条項(第1、2、…、22の3、…、59条の3)                    articles of that law
# Each number is one citation.  The word before the parenthesis says what is listed: 項 rows, 条項 or 条 articles
# (never 第3項(…) or 第5条(…), whose parenthesis is a caption or a remark).
_LIST_ITEM = rf"第?{_NUM}条?(?:の{_NUM})*(?:の?項)?"
_LIST_RE = re.compile(
    rf"""
    (?<![0-9〇零一二三四五六七八九十百千第])
    (?P<unit>条項|条|項)
    \((?P<items>{_LIST_ITEM}(?:[、,・]{_LIST_ITEM})*)\)
    """,
    re.VERBOSE,
)
_LIST_ITEM_RE = re.compile(rf"第?(?P<num>{_NUM})(?P<art>条)?(?P<branches>(?:の{_NUM})*)(?P<row>の?項)?")

# A parenthesis after an element, up to two levels deep: the article's 見出し, or a remark.
_PAREN_RE = re.compile(r"\((?P<body>(?:[^()]|\((?:[^()]|\([^()]*\))*\))+)\)")
# Parentheses that are remarks, not 見出し: (別紙1参照), (以下…), (平成27年条例第42号), (別表第1), (※…).
_NOT_CAPTION_RE = re.compile(rf"参照|以下|第{_NUM}[条項号]|^[※注別同第0-9]|(?:明治|大正|昭和|平成|令和).*第{_NUM}号")

# What may join two elements of one chain: 及び, 並びに, 又は, 若しくは, 、, ・, から (a range).
_CHAIN_GAP_RE = re.compile(r"(?:及び|並びに|又は|若しくは|及|並|、|,|・|から|;)?")
# "番号法第9条第1項に掲げる別表第一": an annex tied to the preceding article by these words.
_ANNEX_LINK_RE = re.compile(r"(?:に掲げる|に規定する|に定める|の)")
# Words that mean another instrument is being talked about: a bare 第N条 after them is not inherited.
_OTHER_LAW_RE = re.compile(r"法律|法[のにでがをは、,]|条例|規則|政令|省令|命令|指針|要綱|規程|告示")
# How far back a bare 第N条 may look for the law of the same sentence.
_SENTENCE_GAP_MAX = 120

# An unknown law name ends with one of these …
_LAW_SUFFIX_RE = re.compile(r"(?:法律|法|令|条例|規則)$")
# … but these words end so without being laws.
_NOT_LAW_WORDS = (
    "方法", "手法", "用法", "寸法", "文法", "技法", "製法", "療法", "論法", "作法", "便法", "算法",
    "司法", "立法", "適法", "違法", "合法", "不法", "法令", "指令", "号令", "発令", "辞令", "訓令", "年令",
)
# A name that is only a type word names no law ("に基づく条例第3条" gives no law).
_GENERIC_NAMES = {"法", "法律", "令", "政令", "省令", "府令", "命令", "条例", "規則", "施行令", "施行規則", "同令"}
# Prose that precedes a law name inside one run of name characters; the name starts after the
# last of these ("住基法及び久留米市…条例" -> "久留米市…条例").
_NAME_CUT_TOKENS = (
    "及び", "並びに", "又は", "若しくは", "に基づき", "に基づく", "に基づいて", "により", "によって",
    "の規定", "に規定する", "に定める", "で定める", "について", "において", "として", "もの", "こと",
    "とともに", "ほか", "根拠", "用途",
)
# 同法 and friends: the law mentioned last.
_SAME_LAW_WORDS = ("同法律", "同政令", "同省令", "同条例", "同規則", "同法", "同令")
# An abbreviation definition: （…。以下「住基法」という。）.
_ABBREV_DEF_RE = re.compile(r"\((?P<inner>[^()]*?)以下[、,]?「(?P<short>[^「」()]{1,40})」(?:と)?(?:いう|称する)。?\)")
# An inline short name right after a law name: 住民基本台帳法(住基法).
_INLINE_ABBREV_RE = re.compile(r"\((?P<short>[^()「」、。]{2,15}?(?:法|令|条例|規則))\)")
# Parentheses holding a 法令番号 (and maybe an abbreviation definition): never citations.
_NUMBER_PAREN_RE = re.compile(rf"\([^()]*?(?:明治|大正|昭和|平成|令和)(?:{_NUM}|元)年[^()]*?第{_NUM}号[^()]*\)")


def _is_name_char(c: str) -> bool:
    o = ord(c)
    return (
        0x4E00 <= o <= 0x9FFF  # CJK ideographs
        or 0x3041 <= o <= 0x3096  # hiragana
        or 0x30A1 <= o <= 0x30FA  # katakana
        or c in "ー々〆ヶ"
        or ("A" <= c <= "Z")
        or ("a" <= c <= "z")
    )


@lru_cache(maxsize=64)
def _alias_re(aliases: tuple[str, ...]) -> re.Pattern:
    forms = set()
    for a in aliases:
        forms.add(re.sub(r"\s", "", unicodedata.normalize("NFKC", a)))
        forms.add(_name_key(a))
    return re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True) if f))


@lru_cache(maxsize=64)
def _names_re(abbreviations: frozenset[tuple[str, str]]) -> re.Pattern:
    """The pattern of every law name and short name known with these abbreviations (each cell of a document
    asks with the same ones)."""
    # One-character short names (以下「法」という) would match inside every other law name.
    names = {*(a for pair in abbreviations for a in pair), *KNOWN_LAWS, *_TITLE_VARIANTS}
    return _alias_re(tuple(sorted(a for a in names if len(a) >= 2)))


def _alias_spans(n: str, abbreviations: dict[str, str]) -> dict[int, int]:
    """end -> start of every known law name / abbreviation occurring in the compact text."""
    return {m.end(): m.start() for m in _names_re(frozenset(abbreviations.items())).finditer(n)}


def _open_paren(n: str, close: int, floor: int) -> int | None:
    """Index of the '(' matching the ')' at `close`."""
    depth = 0
    for i in range(close, floor - 1, -1):
        if n[i] == ")":
            depth += 1
        elif n[i] == "(":
            depth -= 1
            if depth == 0:
                return i
    return None


def _strip_back(n: str, p: int, floor: int) -> tuple[int, list[str]]:
    """Step back over parentheses and closing quotes before `p`; returns the new p and the
    parentheses' contents, nearest-to-the-name first."""
    parens: list[str] = []
    while p > floor:
        if n[p - 1] == ")":
            o = _open_paren(n, p - 1, floor)
            if o is None:
                break
            parens.insert(0, n[o + 1 : p - 1])
            p = o
        elif n[p - 1] in "」』":
            p -= 1
        else:
            break
    return p, parens


def _unknown_name_start(t: _Compact, p: int, floor: int) -> int | None:
    """Start of an unknown law name ending at `p`, or None."""
    n = t.n
    if not _LAW_SUFFIX_RE.search(n[max(floor, p - 2) : p]) or n[max(floor, p - 2) : p] in _NOT_LAW_WORDS:
        return None
    i = p
    while i > floor and _is_name_char(n[i - 1]) and not t.hard[i]:
        i -= 1
    run = n[i:p]
    cut = max((run.rfind(tok) + len(tok) for tok in _NAME_CUT_TOKENS if tok in run), default=0)
    start = i + cut
    name = n[start:p]
    if len(name) < 2 or name in _GENERIC_NAMES or name.startswith("同"):
        return None
    return start


class _Ctx:
    """Per-call state of parse_citations / find_abbreviations."""

    def __init__(self, text: str, abbreviations: dict[str, str], body: str | None) -> None:
        self.t = _compact_view(text)
        self.abbreviations = abbreviations
        self.body = body
        self.alias_end = _alias_spans(self.t.n, abbreviations)
        self.doc_numbers: dict[str, str] = {}
        # Positions where no citation element may start: inside law names and 法令番号 parentheses.
        n = self.t.n
        self.blocked = bytearray(len(n) + 1)
        for end, start in self.alias_end.items():
            self.blocked[start + 1 : end] = b"\x01" * (end - start - 1)
        for m in _NUMBER_PAREN_RE.finditer(n):
            self.blocked[m.start() : m.end()] = b"\x01" * (m.end() - m.start())

    def name_before(self, p: int, floor: int) -> tuple[int, str | None] | None:
        """A law name ending at p: (start, canonical-or-None) from the alias table, or
        (start, None) for an unknown name."""
        start = self.alias_end.get(p)
        if start is not None and start >= floor:
            return start, self.resolve_alias(self.t.n[start:p])
        u = _unknown_name_start(self.t, p, floor)
        if u is not None:
            return u, None
        return None

    def resolve_alias(self, written: str) -> str:
        return self.abbreviations.get(written) or _KNOWN_BY_NAME.get(_name_key(written)) or written

    def law(self, start: int, p: int, number: str | None) -> Law:
        name = self.t.n[start:p]
        law = _resolve(name, number, self.abbreviations, self.body, self.doc_numbers)
        if number and law.name not in KNOWN_LAWS:
            self.doc_numbers.setdefault(law.name, number)
        return law

    def last_law_mention(self, p: int, limit: int = 300) -> Law | None:
        """The law named last before p (for 同法): a known name or an unknown 〜法."""
        named = self.law_named_before(p, max(0, p - limit))
        return named[2] if named else None

    def law_named_before(self, p: int, floor: int) -> tuple[int, int, Law] | None:
        """(start, end, law) of the law named last between floor and p."""
        for q in range(p, floor, -1):
            if q in self.alias_end:
                return self.alias_end[q], q, self.law(self.alias_end[q], q, None)
            u = _unknown_name_start(self.t, q, floor)
            if u is not None:
                return u, q, self.law(u, q, None)
        return None


@dataclass
class _Prev:
    """What the next element of a chain may inherit."""

    law: Law
    written: str
    article: str | None
    paragraph: int | None
    annex: str | None = None  # the table the element cites (別表第2, or 表 of the article): a row list's table


def _kind(g: dict) -> str:
    """article (incl. 同条), para (第P項…), item (第Q号…), same-para (同項…) or annex (別表… only)."""
    if g["same"] == "同項":
        return "same-para"
    if g["art"] or g["same"] == "同条":
        return "article"
    if g["para"]:
        return "para"
    return "item" if g["item"] else "annex"


def _table_fields(g: dict) -> tuple[str | None, str | None, str | None]:
    """(annex, annex_row, annex_column) of an element."""
    if g["annex"]:
        annex = f"別表第{_num(g['annex_no'])}" if g["annex_no"] else "別表"
        row, col = g["a_row1"] or g["a_row2"], g["a_col"]
    elif g["table"]:
        annex, row, col = "表", g["t_row1"] or g["t_row2"], g["t_col"]
    else:
        return None, None, None
    if row:
        head, _, rest = row.partition("の")
        row = _num(head) + _branches("の" + rest if rest else "")
    return annex, row, _num(col) if col else None


def _same_sentence(gap: str) -> bool:
    if len(gap) > _SENTENCE_GAP_MAX:
        return False
    flat = gap
    while True:
        stripped = re.sub(r"\([^()]*\)", "", flat)
        if stripped == flat:
            break
        flat = stripped
    return "。" not in flat and not _OTHER_LAW_RE.search(flat)


def _listed(ctx: _Ctx, m: re.Match, prev: _Prev | None, last_end: int) -> tuple[list[Citation], _Prev] | None:
    """The citations of a list of rows or articles (_LIST_RE), each number one citation, or None when the list
    does not say of what: rows need the table cited last in the same sentence, articles the law named last in it
    (else the law of the element before, in the same sentence)."""
    t, n = ctx.t, ctx.t.n
    items = list(_LIST_ITEM_RE.finditer(n, m.start("items"), m.end("items")))
    rows = m.group("unit") == "項"
    if any(i.group("art" if rows else "row") for i in items):
        return None  # 項(第1条…) or 条(第1項…): not a list of one kind
    if len(items) == 1 and not items[0].group("art" if not rows else "row"):
        return None  # a lone (1) is a remark's number as often as a row
    if rows:
        if prev is None or prev.annex is None or not _same_sentence(n[last_end : m.start()]):
            return None
        law, written, article, annex = prev.law, prev.written, prev.article, prev.annex
    else:
        named = ctx.law_named_before(m.start(), last_end)
        if named is not None and _same_sentence(n[named[1] : m.start()]):
            law, written = named[2], t.written(named[0], named[1])
        elif prev is not None and _same_sentence(n[last_end : m.start()]):
            law, written = prev.law, prev.written
        else:
            return None
        article = annex = None
    out = []
    for i in items:
        number = _num(i.group("num")) + _branches(i.group("branches"))
        a, b = t.span(i.start(), i.end())
        out.append(Citation(
            text=t.raw[a:b], start=a, end=b, law=law, law_as_written=written,
            article=article if rows else number, paragraph=None, item=None,
            annex=annex, annex_row=number if rows else None, annex_column=None, caption=None))
    return out, _Prev(law, written, out[-1].article, None, annex)


def _effective_abbreviations(text: str, abbreviations: dict[str, str] | None) -> dict[str, str]:
    return {**BUILTIN_ABBREVIATIONS, **find_abbreviations(text), **(abbreviations or {})}


def parse_citations(
    text: str, abbreviations: dict[str, str] | None = None, body: str | None = None
) -> list[Citation]:
    """All citations in `text`, in order.

    `abbreviations` (short name -> canonical name) are added to the built-in ones and to those the
    text itself defines (以下「…」という); pass a document's abbreviations when parsing one cell.
    `body` (e.g. "久留米市長") is the body an ordinance without a body in its name belongs to.
    A 第N条 whose law cannot be told from the text is skipped, never guessed.
    """
    ctx = _Ctx(text, _effective_abbreviations(text, abbreviations), body)
    t, n = ctx.t, ctx.t.n
    out: list[Citation] = []
    prev: _Prev | None = None
    last_end = 0  # compact index after the last element seen (cited or skipped)
    # Learn the 法令番号 the text gives for unknown laws ("…条例（平成27年…条例第42号。以下…）"), so
    # that later citations of the same law, by name or short name, carry it (and the same key).
    for m in _NUMBER_PAREN_RE.finditer(n):
        p, parens = _strip_back(n, m.end(), 0)
        nb = ctx.name_before(p, 0)
        number = next((num for num in map(_parse_number, parens) if num), None)
        if nb and number:
            ctx.law(nb[0], p, number)

    # Lists of rows or articles are read in their place among the elements; the numbers in them are no elements.
    lists = list(_LIST_RE.finditer(n))
    for lm in lists:
        ctx.blocked[lm.start("items") : lm.end("items")] = b"\x01" * (lm.end("items") - lm.start("items"))

    def read_lists_before(p: int) -> None:
        nonlocal prev, last_end
        while lists and lists[0].start() < p:
            lm = lists.pop(0)
            if lm.start() < last_end:
                continue
            listed = _listed(ctx, lm, prev, last_end)
            if listed is not None:
                out.extend(listed[0])
                prev, last_end = listed[1], lm.end()

    for m in _ELEMENT_RE.finditer(n):
        s, e = m.start(), m.end()
        g = m.groupdict()
        if s == e or s < last_end or ctx.blocked[s]:
            continue
        if not (g["same"] or g["art"] or g["para"] or g["item"] or g["annex"]):
            continue
        read_lists_before(s)
        if s < last_end:
            continue

        caption = None
        pm = _PAREN_RE.match(n, e)
        if pm and len(pm.group("body")) <= 80 and not _NOT_CAPTION_RE.search(pm.group("body")):
            caption, e = pm.group("body"), pm.end()

        if n[max(0, s - 2) : s] == "附則":  # supplementary provisions: not modelled, and break the chain
            prev, last_end = None, e
            continue

        floor = last_end
        law: Law | None = None
        written = ""
        text_start = s
        article = para = None

        # 1. A law name written right before the element (after optional ・ and parentheses).
        p, bullet = s, False
        while p > floor and n[p - 1] in "・:※":  # list bullet, footnote mark: "住基法※・第7条"
            p, bullet = p - 1, True
        p, parens = _strip_back(n, p, floor)
        number = next((num for num in map(_parse_number, parens) if num), None)
        same = next((w for w in _SAME_LAW_WORDS if n.endswith(w, floor, p)), None)
        found = ctx.name_before(p, floor) if not same else None
        if same:
            law = ctx.last_law_mention(p - len(same)) or (prev.law if prev else None)
            written = same
            text_start = p - len(same)
        elif found:
            start, _ = found
            law = ctx.law(start, p, number)
            written = t.written(start, p)
            if not bullet:
                text_start = start

        kind = _kind(g)
        if law is not None:
            if kind not in ("article", "annex"):
                law = None  # 番号法第3項: a paragraph needs its article
            elif g["art"] and not g["art_dai"] and (bullet or same):
                law = None  # "19条" without 第 only directly after the law's name
        else:
            # 2. Inherit from the previous element of the chain / sentence.
            gap = n[last_end:s]
            if prev is not None and (
                _CHAIN_GAP_RE.fullmatch(gap)
                or (kind == "annex" and _ANNEX_LINK_RE.fullmatch(gap))
                # "…及び別表第二 (別表第二における情報提供の根拠) 第3欄…": a parenthesis that opens on the table just cited
                or (kind == "annex" and gap == "(" and prev.annex == _table_fields(g)[0])
                or (kind == "article" and g["art_dai"] and _same_sentence(gap))
                or (g["same"] and _same_sentence(gap))
            ):
                law, written = prev.law, prev.written
                if kind in ("para", "item", "same-para") or g["same"] == "同条":
                    article = prev.article
                if kind in ("item", "same-para"):
                    para = prev.paragraph

        if g["art"] and not g["art_dai"] and text_start == s:
            law = None  # "59条の3" without a law name right before it
        needs_article = kind in ("para", "item", "same-para") or g["same"] == "同条"
        if law is None or (needs_article and article is None):
            prev, last_end = None, e
            continue

        if g["art"]:
            article = _num(g["art"]) + _branches(g["art_br"])
        if g["para"]:
            para = _to_int(g["para"])
        item = _num(g["item"]) + _branches(g["item_br"]) if g["item"] else None
        annex, row, col = _table_fields(g)

        a, b = t.span(text_start, e)
        cit = Citation(
            text=text[a:b],
            start=a,
            end=b,
            law=law,
            law_as_written=written,
            article=article,
            paragraph=para,
            item=item,
            annex=annex,
            annex_row=row,
            annex_column=col,
            caption=caption,
        )
        out.append(_with_renumbering(cit))
        prev, last_end = _Prev(law, written, article, para, annex), e
    read_lists_before(len(n) + 1)
    return out


def _with_renumbering(c: Citation) -> Citation:
    """番号法 第19条第7号 became 第8号 in the 2021 amendment (令和3年9月1日施行)."""
    if c.law.name == MYNUMBER_ACT and c.article == "19" and c.item == "7":
        return replace(c, renumbered_to=replace(c, item="8", renumbered_to=None))
    return c


def find_abbreviations(text: str) -> dict[str, str]:
    """Short names a document defines for laws: 住民基本台帳法（昭和42年法律第81号。以下「住基法」という。）
    -> {"住基法": "住民基本台帳法"}; also 住民基本台帳法（住基法）.  Values are canonical names (the
    full title as written when the law is not a known one)."""
    n = _compact_view(text).n
    definitions, inline = list(_ABBREV_DEF_RE.finditer(n)), list(_INLINE_ABBREV_RE.finditer(n))
    if not definitions and not inline:
        return {}       # most cells define nothing: the index of law names (most of the cost) is not needed
    ctx = _Ctx(text, dict(BUILTIN_ABBREVIATIONS), None)
    found: dict[str, str] = {}

    def law_name_before(p: int, parens: list[str]) -> str | None:
        nb = ctx.name_before(p, 0)
        if nb is None:
            return None
        start, canonical = nb
        number = next((num for num in map(_parse_number, parens) if num), None)
        if canonical in KNOWN_LAWS:
            return canonical
        return ctx.law(start, p, number).name

    for m in definitions:
        short = m.group("short")
        # 以下「平成八年法律第八十二号」という (the 主務省令's table names some laws so): the law's own 法令番号, which
        # says what law it is wherever it is written, not a short name to look for in the text.
        if _LAW_NUMBER_RE.fullmatch(normalize_numerals(short)):
            continue
        p, parens = _strip_back(n, m.start(), 0)
        name = law_name_before(p, [*parens, m.group("inner")])
        if name and short != name:
            found[short] = name
    for m in inline:
        name = law_name_before(m.start(), [])
        short = m.group("short")
        if name and len(short) < len(name) and short not in found:
            found[short] = name
    return found


def numbered(unit: str, number: str) -> str:
    """A subdivision in legal notation: the の-branches follow the unit ("条", "30の7" -> 第30条の7; "号", "1の2" ->
    第1号の2), as statutes write them."""
    head, *branches = number.split("の")
    return f"第{head}{unit}" + "".join("の" + b for b in branches)


def provision_label(article: str | None, paragraph: int | None = None, item: str | None = None) -> str:
    """第30条の7, 第19条第8号, 第30条の15第1項: the article, paragraph and item as statutes write them."""
    return "".join((numbered("条", article) if article else "",
                    numbered("項", str(paragraph)) if paragraph is not None else "",
                    numbered("号", item) if item else ""))


def table_label(annex: str, article: str | None) -> str:
    """別表第2 for an annexed table; 第2条の表 for the table inside an article (annex "表")."""
    return f"{numbered('条', article)}の表" if annex == "表" and article else annex


_CAPTIONS_FILE = "article-captions.tsv"


@functools.cache
def article_captions() -> dict[tuple[str, str], str]:
    """(e-Gov 法令ID, article) -> the article's caption, from the table shipped with the package; an article
    listed twice is an error in the table, not a second caption."""
    table: dict[tuple[str, str], str] = {}
    text = importlib.resources.files(__package__).joinpath(_CAPTIONS_FILE).read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        egov_id, article, caption = line.split("\t")
        if (egov_id, article) in table:
            raise ValueError(f"{_CAPTIONS_FILE} line {n}: {numbered('条', article)} of {egov_id} has a caption already")
        table[egov_id, article] = caption
    return table


def article_caption(egov_id: str | None, article: str | None) -> str | None:
    """The caption of an article (住基法 30の7 -> 都道府県知事から機構への本人確認情報の通知等), or None when the
    table does not give one: never one taken from a document."""
    return article_captions().get((egov_id, article)) if egov_id and article else None


def egov_url(c: Citation) -> str | None:
    """Link to the cited provision on e-Gov, e.g.
    https://laws.e-gov.go.jp/law/342AC0000000081#Mp-At_30_6.  An item always sits in a paragraph
    on e-Gov, so 第19条第8号 links to …#Mp-At_19-Pr_1-It_8.  An annex-only citation links to the law.
    None when the law's e-Gov ID is unknown."""
    if not c.law.egov_id:
        return None
    url = f"https://laws.e-gov.go.jp/law/{c.law.egov_id}"
    if not c.article:
        return url
    frag = "Mp-At_" + c.article.replace("の", "_")
    if c.paragraph is not None or c.item:
        frag += f"-Pr_{c.paragraph or 1}"
    if c.item:
        frag += "-It_" + c.item.replace("の", "_")
    return f"{url}#{frag}"
