// Progressive enhancement only: every page works without this script.
// The error summary takes the focus, so that a screen reader reads it first; its links move
// the focus to the question they name.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      if (!link || link.hash.length < 2) return;
      var target = document.getElementById(link.hash.slice(1));
      if (!target) return;
      var fields = "input:not([type=hidden]), textarea, select";
      var input = target.matches(fields) ? target : target.querySelector(fields);
      if (input && link.pathname === window.location.pathname) {
        event.preventDefault();
        target.scrollIntoView();
        input.focus({ preventScroll: true });
      }
    });
  }
})();
