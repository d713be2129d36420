"""Answers to questions already asked of a store, kept beside it and valid for one generation of its contents.

Why: on a national store the flagship listing (every file that goes to 機構, about 14,000 rows at 10,000
assessments) costs seconds of index look-ups however the SPARQL is written (each look-up is ~20 µs on RocksDB,
~15 of them a row), while the store changes only when documents are loaded. So `load` computes the flagship
answer once after it writes, and `query --store` and `serve --store` answer from here while the store is the
one the answer was computed from.

Correctness rests on the generation token in DIR/answers/GENERATION: every write to the store (OxigraphStore's
commits, drops and crash recovery) replaces it before it touches the store and again after, so an answer is
only ever served under the token it was computed under, and a token is never reused. An answer computed while a
write was in flight carries the token of the write's start, which the write's end has already replaced.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..store import atomic_write_bytes

GENERATION_FILE = "GENERATION"


@dataclass
class Answer:
    columns: list[str]
    rows: list[list[str]]
    generation: str
    seconds: float          # how long the evaluation took when it was computed
    cached: bool            # whether this call was answered from the book


def _load_acyclic(raw: bytes):
    """json.loads with the cyclic garbage collector paused: an answer is lists of strings (no cycles to find), and
    the collector's passes over the 180,000 strings of the national flagship answer were a third of reading it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return json.loads(raw)
    finally:
        if enabled:
            gc.enable()


def answer_key(query_text: str) -> str:
    """Queries that differ only in white space are the same question."""
    return hashlib.sha256(" ".join(query_text.split()).encode("utf-8")).hexdigest()[:32]


class AnswerBook:
    """A folder beside a store (its DIR/answers): one JSON file per question, each stamped with the generation it
    was computed at. A folder that cannot be written (a read-only store on a read-only disk) keeps nothing: every
    question is then evaluated."""

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)

    # -- the generation ---------------------------------------------------------------------------------
    def generation(self) -> str:
        try:
            token = (self.dir / GENERATION_FILE).read_text(encoding="ascii").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            token = ""
        if token:
            return token
        try:
            return self.changed()
        except OSError:      # cannot keep a token: one of our own that nothing stored will match
            return f"unkept-{os.urandom(6).hex()}"

    def changed(self) -> str:
        """The store is about to change, or has: a fresh token, and the answers of earlier ones are gone."""
        token = f"{time.time_ns():x}-{os.urandom(6).hex()}"
        atomic_write_bytes(self.dir / GENERATION_FILE, token.encode("ascii"))
        for f in self.dir.glob("*.json"):
            f.unlink(missing_ok=True)
        return token

    # -- answers ------------------------------------------------------------------------------------------
    def get(self, query_text: str, current: str | None = None) -> Answer | None:
        """The stored answer to this question, if it was computed from the store as it is now (`current`: the
        generation, when the caller has just read it)."""
        current = current or self.generation()
        try:
            data = _load_acyclic((self.dir / f"{answer_key(query_text)}.json").read_bytes())
            if data["generation"] != current:
                return None
            return Answer(list(data["columns"]), data["rows"], current, float(data["seconds"]), True)
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None     # missing, or unreadable (a torn or foreign file): evaluate again

    def put(self, query_text: str, columns: list[str], rows: list[list[str]], generation: str, seconds: float) -> bool:
        """Keep an answer computed at `generation`; refused (False) when the store has changed since."""
        if generation != self.generation():
            return False
        payload = {"generation": generation, "query": query_text, "seconds": seconds, "columns": columns, "rows": rows}
        try:
            atomic_write_bytes(self.dir / f"{answer_key(query_text)}.json",
                               json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        except OSError:
            return False
        return True

    def answer(self, query_text: str, evaluate: Callable[[], tuple[list[str], list[list[str]]]],
               fresh: bool = False) -> Answer:
        """The stored answer, else (or when fresh) evaluate() (columns, rows of strings), kept for next time."""
        generation = self.generation()
        hit = None if fresh else self.get(query_text, generation)
        if hit is not None:
            return hit
        t0 = time.perf_counter()
        columns, rows = evaluate()
        seconds = time.perf_counter() - t0
        self.put(query_text, columns, rows, generation, seconds)
        return Answer(columns, rows, generation, seconds, False)


__all__ = ["Answer", "AnswerBook", "answer_key"]
