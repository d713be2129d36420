"""Map a parsed Assessment to RDF: one named graph per document, statutes, parties and vocabularies shared."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from rdflib import Dataset, Graph, Literal, URIRef

from . import vocab
from .citations import SHORT_NAMES, article_caption, provision_label, table_label
from .model import Assessment, Band, Choice, CitationRef, LegalBasis, Mark, Span
from .namespaces import DCTERMS, DPV, ELI, GRAPH_BASE, ID, PIA, PROV, RDF, RDFS, SHARED_GRAPH, SKOS, XSD, bind_all
from .parties import KIKO, party_key

FORM_LABELS = {"full": ("全項目評価書", "Full assessment"), "focused": ("重点項目評価書", "Focused assessment"),
               "basic": ("基礎項目評価書", "Basic assessment")}
STATE = {Mark.checked: PIA.Checked, Mark.unchecked: PIA.Unchecked, Mark.unknown: PIA.Unknown}
EGOV = "https://laws.e-gov.go.jp/law/"


def file_numbers(d) -> set[int]:
    """The files an assessment describes: those with a Ⅱ section and those only named in its list of files (the
    graph has a node for each; the build summary counts the same)."""
    return {fs.n for fs in d.files} | set(range(1, len(d.file_names) + 1))


@lru_cache(maxsize=4096)
def _seg(text: str) -> str:
    """An IRI path segment: ASCII kept, anything else percent-encoded."""
    return quote(str(text), safe="-_.")


def concept_iri(scheme_key: str, concept_key: str) -> URIRef:
    return ID[f"concept/{scheme_key}/{concept_key}"]


def scheme_iri(scheme_key: str) -> URIRef:
    return ID[f"scheme/{scheme_key}"]


def law_iri(key: str) -> URIRef:
    return ID[f"law/{_seg(key)}"]


def party_iri(name: str) -> URIRef:
    return ID[f"party/{party_key(name)}"]


def assessment_key(sha256: str) -> str:
    return sha256[:16]


def graph_iri(sha256: str) -> URIRef:
    return GRAPH_BASE[assessment_key(sha256)]


def vocabulary_graph() -> Graph:
    """The form's choice lists as SKOS concept schemes (part of the shared graph)."""
    g = Graph()
    for scheme in vocab.ALL_SCHEMES:
        s = scheme_iri(scheme.key)
        g.add((s, RDF.type, SKOS.ConceptScheme))
        g.add((s, SKOS.prefLabel, Literal(scheme.ja, lang="ja")))
        g.add((s, SKOS.prefLabel, Literal(scheme.en, lang="en")))
        for c in scheme.concepts:
            ci = concept_iri(scheme.key, c.key)
            g.add((ci, RDF.type, SKOS.Concept))
            g.add((ci, SKOS.inScheme, s))
            g.add((ci, SKOS.notation, Literal(c.key)))
            if scheme.key == "source":
                g.add((ci, RDF.type, DPV.DataSource))
            g.add((ci, SKOS.prefLabel, Literal(c.ja, lang="ja")))
            g.add((ci, SKOS.prefLabel, Literal(c.en, lang="en")))
    for state, ja, en in ((PIA.Checked, "チェックあり", "checked"), (PIA.Unchecked, "チェックなし", "unchecked"),
                          (PIA.Unknown, "不明（原文から判断できない）", "unknown (the source text cannot decide)")):
        g.add((state, RDF.type, PIA.CheckState))
        g.add((state, RDFS.label, Literal(ja, lang="ja")))
        g.add((state, RDFS.label, Literal(en, lang="en")))
    return g


@lru_cache(maxsize=16384, typed=True)
def _literal(value, lang: str | None = None, datatype=None) -> Literal:
    """Literals are immutable and a document repeats many (line numbers, labels, verdicts): make each once.
    typed=True keeps 1 and True apart."""
    return Literal(value, lang=lang, datatype=datatype)


