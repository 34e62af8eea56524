"""Content-addressed blob directory with atomic writes (temp file, fsync, rename)."""

import os
import tempfile
import time
from pathlib import Path

from web.fault_points import fault_point


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    @fault_point("blob.temp_file")
    def new_temp_file(self) -> tuple[int, Path]:
        """An open descriptor and path for a file that put() will adopt or discard."""
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, suffix=".part")
        return fd, Path(name)

    def prepare(self, temp_path: Path) -> None:
        """A fully written temp file's bytes on disk for good (fsync): the slow part of
        storing, done before place()."""
        with open(temp_path, "rb") as f:
            os.fsync(f.fileno())

    @fault_point("blob.placing")
    def place(self, temp_path: Path, sha256: str) -> None:
        """Move a prepared temp file into place; identical content is kept once."""
        target = self.path_for(sha256)
        if target.exists():
            temp_path.unlink(missing_ok=True)
            return
        if not target.parent.is_dir():
            target.parent.mkdir(exist_ok=True)
            _fsync_dir(self.root)  # the new folder's entry, or a power loss may lose it
        os.replace(temp_path, target)
        _fsync_dir(target.parent)

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def names(self) -> list[str]:
        """The SHA-256 of every stored blob."""
        return sorted(p.name for p in self.root.glob("*/*") if p.parent != self.tmp_dir)

    def temp_files(self) -> list[Path]:
        return sorted(self.tmp_dir.iterdir())

    def clear_crash_leftovers(self, in_use: set[str], untouched_s: float = 0) -> None:
        """At start: what only a crash leaves. Temp files of uploads cut short, and blobs
        no row refers to (placed by a transaction that then failed to commit).
        `untouched_s`: only those not written to for this long, when other processes share
        the folder (theirs may be mid-upload)."""
        cutoff = time.time() - untouched_s
        unused = [self.path_for(name) for name in set(self.names()) - in_use]
        for leftover in self.temp_files() + unused:
            if leftover.stat().st_mtime <= cutoff:
                leftover.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
