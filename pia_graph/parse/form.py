"""The form's own knowledge in one place: its sections, headings, field labels (with their kind of value, choice
list and place in the model), row headings and the order in which it prints its choices.

Everything else in pia_graph.parse reads the form through this module: adding a field is one Label here (and the
model's attribute it fills). Labels are words, matched on a line's compact key (spaces dropped, width folded): the
names decide, not the circled numbers, because 重点項目 numbers the same fields differently from 全項目 (③使用目的 vs
⑥使用目的) and table exports drop the numbers at times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .. import vocab
from ..normalize import compact
from ..vocab import Scheme

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


class Kind(Enum):
    """How a field's value is read."""
    TEXT = "text"            # free text: the label's own line and the paragraph under it
    NAME = "name"            # a name: free text, its first line (wrapped lines joined)
    BAND = "band"            # one choice of a band written in [ ]: [ 10万人以上100万人未満 ]
    BOXES = "boxes"          # a checkbox list: [ ○ ] 紙 [ ] 専用線 …
    WORD = "word"            # one answer written in [ ]: [ 再委託する ]
    DATE = "date"            # a date, or a month (平成27年6月)
    BASIS = "basis"          # legal citations
    MARK = "mark"            # a heading-like label whose value is read elsewhere (or not at all)


class Numbering(Enum):
    """Whether the form prints a circled number before the label."""
    REQUIRED = "required"    # ①法令上の根拠: the bare words also occur elsewhere (prose, Ⅰ5)
    OPTIONAL = "optional"
    NONE = "none"            # 法令上の根拠 under Ⅰ5 個人番号の利用: the numbered one is another field


@dataclass(frozen=True)
class Label:
    part: str                       # "cover", "I", "II"
    group: str                      # the block it belongs to: "basic", "use", "outsourcing", "provision", "storage" …
    field: str                      # its name in the parser
    words: tuple[str, ...]          # the label as printed (compact, NFKC); alternatives
    kind: Kind = Kind.TEXT
    numbering: Numbering = Numbering.OPTIONAL
    heading_number: bool | None = False   # printed after a heading number ("2.特定個人情報ファイル名"): True
                                          # required, None optional, False never
    scheme: Scheme | None = None    # the choice list of a BAND, BOXES or WORD field
    target: str | None = None       # the model attribute it fills
    row_wide: bool = False          # its box is read anywhere in its row: PDF text tears it from the label
    en: str = ""


def _label(part, group, field, *words, **kw) -> Label:
    return Label(part, group, field, tuple(words), **kw)


REQUIRED, OPTIONAL, NONE = Numbering.REQUIRED, Numbering.OPTIONAL, Numbering.NONE

