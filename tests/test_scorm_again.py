"""SCOs under scorm-again, a real LMS-side SCORM runtime (the npm package pinned in tests/scorm_again,
installed by `make test`), in headless Chromium, for SCORM 1.2 and 2004: a learner answers a quiz with
every question type (the mini course's alpha quiz: ordering, numerical, an item model's slot, matching
with a distractor, short answer, essay, choice, true/false) partly wrong and leaves, comes back to the
same items and answers and tries again, and reads a module to its end. The assertions are on the CMI
data scorm-again would commit to its LMS."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from builder.formats import scorm12, scorm2004
from builder.load import load_course
from builder.quiz import build_quizzes
from builder.quiz.model import Question, QuestionType, Quiz
from tests.conftest import FIXTURES
from tests.scorm_support import build, chromium, every_type_course, manifest, needs_browser, serve, unpack

SCORM_AGAIN = (
    Path(__file__).parent / "scorm_again" / "node_modules" / "scorm-again" / "dist" / "scorm-again.js"
)
HOST = FIXTURES / "scorm_again"
MODULE = "alpha"  # with every_type_course, its quiz has every question type and an item model
QUIZ_SCO = f"quiz-{MODULE}.html"
CONTENT_SCO = f"module-{MODULE}.html"
VERSIONS = {"scorm12": "1.2", "scorm2004": "2004"}

# The formats our runtime sends (strict) and what scorm-again keeps after parsing them.
SENT_TIMESPAN = {"scorm12": r"^\d{4}:\d{2}:\d{2}\.\d{2}$", "scorm2004": r"^PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S$"}
KEPT_TIMESPAN = {"scorm12": r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$", "scorm2004": SENT_TIMESPAN["scorm2004"]}
MOMENT = {"scorm12": r"^\d{2}:\d{2}:\d{2}$", "scorm2004": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"}
WRONG = {"scorm12": "wrong", "scorm2004": "incorrect"}
INTERACTION_TYPE = {
    QuestionType.MULTIPLE_CHOICE: "choice",
    QuestionType.MULTIPLE_RESPONSE: "choice",
    QuestionType.TRUE_FALSE: "true-false",
    QuestionType.MATCHING: "matching",
    QuestionType.SHORT_ANSWER: "fill-in",
    QuestionType.ORDERING: "sequencing",
    QuestionType.NUMERICAL: "numeric",
}
ESSAY_TYPE = {"scorm12": "fill-in", "scorm2004": "long-fill-in"}  # SCORM 1.2 has no long-fill-in
SUSPEND_DATA_MAX_12 = 4096
NOT_INITIALIZED_2004 = "403"


def needs_scorm_again() -> None:
    """Like the other browser tests: skipped where nothing is installed, never in CI."""
    needs_browser()
    if not SCORM_AGAIN.exists() and not os.environ.get("CI"):
        pytest.skip("scorm-again is not installed (make test runs npm ci in tests/scorm_again)")


# --- the LMS ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("course") / "mini"
    shutil.copytree(FIXTURES / "mini", target)
    return every_type_course(target)


@pytest.fixture(scope="module")
def packages(course: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    needs_scorm_again()
    return build(course, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def base_url(packages: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One origin for the LMS page (lms/) and the unpacked packages: a SCO reaches the API by its parent."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(HOST, root / "lms")
    shutil.copyfile(SCORM_AGAIN, root / "lms" / "scorm-again.js")
    (root / "favicon.ico").write_bytes(b"")  # browsers ask for it; a 404 would count as a console error
    for name, package in packages.items():
        unpack(package, root / name)
    with serve(root) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def quiz(course: Path) -> Quiz:
    return build_quizzes(load_course(course)).quizzes[MODULE]


def launch_data(package: Path, name: str) -> dict[str, str]:
    """What an LMS takes from the manifest for the quiz SCO: the 1.2 mastery score, the 2004 passing score."""
    root = manifest(package)
    item = f"ITEM.mini.{MODULE}.quiz"
    if name == "scorm12":
        ns = {"cp": scorm12.CP, "adlcp": scorm12.ADLCP}
        mastery = root.xpath(f"//cp:item[@identifier='{item}']/adlcp:masteryscore/text()", namespaces=ns)
        return {"cmi.student_data.mastery_score": mastery[0]}
    ns = {"cp": scorm2004.CP, "imsss": scorm2004.IMSSS}
    measure = root.xpath(
        f"//cp:item[@identifier='{item}']//imsss:primaryObjective/imsss:minNormalizedMeasure/text()",
        namespaces=ns,
    )
    return {"cmi.scaled_passing_score": measure[0]}


class Session:
    """One launch of a SCO in the scorm-again host page, until the learner leaves it."""

    def __init__(self, browser: Any, base_url: str, name: str, sco: str, initial: dict[str, str]) -> None:
        self.name = name
        self.initial = initial
        self.page = browser.new_page(viewport={"width": 1000, "height": 600})
        self.page_errors: list[str] = []
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("console", lambda m: self.page_errors.append(m.text) if m.type == "error" else None)
        self.page.goto(f"{base_url}/lms/host.html")
        self.page.evaluate(
            "([v, s, c]) => host.launch(v, s, c)", [VERSIONS[name], f"../{name}/{sco}", initial]
        )
        self.page.wait_for_function("host.calls.some(c => /Commit$/.test(c.fn))")  # start() is over
        self.frame = next(f for f in self.page.main_frame.child_frames if f.url.endswith(sco))

    def wait_for_cmi(self, element: str, value: str) -> None:
        self.page.wait_for_function("([e, v]) => host.cmiValue(e) === v", arg=[element, value])

    def leave(self) -> dict[str, str]:
        """The LMS unloads the SCO (the learner picks another item); the CMI data it would store."""
        self.page.evaluate("document.getElementById('sco').src = 'about:blank'")
        self.page.wait_for_function("host.terminated()")
        final = self.page.evaluate("host.finalCmi()")
        return {key: value for key, value in final.items() if isinstance(value, str)}

    def calls(self) -> list[dict[str, Any]]:
        return self.page.evaluate("host.calls")

    def sent(self) -> dict[str, str]:
        """The last value the SCO set for each element."""
        return {c["args"][0]: c["args"][1] for c in self.calls() if c["fn"].endswith("SetValue")}

    def assert_clean(self) -> None:
        """One Initialize, one Terminate last; scorm-again refused nothing and logged no error."""
        calls = self.calls()
        fns = [c["fn"] for c in calls]
        init, finish = (
            ("LMSInitialize", "LMSFinish") if self.name == "scorm12" else ("Initialize", "Terminate")
        )
        assert fns[0] == init and fns.count(init) == 1
        assert fns[-1] == finish and fns.count(finish) == 1
        refused = [c for c in calls if c["error"] != "0" or c["result"] == "false"]
        if self.name == "scorm2004":  # reading an element nobody has set yet: expected, and handled
            refused = [c for c in refused if not self._unset_read(c)]
        assert refused == []
        assert [entry for entry in self.page.evaluate("host.log") if entry["level"] >= 4] == []
        assert self.page_errors == []

    def _unset_read(self, call: dict[str, Any]) -> bool:
        return (
            call["fn"] == "GetValue"
            and call["error"] == NOT_INITIALIZED_2004
            and call["args"][0] not in self.initial
        )

    def close(self) -> None:
        self.page.close()


def resumed(stored: dict[str, str], name: str) -> dict[str, str]:
    """What the LMS hands a learner coming back after a suspended session: the stored values but the
    write-only elements, entry "resume"."""
    prefix = "cmi.core." if name == "scorm12" else "cmi."
    write_only = {prefix + "session_time", prefix + "exit"}
    data = {key: value for key, value in stored.items() if value and key not in write_only}
    data[prefix + "entry"] = "resume"
    return data


# --- the learner ---------------------------------------------------------------------------------------


def drawn(frame: Any, quiz: Quiz) -> list[Question]:
    """The question the page shows for each slot: fieldset q<n> is the n-th question of the bank."""
    bank = quiz.bank
    shown = frame.evaluate(
        "(n) => [...Array(n).keys()].filter((i) => !document.getElementById('q' + (i + 1)).hidden)", len(bank)
    )
    questions = [bank[i] for i in shown]
    assert [q in slot for q, slot in zip(questions, quiz.slots, strict=True)] == [True] * len(quiz.slots)
    return questions


def html_id(quiz: Quiz, q: Question) -> str:
    return f"q{quiz.bank.index(q) + 1}"


def step_order(frame: Any, n: str) -> list[int]:
    return frame.eval_on_selector_all(f"#{n}-steps > li", "(items) => items.map((li) => +li.dataset.step)")


def arrange(frame: Any, n: str, order: list[int]) -> None:
    """Put the steps of ordering question ``n`` in ``order`` (shown-step indices) with the move buttons."""
    for target, step in enumerate(order):
        while step_order(frame, n).index(step) != target:
            frame.click(f"#{n}-steps > li[data-step='{step}'] button[data-move='-1']")


@dataclass(frozen=True)
class Plan:
    """How the learner answers each slot: "right", "wrong" or "partial"; and what that earns."""

    moves: tuple[str, ...]

    @staticmethod
    def partly_wrong(quiz: Quiz) -> Plan:
        """The first multiple choice, true/false, short answer, ordering and numerical wrong, only one
        right option of the first multiple response ticked (partial credit), the rest right."""
        moves = ["right"] * len(quiz.slots)
        for kind, move in (
            (QuestionType.MULTIPLE_CHOICE, "wrong"),
            (QuestionType.TRUE_FALSE, "wrong"),
            (QuestionType.SHORT_ANSWER, "wrong"),
            (QuestionType.ORDERING, "wrong"),
            (QuestionType.NUMERICAL, "wrong"),
            (QuestionType.MULTIPLE_RESPONSE, "partial"),
        ):
            moves[next(i for i, q in enumerate(quiz.questions) if q.type is kind)] = move
        return Plan(tuple(moves))

    @staticmethod
    def all_right(quiz: Quiz) -> Plan:
        return Plan(("right",) * len(quiz.slots))

    def chosen(self, q: Question, i: int) -> list[int]:
        """Option indices ticked for a choice question."""
        correct = [o for o, option in enumerate(q.options) if option.correct]
        if self.moves[i] == "right":
            return correct
        if self.moves[i] == "partial":
            return correct[:1]
        return [next(o for o, option in enumerate(q.options) if option.weight <= 0)]

    def fraction(self, q: Question, i: int) -> Fraction:
        if q.options:
            earned = sum((q.options[o].weight for o in self.chosen(q, i)), Fraction(0))
            return min(Fraction(1), max(Fraction(0), earned))
        if q.type is QuestionType.MATCHING:
            hits = sum(
                chosen == pair.answer for chosen, pair in zip(self.matched(q, i), q.pairs, strict=True)
            )
            return Fraction(hits, len(q.pairs))
        return Fraction(1) if self.moves[i] == "right" else Fraction(0)

    def percent(self, questions: list[Question]) -> Fraction:
        graded = [(i, q) for i, q in enumerate(questions) if q.type is not QuestionType.ESSAY]
        earned = sum(self.fraction(q, i) * q.points for i, q in graded)
        return 100 * earned / sum(q.points for _, q in graded)

    def by_competency(self, quiz: Quiz, questions: list[Question]) -> dict[str, Fraction]:
        earned = {c: Fraction(0) for c in quiz.competency_ids}
        points = dict.fromkeys(quiz.competency_ids, 0)
        for i, q in enumerate(questions):
            if q.type is QuestionType.ESSAY:
                continue
            for c in q.competency_ids:
                earned[c] += self.fraction(q, i) * q.points
                points[c] += q.points
        return {c: 100 * earned[c] / points[c] for c in quiz.competency_ids if points[c]}

    def matched(self, q: Question, i: int) -> list[str]:
        """The answer chosen for each prompt of a matching question (otherwise than right: the first
        prompt given the distractor, or the first two swapped)."""
        answers = [p.answer for p in q.pairs]
        if self.moves[i] != "right":
            if q.distractors:
                answers[0] = q.distractors[0]
            else:
                answers[0], answers[1] = answers[1], answers[0]
        return answers

    def typed(self, q: Question, i: int) -> str:
        if q.type is QuestionType.NUMERICAL:
            assert q.numeric is not None
            if self.moves[i] != "right":
                return str(q.wrong_values[0].value) if q.wrong_values else "1"
            return f"{int(q.numeric.value):,}" + (f" {q.numeric.unit}" if q.numeric.unit else "")
        if q.type is QuestionType.ESSAY:
            return "{Plain} words, milestones: and a chart."
        return q.answers[0].text if self.moves[i] == "right" else "no idea"

    def order(self, frame: Any, n: str, i: int) -> list[int]:
        """The shown-step indices in the learner's order: the key, or its first two steps swapped."""
        data = frame.evaluate("JSON.parse(document.getElementById('quiz-data').textContent)")
        key = data["questions"][int(n[1:]) - 1]["key"]
        return key if self.moves[i] == "right" else [key[1], key[0], *key[2:]]

    def answer(self, frame: Any, quiz: Quiz) -> list[Question]:
        questions = drawn(frame, quiz)
        for i, q in enumerate(questions):
            n = html_id(quiz, q)
            if q.options:
                for o in self.chosen(q, i):
                    frame.check(f"#{n}-o{o}")
            elif q.type is QuestionType.MATCHING:
                for p, text in enumerate(self.matched(q, i)):
                    frame.select_option(f"#{n}-p{p}", label=text)
            elif q.type is QuestionType.ORDERING:
                arrange(frame, n, self.order(frame, n, i))
            else:
                frame.fill(f"#{n}-text", self.typed(q, i))
        return questions

    def assert_shown(self, frame: Any, quiz: Quiz, questions: list[Question]) -> None:
        """The page shows these items and answers, submitted (no longer editable)."""
        assert drawn(frame, quiz) == questions
        for i, q in enumerate(questions):
            n = html_id(quiz, q)
            if q.options:
                ticked = [o for o in range(len(q.options)) if frame.is_checked(f"#{n}-o{o}")]
                assert ticked == self.chosen(q, i), q.id
                assert frame.is_disabled(f"#{n}-o0")
            elif q.type is QuestionType.MATCHING:
                shown = [frame.locator(f"#{n}-p{p} option:checked").inner_text() for p in range(len(q.pairs))]
                assert shown == self.matched(q, i), q.id
            elif q.type is QuestionType.ORDERING:
                assert step_order(frame, n) == self.order(frame, n, i), q.id
                assert frame.is_disabled(f"#{n}-steps button >> nth=0")
            else:
                assert frame.input_value(f"#{n}-text") == self.typed(q, i), q.id


