/* Quiz SCO: scores the form with the data in #quiz-data, shows feedback, and reports to the LMS one
 * interaction per question, one objective per competency, the score and pass/fail. Answers, attempts
 * used, the best score and the variant drawn for each slot live in suspend_data (format:
 * builder/formats/scorm_quiz.py), so a learner who leaves comes back to the same items and answers.
 * The LMS always holds the best attempt (ties: the latest). Essays go to the trainer: they are
 * reported (result "neutral") but not scored.
 */
(function () {
  "use strict";

  // Interface strings in the course language: the page carries them as JSON (builder/i18n.py).
  var MESSAGES = (function () {
    var el = document.getElementById("lmsb-messages");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  })();
  function t(text, values) {
    return (MESSAGES[text] || text).replace(/\{(\w+)\}/g, function (m, k) {
      return values && Object.prototype.hasOwnProperty.call(values, k) ? values[k] : m;
    });
  }

  var sco = window.ScoRuntime;
  var data = JSON.parse(document.getElementById("quiz-data").textContent);
  var questions = data.questions; // every variant of every slot
  var slots = data.slots; // per slot, the indices of its variants in questions
  var form = document.getElementById("quiz");
  var results = document.getElementById("quiz-results");
  var retry = document.getElementById("quiz-retry");
  var TAG = "q2";
  var DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";
  var EPSILON = 1e-9;
  var LIST = sco.version === "2004" ? "[,]" : ",";
  var PAIR = sco.version === "2004" ? "[.]" : ".";

  var state = { attempts: 0, submitted: false, best: null, draw: slots.map(function () { return 0; }) };
  var attemptStartedAt = Date.now();
  var firstResponseAt = questions.map(function () { return null; });

  function fieldset(i) { return document.getElementById("q" + (i + 1)); }
  function isText(q) { return q.kind === "short_answer" || q.kind === "essay" || q.kind === "numerical"; }
  function isMulti(q) { return q.kind === "multiple_response"; }
  function isSingle(q) { return q.kind === "multiple_choice" || q.kind === "true_false"; }

  // The question index shown for each slot in this attempt.
  function drawn() { return slots.map(function (variants, s) { return variants[state.draw[s]]; }); }

  function randomIndex(n) {
    if (n <= 1) return 0;
    if (window.crypto && window.crypto.getRandomValues) {
      var buffer = new Uint32Array(1);
      window.crypto.getRandomValues(buffer);
      return buffer[0] % n;
    }
    return Math.floor(Math.random() * n);
  }

  // First attempt: a random variant per slot; every later one: the slot's next variant.
  function newDraw(previous) {
    return slots.map(function (variants, s) {
      return previous ? (previous[s] + 1) % variants.length : randomIndex(variants.length);
    });
  }

  function showDrawn() {
    var shown = drawn();
    questions.forEach(function (q, i) { fieldset(i).hidden = shown.indexOf(i) < 0; });
  }

  // --- the form ---------------------------------------------------------------------------------

  function inputs(i) {
    return Array.prototype.slice.call(fieldset(i).querySelectorAll("input, select, textarea, button.move"));
  }

  function stepList(i) { return fieldset(i).querySelector("ol.steps"); }

  function stepItems(i) { return Array.prototype.slice.call(stepList(i).children); }

  function readAnswer(i) {
    var q = questions[i], fields = inputs(i);
    if (isText(q)) return fields[0].value.trim() === "" ? null : fields[0].value;
    if (q.kind === "ordering") {
      if (stepList(i).getAttribute("data-moved") !== "1") return null;
      return stepItems(i).map(function (li) { return Number(li.getAttribute("data-step")); });
    }
    if (q.kind === "matching") {
      var chosen = fields.map(function (s) { return s.value === "" ? null : Number(s.value); });
      return chosen.some(function (c) { return c !== null; }) ? chosen : null;
    }
    var checked = fields.filter(function (f) { return f.checked; }).map(function (f) { return Number(f.value); });
    if (isMulti(q)) return checked.length ? checked : null;
    return checked.length ? checked[0] : null;
  }

  function writeAnswer(i, answer) {
    var q = questions[i], fields = inputs(i);
    if (isText(q)) fields[0].value = answer === null ? "" : answer;
    else if (q.kind === "ordering") {
      var list = stepList(i), items = stepItems(i);
      var order = answer === null ? items.map(function (li, k) { return k; }) : answer;
      order.forEach(function (k) {
        list.appendChild(items.filter(function (li) { return Number(li.getAttribute("data-step")) === k; })[0]);
      });
      if (answer === null) list.removeAttribute("data-moved"); else list.setAttribute("data-moved", "1");
      markEnds(i);
    } else if (q.kind === "matching") fields.forEach(function (s, p) {
      s.value = answer === null || answer[p] === null ? "" : String(answer[p]);
    });
    else fields.forEach(function (f) {
      f.checked = answer !== null && (isMulti(q) ? answer.indexOf(Number(f.value)) >= 0 : Number(f.value) === answer);
    });
  }

  // --- ordering: move up / move down --------------------------------------------------------------

  // The first step cannot go up nor the last down: said with aria-disabled, which keeps the focus.
  function markEnds(i) {
    var items = stepItems(i);
    items.forEach(function (li, k) {
      var moves = li.querySelectorAll("button.move");
      moves[0].setAttribute("aria-disabled", k === 0 ? "true" : "false");
      moves[1].setAttribute("aria-disabled", k === items.length - 1 ? "true" : "false");
    });
  }

  function move(event) {
    var button = event.target.closest("button.move");
    if (!button || button.disabled || button.getAttribute("aria-disabled") === "true") return;
    var li = button.closest("li"), list = li.parentNode, i = questionOf(button);
    var step = Number(button.getAttribute("data-move"));
    if (step < 0 && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
    else if (step > 0 && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
    else return;
    list.setAttribute("data-moved", "1");
    markEnds(i);
    button.focus();
    var position = stepItems(i).indexOf(li);
    var text = li.querySelector(".step-text").textContent;
    fieldset(i).querySelector("[aria-live]").textContent =
      t("“{text}” is now number {position} of {total}.", { text: text, position: position + 1, total: stepItems(i).length });
    noteResponse(event);
    save(true);
  }

  // --- numbers ------------------------------------------------------------------------------------

  // A number as learners write it: "12500", "12,500", "12 500", "12500.00", "2,5", "12500 EUR".
  function parseNumber(text, unit) {
    var t = text.trim();
    if (unit && t.toLowerCase().slice(-unit.length) === unit.toLowerCase()) t = t.slice(0, -unit.length);
    if (unit && t.toLowerCase().slice(0, unit.length) === unit.toLowerCase()) t = t.slice(unit.length);
    t = t.replace(/[\s\u00a0\u202f']/g, "").replace(/\u2212/g, "-");
    if (t.indexOf(",") >= 0 && t.indexOf(".") >= 0) t = t.replace(/,/g, "");
    else if (/^-?\d{1,3}(,\d{3})+$/.test(t)) t = t.replace(/,/g, "");
    else t = t.replace(",", ".");
    return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : NaN;
  }

  function near(x, value, tolerance) {
    return Math.abs(x - value) <= tolerance + EPSILON * Math.max(1, Math.abs(value));
  }

  // Index of the wrong value (a named error) this answer gives, or -1.
  function wrongValue(q, a) {
    var x = parseNumber(a, q.unit), tolerance = Number(q.tolerance);
    for (var w = 0; w < q.wrongValues.length; w++) if (near(x, Number(q.wrongValues[w]), tolerance)) return w;
    return -1;
  }

  // --- suspend_data -------------------------------------------------------------------------------

  function encodeAnswer(q, a) {
    if (a === null) return "";
    if (isText(q)) return a.length + ":" + a;
    if (q.kind === "matching") return a.map(function (c) { return c === null ? "-" : DIGITS.charAt(c); }).join("");
    if (isMulti(q) || q.kind === "ordering") return a.map(function (c) { return DIGITS.charAt(c); }).join("");
    return DIGITS.charAt(a);
  }

  function encode() {
    var fields = [TAG, String(Math.min(state.attempts, 999)), state.submitted ? "1" : "0",
      state.best === null ? "" : String(Math.round(state.best * 100) / 100),
      state.draw.map(function (d) { return DIGITS.charAt(d); }).join("")];
    drawn().forEach(function (i) { fields.push(encodeAnswer(questions[i], readAnswer(i))); });
    return fields.join(",");
  }

  function optionIndex(ch, count) {
    var n = DIGITS.indexOf(ch);
    if (n < 0 || n >= count) throw new Error("bad option index");
    return n;
  }

  // The saved state, or null when it is missing or does not fit this quiz (e.g. the package changed).
  function decode(text) {
    var pos = 0;
    function field() {
      var comma = text.indexOf(",", pos), value;
      if (comma < 0) { value = text.slice(pos); pos = text.length + 1; } else { value = text.slice(pos, comma); pos = comma + 1; }
      return value;
    }
    function textField() {
      var colon = text.indexOf(":", pos);
      if (colon < 0 || pos > text.length) return "";
      var length = Number(text.slice(pos, colon));
      if (!/^\d+$/.test(text.slice(pos, colon))) throw new Error("bad text length");
      var value = text.slice(colon + 1, colon + 1 + length);
      pos = colon + 1 + length;
      if (pos < text.length && text.charAt(pos) !== ",") throw new Error("bad text field");
      pos += 1;
      return value;
    }
    try {
      if (field() !== TAG) return null;
      var saved = { attempts: Number(field()), submitted: field() === "1", best: null, draw: [], answers: [] };
      var best = field();
      saved.best = best === "" ? null : Number(best);
      if (isNaN(saved.attempts) || (saved.best !== null && isNaN(saved.best))) return null;
      var draw = field();
      if (draw.length !== slots.length) return null;
      saved.draw = draw.split("").map(function (c, s) { return optionIndex(c, slots[s].length); });
      saved.draw.forEach(function (d, s) {
        var q = questions[slots[s][d]];
        if (pos > text.length) throw new Error("too few answers");
        if (isText(q)) {
          var value = text.charAt(pos) === "," || pos === text.length ? field() : textField();
          saved.answers.push(value === "" ? null : value);
          return;
        }
        var raw = field();
        if (raw === "") { saved.answers.push(null); return; }
        var chars = raw.split("");
        if (q.kind === "matching") {
          if (chars.length !== q.sources.length) throw new Error("bad matching answer");
          saved.answers.push(chars.map(function (c) { return c === "-" ? null : optionIndex(c, q.targets.length); }));
        } else if (q.kind === "ordering") {
          var order = chars.map(function (c) { return optionIndex(c, q.stepIds.length); });
          if (order.length !== q.stepIds.length || order.some(function (k, n) { return order.indexOf(k) !== n; })) {
            throw new Error("bad order");
          }
          saved.answers.push(order);
        } else if (isMulti(q)) {
          saved.answers.push(chars.map(function (c) { return optionIndex(c, q.weights.length); }));
        } else {
          if (chars.length !== 1) throw new Error("bad answer");
          saved.answers.push(optionIndex(chars[0], q.weights.length));
        }
      });
      return pos > text.length ? saved : null;
    } catch (e) {
      return null;
    }
  }

  function save(commitNow) {
    var text = encode();
    if (text.length > data.suspendLimit) {
      if (window.console) console.warn("quiz state longer than suspend_data allows; not saved");
      return;
    }
    sco.setSuspendData(text);
    if (commitNow) sco.commit();
  }

  // --- scoring ------------------------------------------------------------------------------------

  function normalize(text, caseSensitive) {
    var t = text.trim().replace(/\s+/g, " ");
    return caseSensitive ? t : t.toLowerCase();
  }

  // {fraction 0..1 or null (not graded), answered}
  function grade(q, a) {
    if (!q.graded) return { fraction: null, answered: a !== null };
    if (a === null) return { fraction: 0, answered: false };
    var f = 0;
    if (isSingle(q)) f = q.weights[a];
    else if (isMulti(q)) a.forEach(function (c) { f += q.weights[c]; });
    else if (q.kind === "matching") {
      a.forEach(function (c, p) { if (c === q.key[p]) f += 1; });
      f /= q.key.length;
    } else if (q.kind === "ordering") {
      f = a.every(function (k, n) { return k === q.key[n]; }) ? 1 : 0;
    } else if (q.kind === "numerical") {
      f = near(parseNumber(a, q.unit), Number(q.value), Number(q.tolerance)) ? 1 : 0;
    } else {
      var given = normalize(a, q.caseSensitive);
      f = q.accepted.some(function (t) { return normalize(t, q.caseSensitive) === given; }) ? 1 : 0;
    }
    return { fraction: Math.max(0, Math.min(1, f)), answered: true };
  }

  function response(q, a) {
    if (a === null) return null;
    if (q.kind === "numerical") {
      var x = parseNumber(a, q.unit);
      return isNaN(x) ? null : String(x); // numeric responses are numbers; text that is none is not sent
    }
    if (isText(q)) return a;
    if (q.kind === "matching") {
      var pairs = [];
      a.forEach(function (c, p) { if (c !== null) pairs.push(q.sources[p] + PAIR + q.targets[c]); });
      return pairs.join(LIST);
    }
    if (q.kind === "ordering") return a.map(function (k) { return q.stepIds[k]; }).join(LIST);
    if (isMulti(q)) return a.slice().sort(function (x, y) { return x - y; }).map(function (c) { return q.responseIds[c]; }).join(LIST);
    return q.responseIds[a];
  }

  function resultWord(q, g) {
    if (g.fraction === null) return "neutral";
    if (g.fraction >= 1 - EPSILON) return "correct";
    if (g.fraction <= EPSILON) return "incorrect";
    return g.fraction * q.points; // partial credit: the points earned
  }

  // answers: one per slot, for the drawn questions
  function evaluate(answers) {
    var earned = 0, byCompetency = {};
    data.competencies.forEach(function (c) { byCompetency[c.id] = { earned: 0, points: 0 }; });
    var grades = drawn().map(function (i, s) {
      var q = questions[i], g = grade(q, answers[s]);
      if (g.fraction !== null) {
        earned += g.fraction * q.points;
        q.competencies.forEach(function (c) {
          if (!byCompetency[c]) return;
          byCompetency[c].earned += g.fraction * q.points;
          byCompetency[c].points += q.points;
        });
      }
      return g;
    });
    var percent = data.maxPoints > 0 ? (100 * earned) / data.maxPoints : null;
    return { grades: grades, earned: earned, percent: percent, byCompetency: byCompetency };
  }

  // --- feedback -----------------------------------------------------------------------------------

  // Numbers as the course language writes them (the page's lang), by the browser's Intl.
  var LANG = document.documentElement.lang || "en";
  function num(n) {
    try { return new Intl.NumberFormat(LANG, { maximumFractionDigits: 2 }).format(n); } catch (e) { return String(n); }
  }

  function points(n) {
    var r = Math.round(n * 100) / 100;
    return r === 1 ? t("1 point") : t("{count} points", { count: num(r) });
  }

  function percentText(p) {
    try { return new Intl.NumberFormat(LANG, { style: "percent", maximumFractionDigits: 2 }).format(p / 100); }
    catch (e) { return Math.round(p * 100) / 100 + "%"; }
  }

  function allowedMore() { return data.attempts === 0 || state.attempts < data.attempts; }

  function passed(percent) { return percent !== null && percent >= passMark - EPSILON; }

  function isFinal(evaluation) { return passed(evaluation.percent) || !allowedMore(); }

  function showFeedback(answers, evaluation) {
    var final = isFinal(evaluation);
    drawn().forEach(function (i, s) {
      var q = questions[i], box = fieldset(i), g = evaluation.grades[s], answer = answers[s];
      var text;
      if (g.fraction === null) text = g.answered ? t("Your answer goes to your trainer, who grades it.") : t("Not answered.");
      else if (!g.answered) text = t("Not answered.");
      else if (g.fraction >= 1 - EPSILON) text = t("Correct.");
      else if (g.fraction <= EPSILON) text = t("Incorrect.");
      else text = t("Partly correct: {earned} of {total}.", { earned: points(g.fraction * q.points), total: points(q.points) });
      if (q.kind === "numerical" && answer !== null && isNaN(parseNumber(answer, q.unit))) {
        text += " " + t("Your answer is not a number.");
      }
      box.classList.remove("is-correct", "is-incorrect", "is-partial");
      if (g.fraction !== null) {
        box.classList.add(g.fraction >= 1 - EPSILON ? "is-correct" : g.fraction <= EPSILON ? "is-incorrect" : "is-partial");
      }
      box.querySelector(".result").textContent = text;
      var chosen = answer === null || !(isSingle(q) || isMulti(q)) ? [] : isMulti(q) ? answer : [answer];
      Array.prototype.forEach.call(box.querySelectorAll(".option-feedback[data-option]"), function (el) {
        el.hidden = chosen.indexOf(Number(el.getAttribute("data-option"))) < 0;
      });
      var wrong = q.kind === "numerical" && answer !== null && g.fraction <= EPSILON ? wrongValue(q, answer) : -1;
      Array.prototype.forEach.call(box.querySelectorAll(".value-feedback"), function (el) {
        el.hidden = Number(el.getAttribute("data-wrong")) !== wrong;
      });
      Array.prototype.forEach.call(box.querySelectorAll(".key-mark"), function (el) { el.hidden = !final; });
      box.querySelector(".question-feedback").hidden = false;
      inputs(i).forEach(function (f) { f.disabled = true; });
    });
    form.querySelector("#quiz-submit").hidden = true;
  }

  function showResults(evaluation) {
    var score = document.getElementById("quiz-score");
    var essays = drawn().some(function (i) { return !questions[i].graded; });
    if (evaluation.percent === null) {
      score.textContent = t("Your answers have been submitted. Your trainer reviews them; this quiz has no automatic score.");
    } else {
      score.textContent = t("You scored {percent} ({earned} of {total}): {verdict}. The pass mark is {pass_mark}.", {
        percent: percentText(evaluation.percent), earned: num(Math.round(evaluation.earned * 100) / 100),
        total: points(data.maxPoints), verdict: passed(evaluation.percent) ? t("passed") : t("not passed yet"),
        pass_mark: percentText(passMark)
      }) + (essays ? " " + t("Essays are graded by your trainer and are not part of this score.") : "");
    }
    var attempts = data.attempts ? t("Attempt {number} of {total}.", { number: state.attempts, total: data.attempts })
      : t("Attempt {number}.", { number: state.attempts });
    if (state.best !== null && evaluation.percent !== null && state.best > evaluation.percent + EPSILON) {
      attempts += " " + t("Your best result, {percent}, is the one recorded.", { percent: percentText(state.best) });
    }
    document.getElementById("quiz-attempts").textContent = attempts;
    var list = document.getElementById("quiz-competencies");
    list.textContent = "";
    data.competencies.forEach(function (c) {
      var item = document.createElement("li"), r = evaluation.byCompetency[c.id];
      var share = percentText((100 * r.earned) / r.points);
      var detail = r.points === 0 ? t("checked only by questions your trainer reviews")
        : passed((100 * r.earned) / r.points) ? t("{percent}, met", { percent: share }) : t("{percent}, not met yet", { percent: share });
      item.textContent = c.title + ": " + detail;
      list.appendChild(item);
    });
    retry.hidden = isFinal(evaluation);
    results.hidden = false;
  }

  // --- reporting ----------------------------------------------------------------------------------

  function report(answers, evaluation, submittedAt) {
    drawn().forEach(function (i, s) {
      var q = questions[i], g = evaluation.grades[s];
      sco.recordInteraction({
        id: q.id,
        type: q.interaction,
        objectives: q.competencies,
        correct: q.correct,
        weighting: q.points,
        response: response(q, answers[s]),
        result: resultWord(q, g),
        latency: firstResponseAt[i] === null ? null : Math.max(0, firstResponseAt[i] - attemptStartedAt),
        description: q.description,
        when: submittedAt
      });
    });
    var best = state.best === null || evaluation.percent === null || evaluation.percent >= state.best - EPSILON;
    if (!best) {
      if (isFinal(evaluation)) sco.setCompleted(); // no attempt left: the quiz is finished, the best result stays
      return;
    }
    data.competencies.forEach(function (c) {
      var r = evaluation.byCompetency[c.id];
      var percent = r.points ? (100 * r.earned) / r.points : null;
      sco.setObjective(c.id, percent, percent === null ? null : passed(percent));
    });
    sco.setResult(evaluation.percent, evaluation.percent === null ? null : passed(evaluation.percent), isFinal(evaluation));
  }

  function answersNow() { return drawn().map(function (i) { return readAnswer(i); }); }

  function submit(event) {
    event.preventDefault();
    var answers = answersNow(), evaluation = evaluate(answers);
    state.attempts += 1;
    state.submitted = true;
    report(answers, evaluation, new Date());
    if (evaluation.percent !== null && (state.best === null || evaluation.percent > state.best)) state.best = evaluation.percent;
    save(false);
    sco.commit();
    showFeedback(answers, evaluation);
    showResults(evaluation);
    results.focus();
  }

  function startAgain() {
    state.submitted = false;
    state.draw = newDraw(state.draw);
    questions.forEach(function (q, i) {
      writeAnswer(i, null);
      inputs(i).forEach(function (f) { f.disabled = false; });
      fieldset(i).classList.remove("is-correct", "is-incorrect", "is-partial");
      fieldset(i).querySelector(".question-feedback").hidden = true;
      Array.prototype.forEach.call(fieldset(i).querySelectorAll(".option-feedback, .key-mark"), function (el) { el.hidden = true; });
      var live = fieldset(i).querySelector("[aria-live]");
      if (live) live.textContent = "";
    });
    showDrawn();
    firstResponseAt = questions.map(function () { return null; });
    attemptStartedAt = Date.now();
    form.querySelector("#quiz-submit").hidden = false;
    results.hidden = true;
    save(true);
    inputs(drawn()[0])[0].focus();
  }

  function questionOf(element) {
    var box = element.closest("fieldset.question");
    return box ? Number(box.id.slice(1)) - 1 : -1;
  }

  function noteResponse(event) {
    var i = questionOf(event.target);
    if (i >= 0 && firstResponseAt[i] === null) firstResponseAt[i] = Date.now();
  }

  // A learner back in an attempt under way: the answers are there; a link leads to the first open question.
  function offerResume() {
    var open = drawn().filter(function (i) { return readAnswer(i) === null; });
    if (open.length === drawn().length || !open.length) return;
    var box = fieldset(open[0]);
    var link = document.createElement("a");
    link.href = "#" + box.id;
    link.textContent = box.querySelector("legend").firstChild.textContent.trim();
    sco.notice(t("Welcome back: your answers are restored. "));
    var notice = document.getElementById("sco-notice");
    notice.appendChild(document.createTextNode(t("Continue with ")));
    notice.appendChild(link);
  }

  // --- start --------------------------------------------------------------------------------------

  var launch = sco.start();
  var passMark = sco.passMarkFromLms();
  if (passMark === null) passMark = data.passMark;
  var saved = decode(launch.suspendData);
  questions.forEach(function (q, i) { if (q.kind === "ordering") markEnds(i); });
  if (saved) {
    state.attempts = saved.attempts;
    state.submitted = saved.submitted;
    state.best = saved.best;
    state.draw = saved.draw;
    showDrawn();
    drawn().forEach(function (i, s) { writeAnswer(i, saved.answers[s]); });
    if (saved.submitted) {
      var evaluation = evaluate(saved.answers);
      showFeedback(saved.answers, evaluation);
      showResults(evaluation);
    } else {
      offerResume();
    }
  } else {
    state.draw = newDraw(null);
    showDrawn();
    save(true); // the draw is kept from the first moment, so coming back shows the same items
  }
  form.addEventListener("submit", submit);
  form.addEventListener("click", move);
  form.addEventListener("input", noteResponse);
  form.addEventListener("change", function (event) {
    noteResponse(event);
    save(true);
  });
  retry.addEventListener("click", startAgain);
})();