class _Mapper:
    def __init__(self, doc: Assessment):
        self.doc = doc
        self.key = assessment_key(doc.sha256)
        self.base = f"assessment/{self.key}"
        # Plain sets of triples: rdflib's Graph.add (type checks, three indexes) was over half of the mapping time,
        # and ingest only needs the triples written out; assessment_graphs() makes Graphs where they are wanted.
        self.g: set[tuple] = set()        # this document's facts
        self.shared: set[tuple] = set()   # statutes and parties, merged across documents
        self.source = ID[f"document/{doc.sha256}"]
        self.assessment = ID[self.base]
        self.unknowns = 0

    def iri(self, *parts) -> URIRef:
        return ID["/".join([self.base, *[_seg(p) for p in parts]])]

    def prov(self, node, span: Span | None) -> None:
        """Every extracted node says where it came from, once: its assessment (whose prov:wasDerivedFrom is the
        source document) and its line range as file#Lstart-Lend. Stating the document and the line numbers again
        on each node (prov:wasDerivedFrom, pia:lineStart, pia:lineEnd) was 24 % of a document's quads and of the
        store's write time, for facts one join or one REPLACE recovers (see the ontology's property chain)."""
        if node == self.assessment:
            self.g.add((node, PROV.wasDerivedFrom, self.source))
        else:
            self.g.add((node, PIA.inAssessment, self.assessment))
        if span is not None:
            self.g.add((node, PIA.sourceRef, _literal(f"{self.doc.source}#L{span.start}-L{span.end}")))

    def text(self, node, prop, value, lang="ja") -> None:
        if value:
            self.g.add((node, prop, _literal(value, lang=lang)))

    def band(self, node, prop, band: Band | None, scheme) -> None:
        if band is None:
            return
        if band.option:
            self.g.add((node, prop, concept_iri(scheme.key, band.option)))

    def choices(self, node, prop, choices: list[Choice], name: str) -> None:
        for c in choices:
            cn = self.iri(*name.split("/"), c.scheme, c.option)
            self.g.add((node, prop, cn))
            self.g.add((cn, RDF.type, PIA.ChoiceState))
            self.g.add((cn, PIA.option, concept_iri(c.scheme, c.option)))
            self.g.add((cn, PIA.state, STATE[c.state]))
            self.g.add((cn, RDFS.label, _literal(c.label, lang="ja")))
            if c.detail:
                self.g.add((cn, PIA.detail, _literal(c.detail, lang="ja")))
            if c.note:
                self.g.add((cn, PIA.note, _literal(c.note, lang="en")))
            if c.state == Mark.unknown:
                self.unknowns += 1
            self.prov(cn, c.span)

    def party(self, name: str, kind=PIA.Party) -> URIRef:
        p = party_iri(name)
        self.shared.add((p, RDF.type, PIA.Party))
        self.shared.add((p, RDF.type, DPV.Entity))
        if kind != PIA.Party:
            self.shared.add((p, RDF.type, kind))
        self.shared.add((p, RDFS.label, _literal(name, lang="ja")))
        if name == KIKO:
            self.shared.add((p, SKOS.altLabel, _literal("機構", lang="ja")))
            self.shared.add((p, RDFS.label, _literal("Japan Agency for Local Authority Information Systems (J-LIS)", lang="en")))
        return p

    # -- statutes ------------------------------------------------------------------------------------
    def citation(self, owner, basis: LegalBasis | None, name: str) -> None:
        if basis is None:
            return
        for k, c in enumerate(basis.citations, 1):
            cn = self.iri(*name.split("/"), "citation", str(k))
            self.g.add((owner, DPV.hasLegalBasis, cn))
            self.g.add((cn, RDF.type, PIA.Citation))
            self.g.add((cn, RDF.type, DPV.LegalBasis))
            self.g.add((cn, PIA.citationText, _literal(c.text, lang="ja")))
            self.g.add((cn, RDFS.label, _literal(c.text, lang="ja")))
            if c.law_as_written:
                self.g.add((cn, PIA.lawAsWritten, _literal(c.law_as_written, lang="ja")))
            if c.caption:
                self.g.add((cn, PIA.captionAsWritten, _literal(c.caption, lang="ja")))
            self.current_article = None
            law, target = self.statute(c)
            if self.current_article is not None:
                self.g.add((cn, PIA.citesArticle, self.current_article))
            self.g.add((cn, PIA.citesLaw, law))
            self.g.add((cn, PIA.cites, target))
            for prop, value in ((PIA.article, c.article), (PIA.item, c.item), (PIA.annex, c.annex),
                                (PIA.annexRow, c.annex_row), (PIA.annexColumn, c.annex_column)):
                if value:
                    self.g.add((cn, prop, _literal(value)))
            if c.paragraph is not None:
                self.g.add((cn, PIA.paragraph, _literal(c.paragraph, datatype=XSD.integer)))
            if c.current_item:
                current = c.model_copy(update={"item": c.current_item, "current_item": None})
                _, now = self.statute(current)
                self.g.add((cn, PIA.citesCurrent, now))
                self.g.add((cn, PIA.note, _literal(
                    f"written as {provision_label(c.article, c.paragraph, c.item)}, renumbered "
                    f"{provision_label(None, None, c.current_item)} by the 2021 amendment", lang="en")))
            self.prov(cn, basis.span)

    def statute(self, c: CitationRef) -> tuple[URIRef, URIRef]:
        """The law node and the most specific provision node the citation points at, built part-of upward."""
        s = self.shared
        law = law_iri(c.law_key)
        s.add((law, RDF.type, PIA.Law))
        s.add((law, RDF.type, ELI.LegalResource))
        s.add((law, RDFS.label, _literal(c.law_name, lang="ja")))
        if c.law_name in SHORT_NAMES:
            s.add((law, SKOS.altLabel, _literal(SHORT_NAMES[c.law_name], lang="ja")))
        if c.law_egov_id:
            s.add((law, PIA.egovId, _literal(c.law_egov_id)))
            s.add((law, RDFS.seeAlso, URIRef(EGOV + c.law_egov_id)))
        if c.law_number:
            s.add((law, PIA.lawNumber, _literal(c.law_number, lang="ja")))
        if c.ordinance_of:
            s.add((law, PIA.ordinanceOf, self.party(c.ordinance_of)))
            s.add((law, RDF.type, PIA.Ordinance))
        target = law
        frag = []
        if c.article:
            art = URIRef(f"{law}/article/{_seg(c.article)}")
            frag.append("At_" + c.article.replace("の", "_"))
            self._part(art, PIA.Article, law, f"{c.law_name} {provision_label(c.article)}", c.article,
                       c.law_egov_id, frag)
            # One authority for an article's caption; the document's wording stays on its citation.
            caption = article_caption(c.law_egov_id, c.article)
            if caption:
                s.add((art, PIA.caption, _literal(caption, lang="ja")))
            self.current_article = art
            target = art
            if c.paragraph is not None:
                para = URIRef(f"{art}/paragraph/{c.paragraph}")
                frag.append(f"Pr_{c.paragraph}")
                self._part(para, PIA.Paragraph, art, f"{c.law_name} {provision_label(c.article, c.paragraph)}",
                           str(c.paragraph), c.law_egov_id, frag)
                target = para
            if c.item:
                item = URIRef(f"{target}/item/{_seg(c.item)}")
                frag.append("It_" + c.item.replace("の", "_"))
                self._part(item, PIA.Item, target, f"{c.law_name} {provision_label(c.article, c.paragraph, c.item)}",
                           c.item, c.law_egov_id, frag)
                target = item
        if c.annex:
            # The table of an article (主務省令第2条の表) is named by its article: a law can have one in several.
            table = table_label(c.annex, c.article)
            annex = URIRef(f"{law}/annex/{_seg(table)}")
            self._part(annex, PIA.Annex, law, f"{c.law_name} {table}", table, None, [])
            target = annex
            if c.annex_row:
                row = URIRef(f"{annex}/row/{_seg(c.annex_row)}")
                self._part(row, PIA.AnnexRow, annex, f"{c.law_name} {table}の{c.annex_row}の項", c.annex_row,
                           None, [])
                target = row
        return law, target

    def _part(self, node, cls, parent, label, number, egov_id, frag) -> None:
        s = self.shared
        s.add((node, RDF.type, cls))
        s.add((node, RDF.type, ELI.LegalResourceSubdivision))
        s.add((node, ELI.is_part_of, parent))
        s.add((node, RDFS.label, _literal(label, lang="ja")))
        s.add((node, PIA.number, _literal(number)))
        if egov_id and frag:
            s.add((node, RDFS.seeAlso, URIRef(f"{EGOV}{egov_id}#Mp-" + "-".join(frag))))

    # -- the document ----------------------------------------------------------------------------------
    def run(self) -> tuple[set[tuple], set[tuple]]:
        d, g = self.doc, self.g
        src = self.source
        g.add((src, RDF.type, PIA.SourceDocument))
        g.add((src, RDF.type, PROV.Entity))
        g.add((src, PIA.fileName, _literal(d.source)))
        g.add((src, PIA.sha256, _literal(d.sha256)))
        g.add((src, PIA.lineCount, _literal(d.line_count, datatype=XSD.integer)))
        a = ID[self.base]
        g.add((a, RDF.type, PIA.Assessment))
        g.add((a, RDF.type, DPV.DPIA))
        self.prov(a, Span(start=1, end=max(1, d.line_count)))
        label = d.title or f"{d.source} ({'fragment' if 'cover' in d.lacks else 'untitled'})"
        g.add((a, RDFS.label, _literal(label, lang="ja")))
        if d.body:
            body = self.party(d.body, PIA.AssessingBody)
            g.add((a, PIA.assessingBody, body))
        for prop, value in ((PIA.assessmentNumber, d.number), (PIA.stamp, d.stamp)):
            if value:
                g.add((a, prop, _literal(value)))
        if d.form:
            g.add((a, PIA.form, concept_iri("form", d.form)))
        if d.published:
            g.add((a, DCTERMS.issued, _literal(d.published, datatype=XSD.date)))
        for part in d.lacks:
            g.add((a, PIA.lacks, _literal(part)))
        for note in d.notes:
            g.add((a, PIA.note, _literal(note, lang="en")))
        for k, unread in enumerate(d.unread, 1):
            un = self.iri("unread", str(k))
            g.add((a, PIA.hasUnreadPart, un))
            g.add((un, RDF.type, PIA.UnreadPart))
            g.add((un, RDFS.label, _literal(unread.part, lang="ja")))
            g.add((un, PIA.reason, _literal(unread.reason, lang="en")))
            self.prov(un, unread.span)
        self.part_one(a)
        for fs in d.files:
            self.file(a, fs)
        for k, row in enumerate(d.annex_rows, 1):
            rn = self.iri("annex", row.annex, row.row)
            g.add((a, PIA.hasAnnexRow, rn))
            g.add((rn, RDF.type, PIA.RecipientListRow))
            g.add((rn, PIA.annex, _literal(row.annex)))
            g.add((rn, PIA.rowNumber, _literal(row.row)))
            g.add((rn, RDFS.label, _literal(f"{row.annex} {row.row}", lang="ja")))
            self.text(rn, PIA.recipientText, row.recipient)
            self.text(rn, PIA.affairText, row.affair)
            self.prov(rn, row.span)
        for k, ch in enumerate(d.changes, 1):
            cn = self.iri("change", str(k))
            g.add((a, PIA.hasChange, cn))
            g.add((cn, RDF.type, PIA.ChangeRecord))
            g.add((cn, RDFS.label, _literal(f"変更箇所 {k}", lang="ja")))
            if ch.date:
                g.add((cn, PIA.changeDate, _literal(ch.date, datatype=XSD.date)))
            self.text(cn, PIA.changedItem, ch.item)
            self.text(cn, PIA.before, ch.before)
            self.text(cn, PIA.after, ch.after)
            self.text(cn, PIA.explanation, ch.explanation)
            self.text(cn, RDF.value, ch.text)
            if ch.timing:
                g.add((cn, PIA.submissionTiming, _literal(ch.timing, lang="ja")))
            self.prov(cn, ch.span)
        # Ⅲ can speak of a file whose Ⅱ the text lacks: link only files the graph describes.
        known_files = file_numbers(d)
        for k, v in enumerate(d.verdicts, 1):
            vn = self.iri("verdict", str(k))
            g.add((a, PIA.hasRiskVerdict, vn))
            g.add((vn, RDF.type, PIA.RiskVerdict))
            g.add((vn, RDFS.label, _literal(v.question or "リスクへの対策は十分か", lang="ja")))
            if v.stage:
                g.add((vn, PIA.stage, concept_iri("stage", v.stage)))
            if v.verdict:
                g.add((vn, PIA.verdict, concept_iri("verdict", v.verdict)))
            if v.file_n is not None and v.file_n in known_files:
                g.add((vn, PIA.aboutFile, self.iri("file", str(v.file_n))))
            self.prov(vn, v.span)
        for k, f in enumerate(d.fields, 1):
            tn = self.iri("text", str(k))
            g.add((a, PIA.hasTextBlock, tn))
            g.add((tn, RDF.type, PIA.TextBlock))
            g.add((tn, PIA.section, _literal(f.section)))
            g.add((tn, RDFS.label, _literal(f.label, lang="ja")))
            g.add((tn, RDF.value, _literal(f.value, lang="ja")))
            self.prov(tn, f.span)
        return self.g, self.shared

    def part_one(self, a) -> None:
        d, g = self.doc, self.g
        af = self.iri("affair")
        if d.affair or d.use_basis or d.linkage_basis:
            g.add((a, PIA.hasAffair, af))
            g.add((af, RDF.type, PIA.Affair))
            g.add((af, RDF.type, DPV.Process))
            g.add((af, RDFS.label, _literal(d.affair or "(事務の名称なし)", lang="ja")))
            self.prov(af, d.affair_span or (d.use_basis.span if d.use_basis else None))
            self.band(af, PIA.personsBand, d.affair_persons_band, vocab.AFFAIR_BANDS)
            if d.department:
                g.add((af, PIA.department, _literal(d.department, lang="ja")))
            self.citation(af, d.use_basis, "affair/use")
            if d.use_basis:
                for k in range(1, len(d.use_basis.citations) + 1):
                    g.add((af, PIA.useBasis, self.iri("affair", "use", "citation", str(k))))
            g.add((af, PIA.networkLinkage, STATE[d.linkage_done]))
            self.citation(af, d.linkage_basis, "affair/linkage")
            if d.linkage_basis:
                for k in range(1, len(d.linkage_basis.citations) + 1):
                    g.add((af, PIA.linkageBasis, self.iri("affair", "linkage", "citation", str(k))))
        for s in d.systems:
            sn = self.iri("system", str(s.n))
            g.add((a, PIA.hasSystem, sn))
            g.add((sn, RDF.type, PIA.System))
            g.add((sn, RDFS.label, _literal(s.name, lang="ja")))
            g.add((sn, PIA.systemNumber, _literal(s.n, datatype=XSD.integer)))
            for alias in s.aliases:
                g.add((sn, SKOS.altLabel, _literal(alias, lang="ja")))
            self.text(sn, PIA.functions, s.functions)
            self.text(sn, PIA.otherConnection, s.other_connection)
            self.choices(sn, PIA.connection, s.connections, f"system/{s.n}")
            for t in s.linked_systems:
                g.add((sn, PIA.connectsTo, self.iri("system", str(t))))
            self.prov(sn, s.span)
        described = {fs.n for fs in d.files}
        for k, name in enumerate(d.file_names, 1):
            if k in described:
                continue        # the file's Ⅱ section describes it, with its own lines
            fn = self.iri("file", str(k))
            g.add((a, PIA.hasFile, fn))
            g.add((fn, RDF.type, PIA.PersonalInformationFile))
            g.add((fn, RDFS.label, _literal(name, lang="ja")))
            self.prov(fn, d.file_list_span)

    def file(self, a, fs) -> None:
        g = self.g
        fn = self.iri("file", str(fs.n))
        g.add((a, PIA.hasFile, fn))
        g.add((fn, RDF.type, PIA.PersonalInformationFile))
        g.add((fn, RDF.type, DPV.PersonalData))
        g.add((fn, RDFS.label, _literal(fs.name, lang="ja")))
        g.add((fn, PIA.fileNumber, _literal(fs.n, datatype=XSD.integer)))
        self.prov(fn, fs.span)
        self.band(fn, PIA.fileType, fs.file_type, vocab.FILE_TYPES)
        self.band(fn, DPV.hasDataSubjectScale, fs.persons_band, vocab.PERSON_BANDS)
        self.band(fn, PIA.itemBand, fs.item_band, vocab.ITEM_BANDS)
        self.band(fn, PIA.retentionBand, fs.retention_band, vocab.RETENTION_BANDS)
        self.text(fn, PIA.scope, fs.scope)
        self.text(fn, PIA.department, fs.department)
        self.text(fn, PIA.purpose, fs.purpose)
        self.text(fn, PIA.storagePlace, fs.storage_place)
        self.text(fn, PIA.deletionMethod, fs.deletion)
        if fs.retention_start:
            dtype = XSD.date if len(fs.retention_start) == 10 else XSD.gYearMonth
            g.add((fn, PIA.retentionStart, _literal(fs.retention_start, datatype=dtype)))
        self.choices(fn, PIA.recordCategory, fs.record_categories, f"file/{fs.n}")
        self.choices(fn, PIA.dataSource, fs.sources, f"file/{fs.n}")
        for c in fs.sources:
            if c.state == Mark.checked:
                g.add((fn, DPV.hasDataSource, concept_iri(c.scheme, c.option)))
        self.choices(fn, PIA.acquisitionMethod, fs.acquisition_methods, f"file/{fs.n}/acquisition")
        for prop, value in ((PIA.declaredOutsourcingCount, fs.outsourcing_declared),
                            (PIA.declaredProvisionCount, fs.provision_declared),
                            (PIA.declaredTransferCount, fs.transfer_declared)):
            if value is not None:
                g.add((fn, prop, _literal(value, datatype=XSD.integer)))
        prefecture = self.doc.prefecture
        for p in fs.provisions:
            kind = "provision" if p.kind == "提供" else "transfer"
            pn = self.iri("file", str(fs.n), kind, str(p.n))
            g.add((fn, PIA.hasDisclosure, pn))
            g.add((pn, PIA.ofFile, fn))
            g.add((pn, RDF.type, PIA.Provision if p.kind == "提供" else PIA.Transfer))
            g.add((pn, PIA.kind, _literal(p.kind, lang="ja")))
            g.add((pn, PIA.rowNumber, _literal(p.n, datatype=XSD.integer)))
            g.add((pn, RDFS.label, _literal(f"{p.kind}先{p.n} {p.recipient or '(受領者不明)'}", lang="ja")))
            self.text(pn, PIA.recipientText, p.recipient)
            for party in p.parties:
                pi = self.party(party, PIA.Recipient)
                g.add((pn, DPV.hasRecipient, pi))
                if party == "都道府県" and prefecture:
                    g.add((pn, PIA.recipientResolved, self.party(prefecture, PIA.Prefecture)))
            if p.annex_ref:
                g.add((pn, PIA.annexRef, _literal(p.annex_ref)))
                for row in self.doc.annex_rows:
                    if row.annex == p.annex_ref:
                        g.add((pn, PIA.itemisedBy, self.iri("annex", row.annex, row.row)))
            self.citation(pn, p.legal_basis, f"file/{fs.n}/{kind}/{p.n}")
            self.text(pn, PIA.purpose, p.purpose)
            self.text(pn, PIA.information, p.information)
            self.text(pn, PIA.scope, p.scope)
            self.text(pn, PIA.timing, p.timing)
            self.band(pn, DPV.hasDataSubjectScale, p.persons_band, vocab.PERSON_BANDS)
            self.choices(pn, PIA.method, p.methods, f"file/{fs.n}/{kind}/{p.n}")
            self.prov(pn, p.span)
        for o in fs.outsourcings:
            on = self.iri("file", str(fs.n), "outsourcing", str(o.n))
            g.add((fn, PIA.hasOutsourcing, on))
            g.add((on, PIA.ofFile, fn))
            g.add((on, RDF.type, PIA.Outsourcing))
            g.add((on, PIA.kind, _literal("委託", lang="ja")))
            g.add((on, PIA.rowNumber, _literal(o.n, datatype=XSD.integer)))
            g.add((on, RDFS.label, _literal(f"委託事項{o.n} {o.title}", lang="ja")))
            self.text(on, PIA.content, o.content)
            self.text(on, PIA.scope, o.scope)
            self.text(on, PIA.contractorText, o.contractor)
            self.text(on, PIA.confirmationMethod, o.confirmation)
            self.text(on, PIA.subcontractPermission, o.subcontract_permission)
            self.text(on, PIA.subcontractItems, o.subcontract_items)
            g.add((on, PIA.subcontracting, STATE[o.subcontract]))
            if o.subcontract == Mark.unknown:
                self.unknowns += 1
            if o.subcontract_note:
                g.add((on, PIA.note, _literal(o.subcontract_note, lang="en")))
            for party in o.contractor_parties:
                pi = self.party(party, PIA.Contractor)
                self.shared.add((pi, RDF.type, DPV.DataProcessor))
                g.add((on, DPV.hasDataProcessor, pi))
            self.band(on, PIA.staffBand, o.staff_band, vocab.STAFF_BANDS)
            self.choices(on, PIA.method, o.methods, f"file/{fs.n}/outsourcing/{o.n}")
            self.prov(on, o.span)


