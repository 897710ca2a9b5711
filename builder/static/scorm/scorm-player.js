/* What a SCO does about the LMS's player rather than its SCORM API; scorm-runtime.js uses it.
 *
 * Players that show every SCO in one page with one API object (Moodle 4.5's SCORM 2004 player) leave
 * that object terminated once the first SCO terminates, so the next SCO's Initialize fails with 104.
 * reopen() asks for a fresh player page for this SCO (Moodle: player.php with the query of the frame's
 * loadSCO.php address), at most once in a short while. When nothing can be asked, the runtime keeps
 * the learner's suspend data and location in localStorage (keep/kept/forgetKept) for the next launch
 * the LMS accepts.
 * Moodle also switches every later save to navigator.sendBeacon once a SCO was unloaded by a click in
 * its course structure (request.js), and beacons may be stored out of order: saveInOrder() turns that
 * switch off again while the SCO is not leaving, so its saves go one after another.
 * LMSs (Moodle) reopen the first unfinished SCO, which may not be the one the learner left:
 * noteHere/lastPlace remember on the device which SCO of the package the learner was last in.
 */
(function () {
  "use strict";

  var REOPEN_PAUSE_MS = 20000; // a fresh player that fails again within this time is not asked again
  var KEEP_PREFIX = "scorm-kept:";
  var LAST_KEY = "scorm-last:" + location.pathname.replace(/[^/]*$/, "");
  var TITLE_MAX = 200;

  // Interface strings in the course language: the page carries them as JSON (builder/i18n.py).
  var MESSAGES = (function () {
    var el = document.getElementById("lmsb-messages");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  })();
  function t(text) {
    return MESSAGES[text] || text;
  }

  function storage(kind) {
    try {
      return window[kind] || null;
    } catch (e) {
      return null; // storage blocked
    }
  }

  function thisPage() {
    return location.pathname.replace(/^.*\//, "");
  }

  // The address of a fresh player page for this SCO, when the player is one that can give it.
  function freshPlayerUrl() {
    try {
      var src = window.frameElement && window.frameElement.getAttribute("src");
      if (!src || !/\/mod\/scorm\/loadSCO\.php\?/.test(src)) return null;
      return new URL(src.replace("/mod/scorm/loadSCO.php?", "/mod/scorm/player.php?"), location.href).href;
    } catch (e) {
      return null;
    }
  }

  // true when a fresh player page is on its way (this page is then going away).
  function reopen(say) {
    var url = freshPlayerUrl();
    var session = storage("sessionStorage");
    if (!url || !session) return false;
    var key = "scorm-reopened:" + url;
    try {
      if (Date.now() - Number(session.getItem(key) || 0) < REOPEN_PAUSE_MS) return false;
      session.setItem(key, String(Date.now()));
      say(t("Opening this page again so that the learning management system records your progress…"));
      window.frameElement.ownerDocument.defaultView.location.replace(url);
      return true;
    } catch (e) {
      return false;
    }
  }

  // What an earlier launch the LMS did not accept kept: {suspendData, location}, each within its limit.
  function kept(suspendMax, locationMax) {
    var local = storage("localStorage");
    try {
      var value = JSON.parse((local && local.getItem(KEEP_PREFIX + location.pathname)) || "{}");
      var data = typeof value.suspendData === "string" && value.suspendData.length <= suspendMax ? value.suspendData : "";
      var place = typeof value.location === "string" && value.location.length <= locationMax ? value.location : "";
      return { suspendData: data, location: place };
    } catch (e) {
      return { suspendData: "", location: "" };
    }
  }

  function keep(name, value) {
    var local = storage("localStorage");
    try {
      var now = JSON.parse((local && local.getItem(KEEP_PREFIX + location.pathname)) || "{}");
      now[name] = String(value);
      local.setItem(KEEP_PREFIX + location.pathname, JSON.stringify(now));
    } catch (e) {
      /* storage unavailable or full: nothing more can be done */
    }
  }

  function forgetKept() {
    var local = storage("localStorage");
    try {
      if (local) local.removeItem(KEEP_PREFIX + location.pathname);
    } catch (e) {
      /* nothing kept */
    }
  }

  // Where the learner was last in this package when that was another SCO left unfinished, else null.
  function lastPlace() {
    var local = storage("localStorage");
    try {
      var last = JSON.parse((local && local.getItem(LAST_KEY)) || "null");
      if (!last || typeof last.page !== "string" || typeof last.title !== "string") return null;
      return last.page !== thisPage() && last.done === false ? { page: last.page, title: last.title.slice(0, TITLE_MAX) } : null;
    } catch (e) {
      return null;
    }
  }

  function noteHere(done) {
    var local = storage("localStorage");
    try {
      var heading = document.querySelector("main h1") || document.querySelector("h1");
      var title = (heading ? heading.textContent : document.title).trim();
      if (local) local.setItem(LAST_KEY, JSON.stringify({ page: thisPage(), title: title, done: done }));
    } catch (e) {
      /* storage unavailable: nothing to remember */
    }
  }

  // Moodle's request.js: once set, every save is a beacon the page does not wait for.
  function saveInOrder(lmsWindow) {
    try {
      if (lmsWindow && lmsWindow.mod_scorm_useBeaconAPI === true) lmsWindow.mod_scorm_useBeaconAPI = false;
    } catch (e) {
      /* another origin: nothing to do */
    }
  }

  window.ScoPlayer = {
    reopen: reopen,
    kept: kept,
    keep: keep,
    forgetKept: forgetKept,
    lastPlace: lastPlace,
    noteHere: noteHere,
    saveInOrder: saveInOrder
  };
})();
