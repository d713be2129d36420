"""Parse one assessment's text into the typed model: cover, Ⅰ, Ⅱ per file, Ⅲ verdicts, appendices."""

from __future__ import annotations

import re

from .. import citations as cit
from ..model import (AnnexRow, Assessment, ChangeRow, CitationRef, Field_, FileSection, LegalBasis, Mark,
                     Outsourcing, Provision, RiskVerdict, Span, System, span_of)
from ..normalize import compact, parse_japanese_date, parse_japanese_month
from ..parties import home_prefecture, split_parties
from .. import vocab
from .choices import read_band, read_checkboxes, read_choice_word
from .fields import (CHOICE_LINE, NUM, STORAGE_LABELS, Entry, _spec, any_label_matches, find_entries,
                     last_label_line, value_span, value_text)
from .items import Cluster, cluster_rows
from .layout import (Line, Section, any_of, containing, joined_text, line_range, make_lines, nonblank, split_sections,
                     starting_with)


class NotAnAssessment(ValueError):
    """The text has none of the form's landmarks."""


# Landmarks of the form; a text with fewer than two of them is not an assessment.
LANDMARKS = ("特定個人情報保護評価書", "特定個人情報ファイル", "評価実施機関", "法令上の根拠", "提供先", "委託事項",
             "リスク対策", "個人番号")

# The order in which the form prints each method list (it differs from 入手方法's): torn boxes are paired by it.
PROVISION_METHOD_ORDER = {
    "提供": ["info-network", "leased-line", "email", "media", "flash", "paper", "other"],
    "移転": ["internal-link", "leased-line", "email", "media", "flash", "paper", "other"],
}
OUTSOURCING_METHOD_ORDER = ["leased-line", "email", "media", "flash", "paper", "other"]

# The sections every complete document of a form has (名 as pia_graph.parse.layout names them).
EXPECTED_SECTIONS = {
    "full": ("I", "II", "III", "IV", "V", "VI"),
    "focused": ("I", "II", "III", "V", "VI"),
    "basic": ("I", "threshold", "risk-basic"),
}

FORM_BY_STYLE = {"2": "basic", "3": "focused", "4": "full"}
FORM_BY_NAME = {"全項目評価書": "full", "重点項目評価書": "focused", "基礎項目評価書": "basic"}
STAMP = re.compile(r"\[\s*(?P<era>令和|平成)\s*(?P<y>\d+|元)\s*年\s*(?P<m>\d+)\s*月\s*様式\s*(?P<style>\d)\s*\]")
BODY = re.compile(r"^.{1,20}(都知事|道知事|府知事|県知事|市長|町長|村長|区長|委員会|広域連合長|組合長|管理者|大臣|長官|理事長)$")


def _entry_span(e: Entry) -> Span:
    return span_of(*value_span(e))


def _lines_of(entries: list[Entry]) -> list[Line]:
    out = []
    for e in entries:
        out.append(e.line)
        out.extend(e.owned)
    return out


# Patterns tried on every line of a long section, compiled once (re's own cache look-up was a visible cost).
_FILE_NAME_HEADING = re.compile(r"^(\d\.)?特定個人情報ファイル名")
_FIRST_FILE_HEADING = "1.特定個人情報ファイル名"        # a prefix of the compact line
_FIRST_FILE_START = frozenset(_FIRST_FILE_HEADING[0])
_FILE_NUMBER = re.compile(r"^\((\d+)\)")
_NUMBERED_HEADING = re.compile(r"^\d+\.(.+)$")
_RISK_HEADING = re.compile(r"^リスク\d*:")
_RISK_START = frozenset("リ")
_DATED_ROW = re.compile(r"^\s*(令和|平成|昭和|\d{4})")
_TIMINGS = ("事前", "事後")
_OPENING_PARENS = frozenset("(（")
_VERDICT_LINE_STARTS = frozenset("特(")
_FORM_NUMBERING = re.compile(r"^([③⑥])(使用目的|委託先名(?!の確認))")
_FORM_NUMBERS = frozenset("③⑥")


