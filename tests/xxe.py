"""A hostile DOCTYPE for XML-hardening tests: a local secret file and a loopback listener that must
never be contacted."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SECRET = "TOP-SECRET-CONTENT"
ENTITY_REFS = "&file;&net;"  # put these in element text to make a parser expand the entities


@contextmanager
def hostile_doctype(tmp_path: Path) -> Iterator[str]:
    """Yield a DOCTYPE declaring a file entity, a network entity and an external DTD.

    On exit, asserts that nothing connected to the network trap while the block ran.
    """
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.2)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        yield (
            f'<!DOCTYPE manifest [\n<!ENTITY file SYSTEM "{secret.as_uri()}">\n'
            f'<!ENTITY net SYSTEM "{url}/entity">\n<!ENTITY % dtd SYSTEM "{url}/dtd"> %dtd;\n]>\n'
        )
        with pytest.raises(TimeoutError):
            listener.accept()