# -- Ⅱ, once per file ------------------------------------------------------------------------------------------
FILE_LABELS: tuple[Label, ...] = (
    _label("II", "basic", "file_type", "ファイルの種類", kind=Kind.BAND, scheme=vocab.FILE_TYPES, target="file_type",
           en="file type"),
    _label("II", "basic", "persons", "対象となる本人の数", kind=Kind.BAND, numbering=REQUIRED, scheme=vocab.PERSON_BANDS,
           target="persons_band", en="number of data subjects"),
    _label("II", "basic", "scope", "対象となる本人の範囲", numbering=REQUIRED, target="scope", en="data subjects"),
    _label("II", "basic", "items", "記録される項目", kind=Kind.BAND, scheme=vocab.ITEM_BANDS, target="item_band",
           en="number of recorded items"),
    # 主な記録項目's boxes sometimes sit under ④記録される項目: its reader looks under both (files.read_file).
    _label("II", "basic", "categories", "主な記録項目", kind=Kind.BOXES, numbering=NONE, scheme=vocab.RECORD_CATEGORIES,
           target="record_categories", en="main recorded items"),
    _label("II", "basic", "retention_start", "保有開始日", kind=Kind.DATE, target="retention_start", en="held since"),
    _label("II", "basic", "department", "事務担当部署", target="department", en="department in charge"),
    _label("II", "use", "sources", "入手元", kind=Kind.BOXES, scheme=vocab.SOURCES, target="sources", en="sources"),
    _label("II", "use", "methods", "入手方法", kind=Kind.BOXES, scheme=vocab.METHODS, target="acquisition_methods",
           en="means of acquisition"),
    _label("II", "use", "timing", "入手の時期・頻度", en="when acquired"),
    _label("II", "use", "justification", "入手に係る妥当性", en="why acquired so"),
    _label("II", "use", "notice", "本人への明示", en="notice to the data subject"),
    _label("II", "use", "purpose", "使用目的", target="purpose", en="purpose of use"),
    _label("II", "use", "users", "使用の主体", en="who uses it"),
    _label("II", "use", "user_department", "使用部署", numbering=NONE, en="department using it"),
    _label("II", "use", "user_count", "使用者数", numbering=NONE, en="number of users"),
    _label("II", "use", "how", "使用方法", en="how it is used"),
    _label("II", "use", "matching", "情報の突合", numbering=NONE, en="matching"),
    _label("II", "use", "statistics", "情報の統計分析", numbering=NONE, en="statistical analysis"),
    _label("II", "use", "decisions", "権利利益に影響を与え得る決定", numbering=NONE, en="decisions affecting rights"),
    _label("II", "use", "use_start", "使用開始日", en="in use since"),
    _label("II", "outsourcing", "content", "委託内容", target="content", en="outsourced task"),
    _label("II", "outsourcing", "scope", "取扱いを委託する特定個人情報ファイルの範囲", "取扱いを委託する特定個人情報の範囲",
           target="scope", en="part of the file outsourced"),
    _label("II", "outsourcing", "staff", "委託先における取扱者数", kind=Kind.BAND, scheme=vocab.STAFF_BANDS,
           target="staff_band", row_wide=True, en="contractor's staff handling the file"),
    _label("II", "outsourcing", "methods", "委託先への特定個人情報ファイルの提供方法", "委託先への特定個人情報の提供方法",
           kind=Kind.BOXES, scheme=vocab.METHODS, target="methods", en="means of handing the file to the contractor"),
    _label("II", "outsourcing", "confirmation", "委託先名の確認方法", target="confirmation",
           en="how the contractor's name can be confirmed"),
    _label("II", "outsourcing", "contractor", "委託先名", kind=Kind.NAME, target="contractor", en="contractor"),
    _label("II", "outsourcing", "subcontract", "再委託の有無", kind=Kind.WORD, scheme=vocab.SUBCONTRACT,
           target="subcontract", en="subcontracting"),
    _label("II", "outsourcing", "permission", "再委託の許諾方法", target="subcontract_permission",
           en="how subcontracting is permitted"),
    _label("II", "outsourcing", "subitems", "再委託事項", target="subcontract_items", en="subcontracted tasks"),
    _label("II", "provision", "basis", "法令上の根拠", kind=Kind.BASIS, numbering=REQUIRED, target="legal_basis",
           en="legal basis"),
    _label("II", "provision", "purpose", "提供先における用途", "移転先における用途", target="purpose", en="recipient's use"),
    _label("II", "provision", "persons", "提供する情報の対象となる本人の数", "移転する情報の対象となる本人の数",
           kind=Kind.BAND, scheme=vocab.PERSON_BANDS, target="persons_band", row_wide=True,
           en="number of data subjects provided"),
    _label("II", "provision", "scope", "提供する情報の対象となる本人の範囲", "移転する情報の対象となる本人の範囲",
           target="scope", en="data subjects provided"),
    _label("II", "provision", "information", "提供する情報", "移転する情報", target="information",
           en="information provided"),
    _label("II", "provision", "methods", "提供方法", "移転方法", kind=Kind.BOXES, scheme=vocab.METHODS, target="methods",
           row_wide=True, en="means of provision"),
    _label("II", "provision", "timing", "時期・頻度", numbering=REQUIRED, target="timing", en="timing and frequency"),
    # Justifications the form asks beside several fields; they end the field before them.
    _label("II", "remark", "justification", "その妥当性", "その必要性", "変更の妥当性", numbering=NONE,
           en="justification"),
    _label("II", "remark", "all_items", "全ての記録項目", numbering=NONE, en="all recorded items"),
    # The declared counts: [ 委託する ] （ 2 ） 件; [ ○ ] 提供を行っている （ 60 ） 件 (files.read_declared).
    _label("II", "declared", "outsourcing", "委託の有無", kind=Kind.MARK, numbering=NONE, en="outsourcing declared"),
    _label("II", "declared", "provision", "提供・移転の有無", kind=Kind.MARK, numbering=NONE,
           en="provision and transfer declared"),
    _label("II", "storage", "place", "保管場所", target="storage_place", en="storage place"),
    _label("II", "storage", "period", "保管期間", kind=Kind.BAND, scheme=vocab.RETENTION_BANDS, target="retention_band",
           en="retention period"),
    _label("II", "storage", "deletion", "消去方法", target="deletion", en="deletion method"),
)
STORAGE_LABELS = tuple(label for label in FILE_LABELS if label.group == "storage")
# 基本情報 fields that PDF text can print above their file's heading (repairs.reclaim_leading_fields).
LEADING_FIELDS = ("retention_start", "department", "items", "categories")