# --- expectations on the CMI data ---------------------------------------------------------------------


def sanitized(identifier: str) -> str:
    """An option id as the 2004 package writes it (Moodle allows [\\w.] only)."""
    return re.sub(r"[^A-Za-z0-9_.]", "_", identifier)


def correct_pattern(q: Question, name: str) -> str | None:
    """The correct-response pattern a question must report; None for matching and ordering in 1.2
    (checked by form), "" for an essay (none)."""
    right = [o for o, option in enumerate(q.options) if option.correct]
    if q.type is QuestionType.TRUE_FALSE:
        value = q.options[right[0]].id
        return value[0] if name == "scorm12" else value
    if q.options:
        if name == "scorm12":
            return ",".join("abcdefghijklmnopqrstuvwxyz0123456789"[o] for o in right)
        return "[,]".join(sanitized(q.options[o].id) for o in right)
    if q.type is QuestionType.SHORT_ANSWER:
        text = q.answers[0].text
        return (
            text
            if name == "scorm12"
            else ("{case_matters=true}" if q.case_sensitive else "{case_matters=false}") + text
        )
    if q.type is QuestionType.NUMERICAL:
        assert q.numeric is not None
        value, tolerance = q.numeric.value, q.numeric.tolerance
        return f"{value}" if name == "scorm12" else f"{value - tolerance}[:]{value + tolerance}"
    if q.type is QuestionType.ORDERING and name == "scorm2004":
        return "[,]".join(sanitized(step.id) for step in q.steps)
    if q.type is QuestionType.ESSAY:
        return ""
    return None


