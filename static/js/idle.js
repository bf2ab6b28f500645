// Warn before the idle sign-out and offer to stay signed in (WCAG 2.2.1 Timing
// adjustable). Typing, tapping and saving count as activity: they move the
// server's clock on (practice/middleware.py), at most every so often. When the
// time is up the page is reloaded, so the server signs the person out and asks
// them to sign in again; then they come back to this same page. Anything typed is
// kept meanwhile (static/js/saver.js keeps it until the server has it).
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.getElementById("idle-warning");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var limit = parseFloat(dialog.dataset.idleSeconds) * 1000;
    if (!limit) return;
    // Warn two minutes ahead (less for very short limits), and ping no more
    // often than the server would note the activity anyway.
    var lead = Math.min(120000, limit / 3);
    var pingEvery = Math.min(60000, limit / 10);
    var when = dialog.querySelector("[data-idle-when]");
    var serverSeen = Date.now();
    var lastActivity = serverSeen;
    var pinging = false;

    function ping() {
      if (pinging) return;
      pinging = true;
      window
        .fetch(dialog.dataset.keepAliveUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": dialog.dataset.csrf },
        })
        .then(function (reply) {
          pinging = false;
          if (reply.ok) {
            serverSeen = Date.now();
          } else if (reply.status === 401) {
            window.location.assign(window.location.href);
          }
        })
        .catch(function () {
          pinging = false;
        });
    }

    function activity() {
      lastActivity = Date.now();
      if (dialog.open) return; // only "Stay signed in" answers the warning
      if (lastActivity - serverSeen >= pingEvery) ping();
    }

    ["keydown", "input", "pointerdown", "change"].forEach(function (name) {
      document.addEventListener(name, activity, true);
    });
    document.addEventListener("cofactor:server-seen", function () {
      serverSeen = Date.now();
    });
    dialog.querySelector("[data-idle-stay]").addEventListener("click", function () {
      dialog.close();
      lastActivity = Date.now();
      ping();
    });
    dialog.addEventListener("cancel", function () {
      // Escape also means "I am here".
      lastActivity = Date.now();
      ping();
    });

    function describe(ms) {
      var seconds = Math.max(0, Math.round(ms / 1000));
      if (seconds >= 90) return "in " + Math.round(seconds / 60) + " minutes";
      if (seconds > 60) return "in about a minute";
      return "in " + seconds + " second" + (seconds === 1 ? "" : "s");
    }

    window.setInterval(function () {
      var now = Date.now();
      if (lastActivity > serverSeen && now - serverSeen >= pingEvery && !dialog.open) {
        ping();
      }
      var left = serverSeen + limit - now;
      if (left <= 0) {
        window.location.assign(window.location.href);
      } else if (left <= lead && !dialog.open && !pinging) {
        when.textContent = describe(left);
        dialog.showModal();
      } else if (dialog.open && left > lead) {
        dialog.close();
      } else if (dialog.open) {
        when.textContent = describe(left);
      }
    }, 1000);
  });
})();
