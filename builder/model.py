"""The typed course model every stage shares: loaded once, read by quiz generation and every format."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.errors import Pos

if TYPE_CHECKING:
    from builder.overlay import Overlay


@dataclass(frozen=True)
class Markdown:
    """Markdown text with where it came from: a file of its own, or a YAML value."""

    text: str
    pos: Pos
    base: Path  # folder relative links resolve against (absolute)


@dataclass(frozen=True)
class Link:
    title: str
    url: str | None
    pos: Pos


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    body: Markdown
    pos: Pos


@dataclass(frozen=True)
class AudienceRow:
    role: str
    description: Markdown | None
    organisation_type: str | None
    pos: Pos


@dataclass(frozen=True)
class Audience:
    intro: Markdown | None
    notes: Markdown | None
    rows: tuple[AudienceRow, ...]


@dataclass(frozen=True)
class Competency:
    id: str
    title: str
    description: Markdown
    derived: bool
    module_id: str
    pos: Pos


@dataclass(frozen=True)
class Dependency:
    module_id: str | None
    title: str | None
    description: Markdown
    pos: Pos


@dataclass(frozen=True)
class TrainingMaterial:
    framework: str
    activity: str
    resources: tuple[Link, ...]
    user_group: str | None
    licensing: str | None
    pos: Pos


@dataclass(frozen=True)
class ModuleQuiz:
    """A module's quiz settings (``quiz`` in module.yaml) and its assessment (assessment.yaml).

    The assessment stays raw here, schema-checked but not interpreted: builder.quiz turns it into
    questions and reports its mistakes, so it keeps the position of every value of the file.
    """

    questions: int | None = None  # most slots drawn; None: every item
    assessment: Mapping[str, Any] | None = field(default=None, hash=False)  # assessment.yaml; None: none
    positions: Mapping[tuple[str | int, ...], Pos] = field(default_factory=dict, hash=False)
    pos: Pos | None = None  # assessment.yaml, or the module when it has none
    settings_pos: Pos | None = None  # the ``quiz`` mapping of module.yaml
    unreadable: bool = False  # assessment.yaml is there but broken (its problems are reported)

    def at(self, *path: str | int) -> Pos | None:
        """Position of a value of assessment.yaml (else of its nearest parent)."""
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, self.pos)


@dataclass(frozen=True)
class Discussion:
    """The learners' reflection topic of a module; prompt None: one generated from its competencies."""

    title: str
    prompt: Markdown | None
    pos: Pos


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    category_id: str
    summary: str
    sections: tuple[Section, ...]
    audience: Audience | None
    competencies: tuple[Competency, ...]
    dependencies: tuple[Dependency, ...]
    training_materials: tuple[TrainingMaterial, ...]
    readings: tuple[Link, ...]
    folder: Path
    pos: Pos
    quiz: ModuleQuiz = field(default_factory=ModuleQuiz)
    discussion: Discussion | None = None
    topics: tuple[str, ...] = ()  # reading / reference topics named without a reading


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    intro: Markdown
    module_ids: tuple[str, ...]
    readings: tuple[Link, ...]
    pos: Pos


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    body: Markdown
    pos: Pos


@dataclass(frozen=True)
class Branding:
    """An institution's look for the pages (``branding`` in course.yaml): name, logo, colours, footer."""

    institution: str | None = None
    logo: Path | None = None  # course-relative, also among the course's attachments
    accent: str | None = None  # "#rrggbb"
    header: str | None = None
    footer: str | None = None


@dataclass(frozen=True)
class QuizSettings:
    seed: int = 0
    pass_mark: int = 80
    attempts: int = 0  # submissions a learner may make per quiz (SCORM quiz page); 0: no limit


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    version: str
    release_date: date
    language: str
    description: str
    licence: Link
    publisher: Link | None  # None: the source names none
    authors: tuple[str, ...]
    keywords: tuple[str, ...]
    source: Link | None
    pages: tuple[Page, ...]
    categories: tuple[Category, ...]
    modules: tuple[Module, ...]  # in category order, then the order each category lists them
    quiz: QuizSettings
    root: Path
    pos: Pos
    attachments: frozenset[Path] = field(default=frozenset())  # course-relative files linked from Markdown
    # Folders course-relative files are looked up in, first wins: the course's own, then (for an
    # overlay course, builder.overlay) the course it extends.
    layers: tuple[Path, ...] = ()
    overlay: Overlay | None = field(default=None, compare=False)  # what an overlay course changes
    branding: Branding = field(default_factory=Branding)
    framework_name: str | None = None  # heads the training-materials tables' first column

    def file(self, rel: Path) -> Path:
        """The file a course-relative path names (an overlay's own, else its base's)."""
        for layer in self.layers or (self.root,):
            if (layer / rel).exists():
                return layer / rel
        return self.root / rel

    def layer_of(self, path: Path) -> Path:
        """The course folder (this course's, or the base it extends) a path lies in."""
        return next((la for la in self.layers if path.is_relative_to(la)), self.root)

    def rel(self, path: Path) -> Path:
        """A path of a course file, relative to the course folder that holds it."""
        return path.relative_to(self.layer_of(path))

    def module(self, module_id: str) -> Module:
        return self._modules_by_id[module_id]

    def category(self, category_id: str) -> Category:
        return next(c for c in self.categories if c.id == category_id)

    def modules_of(self, category: Category) -> tuple[Module, ...]:
        return tuple(self.module(m) for m in category.module_ids)

    def competencies(self) -> tuple[Competency, ...]:
        return tuple(c for m in self.modules for c in m.competencies)

    @cached_property
    def _modules_by_id(self) -> dict[str, Module]:
        return {m.id: m for m in self.modules}
