"""The form's fixed choice lists (checkbox options and bands), shared by the parser and the SKOS schemes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .normalize import compact, fold


@dataclass(frozen=True)
class Concept:
    key: str      # ASCII slug used in IRIs
    ja: str       # the label as the form prints it (after NFKC)
    en: str


@dataclass(frozen=True)
class Scheme:
    key: str
    ja: str
    en: str
    concepts: tuple[Concept, ...]

    @cached_property
    def _longest_label_first(self) -> tuple[tuple[str, Concept], ...]:
        # Stable sort: of two labels of the same length the one listed first wins, as it always has.
        return tuple(sorted(((compact(c.ja), c) for c in self.concepts), key=lambda lc: -len(lc[0])))

    @cached_property
    def _answers(self) -> dict[str, Concept | None]:
        return {}

    def match(self, text: str) -> Concept | None:
        """The concept whose printed label the text is (or starts with, the longest such label), ignoring spaces
        and width. Answers are remembered: the same box labels come back in every list of every document."""
        answers = self._answers
        if text in answers:
            return answers[text]
        probe = compact(fold(text))
        found = next((concept for label, concept in self._longest_label_first if probe.startswith(label)), None)
        if len(answers) >= 10_000:
            answers.clear()
        answers[text] = found
        return found


def _scheme(key: str, ja: str, en: str, *concepts: tuple[str, str, str]) -> Scheme:
    return Scheme(key, ja, en, tuple(Concept(*c) for c in concepts))


CONNECTIONS = _scheme(
    "connection", "他のシステムとの接続", "Connection to other systems",
    ("info-network", "情報提供ネットワークシステム", "Information provision network system"),
    ("internal-link", "庁内連携システム", "Internal linkage system"),
    ("juki-net", "住民基本台帳ネットワークシステム", "Resident registry network (Juki-net)"),
    ("existing-registry", "既存住民基本台帳システム", "Existing resident registry system"),
    ("address-system", "宛名システム等", "Addressee system"),
    ("tax-system", "税務システム", "Tax system"),
    ("other", "その他", "Other"),
)

SOURCES = _scheme(
    "source", "入手元", "Data source",
    ("self", "本人又は本人の代理人", "The data subject or their agent"),
    ("other-department", "評価実施機関内の他部署", "Another department of the assessing body"),
    ("government", "行政機関・独立行政法人等", "National agencies and incorporated administrative agencies"),
    ("local-government", "地方公共団体・地方独立行政法人", "Local governments and local incorporated administrative agencies"),
    ("private", "民間事業者", "Private business"),
    ("other", "その他", "Other"),
)

METHODS = _scheme(
    "method", "入手・提供方法", "Transfer method",
    ("paper", "紙", "Paper"),
    ("media", "電子記録媒体(フラッシュメモリを除く。)", "Electronic media (excluding flash memory)"),
    ("flash", "フラッシュメモリ", "Flash memory"),
    ("email", "電子メール", "E-mail"),
    ("leased-line", "専用線", "Leased line"),
    ("internal-link", "庁内連携システム", "Internal linkage system"),
    ("info-network", "情報提供ネットワークシステム", "Information provision network system"),
    ("other", "その他", "Other"),
)

RECORD_CATEGORIES = _scheme(
    "record-category", "主な記録項目", "Main recorded item categories",
    ("my-number", "個人番号", "Individual number"),
    ("number-code", "個人番号対応符号", "Code corresponding to the individual number"),
    ("other-id", "その他識別情報(内部番号)", "Other identifiers (internal number)"),
    ("four-items", "4情報(氏名、性別、生年月日、住所)", "Basic four items (name, sex, date of birth, address)"),
    ("contact", "連絡先(電話番号等)", "Contact details"),
    ("other-contact", "その他住民票関係情報", "Other resident-record information"),
    ("national-tax", "国税関係情報", "National tax information"),
    ("local-tax", "地方税関係情報", "Local tax information"),
    ("health", "健康・医療関係情報", "Health and medical information"),
    ("medical-insurance", "医療保険関係情報", "Medical insurance information"),
    ("child", "児童福祉・子育て関係情報", "Child welfare information"),
    ("disability", "障害者福祉関係情報", "Disability welfare information"),
    ("welfare", "生活保護・社会福祉関係情報", "Public assistance and social welfare information"),
    ("elderly", "介護・高齢者福祉関係情報", "Nursing care and elderly welfare information"),
    ("employment", "雇用・労働関係情報", "Employment information"),
    ("pension", "年金関係情報", "Pension information"),
    ("education", "学校・教育関係情報", "School and education information"),
    ("disaster", "災害関係情報", "Disaster information"),
    ("other", "その他", "Other"),
)

PERSON_BANDS = _scheme(
    "persons-band", "対象となる本人の数", "Number of data subjects",
    ("lt-10k", "1万人未満", "Fewer than 10,000"),
    ("10k-100k", "1万人以上10万人未満", "10,000 to 100,000"),
    ("100k-1m", "10万人以上100万人未満", "100,000 to 1 million"),
    ("1m-10m", "100万人以上1,000万人未満", "1 million to 10 million"),
    ("ge-10m", "1,000万人以上", "10 million or more"),
)

AFFAIR_BANDS = _scheme(
    "affair-persons-band", "対象人数", "Number of persons covered by the affair",
    ("lt-1000", "1,000人未満", "Fewer than 1,000"),
    ("1000-10k", "1,000人以上1万人未満", "1,000 to 10,000"),
    ("10k-100k", "1万人以上10万人未満", "10,000 to 100,000"),
    ("100k-300k", "10万人以上30万人未満", "100,000 to 300,000"),
    ("ge-300k", "30万人以上", "300,000 or more"),
)

STAFF_BANDS = _scheme(
    "staff-band", "取扱者数", "Number of staff handling the file",
    ("lt-10", "10人未満", "Fewer than 10"),
    ("10-50", "10人以上50人未満", "10 to 50"),
    ("50-100", "50人以上100人未満", "50 to 100"),
    ("100-500", "100人以上500人未満", "100 to 500"),
    ("500-1000", "500人以上1,000人未満", "500 to 1,000"),
    ("ge-1000", "1,000人以上", "1,000 or more"),
    ("lt-500", "500人未満", "Fewer than 500"),
    ("ge-500", "500人以上", "500 or more"),
)

ITEM_BANDS = _scheme(
    "item-band", "記録される項目", "Number of recorded items",
    ("lt-10", "10項目未満", "Fewer than 10 items"),
    ("10-50", "10項目以上50項目未満", "10 to 50 items"),
    ("50-100", "50項目以上100項目未満", "50 to 100 items"),
    ("ge-100", "100項目以上", "100 items or more"),
)

RETENTION_BANDS = _scheme(
    "retention-band", "保管期間", "Retention period",
    ("lt-1y", "1年未満", "Less than 1 year"),
    ("1y", "1年", "1 year"), ("2y", "2年", "2 years"), ("3y", "3年", "3 years"),
    ("4y", "4年", "4 years"), ("5y", "5年", "5 years"), ("6-10y", "6年以上10年未満", "6 to 10 years"),
    ("10-20y", "10年以上20年未満", "10 to 20 years"), ("ge-20y", "20年以上", "20 years or more"),
    ("undefined", "定められていない", "Not defined"),
)

FILE_TYPES = _scheme(
    "file-type", "ファイルの種類", "File type",
    ("system", "システム用ファイル", "System file"),
    ("other-electronic", "その他の電子ファイル(表計算ファイル等)", "Other electronic file (spreadsheet etc.)"),
)

VERDICTS = _scheme(
    "verdict", "リスク対策の評価", "Risk measure verdict",
    ("emphasised", "特に力を入れている", "Particular effort made"),
    ("sufficient", "十分である", "Sufficient"),
    ("issues-remain", "課題が残されている", "Issues remain"),
)

SUBCONTRACT = _scheme(
    "subcontract", "再委託の有無", "Subcontracting",
    ("yes", "再委託する", "Subcontracts"),
    ("no", "再委託しない", "Does not subcontract"),
)

STAGES = _scheme(
    "stage", "取扱いプロセス", "Processing stage",
    ("acquisition", "特定個人情報の入手", "Acquisition"),
    ("use", "特定個人情報の使用", "Use"),
    ("outsourcing", "特定個人情報ファイルの取扱いの委託", "Outsourcing"),
    ("provision", "特定個人情報の提供・移転", "Provision and transfer"),
    ("network", "情報提供ネットワークシステムとの接続", "Connection to the information provision network"),
    ("storage", "特定個人情報の保管・消去", "Storage and deletion"),
)

FORMS = _scheme(
    "form", "評価書の種類", "Assessment form",
    ("full", "全項目評価書", "Full assessment (様式4)"),
    ("focused", "重点項目評価書", "Focused assessment (様式3)"),
    ("basic", "基礎項目評価書", "Basic assessment (様式2)"),
)

ALL_SCHEMES = (CONNECTIONS, SOURCES, METHODS, RECORD_CATEGORIES, PERSON_BANDS, AFFAIR_BANDS, STAFF_BANDS, ITEM_BANDS,
               RETENTION_BANDS, FILE_TYPES, VERDICTS, SUBCONTRACT, STAGES, FORMS)