class _Parser:
    def __init__(self, name: str, sha256: str, raw_lines: list[str]):
        self.lines = make_lines(raw_lines)
        self.doc = Assessment(source=name, sha256=sha256, line_count=len(raw_lines))
        self.full_text = joined_text(self.lines)
        self.abbrev: dict[str, str] = {}

    # -- helpers ---------------------------------------------------------------------------------------
    def cite(self, text: str, span: Span | None) -> LegalBasis:
        refs = []
        for c in cit.parse_citations(text, self.abbrev, self.doc.body):
            renum = c.renumbered_to
            refs.append(CitationRef(
                text=c.text, law_name=c.law.name, law_key=c.law.key, law_egov_id=c.law.egov_id,
                law_number=c.law.number, law_as_written=c.law_as_written, ordinance_of=c.law.ordinance_of,
                article=c.article, paragraph=c.paragraph, item=c.item, annex=c.annex, annex_row=c.annex_row,
                annex_column=c.annex_column, caption=c.caption, egov_url=cit.egov_url(c),
                current_item=renum.item if renum is not None else None, span=span))
        return LegalBasis(text=text, citations=refs, span=span)

    def keep(self, section: str, lines: list[Line], label: str) -> None:
        """Keep a block's whole text as a literal so that nothing in the document is lost."""
        body = nonblank(lines)
        if body:
            self.doc.fields.append(Field_(section=section, label=label, value=joined_text(body),
                                          span=span_of(body[0].n, body[-1].n)))

    # -- whole document ------------------------------------------------------------------------------
    def parse(self) -> Assessment:
        hits = sum(1 for mark in LANDMARKS if mark in self.full_text)
        if hits < 2:
            raise NotAnAssessment(f"none of the form's landmarks ({', '.join(LANDMARKS[:3])} …) were found")
        self.abbrev = cit.find_abbreviations(self._definition_context())
        self.doc.abbreviations = dict(self.abbrev)
        preamble, sections = split_sections(self.lines)
        names = [s.name for s in sections]
        has_cover = any(k in compact("\n".join(ln.key for ln in preamble)) for k in ("評価実施機関名", "評価書番号", "評価書名"))
        if has_cover:
            self.parse_cover(preamble)
        else:
            self.doc.lacks.append("cover")
            if sections:
                # A fragment starts mid-section: what precedes the first heading belongs to that section.
                sections[0].lines[:0] = preamble
            elif preamble:
                sections = [Section("II", None, preamble)]
                names = ["II"]
        self.detect_form(sections)
        if "I" not in names:
            self.doc.lacks.append("I")
        for s in sections:
            if s.name == "I":
                self.parse_part_one(s)
        self._reclaim_sheet_first_pages(sections)
        overview = [s for s in sections if s.name == "II"]
        if overview:
            self._reclaim_leading_fields(sections)
            self._reclaim_trailing_risk(sections)
            self.parse_files(overview)
        elif self.doc.form != "basic":
            self.doc.lacks.append("II")
        for s in sections:
            if s.name in ("III", "risk-basic"):
                self.parse_verdicts(s)
            elif s.name == "sheet":
                self.parse_sheet(s)
            elif s.name == "annex3":
                self.parse_changes(s)
            if s.name != "II":
                self.keep(s.name, ([s.heading] if s.heading else []) + s.lines, s.heading.text if s.heading else s.name)
        self.doc.prefecture = home_prefecture(self.doc.body, self.full_text)
        if self.doc.form is None:
            self.doc.notes.append("form not stated (no cover, no 様式 stamp) and not decidable from the field numbering")
        if has_cover:
            # A document that starts with its cover but stops early (a truncated download) says what it lacks.
            expected = EXPECTED_SECTIONS.get(self.doc.form or "full", ())
            for name in expected:
                if name not in names and name not in self.doc.lacks:
                    self.doc.lacks.append(name)
        return self.doc

    def _definition_context(self) -> str:
        """Only the lines that define a short name (以下「住基法」という) and the two lines before each: the long
        name they abbreviate can wrap onto them. Scanning the whole text cost a third of the parse time."""
        keep: set[int] = set()
        for i in any_of(containing(self.lines, "という"), containing(self.lines, "以下")):
            keep.update(range(max(0, i - 2), min(len(self.lines), i + 2)))
        return "\n".join(self.lines[i].text for i in sorted(keep))

    # -- cover ----------------------------------------------------------------------------------------
    def parse_cover(self, lines: list[Line]) -> None:
        text_lines = nonblank(lines)
        self.keep("cover", text_lines, "表紙")
        for i, ln in enumerate(text_lines):
            m = STAMP.search(ln.text)
            if m and not self.doc.stamp:
                self.doc.stamp = m.group(0)
                self.doc.form = FORM_BY_STYLE.get(m.group("style"))
                self.doc.form_evidence = m.group(0)
            for name, form in FORM_BY_NAME.items():
                if f"({name})" in ln.key and not self.doc.form:
                    self.doc.form, self.doc.form_evidence = form, ln.text
            if ln.key.startswith("評価書番号"):
                rest = [x for x in text_lines[i + 1:i + 4]]
                for cand in rest:
                    m2 = re.match(r"^(\d+)\s+(.+評価書)$", cand.text)
                    if m2:
                        self.doc.number, self.doc.title = m2.group(1), m2.group(2)
                        break
                    if re.fullmatch(r"\d+", cand.key) and not self.doc.number:
                        self.doc.number = cand.key
            if ln.key.startswith("評価書名") and not self.doc.title:
                # The title follows its label; some bodies title it by the affair alone (…に関する事務).
                for cand in text_lines[i + 1:i + 3]:
                    if cand.key.startswith(("特定個人情報保護評価書", "評価書番号")) or cand.key.endswith("宣言"):
                        continue
                    if cand.key.endswith(("評価書", "事務")):
                        self.doc.title = cand.text
                        break
            if ln.key == "公表日" or ln.key.startswith("公表日"):
                for cand in text_lines[i:i + 4]:
                    d = parse_japanese_date(cand.text)
                    if d:
                        self.doc.published = d
                        break
        # The body's name follows its label in a table export, but PDF text scatters the cover: take the
        # cover line that has the shape of a body (…市長, …県知事) nearest to the label.
        label_at = next((k for k, ln in enumerate(text_lines) if ln.key.startswith("評価実施機関名")), None)
        candidates = [(k, ln) for k, ln in enumerate(text_lines) if BODY.match(ln.key)]
        if candidates:
            k, ln = min(candidates, key=lambda kl: abs(kl[0] - (label_at or 0)) + (0 if kl[0] > (label_at or 0) else 0.5))
            self.doc.body = ln.text.replace(" ", "")
        else:
            self.doc.notes.append("the cover names no 評価実施機関 in a recognisable form")
        if self.doc.published is None:
            self.doc.notes.append("公表日 is not given on the cover")

    def detect_form(self, sections: list[Section]) -> None:
        if self.doc.form:
            return
        names = {s.name for s in sections}
        if names & {"threshold", "risk-basic"}:
            self.doc.form, self.doc.form_evidence = "basic", "しきい値判断 sections"
            return
        # 重点項目 numbers 使用目的 ③ and 委託先名 ③; 全項目 numbers them ⑥.
        for pos in starting_with(self.lines, _FORM_NUMBERS):
            ln = self.lines[pos]
            m = _FORM_NUMBERING.match(ln.key)
            if m and m.group(1) == "③":
                self.doc.form, self.doc.form_evidence = "focused", f"line {ln.n}: {ln.text} (重点項目 numbering)"
                return
            if m:
                self.doc.form, self.doc.form_evidence = "full", f"line {ln.n}: {ln.text} (全項目 numbering)"
                return

    # -- Ⅰ -------------------------------------------------------------------------------------------
    PART_ONE = [
        _spec("I", "affair_name", rf"^(\d\.特定個人情報ファイルを取り扱う事務)?{NUM}?事務の名称"),
        _spec("I", "affair_content", rf"^{NUM}?事務の(内容|概要)"),
        _spec("I", "affair_persons", rf"^{NUM}?対象人数"),
        _spec("I", "system_name", rf"^{NUM}?システムの名称"),
        _spec("I", "system_functions", rf"^{NUM}?システムの機能"),
        _spec("I", "system_connections", rf"^{NUM}?他のシステムとの接続"),
        _spec("I", "file_list", r"^(\d\.)?特定個人情報ファイル名"),
        _spec("I", "reason", r"^(\d\.)?特定個人情報ファイルを取り扱う理由"),
        _spec("I", "use", r"^(\d\.)?個人番号の利用"),
        _spec("I", "use_basis", r"^法令上の根拠"),
        _spec("I", "linkage", r"^(\d\.)?情報提供ネットワークシ"),
        _spec("I", "linkage_done", rf"^{NUM}?実施の有無"),
        _spec("I", "linkage_basis", rf"^{NUM}法令上の根拠"),
        _spec("I", "department_head", r"^(\d\.)?評価実施機関における"),
        _spec("I", "department", rf"^{NUM}?部署"),
        _spec("I", "other_bodies", r"^(\d\.)?他の評価実施機関"),
        _spec("I", "system_header", r"^(\d\.)?特定個人情報ファイルを取り扱う事務において使用するシステム"),
    ]
    SYSTEM_HEADER = re.compile(r"^システム(?P<n>\d+)$")

    _LISTED_SYSTEM = re.compile(r"\((\d+)\)\s*([^()|①②③④⑤]+?)\s*(?=\(※\)|\(\d+\)|[①②③④⑤|]|$)")

    def parse_part_one(self, section: Section) -> None:
        lines = section.lines
        entries = find_entries(lines, self.PART_ONE, with_headers=False)
        by_field: dict[str, list[Entry]] = {}
        for e in entries:
            by_field.setdefault(e.field, []).append(e)
        if "affair_name" in by_field:
            e = by_field["affair_name"][0]
            name = value_text(e).split("\n")[0]
            if len(name) > 40:      # OCR put the name and the description in one cell
                m = re.match(r"^(.{2,40}?事務)\s", name)
                name = m.group(1) if m else name[:40]
            self.doc.affair, self.doc.affair_span = name, _entry_span(e)
        if "affair_persons" in by_field:
            e = by_field["affair_persons"][0]
            self.doc.affair_persons_band = read_band([e.line] + e.owned, vocab.AFFAIR_BANDS)
        if "file_list" in by_field:
            e = by_field["file_list"][0]
            self.doc.file_list_span = _entry_span(e)
            for ln in [e.line] + e.owned:
                for m in re.finditer(r"\((\d+)\)\s*([^()\s][^()]*?)(?=\s*\(\d+\)|\s*$)", ln.text):
                    name = m.group(2).strip()
                    if name and name not in self.doc.file_names:
                        self.doc.file_names.append(name)
        if "use_basis" in by_field:
            e = by_field["use_basis"][0]
            text = self._paragraphs(e)
            self.doc.use_basis = self.cite(text, _entry_span(e))
        if "linkage_done" in by_field:
            e = by_field["linkage_done"][0]
            key, _ = read_choice_word([e.line] + e.owned, {"実施する": "yes", "実施しない": "no", "未定": "undecided"})
            self.doc.linkage_done = {"yes": Mark.checked, "no": Mark.unchecked}.get(key, Mark.unknown)
            if key is None:
                self.doc.notes.append(f"Ⅰ6①実施の有無 unreadable (line {e.line.n})")
        if "linkage_basis" in by_field:
            e = by_field["linkage_basis"][0]
            self.doc.linkage_basis = self.cite(self._paragraphs(e), _entry_span(e))
        if "department" in by_field:
            self.doc.department = value_text(by_field["department"][0]).split("\n")[0] or None
        self.parse_systems(lines, entries)

    def _paragraphs(self, e: Entry, limit: int = 60) -> str:
        """A long free-text value that may span blank lines (Ⅰ5 lists of articles)."""
        parts = [e.inline] if e.inline else []
        for ln in e.owned[:limit]:
            if CHOICE_LINE.match(ln.key):
                continue
            if not ln.blank:
                parts.append(ln.text)
        return "\n".join(parts).strip()

    @staticmethod
    def _is_box_line(ln: Line) -> bool:
        return "[" in ln.text or "]" in ln.text or ln.key in (")", "）", "○")

    def _connection_starts(self, lines: list[Line], clusters: list[list[Entry]]) -> list[int] | None:
        """Where each system's ③他のシステムとの接続 region starts: its label, or the box row just above it
        (which the label cell is centred against); None when not every system has a ③ label."""
        conn = [next((e for e in g if e.field == "system_connections"), None) for g in clusters]
        if not all(conn):
            return None
        position = {ln.n: i for i, ln in enumerate(lines)}

        def region_start(e: Entry) -> int:
            k = position[e.line.n]
            prev = next((ln for ln in reversed(lines[:k]) if not ln.blank), None)
            return prev.n if prev is not None and self._is_box_line(prev) else e.line.n
        return [region_start(e) for e in conn]

    def _connection_lines(self, lines: list[Line], clusters: list[list[Entry]], idx: int, first: int,
                          starts: list[int] | None) -> list[Line]:
        """The box lines of system idx's ③他のシステムとの接続.

        In PDF text the ③ label cell sits beside its boxes and a system's page continues after the next
        system's name, so the boxes of the k-th ③ run from that label (and the box row just above it, which the
        label cell is centred against) to the next ③ (`starts`, from _connection_starts). When the ③ labels
        cannot be paired one to one with the systems, fall back to the system's own block: from its first label
        to the next system's.
        """
        if starts is not None:
            lo = starts[idx - 1]
            hi = starts[idx] if idx < len(starts) else None
        else:
            lo = first
            hi = clusters[idx][0].line.n if idx < len(clusters) else None
        picked = [ln for ln in lines if lo <= ln.n and (hi is None or ln.n < hi) and self._is_box_line(ln)]
        return self._close_details(picked, lines)

    @staticmethod
    def _close_details(picked: list[Line], lines: list[Line]) -> list[Line]:
        """Rejoin "[ ○ ] その他 （" with the lines up to its closing parenthesis (free text wraps in PDF text)."""
        out: list[Line] = []
        index: dict[int, int] = {}
        for ln in picked:
            opened = ln.text.count("(") - ln.text.count(")")
            if opened > 0 and "その他" in ln.text:
                index = index or {ln.n: i for i, ln in enumerate(lines)}     # built when first needed
                text = ln.text
                for nxt in lines[index[ln.n] + 1:index[ln.n] + 8]:
                    if nxt.blank:
                        continue
                    if "[" in nxt.text or (nxt.key.startswith("]") and len(nxt.key) > 1):
                        break
                    text += nxt.text
                    opened += nxt.text.count("(") - nxt.text.count(")")
                    if opened <= 0:
                        break
                out.append(Line(ln.n, ln.raw, text, compact(text)))
            elif ln.key in (")", "）") and out and out[-1].text.count("(") <= out[-1].text.count(")"):
                continue
            else:
                out.append(ln)
        return out

    def parse_systems(self, lines: list[Line], entries: list[Entry]) -> None:
        headers = [ln for ln in lines if self.SYSTEM_HEADER.match(ln.key)]
        sys_entries = [e for e in entries if e.field.startswith("system_") and e.field != "system_header"]
        clusters: list[list[Entry]] = []
        for e in sys_entries:
            # ②システムの機能 can continue over a page and print its label twice; the name and ③ cannot.
            repeat = e.field != "system_functions" and any(x.field == e.field for x in clusters[-1]) if clusters else True
            if repeat:
                clusters.append([])
            clusters[-1].append(e)
        starts = self._connection_starts(lines, clusters)
        for idx, group in enumerate(clusters, 1):
            name_e = next((x for x in group if x.field == "system_name"), None)
            first = min(x.line.n for x in group)
            # The nearest システムN heading to the name decides the number; else the order of appearance.
            n = idx
            if headers and name_e:
                h = min(headers, key=lambda h: abs(h.n - name_e.line.n))
                n = int(self.SYSTEM_HEADER.match(h.key).group("n"))
            name = value_text(name_e).split("\n")[0] if name_e else ""
            if not name:
                continue
            aliases = re.findall(r"以下「(.+?)」という", name)
            name = re.sub(r"[（(]以下「.*?」という。?[）)]", "", name).strip()
            conn_lines = self._connection_lines(lines, clusters, idx, first, starts)
            connections = read_checkboxes(conn_lines, vocab.CONNECTIONS, required=False)
            other = next((c.detail for c in connections if c.option == "other" and c.state == Mark.checked), None)
            fn = next((x for x in group if x.field == "system_functions"), None)
            span = Span.cover(*[_entry_span(x) for x in group])
            if any(s.n == n for s in self.doc.systems):
                n = max(s.n for s in self.doc.systems) + 1
            self.doc.systems.append(System(n=n, name=name, aliases=aliases, functions=value_text(fn) if fn else None,
                                           connections=connections, other_connection=other, span=span))
        self.doc.systems.sort(key=lambda s: s.n)
        for s in self.doc.systems:
            if s.other_connection:
                other_key = compact(s.other_connection)
                s.linked_systems = [t.n for t in self.doc.systems if t.n != s.n
                                    and any(compact(x) in other_key for x in [t.name, *t.aliases])]
        # The basic form lists its systems as "(1) name (2) name" around ③システムの名称; OCR may run the list,
        # the label and the neighbouring cells into one line.
        if not self.doc.systems:
            for ln in lines:
                if "システムの名称" not in ln.key:
                    continue
                expected = 1
                for m in self._LISTED_SYSTEM.finditer(ln.text):
                    if int(m.group(1)) != expected:
                        continue
                    name = m.group(2).strip().rstrip("|").strip()
                    self.doc.systems.append(System(n=expected, name=name, span=span_of(ln.n)))
                    expected += 1
                if self.doc.systems:
                    break

    # -- Ⅱ -------------------------------------------------------------------------------------------
    def parse_files(self, overview: list[Section]) -> None:
        segments: list[list[Line]] = []
        for s in overview:
            # A table export prints every file under one Ⅱ heading: each "1. 特定個人情報ファイル名" after the
            # first opens the next file.
            cuts = [i for i in starting_with(s.lines, _FIRST_FILE_START)
                    if s.lines[i].key.startswith(_FIRST_FILE_HEADING)][1:]
            bounds = [0, *cuts, len(s.lines)]
            first = len(segments)
            segments.extend(s.lines[a:b] for a, b in zip(bounds, bounds[1:]))
            if s.heading:
                segments[first].insert(0, s.heading)
        segments = self._rebalance(segments)
        for k, seg in enumerate(segments, 1):
            fs = self.parse_file(k, seg)
            if fs:
                self.doc.files.append(fs)

    _LEADING = ("retention_start", "department", "items", "categories")

    def _reclaim_leading_fields(self, sections: list[Section]) -> None:
        """PDF text can print the first file's 基本情報 (保有開始日, 事務担当部署 …) above its Ⅱ heading, at
        the tail of the previous section: give those lines back to the first file."""
        first = next(i for i, s in enumerate(sections) if s.name == "II")
        if first == 0:
            return
        prev = sections[first - 1]
        tail = prev.lines[-120:]
        hits = [e for e in find_entries(tail, with_headers=False) if e.family == "basic" and e.field in self._LEADING]
        if not hits:
            return
        cut = hits[0].line.n
        idx = next(i for i, ln in enumerate(prev.lines) if ln.n == cut)
        sections[first].lines[:0] = prev.lines[idx:]
        del prev.lines[idx:]

    def _rebalance(self, segments: list[list[Line]]) -> list[list[Line]]:
        """Move a file's leading fields that PDF text emitted above its Ⅱ heading back to that file.

        A field of 基本情報 that occurs twice in one segment, after the segment's storage fields, opens the
        next file's first page.
        """
        for k in range(len(segments) - 1):
            seg = segments[k]
            entries = find_entries(seg)
            seen: set[str] = set()
            storage_seen = False
            cut = None
            for e in entries:
                if e.family == "storage":
                    storage_seen = True
                if e.family == "basic" and e.field in seen and storage_seen:
                    cut = e.line.n
                    break
                if e.family == "basic":
                    seen.add(e.field)
            if cut is not None:
                idx = next(i for i, ln in enumerate(seg) if ln.n == cut)
                segments[k + 1] = seg[idx:] + segments[k + 1]
                segments[k] = seg[:idx]
        return segments

    def parse_file(self, k: int, seg: list[Line]) -> FileSection | None:
        name = None
        for i, ln in enumerate(seg):
            if _FILE_NAME_HEADING.match(ln.key):
                rest = re.sub(r"^(\d\.)?特定個人情報ファイル名", "", ln.key)
                cands = ([rest] if rest else []) + [x.text for x in seg[i + 1:i + 4] if not x.blank]
                for c in cands:
                    m = re.match(r"^(?:[\(（](\d+)[\)）])?\s*(.+ファイル)$", c.strip())
                    if m:
                        name = m.group(2).strip()
                        # The document's own number ((2) in a fragment) keeps Ⅲ's references to the file right.
                        if m.group(1):
                            k = int(m.group(1))
                        break
                if name:
                    break
        if name is None and k <= len(self.doc.file_names):
            name = self.doc.file_names[k - 1]
            self.doc.notes.append(f"file {k}: Ⅱ1 ファイル名 not found; named from the Ⅰ3 list")
        if name is None:
            name = f"(file {k}: name not found)"
            self.doc.notes.append(f"file {k}: no file name in Ⅱ1 or Ⅰ3")
        body = nonblank(seg)
        if not body:
            return None
        fs = FileSection(n=k, name=name, span=span_of(*line_range(body)))
        entries = find_entries(seg)
        first = {}
        for e in entries:
            first.setdefault((e.family, e.field), e)

        def text_of(fam, fld):
            e = first.get((fam, fld))
            return (value_text(e) or None) if e else None

        def lines_of(fam, fld):
            e = first.get((fam, fld))
            return [e.line] + e.owned if e else []

        fs.file_type = read_band(lines_of("basic", "file_type"), vocab.FILE_TYPES)
        fs.persons_band = read_band(lines_of("basic", "persons"), vocab.PERSON_BANDS)
        fs.scope = text_of("basic", "scope")
        fs.item_band = read_band(lines_of("basic", "items"), vocab.ITEM_BANDS)
        fs.record_categories = read_checkboxes(lines_of("basic", "categories") + lines_of("basic", "items"),
                                               vocab.RECORD_CATEGORIES)
        start = text_of("basic", "retention_start")
        fs.retention_start = (parse_japanese_date(start) or parse_japanese_month(start)) if start else None
        fs.department = text_of("basic", "department")
        fs.sources = read_checkboxes(lines_of("use", "sources"), vocab.SOURCES)
        fs.acquisition_methods = read_checkboxes(lines_of("use", "methods"), vocab.METHODS)
        fs.purpose = text_of("use", "purpose")
        fs.storage_place = text_of("storage", "place")
        fs.retention_band = read_band(lines_of("storage", "period"), vocab.RETENTION_BANDS)
        fs.deletion = text_of("storage", "deletion")
        self.read_declared(fs, seg)
        for c in cluster_rows(entries, "outsourcing"):
            row = self.outsourcing_row(fs, c)
            if row:
                fs.outsourcings.append(row)
        for c in cluster_rows(entries, "provision"):
            row = self.provision_row(fs, c)
            if row:
                fs.provisions.append(row)
        fs.fields.append(Field_(section=f"II.{k}", label="Ⅱ 特定個人情報ファイルの概要",
                                value=joined_text(body), span=fs.span))
        return fs

    _COUNT = re.compile(r"(?P<box>\[\s*(?P<mark>[○◯])?\s*\]|\])?\s*(?P<what>提供|移転)を行っている\s*[\(（]\s*(?P<n>\d*)\s*[\)）]\s*件")
    _COUNT_PLAIN = re.compile(r"^[\(（]\s*(?P<n>\d+)\s*[\)）]\s*件$")

    def read_declared(self, fs: FileSection, seg: list[Line]) -> None:
        for ln in map(seg.__getitem__, containing(seg, "を行っている")):     # what _COUNT needs
            for m in self._COUNT.finditer(ln.text):
                n = int(m.group("n")) if m.group("n") else None
                box = m.group("box") or ""
                if n is None:
                    # An empty count is zero only when the box is visibly empty; a torn box decides nothing.
                    n = 0 if box.startswith("[") and not m.group("mark") else None
                if m.group("what") == "提供" and fs.provision_declared is None:
                    fs.provision_declared = n
                elif m.group("what") == "移転" and fs.transfer_declared is None:
                    fs.transfer_declared = n
        # 委託の有無: "[ 委託する ] … （ N ） 件" or "[ 委託しない ]"
        for i in containing(seg, "委託の有無", in_key=True):
            if seg[i].key.find("委託の有無", 0, 8) >= 0:       # at the start, or just after a number or mark
                window = seg[i:i + 12]
                word, _ = read_choice_word(window, {"委託する": "yes", "委託しない": "no"})
                if word == "no":
                    fs.outsourcing_declared = 0
                for w in window:
                    m = re.search(r"[\(（]\s*(\d+)\s*[\)）]\s*件", w.text)
                    if m and "行っている" not in w.text:
                        fs.outsourcing_declared = int(m.group(1))
                        break
                break
        if fs.outsourcing_declared is None:
            for pos in starting_with(seg, _OPENING_PARENS):
                m = self._COUNT_PLAIN.match(seg[pos].key)
                if m:
                    fs.outsourcing_declared = int(m.group("n"))
                    break

    def outsourcing_row(self, fs: FileSection, c: Cluster) -> Outsourcing | None:
        if c.header is None and not c.get("contractor") and not c.get("content"):
            return None
        n = int(c.header.header.group("n")) if c.header else len(fs.outsourcings) + 1
        title = c.header.inline if c.header else ""
        if c.header is None:
            self.doc.notes.append(f"file {fs.n}: a 委託 row without its 委託事項 heading (line {c.first})")

        def text(f):
            e = c.get(f)
            return (value_text(e) or None) if e else None

        lines = _lines_of(c.entries)
        contractor = (text("contractor") or "").split("\n")[0] or None
        sub_lines = [c.get("subcontract").line] + c.get("subcontract").owned if c.get("subcontract") else []
        word, _ = read_choice_word(sub_lines, {"再委託する": "yes", "再委託しない": "no"})
        if word is None:
            word, _ = read_choice_word(lines, {"再委託する": "yes", "再委託しない": "no"})
        subcontract = {"yes": Mark.checked, "no": Mark.unchecked}.get(word, Mark.unknown)
        note = None if word else "the chosen answer of 再委託の有無 was torn from its box"
        span = Span.cover(*[_entry_span(e) for e in c.entries], _entry_span(c.header) if c.header else None)
        return Outsourcing(
            n=n, title=title or (text("content") or "").split("\n")[0], content=text("content"), scope=text("scope"),
            staff_band=read_band(lines, vocab.STAFF_BANDS),
            methods=read_checkboxes(([c.get("methods").line] + c.get("methods").owned) if c.get("methods") else [],
                                    vocab.METHODS, order=OUTSOURCING_METHOD_ORDER),
            confirmation=text("confirmation"), contractor=contractor,
            contractor_parties=split_parties(contractor) if contractor else [],
            subcontract=subcontract, subcontract_note=note, subcontract_permission=text("permission"),
            subcontract_items=text("subitems"), span=span)

    def provision_row(self, fs: FileSection, c: Cluster) -> Provision | None:
        if c.header is None:
            if c.get("basis") or c.get("purpose"):
                self.doc.notes.append(f"file {fs.n}: 提供/移転 fields without a 提供先/移転先 heading (line {c.first}); not a row")
            return None
        kind = c.kind or ("提供" if c.header.header.group("what") == "提供先" else "移転")
        recipient = c.header.inline.strip()
        if not recipient:
            # The recipient's name sits under its heading and can wrap over several lines; a ※ remark ends it.
            parts = []
            for ln in c.header.owned:
                if ln.blank:
                    if parts:
                        break
                    continue
                if ln.key.startswith("※") or CHOICE_LINE.match(ln.key) or any_label_matches(ln.key):
                    break
                parts.append(ln.text)
            recipient = "".join(parts)
        basis_text = (value_text(c.get("basis")) if c.get("basis") else "") or ""
        if not recipient and not basis_text:
            # An unused row of the form (移転先1 printed but left blank): nothing to record.
            return None
        if not recipient:
            self.doc.notes.append(f"file {fs.n}: {kind}先{c.header.header.group('n')} names no recipient (line {c.header.line.n})")
            recipient = "(recipient not given)"

        def text(f):
            e = c.get(f)
            return (value_text(e) or None) if e else None

        basis_e = c.get("basis")
        basis = self.cite(text("basis"), _entry_span(basis_e)) if basis_e and text("basis") else None
        lines = _lines_of(c.entries)
        m = re.search(r"別紙\s*(\d+)", recipient)
        span = Span.cover(*[_entry_span(e) for e in c.entries], _entry_span(c.header))
        return Provision(
            kind=kind, n=int(c.header.header.group("n")), recipient=recipient, parties=split_parties(recipient),
            annex_ref=f"別紙{m.group(1)}" if m else None, legal_basis=basis, purpose=text("purpose"),
            information=text("information"), persons_band=read_band(lines, vocab.PERSON_BANDS),
            scope=text("scope"), methods=read_checkboxes(lines, vocab.METHODS, order=PROVISION_METHOD_ORDER[kind]),
            timing=text("timing"), span=span)

    # -- Ⅲ verdicts -----------------------------------------------------------------------------------
    _VERDICT_BOX = re.compile(r"十\s*分\s*か\s*\[\s*(?P<answer>[^\[\]]*?)\s*(\]|$)")

    def parse_verdicts(self, section: Section) -> None:
        """Each "リスクへの対策は十分か [ 十分である ]" with the stage heading and file it sits under.

        A verdict whose box is empty or torn is recorded with no verdict (unknown), not skipped; one that
        precedes every stage heading (a reversed PDF page) is recorded with no stage, and one that precedes the
        section's first file name belongs to that file (its page came out above it)."""
        file_n = None
        found: list[RiskVerdict] = []
        stage = None

        def unreadable(q: Line) -> RiskVerdict:
            # A question whose answer box OCR or the text tool destroyed (OCR read "[ ]" as "Γ]"): unknown.
            return RiskVerdict(file_n=file_n, stage=stage, question=q.text.split("[")[0].strip(), verdict=None,
                               span=span_of(q.n))

        question: Line | None = None
        files_seen = 0
        # Prose, most of the section, can hold none of what is looked for below: only the lines that can are
        # visited, in order (a file or stage heading, a question, a box).
        lines = section.lines
        for ln in map(lines.__getitem__, any_of(starting_with(lines, _VERDICT_LINE_STARTS),
                                                starting_with(lines, str.isdigit),
                                                containing(lines, "十分か", in_key=True), containing(lines, "["))):
            first = ln.key[:1]      # what each pattern below must start with, checked before it is tried
            if (first == "特" or first.isdigit()) and _FILE_NAME_HEADING.match(ln.key):
                files_seen += 1
            m_file = _FILE_NUMBER.match(ln.key) if first == "(" else None
            if m_file and files_seen:
                file_n = int(m_file.group(1))
            m_stage = _NUMBERED_HEADING.match(ln.key) if first.isdigit() else None
            if m_stage:
                concept = vocab.STAGES.match(m_stage.group(1))
                if concept:
                    stage = concept.key
            if "十分か" in ln.key:
                if question is not None:
                    found.append(unreadable(question))
                question = ln
            answer = None
            m = self._VERDICT_BOX.search(ln.text) if "[" in ln.text else None
            if m:
                answer = m.group("answer")
            elif question is not None and ln.n - question.n <= 3 and ln.key.startswith("["):
                m2 = re.match(r"^\[\s*([^\[\]]*?)\s*(\]|$)", ln.text)
                answer = m2.group(1) if m2 else None
            if answer is None:
                continue
            concept = vocab.VERDICTS.match(answer) if answer else None
            if concept is not None and compact(answer) != compact(concept.ja):
                continue      # a longer phrase that merely starts like a verdict
            q = question or ln
            verdict = RiskVerdict(file_n=file_n, stage=stage, question=q.text.split("[")[0].strip(),
                                  verdict=concept.key if concept else None, span=span_of(q.n, ln.n))
            found.append(verdict)
            question = None
        if question is not None:
            found.append(unreadable(question))
        first_file = next((v.file_n for v in found if v.file_n is not None), None)
        for v in found:
            if v.file_n is None:
                v.file_n = first_file
        self.doc.verdicts.extend(found)

    def _reclaim_sheet_first_pages(self, sections: list[Section]) -> None:
        """A 別紙 table's first page can come out above the sheet's heading, at the end of the previous section:
        its column header (項番 情報照会者 …) marks where the table starts, so the lines from there belong to
        the sheet (seed 001 printed rows 1–15 of 別紙1 above it)."""
        for k in range(1, len(sections)):
            sheet, prev = sections[k], sections[k - 1]
            if sheet.name != "sheet" or prev.name == "sheet":
                continue
            idx = next((i for i in range(len(prev.lines) - 1, -1, -1) if prev.lines[i].key.startswith("項番")), None)
            if idx is not None:
                sheet.lines[:0] = prev.lines[idx:]
                del prev.lines[idx:]

    def _reclaim_trailing_risk(self, sections: list[Section]) -> None:
        """Ⅲ's first page can come out above its own heading, at the end of the section before it (the last
        file's Ⅱ, or 別添2): move the lines from the first risk question there into the first Ⅲ section."""
        first = next((i for i, s in enumerate(sections) if s.name == "III"), None)
        if not first:
            return
        prev = sections[first - 1]
        after = 0
        if prev.name == "II":
            # Ⅱ's own text ends with its storage fields; only a question after them can be Ⅲ's.
            # (only the storage labels are looked for: no line starts with both one of them and another label)
            storage = last_label_line(prev.lines, STORAGE_LABELS)
            if storage is None:
                return
            after = storage.n
        questions = any_of(containing(prev.lines, "十分か", in_key=True), starting_with(prev.lines, _RISK_START))
        idx = next((i for i in questions if prev.lines[i].n > after
                    and ("十分か" in prev.lines[i].key or _RISK_HEADING.match(prev.lines[i].key))), None)
        if idx is None:
            return
        sections[first].lines[:0] = prev.lines[idx:]
        del prev.lines[idx:]

    # -- 別紙 recipient tables ------------------------------------------------------------------------
    _ROW = re.compile(r"^(?P<row>\d+(の\d+)*)(項)?(\s+(?P<rest>.*))?$")

    def parse_sheet(self, section: Section) -> None:
        m = re.match(r"^\(別紙(\d+)\)", section.heading.key)
        annex = f"別紙{m.group(1)}"
        known = {(r.annex, r.row) for r in self.doc.annex_rows}
        lines = nonblank(section.lines)
        rows: list[tuple[Line, str, list[str]]] = []
        for ln in lines:
            mm = self._ROW.match(ln.text)
            if mm and len(mm.group("row")) <= 7:
                rows.append((ln, mm.group("row"), [mm.group("rest")] if mm.group("rest") else []))
            elif rows and not ln.key.startswith(("項番", "(別紙")):
                rows[-1][2].append(ln.text)
        for ln, row, parts in rows:
            if (annex, row) in known:
                continue
            known.add((annex, row))
            recipient = parts[0] if parts else None
            affair = "".join(parts[1:]) or None
            last = ln.n
            self.doc.annex_rows.append(AnnexRow(annex=annex, row=row, recipient=recipient, affair=affair,
                                                span=span_of(ln.n, last)))

    # -- 別添3 change history -------------------------------------------------------------------------
    _ITEM_CODE = re.compile(r"^((I|II|III|IV|V|VI|Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ)([-－ー−(]|$)|\(別添\d\))")

    _ITEM_START = re.compile(r"^(I|II|III|IV|V|VI|Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ)[^A-Za-z]|^(表紙|\(別添\d\)|\(別紙\d\))")

    def parse_changes(self, section: Section) -> None:
        rows: list[list[Line]] = []
        body = nonblank(section.lines)
        dated = any("年" in ln.raw[:20] and parse_japanese_date(ln.raw.split("\t")[0])
                    and len(compact(ln.raw.split("\t")[0])) <= 12 for ln in body)
        timed = False       # whether the last row holds its 提出時期 (事前/事後) yet
        for ln in body:
            first_cell = ln.raw.partition("\t")[0]
            opens = bool(
                # a row that starts with its date
                ("年" in first_cell and parse_japanese_date(first_cell) and _DATED_ROW.match(ln.text)
                 and len(compact(first_cell)) <= 12)
                # a table without a date column: each row starts with its item code (Ⅰ－４－①)
                or (not dated and self._ITEM_CODE.match(ln.key))
                # a row whose date cell is empty: it starts with the item after the last row's 提出時期
                or (dated and rows and timed and self._ITEM_START.match(ln.key))
                # a table row whose date cell is empty (same date as above)
                or (ln.raw.startswith("\t") and "\t" in ln.raw.strip("\t") and rows))
            if opens:
                rows.append([ln])
                timed = False
            elif rows:
                rows[-1].append(ln)
            timed = timed or ln.key.endswith(_TIMINGS)
        for row in rows:
            head = row[0]
            cells = [c.strip() for c in head.raw.split("\t")]
            date = parse_japanese_date(cells[0]) if cells and cells[0] else None
            text = joined_text(row)
            timing = "事前" if "事前" in text else ("事後" if "事後" in text else None)
            if len(cells) >= 4:
                item, before, after = cells[1], cells[2] or None, cells[3] or None
                explanation = cells[5] if len(cells) > 5 else None
            elif self._ITEM_CODE.match(head.key):
                # PDF text runs the before/after cells together: keep the code as the item, the rest as text.
                item, before, after, explanation = head.text, None, None, None
            else:
                item = joined_text(row[1:]) or head.text
                before = after = explanation = None
            self.doc.changes.append(ChangeRow(date=date, item=item, before=before, after=after, timing=timing,
                                              explanation=explanation or None, text=text,
                                              span=span_of(row[0].n, row[-1].n)))


def parse_assessment(name: str, sha256: str, raw_lines: list[str]) -> Assessment:
    """Parse the lines of one document (as read by pia_graph.read) into an Assessment."""
    return _Parser(name, sha256, list(raw_lines)).parse()