MATCHING_PATTERN = {
    "scorm12": r"^[a-z0-9]\.[a-z0-9](,[a-z0-9]\.[a-z0-9])*$",
    "scorm2004": r"^[\w.]+\[\.\][\w.]+(\[,\][\w.]+\[\.\][\w.]+)*$",
}
SEQUENCING_PATTERN_12 = r"^[a-z0-9](,[a-z0-9])*$"


def status_of(percent: Fraction, pass_mark: int) -> str:
    return "passed" if percent >= pass_mark else "failed"


def assert_interactions(
    cmi: dict[str, str],
    sent: dict[str, str],
    questions: list[Question],
    plan: Plan,
    name: str,
    first: int = 0,
) -> None:
    """One interaction per drawn question from index ``first`` on, in the version's format."""
    response = "student_response" if name == "scorm12" else "learner_response"
    for i, q in enumerate(questions):
        base = f"cmi.interactions.{first + i}."
        assert cmi[base + "id"] == q.id
        essay = q.type is QuestionType.ESSAY
        assert cmi[base + "type"] == (ESSAY_TYPE[name] if essay else INTERACTION_TYPE[q.type])
        assert float(cmi[base + "weighting"]) == q.points
        objectives = [cmi[f"{base}objectives.{m}.id"] for m in range(len(q.competency_ids))]
        assert objectives == list(q.competency_ids)
        assert f"{base}objectives.{len(q.competency_ids)}.id" not in cmi
        expected_pattern = correct_pattern(q, name)
        if essay:
            assert base + "correct_responses.0.pattern" not in cmi
            assert cmi[base + "result"] == "neutral"
            text = plan.typed(q, i)
            assert cmi[base + response] == (text if name == "scorm12" else text.lstrip("{"))
            continue
        pattern = cmi[base + "correct_responses.0.pattern"]
        if expected_pattern is None:
            form = MATCHING_PATTERN[name] if q.type is QuestionType.MATCHING else SEQUENCING_PATTERN_12
            assert re.match(form, pattern), pattern
        else:
            assert pattern == expected_pattern, q.id
        fraction = plan.fraction(q, i)
        if fraction == 1:
            assert cmi[base + "result"] == "correct", q.id
            if q.type is QuestionType.SHORT_ANSWER:
                expected_response = q.answers[0].text
            elif q.type is QuestionType.NUMERICAL:
                assert q.numeric is not None
                expected_response = str(q.numeric.value)
            else:
                expected_response = pattern
            assert cmi[base + response] == expected_response, q.id
        elif fraction == 0:
            assert cmi[base + "result"] == WRONG[name], q.id
            assert cmi[base + response] not in ("", pattern), q.id
        else:
            assert float(cmi[base + "result"]) == pytest.approx(float(fraction * q.points), abs=1e-4), q.id
        assert re.match(SENT_TIMESPAN[name], sent[base + "latency"]), sent[base + "latency"]
        assert re.match(KEPT_TIMESPAN[name], cmi[base + "latency"]), cmi[base + "latency"]
        assert re.match(MOMENT[name], cmi[base + ("time" if name == "scorm12" else "timestamp")])