def assessment_triples(doc: Assessment) -> tuple[set[tuple], set[tuple], int]:
    """The document's own triples, its contribution to the shared graph, and its count of unknown values."""
    m = _Mapper(doc)
    g, shared = m.run()
    return g, shared, m.unknowns


def as_graph(triples) -> Graph:
    g = Graph()
    g.addN((s, p, o, g) for s, p, o in triples)
    return g


def assessment_graphs(doc: Assessment) -> tuple[Graph, Graph, int]:
    """assessment_triples() as rdflib Graphs, for validation and in-memory datasets."""
    g, shared, unknowns = assessment_triples(doc)
    return as_graph(g), as_graph(shared), unknowns


def new_dataset() -> Dataset:
    """An empty dataset with the prefixes bound and the shared graph holding the SKOS vocabularies."""
    ds = Dataset()
    bind_all(ds)
    shared = ds.graph(SHARED_GRAPH)
    for t in vocabulary_graph():
        shared.add(t)
    return ds


def add_document(ds: Dataset, sha256: str, graph, shared, *, graph_name: str | None = None) -> None:
    """A document's graph as its own named graph; its statutes and parties merged into the shared graph."""
    named = ds.graph(URIRef(graph_name) if graph_name else graph_iri(sha256))
    named.addN((s, p, o, named) for s, p, o in graph)
    shared_graph = ds.graph(SHARED_GRAPH)
    shared_graph.addN((s, p, o, shared_graph) for s, p, o in shared)


def build_dataset(docs: list[Assessment]) -> Dataset:
    ds = new_dataset()
    for doc in docs:
        g, sh, _ = assessment_triples(doc)
        add_document(ds, doc.sha256, g, sh)
    return ds
