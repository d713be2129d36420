"""Seeded synthetic national corpus: N assessment texts made by varying the five seed documents.

    python bench/synth.py N -o DIR [--seed 1] [--samples samples]

Each output keeps its seed's text shape (fragment PDF text, PDF layout, long 別紙 tables, OCR, table export) and
changes what varies between real bodies: the body (real municipality / prefecture names, and the prefecture a
municipality belongs to), file names, vendors (委託先), recipient ministries and the 番号法 第19条 item
(old 第7号 / current 第8号). The same N and seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# real municipalities with their prefecture (a sample across the country)
CITIES = [
    ("札幌市", "北海道"), ("函館市", "北海道"), ("旭川市", "北海道"), ("青森市", "青森県"), ("八戸市", "青森県"),
    ("盛岡市", "岩手県"), ("仙台市", "宮城県"), ("石巻市", "宮城県"), ("秋田市", "秋田県"), ("山形市", "山形県"),
    ("福島市", "福島県"), ("郡山市", "福島県"), ("いわき市", "福島県"), ("水戸市", "茨城県"), ("つくば市", "茨城県"),
    ("宇都宮市", "栃木県"), ("前橋市", "群馬県"), ("高崎市", "群馬県"), ("さいたま市", "埼玉県"), ("川越市", "埼玉県"),
    ("川口市", "埼玉県"), ("千葉市", "千葉県"), ("船橋市", "千葉県"), ("柏市", "千葉県"), ("八王子市", "東京都"),
    ("町田市", "東京都"), ("横浜市", "神奈川県"), ("川崎市", "神奈川県"), ("相模原市", "神奈川県"), ("新潟市", "新潟県"),
    ("富山市", "富山県"), ("金沢市", "石川県"), ("福井市", "福井県"), ("甲府市", "山梨県"), ("長野市", "長野県"),
    ("松本市", "長野県"), ("岐阜市", "岐阜県"), ("静岡市", "静岡県"), ("浜松市", "静岡県"), ("名古屋市", "愛知県"),
    ("豊田市", "愛知県"), ("岡崎市", "愛知県"), ("津市", "三重県"), ("四日市市", "三重県"), ("大津市", "滋賀県"),
    ("京都市", "京都府"), ("大阪市", "大阪府"), ("堺市", "大阪府"), ("豊中市", "大阪府"), ("神戸市", "兵庫県"),
    ("姫路市", "兵庫県"), ("西宮市", "兵庫県"), ("奈良市", "奈良県"), ("和歌山市", "和歌山県"), ("鳥取市", "鳥取県"),
    ("松江市", "島根県"), ("岡山市", "岡山県"), ("倉敷市", "岡山県"), ("広島市", "広島県"), ("福山市", "広島県"),
    ("下関市", "山口県"), ("徳島市", "徳島県"), ("高松市", "香川県"), ("松山市", "愛媛県"), ("高知市", "高知県"),
    ("北九州市", "福岡県"), ("福岡市", "福岡県"), ("久留米市", "福岡県"), ("佐賀市", "佐賀県"), ("長崎市", "長崎県"),
    ("佐世保市", "長崎県"), ("熊本市", "熊本県"), ("大分市", "大分県"), ("宮崎市", "宮崎県"), ("鹿児島市", "鹿児島県"),
    ("那覇市", "沖縄県"),
]
PREFECTURES = sorted({p for _, p in CITIES} - {"北海道", "東京都", "京都府", "大阪府"})  # ones named …県知事
VENDORS = [
    "富士通Ｊａｐａｎ株式会社", "日本電気株式会社", "株式会社日立システムズ", "ＢＩＰＲＯＧＹ株式会社", "ＴＫＣ株式会社",
    "株式会社ＲＫＫＣＳ", "株式会社電算", "株式会社両備システムズ", "株式会社ジーシーシー", "株式会社ＨＡＲＰ",
    "株式会社ＢＳＮアイネット", "株式会社アイネス", "株式会社システムディ", "株式会社オーイーシー", "株式会社南日本情報処理センター",
    "ＡＧＳ株式会社", "株式会社エイジェック", "パーソルビジネスプロセスデザイン株式会社", "株式会社ＮＴＴデータ",
]
FILE_VARIANTS = {
    "住民基本台帳ファイル": ["住民基本台帳ファイル", "住民基本台帳ファイル", "住民記録ファイル", "住民基本台帳情報ファイル"],
    "送付先情報ファイル": ["送付先情報ファイル", "送付先情報ファイル", "個人番号カード送付先情報ファイル"],
    "コンビニ交付用ファイル": ["コンビニ交付用ファイル", "証明書コンビニ交付用ファイル"],
}
MINISTRIES = ["厚生労働大臣", "総務大臣", "文部科学大臣", "国土交通大臣", "法務大臣", "財務大臣"]
SEED_VENDORS = {  # the vendor strings as written in each seed (full- and half-width spellings)
    "000": ["ＡＧＳ株式会社"],
    "001": ["BIPROGY株式会社"],
    "002": ["富士通Ｊａｐａｎ株式会社", "パーソルビジネスプロセスデザイン株式会社", "株式会社エイジェック"],
    "003": [],
    "004": [],
}
SHAPES = {"000": "fragment", "001": "pdf-layout", "002": "pdf-tables", "003": "ocr", "004": "table-export"}


def seeds(samples: Path) -> dict[str, tuple[str, str]]:
    out = {}
    for p in sorted(samples.glob("*.txt")):
        key = p.name[:3]
        out[key] = (p.name, p.read_text(encoding="utf-8"))
    return out


def vary(key: str, text: str, rng: random.Random) -> tuple[str, str]:
    """One variant of a seed text and the body it now belongs to."""
    body = ""
    if key == "004":
        pref = rng.choice(PREFECTURES)
        text = text.replace("千葉県", pref)
        body = pref + "知事"
    else:
        city, pref = rng.choice(CITIES)
        original = {"000": None, "001": ("札幌市", "北海道"), "002": ("久留米市", "福岡県"), "003": ("いわき市", "福島県")}[key]
        if original:
            ocity, opref = original
            branch = pref[:-1] if pref[-1] in "県府都" else pref
            text = text.replace(opref + "支店", branch + "支店").replace("福岡支社", branch + "支社")
            text = text.replace(opref, "\0PREF\0").replace(ocity, city).replace(ocity[:-1], city[:-1])
            text = text.replace("\0PREF\0", pref)
            body = city + "長"
    for v in SEED_VENDORS[key]:
        text = text.replace(v, rng.choice(VENDORS))
    for name, variants in FILE_VARIANTS.items():
        if name in text:
            text = text.replace(name, rng.choice(variants))
    if "厚生労働大臣" in text and rng.random() < 0.5:
        text = text.replace("厚生労働大臣", rng.choice(MINISTRIES))
    if rng.random() < 0.25:   # an older document: 番号法 第19条第7号 before the 2021 renumbering
        text = re.sub(r"(第\s*(?:19|１９)\s*条\s*第\s*)(8|８)(\s*号)", lambda m: m.group(1) + ("7" if m.group(2) == "8" else "７") + m.group(3), text)
    return text, body


def generate(n: int, out: Path, seed: int = 1, samples: Path = ROOT / "samples") -> list[Path]:
    rng = random.Random(seed)
    base = seeds(samples)
    keys = sorted(base)
    out.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    written = []
    for i in range(n):
        key = keys[i % len(keys)]
        text, body = vary(key, base[key][1], rng)
        data = text.encode("utf-8")
        while hashlib.sha256(data).hexdigest() in seen:   # keep every document distinct: trailing blank lines
            data += b"\n"
        seen.add(hashlib.sha256(data).hexdigest())
        name = f"{i:05d}_{SHAPES[key]}_{(body or 'fragment')}.txt"
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--samples", type=Path, default=ROOT / "samples")
    a = ap.parse_args(argv)
    paths = generate(a.n, a.output, a.seed, a.samples)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} documents ({total / 1e6:.1f} MB) to {a.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