def assert_score_and_objectives(
    cmi: dict[str, str],
    quiz: Quiz,
    questions: list[Question],
    plan: Plan,
    name: str,
    attempts_left: bool = False,
) -> None:
    percent = plan.percent(questions)
    status = status_of(percent, quiz.pass_mark)
    score = "cmi.core.score." if name == "scorm12" else "cmi.score."
    assert float(cmi[score + "raw"]) == pytest.approx(round(float(percent), 2))
    assert (cmi[score + "min"], cmi[score + "max"]) == ("0", "100")
    if name == "scorm12":
        assert cmi["cmi.core.lesson_status"] == status
    else:
        assert float(cmi["cmi.score.scaled"]) == pytest.approx(round(float(percent) / 100, 4))
        # a failed attempt with attempts left is not "completed": LMSs counting completed SCOs count passes
        completion = "incomplete" if status == "failed" and attempts_left else "completed"
        assert (cmi["cmi.completion_status"], cmi["cmi.success_status"]) == (completion, status)
    count = len([key for key in cmi if re.fullmatch(r"cmi\.objectives\.\d+\.id", key)])
    objectives = {cmi[f"cmi.objectives.{n}.id"]: f"cmi.objectives.{n}." for n in range(count)}
    assert list(objectives) == list(quiz.competency_ids)
    for competency, competency_percent in plan.by_competency(quiz, questions).items():
        base = objectives[competency]
        assert float(cmi[base + "score.raw"]) == pytest.approx(round(float(competency_percent), 2))
        status_element = "status" if name == "scorm12" else "success_status"
        assert cmi[base + status_element] == status_of(competency_percent, quiz.pass_mark), competency


