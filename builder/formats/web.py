"""The ``web`` format: an offline static HTML site of the course (index, pages, categories, modules).

Each module page links to its quiz in practice mode: the SCO's quiz page and script (scorm/quiz.js)
run against static/practice.js, a stand-in for the SCORM runtime that talks to no LMS.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from markupsafe import Markup

from builder.formats.scorm_quiz import quiz_page
from builder.i18n import tr
from builder.model import Course, Module
from builder.package import atomic_dir
from builder.paths import STATIC
from builder.quiz import build_quizzes
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
PRACTICE_SUSPEND_LIMIT = 64000  # practice.js stores nothing; quiz.js only compares against this
PRACTICE_FILES = ("scorm/quiz.js", "scorm/scorm.css")  # what the practice quiz pages use of the SCO runtime


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
    contents = tr(course.language, "Contents")

    def emit(name: str, template: str, **context: object) -> None:
        (dest / name).write_text(renderer.render(template, **context), encoding="utf-8", newline="\n")
        written.append(name)

    emit(index_url(), "index.html", title=contents, current="index", breadcrumbs=[])
    quizzes = build_quizzes(course).quizzes
    order = reading_order(course)
    for i, (title, url, kind, obj) in enumerate(order):
        prev = order[i - 1][:2] if i > 0 else (contents, index_url())
        nxt = order[i + 1][:2] if i + 1 < len(order) else None
        crumbs = [(contents, index_url())]
        if kind == "module":
            cat = course.category(obj.category_id)  # type: ignore[attr-defined]
            crumbs.append((cat.title, category_url(cat)))
        extra: dict[str, object] = {}
        if kind == "module" and (quiz := quizzes.get(obj.id)) is not None and quiz.questions:  # type: ignore[attr-defined]
            extra["practice_quiz"] = {"href": practice_url(obj), "count": len(quiz.questions)}  # type: ignore[arg-type]
            view = quiz_page(course, obj, quiz, "2004", PRACTICE_SUSPEND_LIMIT)  # type: ignore[arg-type]
            emit(
                practice_url(obj),  # type: ignore[arg-type]
                "practice_quiz.html",
                title=view.title,
                current=f"quiz-{obj.id}",  # type: ignore[attr-defined]
                breadcrumbs=[*crumbs, (title, url)],
                prev=(title, url),
                next=nxt,
                module=obj,
                quiz=view,
                data_json=Markup(view.data_json),
            )
        emit(
            url,
            f"{kind}.html",
            title=title,
            current=f"{kind}-{obj.id}",  # type: ignore[attr-defined]
            breadcrumbs=crumbs,
            prev=prev,
            next=nxt,
            **{kind: obj},
            **extra,
        )
    emit(
        "attributions.html",
        "attributions.html",
        title=tr(course.language, "Attributions"),
        current="attributions",
        breadcrumbs=[(contents, index_url())],
    )

    (dest / STATIC_DIR).mkdir()
    for asset in sorted(STATIC.iterdir()):
        if asset.is_file():
            shutil.copyfile(asset, dest / STATIC_DIR / asset.name)
            written.append(f"{STATIC_DIR}/{asset.name}")
    if any(name.startswith("quiz-") for name in written):
        (dest / STATIC_DIR / "scorm").mkdir()
        for rel in PRACTICE_FILES:
            shutil.copyfile(STATIC / rel, dest / STATIC_DIR / rel)
            written.append(f"{STATIC_DIR}/{rel}")
    for rel in sorted(course.attachments):
        target = dest / ASSETS_DIR / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(course.file(rel), target)
        written.append(f"{ASSETS_DIR}/{rel.as_posix()}")
    return written


def practice_url(module: Module) -> str:
    return f"quiz-{module.id}.html"


def build(course: Course, out_dir: Path) -> list[Path]:
    target = out_dir / NAME
    with atomic_dir(target) as tmp:
        write_site(course, tmp, Renderer(course))
    return [target / index_url()]
