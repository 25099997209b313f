// Progressive enhancement only: every page works without this script.
// The error summary takes the focus, so that a screen reader reads it first; its links move
// the focus to the question they name.
(function () {
  "use strict";
  // A link that looks like a button (the task list's "Check your answers") is announced as
  // one, so it answers the space bar as a button does, not by scrolling the page.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === " " && target.matches && target.matches("a[role=button]")) {
      event.preventDefault();
      target.click();
    }
  });
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
