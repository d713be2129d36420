"""Stores as plugins, chosen by URL or path the way rdflib chooses stores and parsers by name.

    open_store(None)                          rdflib in memory                       (memory.MemoryStore)
    open_store("out/pia-graph.trig")          a graph file, opened as a store        (memory.MemoryStore.from_file)
    open_store("db/")                         pyoxigraph on disk                     (oxigraph.OxigraphStore)
    open_store("http://host:8890/sparql")     a remote SPARQL 1.1 store              (remote.RemoteStore)

Each plugin is a (name, test of the spec, "module:factory") entry; register() adds one, first match wins.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from .base import (BaseStore, DocumentRecord, IngestOutcome, NoDocuments, PreparedDocument, ReadOnlyStore, Store,
                   StoreError)
from .manifest import MANIFEST_GRAPH, ONTOLOGY_GRAPH, STORE

GRAPH_FILE_SUFFIXES = (".trig", ".nq", ".nquads", ".ttl", ".nt", ".jsonld", ".json", ".rdf", ".xml")


def _is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def _is_graph_file(spec: str) -> bool:
    return Path(spec).suffix.lower() in GRAPH_FILE_SUFFIXES and not Path(spec).is_dir()


PLUGINS: list[tuple[str, Callable[[str], bool], str]] = [
    ("memory", lambda spec: spec in ("", ":memory:"), "pia_graph.stores.memory:MemoryStore"),
    ("remote", _is_url, "pia_graph.stores.remote:RemoteStore"),
    ("file", _is_graph_file, "pia_graph.stores.memory:MemoryStore.from_file"),
    ("oxigraph", lambda spec: True, "pia_graph.stores.oxigraph:OxigraphStore"),
]


def register(name: str, matches: Callable[[str], bool], factory: str) -> None:
    """A store plugin tried before the built-in ones: factory is "module:callable" taking (spec, **options)."""
    PLUGINS.insert(0, (name, matches, factory))


def plugin_for(spec: str | None) -> tuple[str, Callable]:
    spec = "" if spec is None else str(spec)
    for name, matches, factory in PLUGINS:
        if matches(spec):
            module, _, attr = factory.partition(":")
            target = importlib.import_module(module)
            for part in attr.split("."):
                target = getattr(target, part)
            return name, target
    raise StoreError(f"{spec}: no store plugin takes it")


def open_store(spec: str | Path | None = None, read_only: bool = False, **options) -> BaseStore:
    """The store a URL or path names (see the module's docstring). read_only: open for reading; nothing is
    written, not even the vocabularies a new store starts with. options go to the plugin (RemoteStore's
    update_url, gsp_url, timeout)."""
    name, factory = plugin_for(spec)
    if name == "memory":
        return factory(read_only=read_only)
    return factory(str(spec), read_only=read_only, **options)


__all__ = ["open_store", "register", "plugin_for", "Store", "BaseStore", "PreparedDocument", "IngestOutcome",
           "DocumentRecord", "StoreError", "ReadOnlyStore", "NoDocuments", "MANIFEST_GRAPH", "ONTOLOGY_GRAPH", "STORE"]
