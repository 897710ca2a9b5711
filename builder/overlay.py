"""Overlay courses: a course.yaml with ``extends: <base course folder>`` holds only what it changes.

The overlay's YAML documents are merged over the base's before the model is built, value by value,
and every merged value keeps the position of the file it came from, so a mistake is reported in the
file the author can fix (the overlay's, or the base's when the base is wrong):

* mappings merge key by key; a list of mappings with ids (sections, competencies, categories, pages,
  assessment objectives by ``competency``, items and options by ``id``) merges entry by entry:
  an entry whose id the base has overrides it, any other entry is added after the base's;
* a category's ``modules`` list adds the overlay's module ids to the base's;
* anything else the overlay gives (a title, a quiz setting, a list without ids) replaces the base's;
* ``drop_modules`` / ``drop_categories`` remove modules and whole categories (with their modules);
* files (Markdown, images, ``modules/<id>/assessment.yaml``...) are looked up in the overlay first,
  then in the base: a file at the same course-relative path in the overlay replaces the base's.

Everything not overridden comes from the base at every build, so upstream fixes flow in. Ids are kept;
the course id (and so the package, manifest and competency framework identifiers) is the overlay's.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.errors import CourseError, Pos, Problem
from builder.yamlpos import JsonPath, YamlDoc, load_yaml

COURSE_FILE = "course.yaml"
OVERLAY_KEYS = ("extends", "drop_modules", "drop_categories")
ID_KEYS = ("id", "competency")  # what identifies an entry of a list of mappings
MAX_DEPTH = 8  # an overlay of an overlay of ... (a cycle is reported before this)


@dataclass
class Change:
    """One thing the overlay changes, for ``builder diff`` / ``lint --explain``."""

    kind: str  # "override", "add", "drop", "replace-file"
    what: str  # e.g. "modules/strategy/module.yaml: competencies[strategy-capacity-building].title"
    pos: Pos


@dataclass
class Overlay:
    """What an overlay course adds to its base: the folders files are looked up in and what it drops."""

    root: Path
    layers: tuple[Path, ...]  # the overlay first, then its base (and the base's base...)
    dropped_modules: dict[str, Pos] = field(default_factory=dict)
    dropped_categories: dict[str, Pos] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def find(self, rel: Path) -> Path:
        """The file at a course-relative path: the overlay's if it has one, else the base's."""
        for layer in self.layers:
            if (layer / rel).exists():
                return layer / rel
        return self.layers[0] / rel


def extends_of(doc: YamlDoc) -> str | None:
    value = doc.data.get("extends") if isinstance(doc.data, dict) else None
    return value if isinstance(value, str) else None


def compose_course(doc: YamlDoc, root: Path, depth: int = 0) -> tuple[YamlDoc, Overlay]:
    """The overlay's course.yaml merged over its base's (recursively), and what the overlay does."""
    rel = doc.data["extends"]
    where = doc.pos(("extends",))
    if not isinstance(rel, str) or not rel.strip():
        raise CourseError(
            [Problem(where, "extends: write the folder of the course this one adapts, e.g. ../osee")]
        )
    try:
        base_root = (root / rel).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise CourseError([Problem(where, f"extends '{rel}': not a usable folder ({exc})")]) from None
    if not (base_root / COURSE_FILE).is_file():
        raise CourseError([Problem(where, f"extends '{rel}': no {COURSE_FILE} in {base_root}")])
    if depth >= MAX_DEPTH or base_root == root:
        raise CourseError([Problem(where, f"extends '{rel}': overlays extend each other in a cycle")])
    base_doc = load_yaml(base_root / COURSE_FILE)
    if extends_of(base_doc) is not None:
        base_doc, base_overlay = compose_course(base_doc, base_root, depth + 1)
        layers = (root, *base_overlay.layers)
    else:
        layers = (root, base_root)
    overlay = Overlay(root, layers)
    problems = overlay.problems
    for key in ("drop_modules", "drop_categories"):
        value = doc.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(Problem(doc.pos((key,)), f"'{key}' must be a list of ids"))
            continue
        target = overlay.dropped_modules if key == "drop_modules" else overlay.dropped_categories
        for i, item in enumerate(value):
            target[item] = doc.pos((key, i))
    if problems:
        raise CourseError(problems)

    partial = _without(doc, OVERLAY_KEYS)
    merged = merge(base_doc, partial, overlay.changes, COURSE_FILE)
    categories = merged.data.get("categories")
    if isinstance(categories, list):
        base_modules = [m for c in categories if isinstance(c, dict) for m in c.get("modules") or []]
        _drop(merged, overlay, base_modules)
    return merged, overlay


def _drop(merged: YamlDoc, overlay: Overlay, listed: list[Any]) -> None:
    """Remove dropped categories and modules from the merged course.yaml (positions re-indexed)."""
    cats = merged.data["categories"]
    known_cats = {c.get("id") for c in cats if isinstance(c, dict)}
    for cat_id, pos in overlay.dropped_categories.items():
        if cat_id not in known_cats:
            overlay.problems.append(Problem(pos, f"drop_categories: no category '{cat_id}' in the base"))
        else:
            overlay.changes.append(Change("drop", f"category {cat_id}", pos))
    for module_id, pos in overlay.dropped_modules.items():
        if module_id not in listed:
            overlay.problems.append(Problem(pos, f"drop_modules: no module '{module_id}' in the base"))
        else:
            overlay.changes.append(Change("drop", f"module {module_id}", pos))
    kept = []
    for ci, cat in enumerate(cats):
        if not isinstance(cat, dict):
            kept.append((ci, cat, None))
            continue
        if cat.get("id") in overlay.dropped_categories:
            for m in cat.get("modules") or []:
                overlay.dropped_modules.setdefault(m, overlay.dropped_categories[cat["id"]])
            continue
        modules = cat.get("modules")
        kept_modules = None
        if isinstance(modules, list):
            kept_modules = [(mi, m) for mi, m in enumerate(modules) if m not in overlay.dropped_modules]
        kept.append((ci, cat, kept_modules))
    if overlay.problems:
        raise CourseError(overlay.problems)
    fresh = _without(merged, ("categories",))
    fresh.values[("categories",)] = merged.pos(("categories",))
    fresh.keys[("categories",)] = merged.pos(("categories",), key=True)
    data = []
    for new_ci, (ci, _cat, kept_modules) in enumerate(kept):
        value = _copy(merged, ("categories", ci), fresh, ("categories", new_ci))
        if kept_modules is not None:
            for key in [p for p in fresh.values if p[:3] == ("categories", new_ci, "modules") and len(p) > 3]:
                del fresh.values[key]
                fresh.raw.pop(key, None)
            for new_mi, (mi, _) in enumerate(kept_modules):
                _copy(
                    merged,
                    ("categories", ci, "modules", mi),
                    fresh,
                    ("categories", new_ci, "modules", new_mi),
                )
            value["modules"] = [m for _, m in kept_modules]
        data.append(value)
    fresh.data["categories"] = data
    merged.data, merged.values, merged.keys, merged.raw = fresh.data, fresh.values, fresh.keys, fresh.raw


# --- merging two YAML documents, with positions ---------------------------------------------


def merge(base: YamlDoc | None, over: YamlDoc | None, changes: list[Change], label: str) -> YamlDoc:
    """``over`` merged over ``base`` (see the module docstring); positions follow the values."""
    if base is None or over is None:
        doc = base or over
        assert doc is not None
        return doc
    out = YamlDoc(over.file, None)
    out.data = _merge_value(base, (), over, (), out, (), changes, label)
    return out


def _copy(src: YamlDoc, src_path: JsonPath, out: YamlDoc, dst_path: JsonPath) -> Any:
    """Copy a value and the positions of everything in it from one document to another path."""
    n = len(src_path)
    for table, target in ((src.values, out.values), (src.keys, out.keys), (src.raw, out.raw)):
        for path, value in table.items():
            if path[:n] == src_path:
                target[dst_path + path[n:]] = value
    return copy.deepcopy(_get(src.data, src_path))


def _get(data: Any, path: JsonPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _id_key(items: list[Any]) -> str | None:
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    return next((k for k in ID_KEYS if all(k in i for i in items)), None)


def _merge_value(
    base: YamlDoc,
    bpath: JsonPath,
    over: YamlDoc,
    opath: JsonPath,
    out: YamlDoc,
    path: JsonPath,
    changes: list[Change],
    label: str,
    shown: str = "",
) -> Any:
    b, o = _get(base.data, bpath), _get(over.data, opath)
    if isinstance(b, dict) and isinstance(o, dict):
        out.values[path] = over.values.get(opath, base.values.get(bpath, Pos(over.file)))
        result: dict[str, Any] = {}
        for key in b:
            if key not in o:
                if (*bpath, key) in base.keys:
                    out.keys[(*path, key)] = base.keys[(*bpath, key)]
                result[key] = _copy(base, (*bpath, key), out, (*path, key))
        for key in o:
            if (*opath, key) in over.keys:
                out.keys[(*path, key)] = over.keys[(*opath, key)]
            if key in b:
                result[key] = _merge_value(
                    base,
                    (*bpath, key),
                    over,
                    (*opath, key),
                    out,
                    (*path, key),
                    changes,
                    label,
                    _join(shown, key),
                )
            else:
                result[key] = _copy(over, (*opath, key), out, (*path, key))
                changes.append(Change("add", f"{label}: {_join(shown, key)}", over.pos((*opath, key))))
        return result
    if isinstance(b, list) and isinstance(o, list):
        id_key = _id_key(b) if b else None
        if id_key is not None and _id_key(o) == id_key:
            return _merge_list(base, bpath, over, opath, out, path, changes, label, id_key, shown)
        if path and path[-1] == "modules" and all(isinstance(x, str) for x in b + o):
            out.values[path] = base.values.get(bpath, Pos(base.file))
            result = [_copy(base, (*bpath, i), out, (*path, i)) for i in range(len(b))]
            for i, item in enumerate(o):
                if item not in b:
                    result.append(_copy(over, (*opath, i), out, (*path, len(result))))
                    changes.append(Change("add", f"{label}: module {item}", over.pos((*opath, i))))
            return result
    if b != o:
        changes.append(Change("override", f"{label}: {shown or '(whole file)'}", over.pos(opath)))
    return _copy(over, opath, out, path)


def _merge_list(
    base: YamlDoc,
    bpath: JsonPath,
    over: YamlDoc,
    opath: JsonPath,
    out: YamlDoc,
    path: JsonPath,
    changes: list[Change],
    label: str,
    id_key: str,
    shown: str,
) -> list[Any]:
    b, o = _get(base.data, bpath), _get(over.data, opath)
    out.values[path] = over.values.get(opath, base.values.get(bpath, Pos(over.file)))
    overrides = {item[id_key]: i for i, item in enumerate(o)}
    result: list[Any] = []
    for bi, item in enumerate(b):
        if item[id_key] in overrides:
            oi = overrides.pop(item[id_key])
            result.append(
                _merge_value(
                    base,
                    (*bpath, bi),
                    over,
                    (*opath, oi),
                    out,
                    (*path, len(result)),
                    changes,
                    label,
                    f"{shown}[{item[id_key]}]",
                )
            )
        else:
            result.append(_copy(base, (*bpath, bi), out, (*path, len(result))))
    for new_id, oi in overrides.items():
        result.append(_copy(over, (*opath, oi), out, (*path, len(result))))
        changes.append(Change("add", f"{label}: {shown}[{new_id}]", over.pos((*opath, oi))))
    return result


def _join(shown: str, key: str) -> str:
    return f"{shown}.{key}" if shown else key


def _without(doc: YamlDoc, keys: Iterable[str]) -> YamlDoc:
    out = YamlDoc(doc.file, {k: v for k, v in doc.data.items() if k not in keys})
    for table, target in ((doc.values, out.values), (doc.keys, out.keys), (doc.raw, out.raw)):
        for path, value in table.items():
            if not (path and path[0] in keys):
                target[path] = value
    return out


# --- per-module documents and lint ----------------------------------------------------------


def module_doc(overlay: Overlay, module_id: str, name: str) -> YamlDoc | None:
    """A module's YAML file (module.yaml or assessment.yaml): the overlay's merged over the base's."""
    docs = []
    for layer in reversed(overlay.layers):
        file = layer / "modules" / module_id / name
        if file.is_file():
            docs.append(load_yaml(file))
    if not docs:
        return None
    merged = docs[0]
    for doc in docs[1:]:
        merged = merge(merged, doc, overlay.changes, f"modules/{module_id}/{name}")
    return merged


