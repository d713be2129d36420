"""Find the form's field labels in a run of lines and the value text each label owns."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .layout import Line, starting_with

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
NUM = f"[{_CIRCLED}]"


@dataclass(frozen=True)
class LabelSpec:
    family: str          # "basic", "use", "outsourcing", "provision", "storage"
    field: str
    pattern: re.Pattern
    kind_group: str | None = None    # regex group naming 提供/移転 when the label carries it


def _spec(family, field, pattern, kind_group=None):
    return LabelSpec(family, field, re.compile(pattern), kind_group)


# Matched on the compact line. Names decide, not the circled numbers: 重点項目 numbers the same
# fields differently from 全項目 (③使用目的 vs ⑥使用目的), and table exports drop them at times.
FILE_LABELS: list[LabelSpec] = [
    _spec("basic", "file_type", rf"^{NUM}?ファイルの種類"),
    _spec("basic", "persons", rf"^{NUM}対象となる本人の数"),
    _spec("basic", "scope", rf"^{NUM}対象となる本人の範囲"),
    _spec("basic", "items", rf"^{NUM}?記録される項目"),
    _spec("basic", "categories", r"^主な記録項目"),
    _spec("basic", "retention_start", rf"^{NUM}?保有開始日"),
    _spec("basic", "department", rf"^{NUM}?事務担当部署"),
    _spec("use", "sources", rf"^{NUM}?入手元"),
    _spec("use", "methods", rf"^{NUM}?入手方法"),
    _spec("use", "purpose", rf"^{NUM}?使用目的"),
    _spec("outsourcing", "content", rf"^{NUM}?委託内容"),
    _spec("outsourcing", "scope", rf"^{NUM}?取扱いを委託する特定個人情報(ファイル)?の範囲"),
    _spec("outsourcing", "staff", rf"^{NUM}?委託先における取扱者数"),
    _spec("outsourcing", "methods", rf"^{NUM}?委託先への特定個人情報(ファイル)?の提供方法"),
    _spec("outsourcing", "confirmation", rf"^{NUM}?委託先名の確認方法"),
    _spec("outsourcing", "contractor", rf"^{NUM}?委託先名(?!の確認)"),
    _spec("outsourcing", "subcontract", rf"^{NUM}?再委託の有無"),
    _spec("outsourcing", "permission", rf"^{NUM}?再委託の許諾方法"),
    _spec("outsourcing", "subitems", rf"^{NUM}?再委託事項"),
    _spec("provision", "basis", rf"^{NUM}法令上の根拠"),
    _spec("provision", "purpose", rf"^{NUM}?(?P<kind>提供|移転)先における用途", "kind"),
    _spec("provision", "persons", rf"^{NUM}?(?P<kind>提供|移転)する情報の対象となる本人の数", "kind"),
    _spec("provision", "scope", rf"^{NUM}?(?P<kind>提供|移転)する情報の対象となる本人の範囲", "kind"),
    _spec("provision", "information", rf"^{NUM}?(?P<kind>提供|移転)する情報(?!の対象)", "kind"),
    _spec("provision", "methods", rf"^{NUM}?(?P<kind>提供|移転)方法", "kind"),
    _spec("provision", "timing", rf"^{NUM}時期・頻度"),
    _spec("storage", "place", rf"^{NUM}?保管場所"),
    _spec("storage", "period", rf"^{NUM}?保管期間"),
    _spec("storage", "deletion", rf"^{NUM}?消去方法"),
]

STORAGE_LABELS = [spec for spec in FILE_LABELS if spec.family == "storage"]
_FILE_LABEL_PATTERNS = tuple(spec.pattern.pattern for spec in FILE_LABELS)     # the key of their one alternation

ITEM_HEADER = re.compile(r"^(?P<what>提供先|移転先|委託事項)(?P<n>\d+)(?![~〜～\-－\d])(?P<rest>.*)$")
CHOICE_LINE = re.compile(r"^(<選択肢>|\d+\)|\[|\]|.*\[\s*[○◯]?\s*\]|.*\[$)")


@dataclass
class Entry:
    """One label occurrence: which field, where, and the value written beside or under it."""
    spec: LabelSpec | None
    header: re.Match | None
    line: Line
    kind: str | None          # 提供 / 移転 when the label says so
    label_text: str
    inline: str               # the rest of the label's own line
    owned: list[Line]         # lines after it up to the next entry

    @property
    def family(self) -> str:
        if self.header:
            return "outsourcing" if self.header.group("what") == "委託事項" else "provision"
        return self.spec.family

    @property
    def field(self) -> str:
        return "header" if self.header else self.spec.field


def _joined_key(lines: list[Line], i: int) -> str:
    """A label may wrap: "④提供する情報の対象となる" + "本人の数". Join the next line when the key ends mid-label."""
    key = lines[i].key
    if key.endswith(("対象となる", "対象となる本人の", "特定個人情報", "委託する特定個人情報")) and i + 1 < len(lines):
        return key + lines[i + 1].key
    return key


_REMARK_MARK = re.compile(r"^※\s*")


def _inline_value(line: Line, label_regex: re.Pattern, m: re.Match | None = None) -> str:
    """The text after the label on its own line (in the uncompacted text); `m`, the label's match on the line's
    own key when the caller has it."""
    text = line.text
    # Walk the visible text until the compacted prefix covers the label match.
    m = m or label_regex.match(line.key)
    if not m:
        return ""
    need = m.end()
    head = text[:need]
    if head.split() == [head]:
        cut = need           # the usual case: no space inside the label, the compact prefix is the text's
    else:
        seen, cut = 0, 0
        for idx, ch in enumerate(text):
            if not ch.isspace():
                seen += 1
            if seen >= need:
                cut = idx + 1
                break
    rest = text[cut:].strip()
    return _REMARK_MARK.sub("", rest).strip() if rest.startswith("※") else rest


def _first_characters(pattern: str) -> set[str] | None:
    """The characters a match of the pattern can start with, read from re's own parse of it; None when that is
    not a short list (a wildcard, a class of many, an empty match, a construct this does not follow)."""
    from re import _constants as c, _parser    # re's parser: the one the pattern is compiled with

    def walk(items) -> tuple[set[str] | None, bool]:      # (first characters, whether it can match nothing)
        found: set[str] = set()
        for op, av in items:
            if op is c.AT:
                continue
            if op is c.LITERAL:
                return found | {chr(av)}, False
            if op is c.IN:
                for o, a in av:
                    if o is c.LITERAL:
                        found.add(chr(a))
                    elif o is c.RANGE and a[1] - a[0] <= 64:
                        found.update(map(chr, range(a[0], a[1] + 1)))
                    else:
                        return None, False
                return found, False
            if op is c.SUBPATTERN or op in (c.MAX_REPEAT, c.MIN_REPEAT):
                low, sub = (1, av[3]) if op is c.SUBPATTERN else (av[0], av[2])
                chars, empty = walk(sub)
                if chars is None:
                    return None, False
                found |= chars
                if low > 0 and not empty:
                    return found, False
                continue
            if op is c.BRANCH:
                can_be_empty = False
                for branch in av[1]:
                    chars, empty = walk(branch)
                    if chars is None:
                        return None, False
                    found |= chars
                    can_be_empty |= empty
                if not can_be_empty:
                    return found, False
                continue
            return None, False
        return found, True

    try:
        parsed = _parser.parse(pattern)
        if parsed.state.flags & re.IGNORECASE:
            return None           # the literals would stand for more characters than they show
        chars, empty = walk(parsed)
    except Exception:  # noqa: BLE001 - a private module's shape may change: then there is just no pre-check
        return None
    return None if empty else chars


@functools.lru_cache(maxsize=16)
def _any_label(patterns: tuple[str, ...]) -> re.Pattern:
    """One pattern that matches where any of the labels does, each label a group named _k after its place in
    the list: most lines are prose and match none, one alternation rejects them in one call instead of one call
    per label, and tried in order it names the first label that matches, as a loop over the labels would.
    A look-ahead for the characters a label can start with goes first: without it the engine tries every
    alternative on every line (five times slower on a seed's lines)."""
    alternation = "|".join(f"(?P<_{k}>{re.sub(r'[(][?]P<[a-z_]+>', '(?:', p)})" for k, p in enumerate(patterns))
    starts = [_first_characters(p) for p in patterns]
    if any(s is None for s in starts):
        return re.compile(alternation)
    first = "".join(sorted(set().union(*starts)))
    return re.compile(f"(?=[{re.escape(first)}])(?:{alternation})")


def any_label_matches(key: str) -> bool:
    """Whether the compact line starts with any of the file labels (FILE_LABELS)."""
    return _any_label(_FILE_LABEL_PATTERNS).match(key) is not None


def _patterns_of(specs: list[LabelSpec]) -> tuple[str, ...]:
    """The labels' pattern texts, the key _any_label and _label_starts remember their answers by."""
    return _FILE_LABEL_PATTERNS if specs is FILE_LABELS else tuple(spec.pattern.pattern for spec in specs)


@functools.lru_cache(maxsize=16)
def _label_starts(patterns: tuple[str, ...], with_headers: bool) -> frozenset[str] | None:
    """The characters a line must start with to hold one of the labels (or an item header); None when some
    label's pattern does not say."""
    starts = [_first_characters(p) for p in patterns]
    if any(s is None for s in starts):
        return None
    return frozenset().union(*starts, _HEADER_STARTS if with_headers else ())


_HEADER_STARTS = frozenset("提移委")       # ITEM_HEADER's 提供先 / 移転先 / 委託事項
_HEADER_TITLE = re.compile(r"^\s*(提供先|移転先|委託事項)\s*\d+\s*")


def find_entries(lines: list[Line], specs: list[LabelSpec] = FILE_LABELS, with_headers: bool = True) -> list[Entry]:
    entries: list[Entry] = []
    positions: list[int] = []          # where each entry's line is in `lines`
    patterns = _patterns_of(specs)
    any_label = _any_label(patterns).match
    # Only the lines that start with a character some label (or header) starts with are looked at.
    for i in starting_with(lines, _label_starts(patterns, with_headers)):
        line = lines[i]
        if with_headers:
            h = ITEM_HEADER.match(line.key)
            if h:
                title = _HEADER_TITLE.sub("", line.text).strip()
                entries.append(Entry(None, h, line, h.group("what")[:2] if h.group("what") != "委託事項" else None,
                                     h.group("what"), title, []))
                positions.append(i)
                continue
        key = _joined_key(lines, i)
        found = any_label(key)
        if found is None:
            continue
        spec = specs[int(found.lastgroup[1:])]
        m = spec.pattern.match(key)
        kind = m.group(spec.kind_group) if spec.kind_group else None
        # A label that wrapped was matched on two lines' keys; its inline text is matched on its own line's.
        inline = _inline_value(line, spec.pattern, m if key is line.key else None)
        entries.append(Entry(spec, None, line, kind, m.group(0), inline, []))
        positions.append(i)
    ends = positions[1:] + [len(lines)]
    for e, start, end in zip(entries, positions, ends):
        e.owned = lines[start + 1:end]
    return entries


def last_label_line(lines: list[Line], specs: list[LabelSpec]) -> Line | None:
    """The last line that starts one of the labels: find_entries(lines, specs, with_headers=False)[-1].line,
    found by walking back from the end (the labels looked for usually close the run of lines)."""
    patterns = _patterns_of(specs)
    any_label = _any_label(patterns).match
    candidates = list(starting_with(lines, _label_starts(patterns, False)))
    return next((lines[i] for i in reversed(candidates) if any_label(_joined_key(lines, i))), None)


def value_text(entry: Entry) -> str:
    """A free-text field's value: its inline text, else the first paragraph under it (choice lists skipped)."""
    parts = [entry.inline] if entry.inline else []
    started = bool(parts)
    blanks = 0
    for ln in entry.owned:
        if not ln.key:
            if started:
                break
            blanks += 1
            if blanks > 2:
                break
            continue
        if CHOICE_LINE.match(ln.key) or ITEM_HEADER.match(ln.key):
            if started:
                break
            continue
        if entry.field in ("persons", "scope") and ln.key.startswith("本人の"):
            continue     # the second half of a wrapped label
        parts.append(ln.text)
        started = True
    return "\n".join(p for p in parts if p).strip()


def value_span(entry: Entry) -> tuple[int, int]:
    last = entry.line.n
    for ln in entry.owned:
        if ln.key:
            last = ln.n
    return entry.line.n, last
