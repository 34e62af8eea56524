"""Content-addressed blob directory with atomic writes (temp file, fsync, rename)."""

import os
import tempfile
from pathlib import Path


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self._clear_temp_files()

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def new_temp_file(self) -> tuple[int, Path]:
        """An open descriptor and path for a file that put() will adopt or discard."""
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, suffix=".part")
        return fd, Path(name)

    def put(self, temp_path: Path, sha256: str) -> Path:
        """Move a fully written temp file into place; identical content is kept once."""
        target = self.path_for(sha256)
        if target.exists():
            temp_path.unlink(missing_ok=True)
            return target
        target.parent.mkdir(exist_ok=True)
        with open(temp_path, "rb") as f:
            os.fsync(f.fileno())
        os.replace(temp_path, target)
        _fsync_dir(target.parent)
        return target

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def _clear_temp_files(self) -> None:
        # Left behind only by a crash mid-upload; nothing refers to them.
        for leftover in self.tmp_dir.glob("*.part"):
            leftover.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
