"""Where each clinical resource is, so that a bulk export is never held in memory.

Pass 1 records a location per clinical resource (file, byte offset of its ndjson line, line number,
Bundle entry path) under its group key in a temporary SQLite file (stdlib sqlite3); pass 2 asks for the
groups in input order and reads each resource again from its location.
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

GroupKey = tuple[str, str | None, str | None]  # (key, encounter, patient)
Location = tuple[int, int, int, int, str]  # (seq, file id, byte offset, line, entry path)


class LocationIndex:
    """Group key -> locations of clinical resources, in a temporary SQLite file (stdlib sqlite3)."""

    _BATCH = 5000

    def __init__(self, directory: str) -> None:
        self.db = sqlite3.connect(str(Path(directory) / "index.sqlite"))
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE grp (gkey TEXT PRIMARY KEY, first_seq INTEGER, enc TEXT, patient TEXT);
            CREATE TABLE item (seq INTEGER PRIMARY KEY, gkey TEXT, file_id INTEGER, offset INTEGER,
                               line INTEGER, path TEXT);
            """
        )
        self._items: list[tuple[int, str, int, int, int, str]] = []
        self._groups: list[tuple[str, int, str | None, str | None]] = []
        self._seq = 0

    def add(self, key: GroupKey, file_id: int, offset: int, line: int, path: str) -> None:
        self._seq += 1
        gkey, enc, patient = key
        self._items.append((self._seq, gkey, file_id, offset, line, path))
        self._groups.append((gkey, self._seq, enc, patient))
        if len(self._items) >= self._BATCH:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?)", self._items)
        self.db.executemany(
            "INSERT INTO grp VALUES (?, ?, ?, ?) ON CONFLICT(gkey) DO UPDATE SET"
            " patient = COALESCE(grp.patient, excluded.patient)",
            self._groups,
        )
        self._items.clear()
        self._groups.clear()

    def groups(self) -> Iterator[tuple[str | None, str | None, list[Location]]]:
        """(encounter, patient, [(seq, file_id, offset, line, path)]) per group, in input order."""
        self._flush()
        self.db.execute("CREATE INDEX item_gkey ON item (gkey, seq)")
        groups = self.db.execute("SELECT gkey, enc, patient FROM grp ORDER BY first_seq")
        for gkey, enc, patient in groups:
            rows = self.db.execute(
                "SELECT seq, file_id, offset, line, path FROM item WHERE gkey = ? ORDER BY seq", (gkey,)
            ).fetchall()
            yield enc, patient, rows

    def close(self) -> None:
        self.db.close()


class DocumentFiles:
    """Re-reads resources by location: ndjson lines by byte offset, JSON documents parsed (LRU)."""

    _OPEN = 16
    _PARSED = 2

    def __init__(self, files: list[tuple[Path, str]]) -> None:
        self.files = files
        self._handles: OrderedDict[int, IO[bytes]] = OrderedDict()
        self._parsed: OrderedDict[tuple[int, int], dict[str, Any]] = OrderedDict()

    def _handle(self, file_id: int) -> IO[bytes]:
        handle = self._handles.pop(file_id, None)
        if handle is None:
            handle = self.files[file_id][0].open("rb")
            if len(self._handles) >= self._OPEN:
                self._handles.popitem(last=False)[1].close()
        self._handles[file_id] = handle
        return handle

    def document(self, file_id: int, offset: int, whole: bool) -> dict[str, Any]:
        key = (file_id, offset)
        cached = self._parsed.pop(key, None)
        if cached is None:
            handle = self._handle(file_id)
            handle.seek(0 if whole else offset)
            cached = json.loads(handle.read() if whole else handle.readline())
        if whole or cached.get("resourceType") == "Bundle":  # a plain ndjson line is not worth keeping
            self._parsed[key] = cached
            while len(self._parsed) > self._PARSED:
                self._parsed.popitem(last=False)
        return cached

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()
        self._parsed.clear()


def looks_like_ndjson(path: Path) -> bool:
    """A .json file whose first line is a whole JSON object and which has more lines is ndjson."""
    with path.open("rb") as fh:
        first = fh.readline()
        try:
            json.loads(first)
        except ValueError:
            return False
        return any(line.strip() for line in fh)