def draw_field(quiz: Quiz, questions: list[Question]) -> str:
    """suspend_data's draw: the index of each slot's shown variant."""
    return "".join(str(slot.index(q)) for slot, q in zip(quiz.slots, questions, strict=True))


def assert_session_end(cmi: dict[str, str], sent: dict[str, str], name: str) -> None:
    prefix = "cmi.core." if name == "scorm12" else "cmi."
    assert re.match(SENT_TIMESPAN[name], sent[prefix + "session_time"]), sent[prefix + "session_time"]
    assert re.match(KEPT_TIMESPAN[name], cmi[prefix + "session_time"]), cmi[prefix + "session_time"]
    assert cmi[prefix + "exit"] == "suspend"
    if name == "scorm12":
        assert 0 < len(cmi["cmi.suspend_data"]) <= SUSPEND_DATA_MAX_12
    else:
        assert cmi["cmi.suspend_data"]


def interaction_count(cmi: dict[str, str]) -> int:
    return len([key for key in cmi if re.fullmatch(r"cmi\.interactions\.\d+\.id", key)])


def report(directory: Path, label: str, package: Path, cmi: dict[str, str]) -> None:
    """The CMI of a run, for the record: printed (pytest -s) and written to the test's directory."""
    path = directory / f"{label}.json"
    path.write_text(json.dumps(cmi, indent=1, sort_keys=True), encoding="utf-8")
    print(f"\n{label}: {package.name} {package.stat().st_size} bytes; final CMI ({path}):")
    for key in sorted(cmi):
        if not key.startswith("cmi.interactions.") or key.startswith(
            ("cmi.interactions.0.", "cmi.interactions.1.")
        ):
            print(f"  {key} = {cmi[key]!r}")
    print(
        f"  ... {interaction_count(cmi)} interactions; suspend_data {len(cmi['cmi.suspend_data'])} characters"
    )