# -- Ⅰ 基本情報 ---------------------------------------------------------------------------------------------------
PART_ONE_LABELS: tuple[Label, ...] = (
    _label("I", "affair", "affair_name", "事務の名称", kind=Kind.NAME, en="affair"),
    _label("I", "affair", "affair_content", "事務の内容", "事務の概要", en="what the affair does"),
    _label("I", "affair", "affair_persons", "対象人数", kind=Kind.BAND, scheme=vocab.AFFAIR_BANDS, en="persons covered"),
    _label("I", "system", "system_name", "システムの名称", kind=Kind.NAME, en="system name"),
    _label("I", "system", "system_functions", "システムの機能", en="system functions"),
    _label("I", "system", "system_connections", "他のシステムとの接続", kind=Kind.BOXES, scheme=vocab.CONNECTIONS,
           en="connections to other systems"),
    _label("I", "files", "file_list", "特定個人情報ファイル名", kind=Kind.MARK, numbering=NONE, heading_number=True,
           en="files"),
    _label("I", "reason", "reason", "特定個人情報ファイルを取り扱う理由", kind=Kind.MARK, numbering=NONE,
           heading_number=True, en="why the files are kept"),
    _label("I", "use", "use", "個人番号の利用", kind=Kind.MARK, numbering=NONE, heading_number=True,
           en="use of the individual number"),
    _label("I", "use", "use_basis", "法令上の根拠", kind=Kind.BASIS, numbering=NONE, en="legal basis of the use"),
    # OCR splits this heading across cells ("情報提供ネットワークシ	・ステムによる"): its start is enough.
    _label("I", "linkage", "linkage", "情報提供ネットワークシ", kind=Kind.MARK, numbering=NONE, heading_number=True,
           en="data linkage over the information provision network"),
    _label("I", "linkage", "linkage_done", "実施の有無", kind=Kind.WORD, en="whether linkage is done"),
    _label("I", "linkage", "linkage_basis", "法令上の根拠", kind=Kind.BASIS, numbering=REQUIRED, en="legal basis of linkage"),
    _label("I", "department", "department_head", "評価実施機関における", kind=Kind.MARK, numbering=NONE,
           heading_number=True, en="department"),
    _label("I", "department", "department", "部署", kind=Kind.NAME, en="department"),
    _label("I", "other", "other_bodies", "他の評価実施機関", kind=Kind.MARK, numbering=NONE, heading_number=True,
           en="other assessing bodies"),
    _label("I", "system", "system_header", "特定個人情報ファイルを取り扱う事務において使用するシステム", kind=Kind.MARK,
           numbering=NONE, heading_number=True, en="systems"),
    _label("I", "affair", "affair_header", "特定個人情報ファイルを取り扱う事務", kind=Kind.MARK, numbering=NONE,
           heading_number=True, en="affair"),
)
LINKAGE_ANSWERS = {"実施する": "yes", "実施しない": "no", "未定": "undecided"}
OUTSOURCING_ANSWERS = {"委託する": "yes", "委託しない": "no"}

# -- cover ------------------------------------------------------------------------------------------------------
COVER_LABELS: tuple[Label, ...] = (
    _label("cover", "cover", "number", "評価書番号", kind=Kind.NAME, numbering=NONE, en="assessment number"),
    _label("cover", "cover", "title", "評価書名", kind=Kind.NAME, numbering=NONE, en="title"),
    _label("cover", "cover", "body", "評価実施機関名", kind=Kind.NAME, numbering=NONE, en="assessing body"),
    _label("cover", "cover", "published", "公表日", kind=Kind.DATE, numbering=NONE, en="published"),
    _label("cover", "cover", "approved", "個人情報保護委員会承認日", "特定個人情報保護委員会承認日", kind=Kind.DATE,
           numbering=NONE, en="approved by the PPC"),
    _label("cover", "cover", "remarks", "特記事項", numbering=NONE, en="remarks"),
    _label("cover", "cover", "declaration", "個人のプライバシー等の権利利益の保護の宣言", kind=Kind.MARK, numbering=NONE,
           en="declaration"),
)
STAMP = re.compile(r"\[\s*(?P<era>令和|平成)\s*(?P<y>\d+|元)\s*年\s*(?P<m>\d+)\s*月\s*様式\s*(?P<style>\d)\s*\]")
FORM_BY_STYLE = {"2": "basic", "3": "focused", "4": "full"}
FORM_BY_NAME = {"全項目評価書": "full", "重点項目評価書": "focused", "基礎項目評価書": "basic"}
# The assessing body's name as the cover prints it: an office holder (…市長, …県知事) or a body.
BODY = re.compile(r"^.{1,20}(都知事|道知事|府知事|県知事|市長|町長|村長|区長|委員会|広域連合長|組合長|管理者|大臣|長官|理事長)$")
# …or, on a cover captured as one line, the body itself (茨木市): accepted only right after its label.
BODY_AFTER_LABEL = re.compile(r"^.{1,20}(都|道|府|県|市|町|村|区|委員会|広域連合|組合|省|庁|機構)$")

