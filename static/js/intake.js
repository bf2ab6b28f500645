// The questionnaire page: keep keyboard and screen-reader users oriented. Saving,
// and adding or removing rows, is static/js/saver.js.
(function () {
  "use strict";

  // After "Save and continue" finds a problem, start at the list of problems.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  });
})();
