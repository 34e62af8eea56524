"""Test data factories: real files, generated at test time."""

from pathlib import Path


class FileFactory:
    """Writes files into a per-test folder and returns their paths."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def text(
        self, name: str = "notes.txt", content: str | None = None, encoding: str = "utf-8"
    ) -> Path:
        content = content if content is not None else "Plain notes.\nNothing to see here.\n"
        return self._write(name, content.encode(encoding))

    def markdown(
        self, name: str = "notes.md", title: str = "Notes", sections: dict[str, str] | None = None
    ) -> Path:
        sections = sections or {"Summary": "A short document about nothing in particular."}
        body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections.items())
        return self._write(name, f"# {title}\n\n{body}\n".encode())

    def _write(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path