# -- sections ---------------------------------------------------------------------------------------------------
# Top-level headings, matched on the compact line. The numeral is not trusted (基礎項目 numbers its sections
# differently, OCR reads Ⅰ as I); the heading's name decides the section. In the form's order.
SECTIONS: tuple[tuple[str, str, str], ...] = (      # (name, the heading's words, what may follow them on its line)
    ("I", r"(I|1|Ⅰ)\.?(基本情報|関連情報)", ""),
    ("annex1", r"\(別添1\)事務の内容", ".*"),
    ("II", r"(II|Ⅱ|2)\.?特定個人情報ファイルの概要", ""),
    ("annex2", r"\(別添2\)(特定個人情報)?ファイル記録項目", ".*"),
    ("III", r"(III|Ⅲ|3)\.?(特定個人情報ファイルの取扱いプロセスにおける)?リスク対策", "(※.*)?"),
    ("threshold", r"(II|Ⅱ)\.?しきい値判断項目", ""),
    ("threshold-result", r"(III|Ⅲ)\.?しきい値判断結果", ".*"),
    ("risk-basic", r"(IV|Ⅳ)\.?リスク対策", "(※.*)?"),
    ("IV", r"(IV|Ⅳ)\.?その他のリスク対策", "(※.*)?"),
    ("V", r"(V|Ⅴ)\.?開示請求、?問合せ", ""),
    ("VI", r"(VI|Ⅵ)\.?評価実施手続", ""),
    ("annex3", r"(\(別添3\))?変更箇所", ""),
    ("sheet", r"\(別紙\d+\)", ".*"),
)
# The words one of which every heading holds: a line without any of them is no heading (found with str.find over a
# whole document, before the patterns are tried on the few lines that hold one).
HEADING_WORDS = ("基本情報", "関連情報", "事務の内容", "ファイルの概要", "ファイル記録項目", "リスク対策", "しきい値判断",
                 "開示請求", "評価実施手続", "変更箇所", "別紙")
SECTION_ORDER = {name: i for i, (name, _, _) in enumerate(SECTIONS)}
SECTION_ORDER.update({"threshold": SECTION_ORDER["annex2"], "threshold-result": SECTION_ORDER["III"],
                      "risk-basic": SECTION_ORDER["III"]})
TABLE_OF_CONTENTS = "項目一覧"
# The sections every complete document of a form has.
EXPECTED_SECTIONS = {
    "full": ("I", "II", "III", "IV", "V", "VI"),
    "focused": ("I", "II", "III", "V", "VI"),
    "basic": ("I", "threshold", "risk-basic"),
}
SECTION_NAMES = {"cover": "表紙", "I": "Ⅰ 基本情報", "annex1": "(別添1) 事務の内容", "II": "Ⅱ 特定個人情報ファイルの概要",
                 "annex2": "(別添2) 特定個人情報ファイル記録項目", "III": "Ⅲ リスク対策", "threshold": "Ⅱ しきい値判断項目",
                 "threshold-result": "Ⅲ しきい値判断結果", "risk-basic": "Ⅳ リスク対策", "IV": "Ⅳ その他のリスク対策",
                 "V": "Ⅴ 開示請求、問合せ", "VI": "Ⅵ 評価実施手続", "annex3": "(別添3) 変更箇所", "sheet": "別紙"}

# Ⅱ's numbered blocks, each file's in turn; the first opens a file.
FILE_HEADINGS: tuple[str, ...] = ("特定個人情報ファイル名", "基本情報", "特定個人情報の入手・使用",
                                  "特定個人情報ファイルの取扱いの委託", "特定個人情報の提供・移転", "特定個人情報の保管・消去",
                                  "備考")
