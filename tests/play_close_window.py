"""Closing the window (run by tests/test_moodle_play_scorm.py, beside a server play-scorm kept running).

A learner reads the module page, moves to the quiz in the player's course structure, answers at machine
speed, submits and closes the browser window; then what Moodle stored is printed as JSON. It drives the
harness's own browser steps (play_scorm.py) so that login, player and answers are those of play-scorm.
Arguments: HARNESS_DIR PACKAGE QUIZ_JSON MODULE; environment: PLAY_BASE, PLAY_CHROMIUM, MOODLE_WWW.
"""

import json
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, sys.argv[1])
import play_scorm as ps  # the harness folder, given at run time

package, quiz_json, module = sys.argv[2:5]
quizzes = json.loads(Path(quiz_json).read_text(encoding="utf-8"))["quizzes"]
bank = {q["id"]: q for z in quizzes if z["module"] == module for q in z["questions"]}
setup = ps.php(
    f"--setup={package}",
    "--students=close",
    "--grademethod=highest",
    "--completion=passed",
    "--label=close-window",
)
scoes = ps.module_scoes(setup, module)
student = setup["students"][0]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=ps.CHROMIUM, headless=True, args=["--no-sandbox"])
    ctx = browser.new_context()
    page = ps.login(ctx, student["username"], student["password"])
    ps.enter_player(page, setup["scorm"]["cmid"], ps.SHOTS + "/close-window")
    frame = ps.open_sco(page, scoes["content"], "toc", setup["scorm"]["cmid"])
    ps.read_content(frame, "scroll")
    frame = ps.open_sco(page, scoes["quiz"], "toc", setup["scorm"]["cmid"])
    shown = ps.take_quiz(frame, page, bank, "correct", ps.SHOTS + "/close-window")["result"]["score_text"]
    page.close(run_before_unload=True)  # the learner closes the window
    time.sleep(4)
    ctx.close()
    browser.close()
db = ps.php("--readback", f"--scorm={setup['scorm']['id']}", f"--users={student['id']}")["users"][0]
tracks = db["attempts"][str(max(db["attempt_numbers"]))]
content, quiz = (tracks[scoes[which]["identifier"]] for which in ("content", "quiz"))
print(json.dumps({"shown": shown, "grade": db["gradebook"]["finalgrade"], "content": content, "quiz": quiz}))
