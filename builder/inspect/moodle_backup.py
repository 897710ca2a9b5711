"""Moodle course backups (.mbz): what Moodle's restore and its precheck need, checked without Moodle.

A backup is a gzip'd tar (what Moodle 4.5 writes) or a zip (what it also reads) holding
``moodle_backup.xml``. Checked, as restore reads them:

* detection: ``moodle_backup.xml`` starts with the exact declaration, ``<moodle_backup>`` and
  ``<information>`` in its first 200 bytes (convert_helper::detect_moodle2_format);
* ``moodle_backup.xml``: the fields the restore controller reads, format ``moodle2``, type
  ``course``, a Moodle version restore accepts, every section and activity with its settings;
* structure: each listed section and activity directory with its XML, ids that agree, section
  sequences that name the section's own activities;
* files: every record of ``files.xml`` present in ``files/<2 hex>/<sha1>`` with that SHA-1 and
  size; every ``inforef`` file, grade item and question category id defined;
* questions: category parents, quiz slots' question bank entries and random-draw categories,
  values within Moodle's column limits, quiz ``sumgrades`` equal to the sum of its slots.

Tar entries are streamed once: XML files are kept (up to a size cap), pool files only hashed.
"""

from __future__ import annotations

import hashlib
import operator
import posixpath
import tarfile
from collections.abc import Callable, Iterable
from pathlib import Path

from lxml import etree

from builder import moodle_limits as limits
from builder.inspect.archive import Limits
from builder.inspect.detect import PackageKind
from builder.inspect.findings import Finding, NotAPackage, UnusablePackage, error, warning
from builder.inspect.moodle_quiz import QuizSlots, check_quiz, quiz_slots
from builder.inspect.xmldoc import parse
from builder.inspect.zipdir import unsafe_reason

BACKUP_FILE = "moodle_backup.xml"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
NEWEST_MOODLE = 2024100799  # Moodle 4.5.x: a newer backup is refused by an older Moodle
KNOWN_QTYPES = {
    "multichoice",
    "truefalse",
    "match",
    "shortanswer",
    "numerical",
    "essay",
    "ordering",
    "random",
}

Read = Callable[[str], bytes]
# A quiz's inforef names every question category: compiled once, ~4 times faster than iterfind.
_CATEGORY_REFS = etree.XPath("question_categoryref/question_category/id")
_TEXT = operator.attrgetter("text")


