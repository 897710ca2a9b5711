"""The ``moodle`` format: the Moodle course backup (.mbz), read back as Moodle's restore reads it."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import shutil
import tarfile
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from lxml import etree

from builder.inspect.moodle_backup import check_backup_entries
from builder.load import load_course
from builder.quiz import QuestionType, build_quizzes
from builder.xsd_check import hardened_parser
from tests.conftest import FIXTURES, OSEE, run

NATIVE = {
    QuestionType.MULTIPLE_CHOICE: "multichoice",
    QuestionType.MULTIPLE_RESPONSE: "multichoice",
    QuestionType.TRUE_FALSE: "truefalse",
    QuestionType.MATCHING: "match",
    QuestionType.SHORT_ANSWER: "shortanswer",
    QuestionType.ESSAY: "essay",
    QuestionType.ORDERING: "ordering",
    QuestionType.NUMERICAL: "numerical",
}


def draw_category(filtercondition: str) -> str:
    """The category a random slot draws from (Moodle's legacy filter condition, read by 4.1-4.5)."""
    return json.loads(filtercondition)["questioncategoryid"]


def build(course: Path, out: Path, *formats: str) -> Path:
    args = [a for f in formats or ("moodle",) for a in ("--format", f)]
    result = run("build", course, *args, "--out", out)
    assert result.exit_code == 0, result.output + result.stderr
    return out / course.name / f"{course.name}.mbz"


def members(mbz: Path) -> dict[str, bytes]:
    with tarfile.open(mbz, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, hardened_parser())


MINI = FIXTURES / "mini"


@pytest.fixture(scope="module")
def mini_mbz(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """The mini course's backup (every quiz model type, an item model, files) and its competency CSV."""
    mbz = build(MINI, tmp_path_factory.mktemp("dist"), "moodle", "competencies")
    return mbz, members(mbz)


osee = mini_mbz  # the properties below hold for any course; the OSEE course has a test of its own


def test_archive_is_a_gzipped_tar_as_moodle_writes_it(osee: tuple[Path, dict[str, bytes]]) -> None:
    mbz, files = osee
    raw = mbz.read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0"  # gzip, no timestamp
    with tarfile.open(mbz, "r:gz") as tar:
        entries = tar.getmembers()
    assert entries[0].name == ".ARCHIVE_INDEX"
    assert {(e.uid, e.gid, e.mode, e.mtime) for e in entries} == {(0, 0, 0o644, entries[0].mtime)}
    index = files[".ARCHIVE_INDEX"].decode().splitlines()
    assert index[0] == f"Moodle archive file index. Count: {len(entries) - 1}"
    listed = {line.split("\t")[0]: int(line.split("\t")[2]) for line in index[1:]}
    assert listed == {name: len(data) for name, data in files.items() if name != ".ARCHIVE_INDEX"}
    assert files["moodle_backup.xml"].startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<moodle_backup>')


def test_same_sources_give_the_same_bytes_and_epoch_sets_the_times(
    osee: tuple[Path, dict[str, bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    again = build(MINI, tmp_path / "again")
    assert again.read_bytes() == osee[0].read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    later = members(build(MINI, tmp_path / "epoch"))
    info = xml(later["moodle_backup.xml"]).find("information")
    assert info.findtext("backup_date") == "1700000000"


def test_every_file_record_is_in_the_pool_under_its_hash(mini_mbz: tuple[Path, dict[str, bytes]]) -> None:
    _, files = mini_mbz
    records = xml(files["files.xml"]).findall("file")
    assert {r.findtext("filename") for r in records} == {"handout.txt", "diagram.svg"}
    pool = {name for name in files if name.startswith("files/")}
    for record in records:
        digest = record.findtext("contenthash")
        data = files[f"files/{digest[:2]}/{digest}"]
        assert hashlib.sha1(data).hexdigest() == digest and len(data) == int(record.findtext("filesize"))
        assert record.findtext("component") == "mod_page" and record.findtext("filearea") == "content"
    assert pool == {f"files/{r.findtext('contenthash')[:2]}/{r.findtext('contenthash')}" for r in records}
    page = next(n for n, d in files.items() if n.endswith("/page.xml") and b"handout" in d)
    content = xml(files[page]).findtext("page/content")
    assert "@@PLUGINFILE@@/files/handout.txt" in content and "@@PLUGINFILE@@/files/diagram.svg" in content
    assert 'href="files/' not in content and "assets/" not in content


def test_every_cross_reference_resolves(
    osee: tuple[Path, dict[str, bytes]], mini_mbz: tuple[Path, dict[str, bytes]]
) -> None:
    for _, files in (osee, mini_mbz):
        assert check_backup_entries(frozenset(files), files.__getitem__) == []
        info = xml(files["moodle_backup.xml"]).find("information/contents")
        sections = {
            s.findtext("sectionid"): s.findtext("directory") for s in info.iterfind("sections/section")
        }
        for activity in info.iterfind("activities/activity"):
            directory, cmid = activity.findtext("directory"), activity.findtext("moduleid")
            module = xml(files[f"{directory}/module.xml"])
            assert module.get("id") == cmid and module.findtext("sectionid") == activity.findtext("sectionid")
            section = xml(files[f"{sections[activity.findtext('sectionid')]}/section.xml"])
            assert cmid in section.findtext("sequence").split(",")
            own = xml(files[f"{directory}/{activity.findtext('modulename')}.xml"])
            assert own.get("moduleid") == cmid
        bank = xml(files["questions.xml"])
        entries = bank.xpath("//question_bank_entry/@id")
        quizzes = [xml(d) for n, d in files.items() if n.endswith("/quiz.xml")]
        used = [e for q in quizzes for e in q.xpath("//question_reference/questionbankentryid/text()")]
        draws = [
            draw_category(c)
            for q in quizzes
            for c in q.xpath("//question_set_reference/filtercondition/text()")
        ]
        drawn = [
            e for c in draws for e in bank.xpath(f"question_category[@id='{c}']//question_bank_entry/@id")
        ]
        assert sorted(used + drawn) == sorted(entries)  # every bank entry in one slot or one draw


def test_sections_are_the_categories_after_the_course_pages(osee: tuple[Path, dict[str, bytes]]) -> None:
    _, files = osee
    course = load_course(MINI)
    info = xml(files["moodle_backup.xml"]).find("information/contents")
    names = [s.findtext("title") for s in info.iterfind("sections/section")]
    assert names == ["About this course", *(c.title for c in course.categories)]
    first = [
        a.findtext("title") for a in info.iterfind("activities/activity") if a.findtext("sectionid") == "1"
    ]
    assert first == [*(p.title for p in course.pages), "Attributions"]
    summary = xml(files["sections/section_2/section.xml"]).findtext("summary")
    assert summary.startswith("<p>") and "lmsb-page" not in summary
    kinds = Counter(a.findtext("modulename") for a in info.iterfind("activities/activity"))
    assert kinds["quiz"] == len(course.modules)
    assert kinds["forum"] == sum(m.discussion is not None for m in course.modules)
    assert kinds["page"] == len(course.modules) + len(course.pages) + 1


def test_pages_carry_their_stylesheet_scoped_to_themselves(osee: tuple[Path, dict[str, bytes]]) -> None:
    _, files = osee
    content = xml(next(d for n, d in files.items() if n.endswith("/page.xml"))).findtext("page/content")
    page = etree.fromstring(content, etree.HTMLParser()).find(".//div")
    assert page.get("class") == "lmsb-page"
    style = page.findtext("style")
    rules = [r.split("{")[0] for r in style.split("}") if "{" in r and not r.strip().startswith("@")]
    assert rules and all(sel.strip().startswith(".lmsb-page") for r in rules for sel in r.split(","))
    assert "<script" not in content


def test_quizzes_are_native_with_marks_pass_grade_and_completion(osee: tuple[Path, dict[str, bytes]]) -> None:
    _, files = osee
    course = load_course(MINI)
    quizzes = build_quizzes(course).quizzes
    bank = xml(files["questions.xml"])
    by_entry = {e.get("id"): e.find(".//question") for e in bank.iter("question_bank_entry")}
    info = xml(files["moodle_backup.xml"]).find("information/contents")
    dirs = [
        a.findtext("directory")
        for a in info.iterfind("activities/activity")
        if a.findtext("modulename") == "quiz"
    ]
    for module, directory in zip(course.modules, dirs, strict=True):
        quiz_model = quizzes[module.id]
        quiz = xml(files[f"{directory}/quiz.xml"]).find("quiz")
        slots = quiz.findall("question_instances/question_instance")
        assert [float(s.findtext("maxmark")) for s in slots] == [v[0].points for v in quiz_model.slots]
        assert float(quiz.findtext("sumgrades")) == quiz_model.points
        for slot, variants in zip(slots, quiz_model.slots, strict=True):
            if len(variants) > 1:  # a random question from a category holding exactly the variants
                category = draw_category(slot.findtext("question_set_reference/filtercondition"))
                assert bank.xpath(f"question_category[@id='{category}']//question/name/text()") == [
                    v.id for v in variants
                ]
                continue
            saved = by_entry[slot.findtext("question_reference/questionbankentryid")]
            assert saved.findtext("qtype") == NATIVE[variants[0].type]
            assert saved.findtext("name") == variants[0].id
            assert float(saved.findtext("defaultmark")) == variants[0].points
        grade = xml(files[f"{directory}/grades.xml"]).find("grade_items/grade_item")
        assert Fraction(grade.findtext("gradepass")) / Fraction(grade.findtext("grademax")) == Fraction(
            quiz_model.pass_mark, 100
        )
        completion = xml(files[f"{directory}/module.xml"])
        assert (completion.findtext("completion"), completion.findtext("completionpassgrade")) == ("2", "1")
        links = xml(files[f"{directory}/competencies.xml"]).findall("competencies/competency")
        assert [c.findtext("idnumber") for c in links] == [c.id for c in module.competencies]
        assert {(c.findtext("ruleoutcome"), c.findtext("frameworkidnumber")) for c in links} == {
            ("1", course.id)
        }
    criteria = xml(files["completion.xml"]).findall("course_completion_criteria")
    assert (
        len(criteria) == len(course.modules)
        and xml(files["course/course.xml"]).findtext("enablecompletion") == "1"
    )


def test_competency_links_use_the_csv_idnumbers(osee: tuple[Path, dict[str, bytes]]) -> None:
    mbz, files = osee
    rows = list(csv.reader(io.StringIO((mbz.parent / "mini-competencies.csv").read_text(encoding="utf-8"))))
    framework = next(r[1] for r in rows[1:] if r[12] == "1")
    csv_ids = {r[1] for r in rows[1:] if r[12] != "1"}
    linked = xml(files["course/competencies.xml"]).findall("competencies/competency")
    assert {c.findtext("frameworkidnumber") for c in linked} == {framework}
    assert {c.findtext("idnumber") for c in linked} <= csv_ids
    assert len(linked) == len(load_course(MINI).competencies())


def test_every_quiz_model_type_is_native(mini_mbz: tuple[Path, dict[str, bytes]]) -> None:
    _, files = mini_mbz
    bank = xml(files["questions.xml"])
    qtypes = Counter(q.findtext("qtype") for q in bank.iter("question"))
    assert set(qtypes) >= {"multichoice", "truefalse", "match", "shortanswer", "essay"}
    essay = next(q for q in bank.iter("question") if q.findtext("qtype") == "essay")
    assert "Uses plain language a board member understands (1 point)" in essay.findtext(".//essay/graderinfo")
    assert "next step in plain words" in essay.findtext("generalfeedback")
    ordering = next(q for q in bank.iter("question") if q.findtext("name") == "alpha.plan-order")
    steps = [(a.findtext("answertext"), a.findtext("fraction")) for a in ordering.iterfind(".//answer")]
    assert steps[0] == ("Agree what the programme must achieve", "1.0000000") and steps[2][1] == "3.0000000"
    assert ordering.findtext(".//ordering/gradingtype") == "-1"
    numerical = next(q for q in bank.iter("question") if q.findtext("name") == "alpha.budget-total")
    answers = [
        (a.findtext("answertext"), a.findtext("fraction")) for a in numerical.iterfind(".//answers/answer")
    ]
    assert answers == [("12500", "1.0000000"), ("12000", "0.0000000"), ("10000", "0.0000000")]
    assert numerical.findtext(".//numerical_unit/unit") == "EUR"
    assert len(numerical.findall(".//numerical_record")) == 3
    match = next(q for q in bank.iter("question") if q.findtext("qtype") == "match")
    assert [
        m.findtext("answertext") for m in match.iterfind(".//match") if not m.findtext("questiontext")
    ] == ["Ban the whole channel"]
    short = next(q for q in bank.iter("question") if q.findtext("qtype") == "shortanswer")
    model = next(
        q
        for quiz in build_quizzes(load_course(MINI)).quizzes.values()
        for q in quiz.bank
        if q.type is QuestionType.SHORT_ANSWER
    )
    assert short.findtext(".//shortanswer/usecase") == str(int(model.case_sensitive))
    assert [a.findtext("answertext") for a in short.iterfind(".//answers/answer")] == [
        a.text for a in model.answers
    ]


def test_the_osee_course_gives_a_valid_backup(tmp_path: Path) -> None:
    files = members(build(OSEE, tmp_path))
    assert check_backup_entries(frozenset(files), files.__getitem__) == []
    titles = [s.findtext("title") for s in xml(files["moodle_backup.xml"]).iterfind(".//sections/section")]
    assert titles == ["About this course", *(c.title for c in load_course(OSEE).categories)]


def _unpacked(files: dict[str, bytes], folder: Path) -> Path:
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


@pytest.mark.parametrize(
    ("break_it", "code"),
    [
        (lambda f: f.pop(next(n for n in f if n.startswith("files/"))), "mbz-file-missing"),
        (lambda f: f.update({next(n for n in f if n.startswith("files/")): b"changed"}), "mbz-file-hash"),
        (lambda f: f.pop(next(n for n in f if n.endswith("/module.xml"))), "mbz-missing"),
        (
            lambda f: f.update({"moodle_backup.xml": f["moodle_backup.xml"].replace(b'"1.0"', b"'1.0'", 1)}),
            "mbz-detection",
        ),
        (
            lambda f: f.update(
                {
                    n: d.replace(b"<sumgrades>", b"<sumgrades>9")
                    for n, d in f.items()
                    if n.endswith("quiz.xml")
                }
            ),
            "mbz-sumgrades",
        ),
    ],
)
def test_validate_finds_what_restore_would_trip_on(
    mini_mbz: tuple[Path, dict[str, bytes]], tmp_path: Path, break_it: object, code: str
) -> None:
    files = dict(mini_mbz[1])
    del files[".ARCHIVE_INDEX"]
    break_it(files)  # type: ignore[operator]
    folder = _unpacked(files, tmp_path / "broken")
    result = run("validate", "--json", folder)
    assert result.exit_code == 1, result.output
    assert f'"code": "{code}"' in result.output


def test_validate_reads_the_backup_as_tar_and_as_zip(
    mini_mbz: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    mbz, files = mini_mbz
    assert run("validate", mbz).exit_code == 0
    zipped = shutil.make_archive(str(tmp_path / "backup"), "zip", _unpacked(files, tmp_path / "tree"))
    result = run("validate", zipped)
    assert result.exit_code == 0 and "Moodle course backup" in result.output, result.output
    garbage = tmp_path / "bad.mbz"
    garbage.write_bytes(gzip.compress(b"not a tar"))
    assert run("validate", garbage).exit_code == 2


def test_check_reports_each_bad_reference_once_with_its_line(mini_mbz: tuple[Path, dict[str, bytes]]) -> None:
    """Documents are parsed, checked and dropped; the ones read twice still give one finding each."""
    files = dict(mini_mbz[1])
    quizzes = sorted(n for n in files if n.endswith("/quiz.xml"))
    inforef = quizzes[0].replace("quiz.xml", "inforef.xml")
    ref = b"<question_category>\n      <id>"
    assert ref in files[inforef]
    files[inforef] = files[inforef].replace(ref, ref + b"999", 1)
    files[quizzes[1]] = files[quizzes[1]].replace(b"<questionbankentryid>", b"<questionbankentryid>999", 1)
    del files[quizzes[-1]]
    findings = check_backup_entries(frozenset(files), files.__getitem__)
    line = files[inforef][: files[inforef].index(b"<id>999")].count(b"\n") + 1
    assert [(f.code, f.file, f.line) for f in findings if f.file == inforef] == [("mbz-ref", inforef, line)]
    quiz = files[quizzes[1]]
    slot = (
        quiz[: quiz.rindex(b"<question_instance ", 0, quiz.index(b"<questionbankentryid>999"))].count(b"\n")
        + 1
    )
    assert [(f.code, f.line) for f in findings if f.file == quizzes[1]] == [("mbz-ref", slot)]
    assert [f.code for f in findings if f.file == quizzes[-1]] == ["mbz-missing"]


def test_check_reads_each_document_once_and_a_repeated_one_at_most_twice(
    mini_mbz: tuple[Path, dict[str, bytes]],
) -> None:
    files = dict(mini_mbz[1])
    reads: Counter[str] = Counter()

    def read(name: str) -> bytes:
        reads[name] += 1
        return files[name]

    assert check_backup_entries(frozenset(files), read) == []
    assert {n: c for n, c in reads.items() if c > 1 and n != "moodle_backup.xml"} == {}
    info = etree.fromstring(files["moodle_backup.xml"], hardened_parser())
    activity = next(a for a in info.iterfind(".//activities/activity") if a.findtext("modulename") == "quiz")
    for _ in range(5):  # the same quiz named six times
        activity.addnext(etree.fromstring(etree.tostring(activity)))
    files["moodle_backup.xml"] = b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(info)
    reads.clear()
    check_backup_entries(frozenset(files), read)
    directory = activity.findtext("directory")
    assert reads[f"{directory}/quiz.xml"] == 2 and reads[f"{directory}/module.xml"] == 2


def test_validate_reads_a_large_question_bank_and_bounds_what_it_holds(
    mini_mbz: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """questions.xml grows with the bank (~9 KB a question): a 1,000-question backup's is ~9 MB.
    Backups get their own read limit (16 MiB a document), and what a .mbz's XML may add up to in
    memory is capped too."""
    from datetime import UTC, datetime

    from builder.inspect.archive import Limits
    from builder.inspect.moodle_backup import check_archive
    from builder.package import write_tgz

    _, files = mini_mbz
    big = dict(files)
    # 6 MiB of text that compresses like a real bank (not like a zip bomb)
    filler = b"".join(
        hashlib.sha256(str(i).encode()).hexdigest().encode() for i in range(6 * 1024 * 1024 // 64)
    )
    big["questions.xml"] = files["questions.xml"] + b"<!-- " + filler + b" -->\n"
    mbz = tmp_path / "big.mbz"
    write_tgz(
        mbz,
        {n: d for n, d in big.items() if n != ".ARCHIVE_INDEX"},
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert run("validate", mbz).exit_code == 0
    zipped = shutil.make_archive(str(tmp_path / "big"), "zip", _unpacked(big, tmp_path / "tree"))
    assert run("validate", zipped).exit_code == 0
    with pytest.raises(Exception, match="add up to more than 1048576 bytes"):
        check_archive(mbz, Limits(max_backup_held=1024 * 1024))
