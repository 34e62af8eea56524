"""The floor of indexing, for benchmarks: a text file's passages put into DocChat's
full-text tables with the least code, in a process of its own
(`python -m e2e.perf.bare_fts5 FILE`, which prints the seconds it took).

The tables are web/storage/sqlite.sql's (FTS5, `porter unicode61`), in WAL mode with
synchronous=NORMAL as DocChat's database. The text is cut into passages of DocChat's size
and overlap by slicing (no looking for a space, no blanks made single) and inserted 200 a
transaction. No upload, no reading process, no page: what FTS5 itself takes, against
which DocChat's "sent → ready" is read, measured in the same run.
"""

import itertools
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from web.settings import Settings

ROOT = Path(__file__).parents[2]
SCHEMA = ROOT / "web" / "storage" / "sqlite.sql"
BATCH = 200


def passages(text: str, size: int, overlap: int) -> Iterator[tuple[int, str]]:
    step = size - overlap
    return enumerate(text[start : start + size] for start in range(0, len(text), step))


def index_seconds(path: Path) -> float:
    settings = Settings()
    with tempfile.TemporaryDirectory() as folder:
        db = sqlite3.connect(Path(folder) / "floor.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA.read_text())
        start = time.perf_counter()
        rows = passages(path.read_text(), settings.chunk_chars, settings.chunk_overlap_chars)
        while batch := list(itertools.islice(rows, BATCH)):
            db.execute("BEGIN")
            db.executemany(
                "INSERT INTO chunks (document_id, seq, text) VALUES ('floor', ?, ?)", batch
            )
            db.execute("COMMIT")
        seconds = time.perf_counter() - start
        db.close()
    return seconds


def measured(path: Path) -> float:
    """index_seconds(path), in a process of its own (the test's holds a GIL and a browser)."""
    command = [sys.executable, "-m", "e2e.perf.bare_fts5", str(path)]
    return float(subprocess.run(command, cwd=ROOT, capture_output=True, check=True).stdout)


if __name__ == "__main__":
    print(index_seconds(Path(sys.argv[1])))
