// The questionnaire page: keep keyboard and screen-reader users oriented.
(function () {
  "use strict";

  // After "Save and continue" finds a problem, start at the list of problems.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  });

  // Adding or removing a medicine or supplement swaps the list (htmx); move focus
  // to where the person will want to be next, since the button they pressed may
  // be gone.
  var focusAfter = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    focusAfter = source && source.dataset ? source.dataset.focusAfter || null : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusAfter) {
      return;
    }
    var target = document.querySelector(focusAfter);
    focusAfter = null;
    if (target) {
      target.focus();
    }
  });
})();