def module_folders(overlay: Overlay) -> dict[str, Path]:
    """Every module folder of the overlay course (the base's first), dropped ones left out."""
    found: dict[str, Path] = {}
    for layer in reversed(overlay.layers):
        folder = layer / "modules"
        if folder.is_dir():
            for path in sorted(p for p in folder.iterdir() if p.is_dir()):
                if path.name not in overlay.dropped_modules and path.name not in found:
                    found[path.name] = path
    return found


def dropped_overrides(overlay: Overlay) -> Iterator[Problem]:
    """Files the overlay gives for modules it drops: they match nothing."""
    folder = overlay.root / "modules"
    for module_id in overlay.dropped_modules:
        if (folder / module_id).is_dir():
            yield Problem(
                Pos(folder / module_id),
                f"modules/{module_id}/ overrides module '{module_id}', which this overlay drops; "
                "remove the folder or the drop",
                "warning",
            )


def dropped_names(overlay: Overlay) -> dict[str, tuple[str, ...]]:
    """Each dropped module's id with the ways prose names it: its title and its id."""
    names: dict[str, tuple[str, ...]] = {}
    for module_id in overlay.dropped_modules:
        title = None
        file = overlay.find(Path("modules", module_id, "module.yaml"))
        if file.is_file():
            try:
                data = load_yaml(file).data
                title = data.get("title") if isinstance(data, dict) else None
            except CourseError:
                pass
        words = module_id.replace("-", " ")
        names[module_id] = tuple(n for n in (title, module_id, words) if isinstance(n, str) and len(n) > 3)
    return names


def names_dropped(names: dict[str, tuple[str, ...]], text: str) -> list[str]:
    """The dropped modules a text names (prose left pointing at removed content)."""
    return [
        module_id
        for module_id, ways in names.items()
        if any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text, re.IGNORECASE) for n in ways)
    ]


def replaced_files(overlay: Overlay) -> Iterator[Change]:
    """Files of the overlay at the same course-relative path as a base file (they replace it)."""
    own = overlay.root
    for path in sorted(own.rglob("*")):
        rel = path.relative_to(own)
        if not path.is_file() or (rel.suffix == ".yaml" and rel.name in ("course.yaml", "module.yaml")):
            continue
        if rel.name == "assessment.yaml":
            continue  # merged by id, its changes are listed as such
        if any((layer / rel).is_file() for layer in overlay.layers[1:]):
            yield Change("file", rel.as_posix(), Pos(path))


def diff_lines(overlay: Overlay) -> list[str]:
    """What the overlay changes, one line each: ``kind  what  (where the overlay says so)``."""
    changes = [*overlay.changes, *replaced_files(overlay)]
    return [f"{c.kind:<8} {c.what}  ({c.pos})" for c in changes]