# --- the tests ----------------------------------------------------------------------------------------


@dataclass
class QuizRun:
    cmi: dict[str, str]
    sent: dict[str, str]
    questions: list[Question]  # the variants drawn


@pytest.fixture(scope="module")
def first_quiz_runs(
    browser: Any,
    base_url: str,
    packages: dict[str, Path],
    quiz: Quiz,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, QuizRun]:
    """Per version, a first launch of the quiz: answered partly wrong, submitted, left."""
    runs = {}
    records = tmp_path_factory.mktemp("cmi")
    for name, package in packages.items():
        session = Session(browser, base_url, name, QUIZ_SCO, launch_data(package, name))
        questions = Plan.partly_wrong(quiz).answer(session.frame, quiz)
        session.frame.click("#quiz-submit")
        cmi = session.leave()
        session.assert_clean()
        runs[name] = QuizRun(cmi, session.sent(), questions)
        report(records, f"{name}-quiz", package, cmi)
        session.close()
    return runs


@pytest.mark.parametrize("name", VERSIONS)
def test_quiz_answered_partly_wrong_reaches_the_lms(
    first_quiz_runs: dict[str, QuizRun], quiz: Quiz, name: str
) -> None:
    run = first_quiz_runs[name]
    plan = Plan.partly_wrong(quiz)
    assert {q.type for q in run.questions} == set(QuestionType)  # every type ran
    assert plan.percent(run.questions) < quiz.pass_mark  # the learner fails this attempt
    assert_score_and_objectives(run.cmi, quiz, run.questions, plan, name, attempts_left=True)
    assert interaction_count(run.cmi) == len(quiz.slots)
    assert_interactions(run.cmi, run.sent, run.questions, plan, name)
    assert_session_end(run.cmi, run.sent, name)
    percent = f"{round(float(plan.percent(run.questions)), 2):g}"
    assert run.cmi["cmi.suspend_data"].startswith(f"q2,1,1,{percent},{draw_field(quiz, run.questions)},")


