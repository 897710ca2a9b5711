"""The ``web`` format: an offline static HTML site of the course (index, pages, categories, modules)."""

from __future__ import annotations

import shutil
from pathlib import Path

from builder.model import Course
from builder.package import atomic_dir
from builder.paths import STATIC
from builder.render import (
    ASSETS_DIR,
    STATIC_DIR,
    Renderer,
    category_url,
    index_url,
    module_url,
    page_url,
)

NAME = "web"


def reading_order(course: Course) -> list[tuple[str, str, str, object]]:
    """(title, url, kind, object) of every page a learner walks through, in order."""
    order: list[tuple[str, str, str, object]] = [(p.title, page_url(p), "page", p) for p in course.pages]
    for cat in course.categories:
        order.append((cat.title, category_url(cat), "category", cat))
        order += [(m.title, module_url(m), "module", m) for m in course.modules_of(cat)]
    return order


def write_site(course: Course, dest: Path, renderer: Renderer) -> list[str]:
    """Render every page into ``dest`` (which must exist); returns the written file names."""
    written: list[str] = []

    def emit(name: str, template: str, **context: object) -> None:
        (dest / name).write_text(renderer.render(template, **context), encoding="utf-8", newline="\n")
        written.append(name)

    emit(index_url(), "index.html", title="Contents", current="index", breadcrumbs=[])
    order = reading_order(course)
    for i, (title, url, kind, obj) in enumerate(order):
        prev = order[i - 1][:2] if i > 0 else ("Contents", index_url())
        nxt = order[i + 1][:2] if i + 1 < len(order) else None
        crumbs = [("Contents", index_url())]
        if kind == "module":
            cat = course.category(obj.category_id)  # type: ignore[attr-defined]
            crumbs.append((cat.title, category_url(cat)))
        emit(
            url,
            f"{kind}.html",
            title=title,
            current=f"{kind}-{obj.id}",  # type: ignore[attr-defined]
            breadcrumbs=crumbs,
            prev=prev,
            next=nxt,
            **{kind: obj},
        )
    emit(
        "attributions.html",
        "attributions.html",
        title="Attributions",
        current="attributions",
        breadcrumbs=[("Contents", index_url())],
    )

    (dest / STATIC_DIR).mkdir()
    for asset in sorted(STATIC.iterdir()):
        if asset.is_file():
            shutil.copyfile(asset, dest / STATIC_DIR / asset.name)
            written.append(f"{STATIC_DIR}/{asset.name}")
    for rel in sorted(course.attachments):
        target = dest / ASSETS_DIR / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(course.root / rel, target)
        written.append(f"{ASSETS_DIR}/{rel.as_posix()}")
    return written


def build(course: Course, out_dir: Path) -> list[Path]:
    target = out_dir / NAME
    with atomic_dir(target) as tmp:
        write_site(course, tmp, Renderer(course))
    return [target / index_url()]