FIRST_FILE_HEADING = "1.特定個人情報ファイル名"
# The heading of a file's block in Ⅱ and Ⅲ, and the file's own number under it: "(2)本人確認情報ファイル".
FILE_NAME_HEADING = re.compile(r"^(\d\.)?特定個人情報ファイル名")
FILE_NUMBER = re.compile(r"^\((\d+)\)")

# -- rows -------------------------------------------------------------------------------------------------------
# 提供先3, 移転先1, 委託事項2: a row's heading; not the "提供先6～10" heading of an empty table page.
ITEM_HEADER = re.compile(r"^(?P<what>提供先|移転先|委託事項)(?P<n>\d+)(?![~〜～\-－\d])(?P<rest>.*)$")
SYSTEM_HEADER = re.compile(r"^システム(?P<n>\d+)$")
# The headings of a row table's empty pages ("提供先6～10"), and a system's heading wherever it stands.
ITEM_RANGE = re.compile(r"^(提供先|移転先|委託事項|システム)\d+[~〜～\-－]\d+")
# A line that belongs to a choice list rather than to a value: ＜選択肢＞, "1) …", a box, a bracket.
CHOICE_LINE = re.compile(r"^(<選択肢>|\d+\)|\[|\]|.*\[\s*[○◯]?\s*\]|.*\[$)")
# Declared counts: "[ ○ ] 提供を行っている （ 60 ） 件", "[ 委託する ] （ 2 ） 件".
DECLARED_COUNT = re.compile(r"(?P<box>\[\s*(?P<mark>[○◯])?\s*\]|\])?\s*(?P<what>提供|移転)を行っている\s*[\(（]\s*"
                            r"(?P<n>\d*)\s*[\)）]\s*件")
PLAIN_COUNT = re.compile(r"^[\(（]\s*(?P<n>\d+)\s*[\)）]\s*件")        # a line that starts with the count box

# The order in which the form prints each method list (it differs from 入手方法's): torn boxes are paired by it. The
# form prints only these options on these lists; another option of the scheme is not asked there.
PROVISION_METHOD_ORDER = {
    "提供": ("info-network", "leased-line", "email", "media", "flash", "paper", "other"),
    "移転": ("internal-link", "leased-line", "email", "media", "flash", "paper", "other"),
}
OUTSOURCING_METHOD_ORDER = ("leased-line", "email", "media", "flash", "paper", "other")

# Cell labels the form prints down the cell, a character a line; they label no value of their own.
VERTICAL_LABELS = ("再委託",)

# -- Ⅲ ----------------------------------------------------------------------------------------------------------
RISK_LABELS: tuple[Label, ...] = (
    _label("III", "risk", "measures", "リスクに対する措置の内容", numbering=NONE, en="measures against the risk"),
    _label("III", "risk", "other_measures", "その他の措置の内容", numbering=NONE, en="other measures"),
    _label("III", "risk", "question", "リスクへの対策は十分か", "リスクに対する対策は十分か", kind=Kind.WORD,
           numbering=NONE, scheme=vocab.VERDICTS, en="are the measures sufficient"),
)
RISK_HEADING = re.compile(r"^リスク\d*:")
# Ⅲ's stage headings ("2. 特定個人情報の入手"), compact: found wherever they sit in a line (risks.py) and, in a page
# run into one line, cut apart there like any other element of the form (relayout.py)
STAGE_WORDS = re.compile(r"\d+\.(" + "|".join(re.escape(compact(c.ja)) for c in vocab.STAGES.concepts) + ")")
RISK_QUESTION = "十分か"          # "リスクへの対策は十分か", "…十分に行っているか" end the same way
VERDICT_BOX = re.compile(r"十\s*分\s*か\s*\[\s*(?P<answer>[^\[\]]*?)\s*(\]|$)")
STAGE_HEADING = re.compile(r"^\d+\.(?P<name>.+)$")

# -- the form as a whole ------------------------------------------------------------------------------------------
# Words every assessment prints; a text with fewer than two of them is not one.
LANDMARKS = ("特定個人情報保護評価書", "特定個人情報ファイル", "評価実施機関", "法令上の根拠", "提供先", "委託事項",
             "リスク対策", "個人番号")