@pytest.mark.parametrize("name", VERSIONS)
def test_returning_learner_sees_the_attempt_and_passes_on_the_next(
    browser: Any, base_url: str, first_quiz_runs: dict[str, QuizRun], quiz: Quiz, name: str
) -> None:
    first = Plan.partly_wrong(quiz)
    before = first_quiz_runs[name].questions
    session = Session(browser, base_url, name, QUIZ_SCO, resumed(first_quiz_runs[name].cmi, name))
    frame = session.frame
    first.assert_shown(frame, quiz, before)  # the same variants, the same answers
    assert f"{round(float(first.percent(before)), 2):g}%" in frame.inner_text("#quiz-score")
    assert "Attempt 1" in frame.inner_text("#quiz-attempts")
    frame.click("#quiz-retry")
    again = Plan.all_right(quiz)
    after = again.answer(frame, quiz)
    # the item model's slot draws its next variant; every other slot keeps its one question
    for slot, old, new in zip(quiz.slots, before, after, strict=True):
        assert slot.index(new) == (slot.index(old) + 1) % len(slot)
    assert before != after
    frame.click("#quiz-submit")
    cmi = session.leave()
    session.assert_clean()
    entry = "cmi.core.entry" if name == "scorm12" else "cmi.entry"
    assert cmi[entry] == "resume"
    assert_score_and_objectives(cmi, quiz, after, again, name)
    # the interactions journal keeps the first attempt and adds the second
    assert interaction_count(cmi) == 2 * len(quiz.slots)
    assert_interactions(cmi, session.sent(), after, again, name, first=len(quiz.slots))
    assert_session_end(cmi, session.sent(), name)
    assert cmi["cmi.suspend_data"].startswith(f"q2,2,1,100,{draw_field(quiz, after)},")
    session.close()


@pytest.mark.parametrize("name", VERSIONS)
def test_module_read_to_the_end_is_completed(browser: Any, base_url: str, name: str) -> None:
    session = Session(browser, base_url, name, CONTENT_SCO, {})
    status = "cmi.core.lesson_status" if name == "scorm12" else "cmi.completion_status"
    for section in session.frame.locator("main > section[id]").all():  # every section, to the end
        section.scroll_into_view_if_needed()
        session.frame.wait_for_timeout(50)
    session.wait_for_cmi(status, "completed")
    cmi = session.leave()
    session.assert_clean()
    assert cmi[status] == "completed"
    assert re.fullmatch(r"c1,1+", cmi["cmi.suspend_data"])
    location = "cmi.core.lesson_location" if name == "scorm12" else "cmi.location"
    assert cmi[location] == "module-end"
    if name == "scorm2004":
        assert cmi["cmi.progress_measure"] == "1"
        assert cmi["cmi.success_status"] == "unknown"
    assert_session_end(cmi, session.sent(), name)
    session.close()
