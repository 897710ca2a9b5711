/* Content SCO: the module page. Each top-level section the learner reaches is remembered (progress,
 * location, suspend_data "c1,<one 0/1 per section>"); having reached every section, or pressing "Mark
 * this module as complete" (usable until then, wherever the learner jumps to), completes the SCO, and
 * the button gives way to a status saying what the LMS recorded. A returning learner is offered a link
 * back to where they were.
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
  var TAG = "c1,";
  var parts = Array.prototype.slice.call(document.querySelectorAll("main > section[id]"));
  var end = document.getElementById("module-end");
  var button = document.getElementById("sco-complete");
  var status = document.getElementById("sco-complete-status");
  var seen = parts.map(function () { return false; });
  var completed = false;

  var state = sco.start();
  restore(state);

  function restore(state) {
    var saved = state.suspendData;
    if (saved.indexOf(TAG) === 0 && saved.length === TAG.length + parts.length) {
      for (var i = 0; i < parts.length; i++) seen[i] = saved.charAt(TAG.length + i) === "1";
    }
    completed = state.status === "completed" || state.status === "passed" || state.status === "failed";
    if (completed) showCompleted();
    var target = state.location ? document.getElementById(state.location) : null;
    if (target && parts.indexOf(target) > 0) offerResume(target);
    if (state.lastPlace) pointToLastPlace(state.lastPlace);
  }

  // The LMS opened this page, but the learner was last in another page of the course, left unfinished.
  function pointToLastPlace(place) {
    var text = t("Last time you were in “{title}” and have not finished it: choose it in the course's " +
      "list of contents to carry on there.", { title: place.title });
    var box = document.getElementById("sco-notice");
    if (box && !box.hidden && box.textContent) box.appendChild(document.createTextNode(" " + text));
    else sco.notice(text);
  }

  function offerResume(target) {
    var heading = target.querySelector("h2");
    var link = document.createElement("a");
    link.href = "#" + target.id;
    link.textContent = heading ? heading.textContent : t("the section you last read");
    sco.notice(t("Welcome back. "));
    var box = document.getElementById("sco-notice");
    box.appendChild(document.createTextNode(t("Continue where you left off: ")));
    box.appendChild(link);
  }

  function save() {
    var bits = seen.map(function (s) { return s ? "1" : "0"; }).join("");
    sco.setSuspendData(TAG + bits);
    sco.setProgress(seen.filter(Boolean).length / Math.max(1, parts.length));
  }

  function reached(part) {
    var i = parts.indexOf(part);
    if (i < 0) return;
    sco.setLocation(part.id);
    if (!seen[i]) {
      seen[i] = true;
      save();
      sco.commit();
    }
    if (seen.every(Boolean)) complete();
  }

  function showCompleted() {
    if (!sco.isConnected()) status.textContent = t("You have completed this module.");
    else if (sco.isSaved()) status.textContent = t("You have completed this module. Your course has recorded it as completed.");
    else status.textContent = t("You have completed this module, but it is not saved yet: see the message above.");
    button.disabled = true;
    button.parentNode.hidden = true;
  }

  function complete() {
    if (completed) return;
    completed = true;
    seen = seen.map(function () { return true; });
    save();
    sco.setProgress(1);
    sco.setCompleted();
    sco.commit();
    showCompleted();
  }

  if (!completed) button.parentNode.hidden = false;
  button.addEventListener("click", function () {
    complete();
    status.focus();
  });
  status.tabIndex = -1;

  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) reached(entry.target);
      });
    });
    parts.forEach(function (part) { observer.observe(part); });
  }
})();