def is_tgz(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(2) == b"\x1f\x8b"


def read_tgz(path: Path, limits_: Limits | None = None) -> tuple[dict[str, bytes], dict[str, str]]:
    """XML (and other small) members by name, and the SHA-1 of every pool file, in one pass."""
    caps = limits_ or Limits()
    members: dict[str, bytes] = {}
    pool: dict[str, str] = {}
    total = held = 0
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for count, member in enumerate(tar, start=1):
                if count > caps.max_entries:
                    raise UnusablePackage(f"more than {caps.max_entries} entries, the entry limit")
                reason = unsafe_reason(member.name) or (
                    None if member.isfile() or member.isdir() else "is not a regular file or folder"
                )
                if reason is not None:
                    raise UnusablePackage(
                        f"entry {member.name!r} {reason}; refused without extracting anything"
                    )
                if not member.isfile():
                    continue
                total += member.size
                if total > caps.max_total_size:
                    raise UnusablePackage(f"entries add up to more than {caps.max_total_size} bytes")
                stream = tar.extractfile(member)
                assert stream is not None
                if member.name.startswith("files/"):
                    digest = hashlib.sha1()
                    while chunk := stream.read(1 << 16):
                        digest.update(chunk)
                    pool[member.name] = digest.hexdigest()
                elif member.size > caps.max_backup_read:
                    raise UnusablePackage(f"{member.name} is over the {caps.max_backup_read}-byte read limit")
                else:
                    held += member.size
                    if held > caps.max_backup_held:
                        raise UnusablePackage(
                            f"its XML documents add up to more than {caps.max_backup_held} bytes, "
                            "the most this checker holds"
                        )
                    members[member.name] = stream.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise UnusablePackage(f"cannot read the gzip'd tar archive: {exc}") from None
    return members, pool


class _Backup:
    def __init__(self, names: frozenset[str], read: Read, pool: dict[str, str] | None) -> None:
        self.names, self._read, self.pool = names, read, pool
        self.findings: list[Finding] = []
        self._reported: set[str] = set()  # documents whose parse findings are in self.findings
        self._again: dict[str, etree._Element | None] = {}  # documents asked for more than once
        # Per inforef.xml, the question category ids it refers to (equal sets shared).
        self.category_refs: dict[str, frozenset[str | None]] = {}
        self._ref_sets: dict[frozenset[str | None], frozenset[str | None]] = {}
        self.quizzes: dict[str, QuizSlots] = {}  # per quiz.xml, what check_quiz reads of it

    def tree(self, name: str) -> etree._Element | None:
        """The document's root (None when missing or not well-formed: reported once).

        Trees are dropped after use (parsed, a backup's XML takes ~10 times its size). One asked
        for again (to locate a finding, or named twice) is parsed again and then kept: no document
        is parsed more than twice, however often a hostile moodle_backup.xml names it.
        """
        if name in self._again:
            return self._again[name]
        first = name not in self._reported
        self._reported.add(name)
        if name not in self.names:
            if first:
                self.findings.append(error("mbz-missing", f"{name} is missing: restore cannot read it", name))
            return None
        parsed, problems = parse(self._read(name), name)
        root = None if parsed is None else parsed.getroot()
        if first:
            self.findings += problems
        else:
            self._again[name] = root
        return root

    def note_category_refs(self, name: str, root: etree._Element) -> None:
        """Remember which question categories the inforef ``name`` names, so it is not parsed again."""
        refs = frozenset(map(_TEXT, _CATEGORY_REFS(root)))
        self.category_refs[name] = self._ref_sets.setdefault(refs, refs)

    def fail(self, code: str, message: str, file: str, at: etree._Element | None = None) -> None:
        self.findings.append(error(code, message, file, at))

    def warn(self, code: str, message: str, file: str, at: etree._Element | None = None) -> None:
        self.findings.append(warning(code, message, file, at))


def _ids(root: etree._Element | None, xpath: str) -> set[str]:
    return set() if root is None else {str(v) for v in root.xpath(xpath)}


def check_backup_entries(
    names: frozenset[str], read: Read, pool: dict[str, str] | None = None
) -> list[Finding]:
    """Every finding for a backup whose members are ``names``; ``pool``: SHA-1 of pool files if known."""
    b = _Backup(names, read, pool)
    head = read(BACKUP_FILE)[:200].decode("utf-8", "replace") if BACKUP_FILE in names else ""
    if BACKUP_FILE in names and not (
        DECLARATION.lower() in head.lower() and "<moodle_backup>" in head and "<information>" in head
    ):
        b.fail(
            "mbz-detection",
            f"Moodle does not recognise the backup: the first 200 bytes must hold {DECLARATION}, "
            "<moodle_backup> and <information> exactly (double quotes, no attributes)",
            BACKUP_FILE,
        )
    info = b.tree(BACKUP_FILE)
    if info is None:
        return b.findings
    _check_information(b, info)
    _check_structure(b, info)
    _check_files(b)
    _check_questions(b, info)
    return b.findings


def _check_information(b: _Backup, root: etree._Element) -> None:
    info = root.find("information")
    if info is None:
        b.fail("mbz-information", "moodle_backup.xml has no <information>", BACKUP_FILE, root)
        return
    for field in ("name", "moodle_version", "backup_version", "backup_release", "original_course_format"):
        if not (info.findtext(field) or "").strip():
            b.fail(
                "mbz-information", f"<information> lacks <{field}>, which restore reads", BACKUP_FILE, info
            )
    version = (info.findtext("moodle_version") or "0").split(".")[0]
    if version.isdigit() and int(version) > NEWEST_MOODLE:
        b.warn(
            "mbz-version",
            f"made by Moodle version {version}: Moodle 4.5 and older refuse it",
            BACKUP_FILE,
            info,
        )
    detail = info.find("details/detail")
    if detail is None or detail.findtext("format") != "moodle2" or detail.findtext("type") != "course":
        b.fail(
            "mbz-detail", "<details><detail> must say type 'course' and format 'moodle2'", BACKUP_FILE, info
        )
    if info.find("contents/course") is None:
        b.fail("mbz-contents", "<contents> has no <course>", BACKUP_FILE, info)
    settings = {s.findtext("name"): s.findtext("value") for s in info.iterfind("settings/setting")}
    for key in [s.findtext("directory", "") for s in info.iterfind("contents/sections/section")]:
        name = posixpath.basename(key)
        if f"{name}_included" not in settings:
            b.fail("mbz-settings", f"no setting {name}_included: restore skips the section", BACKUP_FILE)
    for activity in info.iterfind("contents/activities/activity"):
        name = posixpath.basename(activity.findtext("directory", ""))
        if f"{name}_included" not in settings:
            b.fail("mbz-settings", f"no setting {name}_included: restore skips the activity", BACKUP_FILE)
    if settings.get("competencies") != "1" and any(n.endswith("competencies.xml") for n in b.names):
        b.warn(
            "mbz-competencies",
            "root setting 'competencies' is not 1: restore drops competency links",
            BACKUP_FILE,
        )


def _check_structure(b: _Backup, root: etree._Element) -> None:
    contents = root.find("information/contents")
    if contents is None:
        return
    b.tree("course/course.xml")
    sections: dict[str, set[str]] = {}
    for section in contents.iterfind("sections/section"):
        directory, ident = section.findtext("directory", ""), section.findtext("sectionid", "")
        tree = b.tree(f"{directory}/section.xml")
        if tree is None:
            continue
        if tree.get("id") != ident:
            b.fail(
                "mbz-id",
                f"section id {tree.get('id')} but moodle_backup.xml says {ident}",
                f"{directory}/section.xml",
                tree,
            )
        sequence = (tree.findtext("sequence") or "").strip()
        sections[ident] = set(sequence.split(",")) if sequence else set()
    placed: dict[str, str] = {}
    for activity in contents.iterfind("activities/activity"):
        directory, cmid = activity.findtext("directory", ""), activity.findtext("moduleid", "")
        modname, section = activity.findtext("modulename", ""), activity.findtext("sectionid", "")
        module = b.tree(f"{directory}/module.xml")
        own = b.tree(f"{directory}/{modname}.xml")
        if modname == "quiz" and own is not None:
            b.quizzes[f"{directory}/quiz.xml"] = quiz_slots(own)
        placed[cmid] = section
        if section not in sections:
            b.fail(
                "mbz-section",
                f"activity {directory} is in section id {section}, not in the backup",
                BACKUP_FILE,
                activity,
            )
        elif cmid not in sections[section]:
            b.warn(
                "mbz-sequence",
                f"section {section}'s sequence does not list {directory} (cmid {cmid})",
                BACKUP_FILE,
                activity,
            )
        if module is not None and (module.get("id") != cmid or module.findtext("modulename") != modname):
            b.fail(
                "mbz-id",
                f"module.xml says {module.findtext('modulename')} id {module.get('id')}, "
                f"moodle_backup.xml {modname} id {cmid}",
                f"{directory}/module.xml",
                module,
            )
    for ident, sequence in sections.items():
        for cmid in sorted(sequence - set(placed)):
            b.fail(
                "mbz-sequence",
                f"section id {ident}'s sequence names cmid {cmid}, which is no activity",
                BACKUP_FILE,
            )


def _check_files(b: _Backup) -> None:
    files = b.tree("files.xml")
    if files is None:
        return
    known = set()
    for record in files.iterfind("file"):
        known.add(record.get("id"))
        digest, name = record.findtext("contenthash", ""), record.findtext("filename", "")
        if name == ".":
            continue
        member = f"files/{digest[:2]}/{digest}"
        if b.pool is not None:
            actual = b.pool.get(member)
        elif member in b.names:
            try:
                actual = hashlib.sha1(b._read(member)).hexdigest()
            except UnusablePackage as exc:  # too large to read here: listed, but its content unchecked
                b.warn("mbz-file-unchecked", f"{member} not hashed: {exc}", "files.xml", record)
                continue
        else:
            actual = None
        if actual is None:
            b.fail(
                "mbz-file-missing",
                f"files.xml lists {name!r} but {member} is not in the backup",
                "files.xml",
                record,
            )
        elif actual != digest:
            b.fail(
                "mbz-file-hash",
                f"{member} holds content with SHA-1 {actual}, not its name",
                "files.xml",
                record,
            )
    for name in sorted(n for n in b.names if n.endswith("/inforef.xml") or n == "course/inforef.xml"):
        tree = b.tree(name)
        if tree is not None:
            b.note_category_refs(name, tree)
        for ref in [] if tree is None else tree.iterfind("fileref/file/id"):
            if ref.text not in known:
                b.fail("mbz-ref", f"file id {ref.text} is not in files.xml", name, ref)


def _check_questions(b: _Backup, root: etree._Element) -> None:
    quizzes = [
        a.findtext("directory", "")
        for a in root.iterfind("information/contents/activities/activity")
        if a.findtext("modulename") == "quiz"
    ]
    if "questions.xml" not in b.names and not quizzes:
        return
    bank = b.tree("questions.xml")
    categories = _ids(bank, "question_category/@id")
    entries = _ids(bank, "question_category/question_bank_entries/question_bank_entry/@id")
    for category in [] if bank is None else bank.iterfind("question_category"):
        if category.findtext("parent", "0") not in categories | {"0"}:
            b.fail(
                "mbz-ref",
                f"question category {category.get('id')} has an unknown parent",
                "questions.xml",
                category,
            )
    for question in [] if bank is None else bank.iterfind(".//question"):
        _check_question(b, question)
    for name in sorted(n for n in b.names if n.endswith("inforef.xml")):
        if name in b.category_refs and b.category_refs[name] <= categories:
            continue  # every reference is known: no need to parse it again
        tree = b.tree(name)
        for ref in [] if tree is None else tree.iterfind("question_categoryref/question_category/id"):
            if ref.text not in categories:
                b.fail("mbz-ref", f"question category {ref.text} is not in questions.xml", name, ref)
    for directory in quizzes:
        check_quiz(b, f"{directory}/quiz.xml", entries, categories)


def _check_question(b: _Backup, question: etree._Element) -> None:
    qtype = question.findtext("qtype", "")
    if qtype not in KNOWN_QTYPES:
        b.warn(
            "mbz-qtype", f"question type {qtype!r} is not standard in Moodle 4.5", "questions.xml", question
        )
    checks: Iterable[tuple[str, etree._Element]] = [("question.name", n) for n in question.iterfind("name")]
    checks = [
        *checks,
        *(("qtype_match_subquestions.answertext", a) for a in question.iterfind(".//match/answertext")),
    ]
    checks += [("tag.rawname", t) for t in question.iterfind("tags/tag/rawname")]
    for column, element in checks:
        if not limits.fits(column, element.text or ""):
            b.fail(
                "mbz-column",
                f"{len(element.text or '')} characters, over Moodle's {column} "
                f"({limits.limit(column)}): restore stops with a database error",
                "questions.xml",
                element,
            )


BACKUP_KIND = PackageKind("mbz", "Moodle course backup (moodle2)", "", None, "")


def is_backup_archive(path: Path) -> bool:
    """A gzip'd tar, the container Moodle writes backups in (zip backups go the zip way)."""
    return path.is_file() and is_tgz(path)


def check_archive(path: Path, caps: Limits | None = None) -> list[Finding]:
    """Findings for a gzip'd tar backup; UnusablePackage when it cannot be read or is no backup."""
    members, pool = read_tgz(path, caps)
    names = frozenset(members) | frozenset(pool)
    if BACKUP_FILE not in names:
        raise NotAPackage(f"a gzip'd tar without {BACKUP_FILE}: not a Moodle course backup")
    return check_backup_entries(names, members.__getitem__, pool)
