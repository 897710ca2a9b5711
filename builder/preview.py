"""``builder preview``: the web output on 127.0.0.1, rebuilt on every source change, pages reloading.

A watcher thread polls the course folder (names, sizes, modification times) and rebuilds the web
format into a temporary folder; the server adds a small reload script to every HTML page it sends
(the built files stay as a build writes them). When the sources have an error, every page shows the
problems as ``path:line:col: message``, and so does the terminal.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click

from builder import output
from builder.errors import BuildError, CourseError
from builder.paths import course_or_default

PREFIX = "/__preview/"
MAX_WATCHED = 20_000  # files; a course folder with more is not watched further
RELOAD_JS = """(function () {
  var seen = null;
  function poll() {
    fetch("/__preview/version", { cache: "no-store" }).then(function (r) {
      return r.json();
    }).then(function (v) {
      if (seen !== null && v.version !== seen) { location.reload(); return; }
      seen = v.version;
      setTimeout(poll, 500);
    }).catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
"""
SCRIPT_TAG = b'<script src="/__preview/reload.js"></script>'


class Preview:
    """Builds the course's web output into a private folder; ``version`` grows with every build."""

    def __init__(self, course: Path) -> None:
        self.course = course.resolve()
        self.root = Path(tempfile.mkdtemp(prefix="builder-preview-"))
        self.version = 0
        self.problems: list[str] = []
        self._lock = threading.Lock()

    @property
    def site(self) -> Path:
        return self.root / "web"  # builder.formats.web.NAME

    def build(self) -> None:
        from builder.formats import web  # imported when used: `builder --help` stays fast
        from builder.load import load_course

        started = time.perf_counter()
        try:
            web.build(load_course(self.course), self.root)
            problems: list[str] = []
        except CourseError as exc:
            problems = [str(p) for p in exc.problems]
        except BuildError as exc:
            problems = [f"build failed: {exc}"]
        with self._lock:
            self.problems = problems
            self.version += 1
        for line in problems:
            output.error(line)
        if problems:
            output.error(f"{len(problems)} problem(s); fix and save to rebuild")
        else:
            output.info(f"rebuilt in {time.perf_counter() - started:.2f}s", err=True)

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {"version": self.version, "problems": list(self.problems)}

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Every file below the course folder by relative path: (size, modification time in ns)."""
        found: dict[str, tuple[int, int]] = {}
        stack = [self.course]
        while stack and len(found) < MAX_WATCHED:
            try:
                entries = list(os.scandir(stack.pop()))
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    else:
                        info = entry.stat()
                        found[entry.path] = (info.st_size, info.st_mtime_ns)
                except OSError:
                    continue
        return found

    def watch(self, stop: threading.Event, interval: float) -> None:
        last = self.snapshot()
        while not stop.wait(interval):
            now = self.snapshot()
            if now != last:
                last = now
                self.build()

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class _Handler(SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, format: str, *args: Any) -> None:
        output.detail(f"preview: {format % args}")

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == PREFIX + "version":
            return self._send(json.dumps(self.preview.state()).encode(), "application/json")
        if path == PREFIX + "reload.js":
            return self._send(RELOAD_JS.encode(), "text/javascript")
        state = self.preview.state()
        is_page = path.endswith("/") or path.endswith(".html")
        if is_page and state["problems"]:
            return self._send(_error_page(state["problems"]), "text/html; charset=utf-8")
        if is_page:
            file = Path(self.translate_path(path))
            if file.is_dir():
                file = file / "index.html"
            if file.is_file():
                page = file.read_bytes()
                at = page.rfind(b"</body>")
                page = page[:at] + SCRIPT_TAG + page[at:] if at >= 0 else page + SCRIPT_TAG
                return self._send(page, "text/html; charset=utf-8")
        return super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _error_page(problems: list[str]) -> bytes:
    items = "\n".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Course has problems – preview</title>
<style>body{{font-family:system-ui,sans-serif;margin:1rem auto;max-width:60rem;padding:0 1rem;
line-height:1.5}}
li{{margin:.5rem 0;overflow-wrap:anywhere}}code{{color:#a1261b}}</style></head>
<body><main><h1>The course has {len(problems)} problem{"s" if len(problems) != 1 else ""}</h1>
<p>Fix them and save: this page reloads by itself.</p><ul>
{items}
</ul></main>{SCRIPT_TAG.decode()}</body></html>
"""
    return page.encode("utf-8")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(course: Path, port: int, interval: float = 0.5) -> None:
    """Build, serve and watch until interrupted."""
    preview = Preview(course)
    preview.build()
    handler = type("Handler", (_Handler,), {"preview": preview})
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(preview.site)))
    except OSError as exc:
        preview.close()
        output.error(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); choose another with --port")
        sys.exit(1)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl+C
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop, interval), daemon=True)
    watcher.start()
    click.echo(
        f"previewing {preview.course.name} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C stops)"
    )
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        preview.close()


@click.command("preview")
@click.argument("course", required=False, type=click.Path(path_type=Path))
@click.option("-p", "--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
def preview_command(course: Path | None, port: int) -> None:
    """Serve COURSE's web site on http://127.0.0.1:PORT/, rebuilding it whenever a source file
    changes; open pages reload by themselves. Source errors show on the page and here as
    path:line:col: message. Only this computer can connect; stop with Ctrl+C."""
    from builder.cli import _user_errors

    _user_errors(lambda: serve(course_or_default(course), port))()