# 重点項目 numbers 使用目的 and 委託先名 ③; 全項目 numbers them ⑥.
FORM_NUMBERING = re.compile(r"^([③⑥])(使用目的|委託先名(?!の確認))")
CHOICE_LIST = "<選択肢>"


def _numbered_headings() -> re.Pattern:
    """Ⅱ's numbered block headings (2. 基本情報, 5. 特定個人情報の提供・移転 …)."""
    words = "|".join(re.escape(h) for h in FILE_HEADINGS)
    return re.compile(rf"^\d+\.(?:{words})")


NUMBERED_HEADING = _numbered_headings()
SECTION_WORDS = re.compile("|".join(f"(?:{words})" for _, words, _ in SECTIONS))


class LabelIndex:
    """Finds which label a compact line starts with: the circled number (or heading number) is read off, then the
    words that can start the rest are looked up by its first character and tried longest first, so that
    委託先名の確認方法 wins over 委託先名 and 提供する情報の対象となる本人の数 over 提供する情報."""

    _PREFIX = re.compile(rf"^(?P<heading>\d+\.)?(?P<circled>[{CIRCLED}])?")

    def __init__(self, labels: tuple[Label, ...]):
        self.labels = labels
        by_first: dict[str, list[tuple[str, Label]]] = {}
        for label in labels:
            for word in label.words:
                by_first.setdefault(word[0], []).append((word, label))
        self._by_first = {ch: sorted(pairs, key=lambda wl: -len(wl[0])) for ch, pairs in by_first.items()}
        # Every proper start of a label's words: a line that is one of these ends inside a label.
        self._cut_words = {w[:i] for label in labels for w in label.words for i in range(1, len(w))}

    def match(self, key: str) -> tuple[Label, str, int] | None:
        """(label, the word matched, where the label ends in the key), or None."""
        first = key[:1]
        if first not in self._by_first and first not in CIRCLED and not first.isdigit():
            return None           # most lines: no label starts with their first character
        m = self._PREFIX.match(key)
        start = m.end()
        rest = key[start:]
        candidates = self._by_first.get(rest[:1])
        if not candidates:
            return None
        circled = m.group("circled") is not None
        for word, label in candidates:
            if not rest.startswith(word):
                continue
            if label.numbering is Numbering.REQUIRED and not circled:
                continue
            if label.numbering is Numbering.NONE and circled:
                continue
            if m.group("heading") and label.heading_number is False:
                continue
            if label.heading_number is True and not m.group("heading"):
                continue
            return label, word, start + len(word)
        return None

    def cut_short(self, key: str) -> bool:
        """Whether the line ends inside a label: its words (after the number) are the start of a longer label,
        which a wrap carried over to the next line ("⑤提供する情報の対象となる" + "本人の範囲")."""
        return key[self._PREFIX.match(key).end():] in self._cut_words


FILE_INDEX = LabelIndex(FILE_LABELS)
PART_ONE_INDEX = LabelIndex(PART_ONE_LABELS)
COVER_INDEX = LabelIndex(COVER_LABELS)
RISK_INDEX = LabelIndex(RISK_LABELS)
# Every label of the form, for telling whether a line starts an element of it at all.
ANY_LABEL_INDEX = LabelIndex(FILE_LABELS + PART_ONE_LABELS + COVER_LABELS + RISK_LABELS)


def element_at(key: str) -> tuple[int, bool, Label | None] | None:
    """When a compact text starts one of the form's elements (a section heading, a label, a row heading, a numbered
    block heading, a risk question, a choice list): where the element's own words end, whether it is a section
    heading (whose line holds nothing else), and the label when it is one."""
    m = SECTION_WORDS.match(key)
    if m:
        return m.end(), True, None
    found = ANY_LABEL_INDEX.match(key)
    if found:
        return found[2], False, found[0]
    m = ITEM_HEADER.match(key)
    if m:
        return m.end("n"), False, None
    m = NUMBERED_HEADING.match(key)
    if m:
        return m.end(), False, None
    if key.startswith(CHOICE_LIST):
        return len(CHOICE_LIST), False, None
    return None


def starts_element(key: str, printed_alone: bool = False) -> bool:
    """Whether a compact line starts one of the form's elements. printed_alone: only labels that cannot be ordinary
    words at the start of a line (with their circled or heading number, or printed with none by the form), as where
    a wrapped line may carry on with any word."""
    found = element_at(key)
    if found is None or not printed_alone:
        return found is not None
    label = found[2]
    return label is None or label.numbering is Numbering.NONE or key[:1] in CIRCLED or key[:1].isdigit()
