"""Resolve recipient and contractor names as written to one canonical party each."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from .normalize import compact, fold

KIKO = "地方公共団体情報システム機構"
KIKO_SHORT = "機構"

PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 新潟県 富山県 "
    "石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 "
    "岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()

_SPLIT = re.compile(r"及び|並びに|、|,")
_BRANCH = re.compile(r"^(?P<company>.*?(株式会社|有限会社|合同会社|\(株\))(?:[^\s]*?)?)\s*(?P<branch>[^\s]*(支社|支店|営業所|事業所|本部|事業部))$")
_COMPANY_PREFIX = re.compile(r"^(株式会社|有限会社|合同会社)\S+")


def canonical_party(name: str) -> str:
    """One name per party: every spelling of 地方公共団体情報システム機構 becomes 地方公共団体情報システム機構,
    vendors lose their branch office, widths are folded."""
    text = fold(name).strip().strip("・ ")
    key = compact(text)
    if KIKO in key or key in {KIKO_SHORT, "J-LIS", "(機構)"} or re.fullmatch(r"機構\(.*\)", key):
        return KIKO
    # "(教育委員会など)" gives examples, not a different party.
    text = re.sub(r"\s*[(（][^()（）]*(など|等)[)）]$", "", text)
    m = _BRANCH.match(text)
    if m and (m.group("company").endswith(("株式会社", "有限会社", "合同会社")) or _COMPANY_PREFIX.match(m.group("company"))):
        return compact(m.group("company"))
    m2 = re.match(r"^(?P<company>(株式会社|有限会社|合同会社)\S+)\s+(?P<branch>\S*(支社|支店|営業所|事業所|本部|事業部))$", text)
    if m2:
        return compact(m2.group("company"))
    return re.sub(r"\s+", "", text)


def split_parties(recipient: str) -> list[str]:
    """The parties a recipient cell names: "都道府県及び機構" is two. A cell that points at an appendix
    (別紙1に掲げる者) names no party itself."""
    text = fold(recipient)
    if re.search(r"別紙\s*\d+", text):
        return []
    # Parenthesised remarks (教育委員会など) belong to the party before them and must not be split.
    depth, parts, buf = 0, [], ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        if depth == 0:
            m = _SPLIT.match(text, i)
            if m:
                parts.append(buf)
                buf = ""
                i = m.end()
                continue
        buf += ch
        i += 1
    parts.append(buf)
    out = []
    for p in parts:
        p = p.strip()
        if p and p not in {"-", "—", "ー"}:
            c = canonical_party(p)
            if c not in out:
                out.append(c)
    return out


# Every occurrence of every prefecture's name, overlapping ones too, as 47 str.count calls would count them (they
# were a tenth of a seed's parse): re finds each character a name can start with (a plain class, which it scans
# for in C), and the names are tried there.
_PREFECTURE_START = re.compile(f"[{''.join(sorted({p[0] for p in PREFECTURES}))}]")
_PREFECTURE_NAME = re.compile("|".join(map(re.escape, PREFECTURES)))


def home_prefecture(body: str | None, text: str) -> str | None:
    """The prefecture that 都道府県 means in a municipality's document: the one its body's name starts with,
    else the one the document itself names most often (at least twice). None when the text does not say: a
    gazetteer guess would be a guess."""
    if body and body.endswith("知事"):
        return None           # a prefecture's own document: 都道府県 there means the prefectures at large
    if body:
        for pref in PREFECTURES:
            if body.startswith(pref):
                return pref
        if not re.search(r"(市|町|村|区)長$", body):
            return None       # a prefecture's own document: 都道府県 is not "its" prefecture
    counts = Counter(m.group() for start in _PREFECTURE_START.finditer(text)
                     if (m := _PREFECTURE_NAME.match(text, start.start())))
    pref = max(PREFECTURES, key=lambda p: counts[p])       # a tie goes to the first in the list, as it always has
    return pref if counts[pref] >= 2 else None


def party_key(name: str) -> str:
    """Stable IRI-safe key for a canonical party name."""
    if name == KIKO:
        return "j-lis"
    return "p-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]
