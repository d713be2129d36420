"""The IRIs pia-graph mints and the vocabularies it reuses, as rdflib Namespace objects."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS as _DCTERMS, OWL, PROV as _PROV, RDF as _RDF, RDFS as _RDFS, SKOS as _SKOS
from rdflib.namespace import XSD as _XSD


class TermCachingNamespace(Namespace):
    """A Namespace that keeps the terms it has made: rdflib's builds a new URIRef on every attribute access, which
    was a third of the mapping time once triples went into plain sets. Same interface, same terms."""

    def __getattr__(self, name: str):
        term = super().__getattr__(name)
        self.__dict__[name] = term      # found by ordinary attribute lookup from now on
        return term


class TermCachingVocabulary(TermCachingNamespace):
    """rdflib's closed vocabularies (RDF, RDFS, PROV…) as term-caching namespaces with the same IRIs. Their own
    attribute look-up checks the term against the vocabulary every time: a tenth of the mapping time."""

    def __new__(cls, vocabulary):
        return super().__new__(cls, str(vocabulary))

    def __getattr__(self, name: str):
        term = getattr(self._vocabulary, name)     # still refuses a term the vocabulary does not define
        self.__dict__[name] = term
        return term

    def __init__(self, vocabulary):
        self.__dict__["_vocabulary"] = vocabulary


RDF, RDFS, PROV, SKOS, XSD, DCTERMS = (TermCachingVocabulary(v) for v in (_RDF, _RDFS, _PROV, _SKOS, _XSD, _DCTERMS))

PIA = TermCachingNamespace("https://w3id.org/pia-graph/ontology#")
ID = TermCachingNamespace("https://w3id.org/pia-graph/id/")
DPV = TermCachingNamespace("https://w3id.org/dpv#")
ELI = TermCachingNamespace("http://data.europa.eu/eli/ontology#")
SH = TermCachingNamespace("http://www.w3.org/ns/shacl#")

GRAPH_BASE = Namespace(ID["graph/"])   # every named graph pia-graph writes lives under this IRI
SHARED_GRAPH = ID["graph/shared"]

PREFIXES = {
    "pia": PIA, "id": ID, "dpv": DPV, "eli": ELI, "prov": PROV, "skos": SKOS, "dcterms": DCTERMS,
    "rdfs": RDFS, "rdf": RDF, "xsd": XSD, "owl": OWL, "sh": SH,
}


def bind_all(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)


def sparql_prologue() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def shorten(value: str) -> str:
    """An IRI as a prefixed name (id:law/342AC0000000081) where a project prefix covers it; other text as is."""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
        if value.startswith(str(ns)) and prefix not in ("rdf", "rdfs", "xsd", "owl", "sh"):
            return f"{prefix}:{value[len(str(ns)):]}"
    return value
