/* Practice mode for the offline web site. The module quiz page runs the SCO's own quiz script
 * (scorm/quiz.js) against this stand-in for window.ScoRuntime, which talks to no LMS and sends
 * nothing anywhere: scoring and feedback stay in the page, and nothing is kept after it closes.
 * Any runtime call quiz.js makes that is not listed here does nothing as well.
 */
(function () {
  "use strict";

  function nothing() { return true; }

  var runtime = {
    version: "2004",
    start: function () { return { connected: false, suspendData: "", location: "", status: "" }; },
    passMarkFromLms: function () { return null; },
    isConnected: function () { return false; },
    problems: function () { return []; },
    get: function () { return ""; }
  };
  window.ScoRuntime = typeof Proxy === "function"
    ? new Proxy(runtime, { get: function (target, name) { return name in target ? target[name] : nothing; } })
    : runtime;
  if (runtime !== window.ScoRuntime) return;
  ["set", "commit", "finish", "notice", "setLocation", "setSuspendData", "setCompleted", "setProgress",
    "setResult", "setObjective", "recordInteraction"].forEach(function (name) { runtime[name] = nothing; });
})();
