/* Content SCO: the module page. Each top-level section the learner reaches is remembered (progress,
 * location, suspend_data "c1,<one 0/1 per section>"); reaching the end marker or pressing "Mark this
 * module as complete" completes the SCO. A returning learner is offered a link back to where they were.
 */
(function () {
  "use strict";

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
  }

  function offerResume(target) {
    var heading = target.querySelector("h2");
    var link = document.createElement("a");
    link.href = "#" + target.id;
    link.textContent = heading ? heading.textContent : "the section you last read";
    sco.notice("Welcome back. ");
    var box = document.getElementById("sco-notice");
    box.appendChild(document.createTextNode("Continue where you left off: "));
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
    if (part === end) complete();
  }

  function showCompleted() {
    if (!sco.isConnected()) status.textContent = "You have completed this module.";
    else if (sco.isSaved()) status.textContent = "You have completed this module. Your progress has been recorded.";
    else status.textContent = "You have completed this module, but it is not saved yet: see the message above.";
    button.disabled = true;
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

  button.parentNode.hidden = false;
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
