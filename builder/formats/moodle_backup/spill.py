"""The backup's generated files, kept in a temporary file while the backup is assembled.

A 500-module backup is ~36 MB of XML in ~9,000 files (each quiz's inforef.xml alone lists every
question category); held as bytes until the check and the archive writer have read them, they
would sit in memory beside the documents the check parses. Each file is appended to one unnamed
temporary file as it is made and read back when asked for, one at a time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from types import TracebackType
from typing import IO


class Spill(MutableMapping[str, bytes | Path]):
    """Entry name to content: bytes (stored in the temporary file) or a Path (a file streamed as is)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        # Unnamed (never seen in folder); closed by __exit__.
        self._file: IO[bytes] = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self._end = 0
        self._where: dict[str, tuple[int, int] | Path] = {}

    def __setitem__(self, name: str, data: bytes | Path) -> None:
        if isinstance(data, Path):
            self._where[name] = data
            return
        self._file.seek(self._end)
        self._file.write(data)
        self._where[name] = (self._end, len(data))
        self._end += len(data)

    def __getitem__(self, name: str) -> bytes | Path:
        where = self._where[name]
        if isinstance(where, Path):
            return where
        offset, size = where
        self._file.seek(offset)
        return self._file.read(size)

    def __delitem__(self, name: str) -> None:
        del self._where[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __enter__(self) -> Spill:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._file.close()
