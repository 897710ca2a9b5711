/* SCO runtime shared by every SCO of the package, for SCORM 1.2 and SCORM 2004 (4th edition).
 *
 * The page's script tag says which version it speaks (data-scorm-version). The runtime finds the LMS
 * API as both specifications describe (this window and its parents, then the opener's), initializes
 * once, checks the result of every call and reads GetLastError, and on pagehide sets the session time
 * and exit mode, then commits and terminates, exactly once. Without an LMS every method still works
 * and does nothing but keep the page usable; a small notice says progress is not recorded.
 *
 * When the LMS refuses to save (a Commit, or a SetValue of the learner's progress, returns false),
 * the learner is told so and what to do; the refused values are set again before every later
 * Commit until the LMS takes them, and the notice then says progress is saved again. Values the LMS
 * gives (mastery score, counts, status, suspend data) are used only when inside their range.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var V2004 = !!script && script.getAttribute("data-scorm-version") === "2004";
  var MAX_DEPTH = 500; // ADL's bound on the parent-window walk
  var CALLS = V2004
    ? { api: "API_1484_11", init: "Initialize", finish: "Terminate", get: "GetValue", set: "SetValue",
        commit: "Commit", error: "GetLastError", text: "GetErrorString", diagnostic: "GetDiagnostic" }
    : { api: "API", init: "LMSInitialize", finish: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue",
        commit: "LMSCommit", error: "LMSGetLastError", text: "LMSGetErrorString", diagnostic: "LMSGetDiagnostic" };
  var EL = V2004
    ? { status: "cmi.completion_status", location: "cmi.location", exit: "cmi.exit", session: "cmi.session_time",
        score: "cmi.score", response: "learner_response", when: "timestamp", wrong: "incorrect" }
    : { status: "cmi.core.lesson_status", location: "cmi.core.lesson_location", exit: "cmi.core.exit",
        session: "cmi.core.session_time", score: "cmi.core.score", response: "student_response", when: "time",
        wrong: "wrong" };
  var TEXT_MAX_12 = 255; // CMIString255: SCORM 1.2 responses and patterns
  var FILL_IN_MAX_2004 = 250;
  var NOT_INITIALIZED_2004 = "403"; // GetValue of an element the LMS has no value for yet (first launch)
  var MAX_COLLECTION = 10000; // far above what any LMS stores; a larger _count is not trusted
  var STATUSES = V2004
    ? ["completed", "incomplete", "not attempted", "unknown"]
    : ["passed", "completed", "failed", "incomplete", "browsed", "not attempted"];
  var SUSPEND_MAX = V2004 ? 64000 : 4096;
  var LOCATION_MAX = V2004 ? 1000 : 255;

  var api = null;
  var connected = false;
  var finished = false;
  var startedAt = Date.now();
  var interactionCount = 0;
  var objectiveIndex = {};
  var objectiveCount = 0;
  var problems = [];
  var pending = {}; // progress values the LMS refused: set again before each Commit
  var unsaved = false; // the last Commit failed or left refused values

  function apiOf(win) {
    try {
      return win[CALLS.api] || null;
    } catch (e) {
      return null; // a window of another origin
    }
  }

  function scan(win) {
    for (var depth = 0; win && depth <= MAX_DEPTH; depth++) {
      var found = apiOf(win);
      if (found) return found;
      var parent = null;
      try {
        parent = win.parent;
      } catch (e) {
        return null;
      }
      if (!parent || parent === win) return null;
      win = parent;
    }
    return null;
  }

  function findApi() {
    var found = scan(window);
    if (found) return found;
    var opener = null;
    try {
      opener = window.top.opener || window.opener;
    } catch (e) {
      opener = null;
    }
    return opener ? scan(opener) : null;
  }

  function lastError() {
    try {
      return String(api[CALLS.error]());
    } catch (e) {
      return "101";
    }
  }

  function explain(code) {
    try {
      var text = api[CALLS.text](code);
      var detail = api[CALLS.diagnostic](code);
      return text + (detail && detail !== text && detail !== code ? " (" + detail + ")" : "");
    } catch (e) {
      return "";
    }
  }

  function problem(call, args, code) {
    var entry = { call: call, args: args, code: code, message: explain(code) };
    problems.push(entry);
    if (window.console) console.warn("SCORM " + call + "(" + args.join(", ") + ") failed: " + code + " " + entry.message);
  }

  // Calls an LMS function that answers "true"/"false"; true when it worked.
  function invoke(call, args) {
    if (!api) return false;
    var result;
    try {
      result = api[CALLS[call]].apply(api, args);
    } catch (e) {
      problem(CALLS[call], args, "exception " + e);
      return false;
    }
    var code = lastError();
    var ok = String(result) === "true" && (code === "0" || code === "");
    if (!ok) problem(CALLS[call], args, code);
    return ok;
  }

  function get(name) {
    if (!connected) return "";
    var value;
    try {
      value = api[CALLS.get](name);
    } catch (e) {
      problem(CALLS.get, [name], "exception " + e);
      return "";
    }
    var code = lastError();
    if (code === "0" || code === "") return value === null || value === undefined ? "" : String(value);
    if (!(V2004 && code === NOT_INITIALIZED_2004)) problem(CALLS.get, [name], code);
    return "";
  }

  // A value the LMS gave, or "" (with a problem noted) when it fails the check of its range.
  function trusted(name, check) {
    var value = get(name);
    if (value === "" || check(value)) return value;
    problems.push({ call: CALLS.get, args: [name], code: "out of range", message: "ignored: " + value.slice(0, 80) });
    return "";
  }

  function count(name) {
    var value = trusted(name, function (v) { return /^\d{1,5}$/.test(v) && Number(v) <= MAX_COLLECTION; });
    return value === "" ? 0 : Number(value);
  }

  // Collection entries (interactions, objectives) are a record of answers, written once; the rest is
  // the learner's progress, which must reach the LMS: refused progress is kept to set again.
  function isProgress(name) {
    return !/^cmi\.(interactions|objectives)\./.test(name);
  }

  function set(name, value) {
    if (!connected || finished) return false;
    var ok = invoke("set", [name, String(value)]);
    if (ok) delete pending[name];
    else if (isProgress(name)) pending[name] = String(value);
    return ok;
  }

  function commit() {
    if (!connected || finished) return false;
    for (var name in pending) {
      if (Object.prototype.hasOwnProperty.call(pending, name) && invoke("set", [name, pending[name]])) {
        delete pending[name];
      }
    }
    var ok = invoke("commit", [""]);
    var refused = Object.keys(pending).length;
    if (!ok || refused) {
      unsaved = true;
      var last = problems[problems.length - 1];
      var why = last ? " (error " + last.code + (last.message ? ": " + last.message : "") + ")" : "";
      notice(
        "Your progress could not be saved: the learning management system refused it" + why + ". " +
        "Keep this page open: it tries again each time you continue. If this message stays, note your " +
        "answers and tell your course administrator before you leave."
      );
    } else if (unsaved) {
      unsaved = false;
      notice("Your progress is saved again.");
    }
    return ok && !refused;
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  // A duration in the version's format: 1.2 HHHH:MM:SS.SS, 2004 ISO 8601 (PT1H2M3.45S).
  function timespan(ms) {
    var cs = Math.max(0, Math.round(ms / 10));
    var h = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60, s = Math.floor(cs / 100) % 60, c = cs % 100;
    if (V2004) {
      return "PT" + (h ? h + "H" : "") + (m ? m + "M" : "") + s + (c ? "." + pad(c, 2) : "") + "S";
    }
    return pad(Math.min(h, 9999), 4) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(c, 2);
  }

  // A moment: 1.2 time of day (HH:MM:SS), 2004 timestamp (YYYY-MM-DDThh:mm:ss), both local time.
  function moment(date) {
    var clock = pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
    if (!V2004) return clock;
    return date.getFullYear() + "-" + pad(date.getMonth() + 1, 2) + "-" + pad(date.getDate(), 2) + "T" + clock;
  }

  function decimal(x, places) {
    var f = Math.pow(10, places);
    return String(Math.round(x * f) / f);
  }

  // Text for a SCORM 2004 localized string: a leading "{" would be read as a delimiter.
  function langString(text, max) {
    return text.replace(/^\{+/, "").slice(0, max);
  }

  function notice(message) {
    var box = document.getElementById("sco-notice");
    if (!box) {
      box = document.createElement("p");
      box.id = "sco-notice";
      box.className = "sco-notice";
      box.setAttribute("role", "status");
      var heading = document.querySelector("main h1");
      if (heading) heading.insertAdjacentElement("afterend", box);
      else document.body.insertBefore(box, document.body.firstChild);
    }
    box.textContent = message;
    box.hidden = false;
  }

  // Links that leave the page open in a new window: inside an LMS frame, navigating away would end
  // the SCO's session, and a page opened without an opener cannot mistake this LMS session for its own.
  function openLinksOutside() {
    var here = location.href.split("#")[0];
    var links = document.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].href.split("#")[0] !== here) {
        links[i].target = "_blank";
        links[i].rel = "noopener";
      }
    }
  }

  function start() {
    openLinksOutside();
    api = findApi();
    if (!api) {
      notice("Not connected to a learning management system: this page works, but your progress is not recorded.");
      return { connected: false, suspendData: "", location: "", status: "" };
    }
    if (!invoke("init", [""])) {
      api = null;
      notice("The learning management system did not accept this page, so your progress is not recorded.");
      return { connected: false, suspendData: "", location: "", status: "" };
    }
    connected = true;
    startedAt = Date.now();
    interactionCount = count("cmi.interactions._count");
    objectiveCount = count("cmi.objectives._count");
    for (var i = 0; i < objectiveCount; i++) objectiveIndex[get("cmi.objectives." + i + ".id")] = i;
    var status = trusted(EL.status, function (v) { return STATUSES.indexOf(v) >= 0; });
    // Moodle turns "not attempted" into "completed" when a 1.2 SCO finishes: say it is under way.
    if (status === "" || status === "not attempted" || status === "unknown") {
      set(EL.status, "incomplete");
      status = "incomplete";
    }
    var state = {
      connected: true,
      suspendData: trusted("cmi.suspend_data", function (v) { return v.length <= SUSPEND_MAX; }),
      location: trusted(EL.location, function (v) { return v.length <= LOCATION_MAX; }),
      status: status
    };
    commit();
    return state;
  }

  function finish() {
    if (!connected || finished) return;
    set(EL.session, timespan(Date.now() - startedAt));
    set(EL.exit, "suspend"); // keep suspend_data and location for the next launch
    commit();
    finished = true;
    invoke("finish", [""]);
  }

  function setCompleted() {
    if (V2004) return set("cmi.completion_status", "completed");
    var status = get(EL.status);
    return status === "passed" || status === "failed" || set(EL.status, "completed");
  }

  function setProgress(fraction) {
    return V2004 ? set("cmi.progress_measure", decimal(Math.min(1, Math.max(0, fraction)), 4)) : true;
  }

  // Score as a percentage (raw 0-100, which is how Moodle grades score.raw), and pass/fail when known.
  function setResult(percent, passed) {
    if (percent !== null) {
      set(EL.score + ".min", "0");
      set(EL.score + ".max", "100");
      set(EL.score + ".raw", decimal(percent, 2));
      if (V2004) set("cmi.score.scaled", decimal(percent / 100, 4));
    }
    if (V2004) {
      set("cmi.completion_status", "completed");
      set("cmi.success_status", passed === null ? "unknown" : passed ? "passed" : "failed");
    } else {
      set(EL.status, passed === null ? "completed" : passed ? "passed" : "failed");
    }
  }

  // The mastery score the LMS holds for this SCO, as a percentage; null when it has none or gives
  // one outside its range (1.2 mastery_score 0..100; 2004 scaled_passing_score -1..1, below 0 as 0).
  function passMarkFromLms() {
    var decimal = /^-?\d{1,10}(\.\d{1,18})?$/;
    var raw = V2004
      ? trusted("cmi.scaled_passing_score", function (v) { return decimal.test(v) && Math.abs(Number(v)) <= 1; })
      : trusted("cmi.student_data.mastery_score", function (v) { return decimal.test(v) && Number(v) >= 0 && Number(v) <= 100; });
    if (raw === "") return null;
    return V2004 ? Math.max(0, Number(raw) * 100) : Number(raw);
  }

  function setObjective(id, percent, passed) {
    if (!connected) return;
    var n = objectiveIndex[id];
    if (n === undefined) {
      n = objectiveCount;
      if (!set("cmi.objectives." + n + ".id", id)) return;
      objectiveIndex[id] = n;
      objectiveCount++;
    }
    var base = "cmi.objectives." + n + ".";
    if (percent !== null) {
      set(base + "score.min", "0");
      set(base + "score.max", "100");
      set(base + "score.raw", decimal(percent, 2));
      if (V2004) set(base + "score.scaled", decimal(percent / 100, 4));
    }
    if (V2004) {
      set(base + "success_status", passed === null ? "unknown" : passed ? "passed" : "failed");
      set(base + "completion_status", "completed");
    } else {
      set(base + "status", passed === null ? "completed" : passed ? "passed" : "failed");
    }
  }

  /* One question's interaction: {id, type, objectives, correct (patterns), weighting, response
   * (null: not answered), result ("correct", "incorrect", "neutral" or a number), latency (ms or
   * null), description, when (Date)}. */
  function recordInteraction(ix) {
    if (!connected) return;
    var base = "cmi.interactions." + interactionCount + ".";
    if (!set(base + "id", ix.id)) return;
    interactionCount++;
    set(base + "type", ix.type);
    for (var i = 0; i < ix.objectives.length; i++) set(base + "objectives." + i + ".id", ix.objectives[i]);
    set(base + EL.when, moment(ix.when));
    for (var j = 0; j < ix.correct.length; j++) set(base + "correct_responses." + j + ".pattern", ix.correct[j]);
    set(base + "weighting", decimal(ix.weighting, 2));
    if (ix.response !== null) {
      var response = ix.response;
      if (!V2004) response = response.slice(0, TEXT_MAX_12);
      else if (ix.type === "fill-in") response = langString(response.split("[,]").join(","), FILL_IN_MAX_2004);
      else if (ix.type === "long-fill-in") response = langString(response, 4000);
      set(base + EL.response, response);
    }
    var result = ix.result === "incorrect" ? EL.wrong : ix.result;
    set(base + "result", typeof result === "number" ? decimal(result, 4) : result);
    if (ix.latency !== null) set(base + "latency", timespan(ix.latency));
    if (V2004 && ix.description) set(base + "description", langString(ix.description, 250));
  }

  window.addEventListener("pagehide", finish);

  window.ScoRuntime = {
    version: V2004 ? "2004" : "1.2",
    start: start,
    get: get,
    set: set,
    commit: commit,
    finish: finish,
    notice: notice,
    isConnected: function () { return connected; },
    isSaved: function () { return connected && !unsaved; },
    problems: function () { return problems.slice(); },
    setLocation: function (value) { return set(EL.location, value); },
    setSuspendData: function (value) { return set("cmi.suspend_data", value); },
    setCompleted: setCompleted,
    setProgress: setProgress,
    setResult: setResult,
    setObjective: setObjective,
    passMarkFromLms: passMarkFromLms,
    recordInteraction: recordInteraction,
    timespan: timespan
  };
})();
