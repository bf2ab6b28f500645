// Warn before the idle sign-out and offer to stay signed in (WCAG 2.2.1 Timing
// adjustable). Typing, tapping and saving count as activity: they move the
// server's clock on (practice/middleware.py), at most every so often. Before
// warning, the page asks the server how long is really left, since another tab may
// have been in use. When the time is up the page is reloaded, so the server signs
// the person out and asks them to sign in again; then they come back to this same
// page. Anything typed is kept meanwhile (static/js/saver.js keeps it until the
// server has it).
(function () {
  "use strict";

  var SIGNED_OUT = -1;
  var UNKNOWN = null;

  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.getElementById("idle-warning");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var limit = parseFloat(dialog.dataset.idleSeconds) * 1000;
    if (!limit) return;
    var url = dialog.dataset.keepAliveUrl;
    // Warn two minutes ahead (a third of the limit for very short limits), and
    // ping no more often than the server would note the activity anyway.
    var lead = Math.min(120000, limit / 3);
    var pingEvery = Math.min(60000, limit / 10);
    var when = dialog.querySelector("[data-idle-when]");
    var serverSeen = Date.now();
    var lastActivity = serverSeen;
    var lastAsked = 0;
    var busy = false;
    var leaving = false;

    // GET asks how long is left; POST also moves the clock on.
    function call(method, then) {
      busy = true;
      window
        .fetch(url, {
          method: method,
          credentials: "same-origin",
          headers: { "X-CSRFToken": dialog.dataset.csrf },
        })
        .then(function (reply) {
          if (reply.status === 401) return SIGNED_OUT;
          if (!reply.ok) return UNKNOWN;
          return reply.json().then(function (data) {
            return data.seconds_left;
          });
        })
        .catch(function () {
          return UNKNOWN;
        })
        .then(function (secondsLeft) {
          busy = false;
          if (secondsLeft === SIGNED_OUT) {
            leave(0);
          } else if (secondsLeft !== UNKNOWN) {
            serverSeen = Date.now() - (limit - secondsLeft * 1000);
          }
          if (then) then(secondsLeft);
        });
    }

    function leave(delay) {
      if (leaving) return;
      leaving = true;
      // A moment past the server's limit, so that the reload is not counted as
      // activity instead.
      window.setTimeout(function () {
        window.location.assign(window.location.href);
      }, delay);
    }

    function describe(ms) {
      var seconds = Math.max(0, Math.round(ms / 1000));
      if (seconds >= 90) return "in " + Math.round(seconds / 60) + " minutes";
      if (seconds > 60) return "in about a minute";
      return "in " + seconds + " second" + (seconds === 1 ? "" : "s");
    }

    function activity() {
      lastActivity = Date.now();
      if (dialog.open || busy) return; // only "Stay signed in" answers the warning
      if (lastActivity - serverSeen >= pingEvery) call("POST");
    }

    ["keydown", "input", "pointerdown", "change"].forEach(function (name) {
      document.addEventListener(name, activity, true);
    });
    document.addEventListener("cofactor:server-seen", function () {
      // A save reached the server; it moved the clock on at most a little behind.
      serverSeen = Math.max(serverSeen, Date.now() - pingEvery);
    });
    function stay() {
      lastActivity = Date.now();
      call("POST");
    }
    dialog.querySelector("[data-idle-stay]").addEventListener("click", function () {
      dialog.close();
      stay();
    });
    dialog.addEventListener("cancel", stay); // Escape also means "I am here"

    window.setInterval(function () {
      if (busy || leaving) return;
      var now = Date.now();
      var left = serverSeen + limit - now;
      if (left > lead) {
        if (dialog.open) dialog.close();
        return;
      }
      if (dialog.open) when.textContent = describe(left);
      if (dialog.open && left > 0 && now - lastAsked < 10000) return;
      lastAsked = now;
      call("GET", function (secondsLeft) {
        if (secondsLeft === SIGNED_OUT) return;
        if (secondsLeft === UNKNOWN) {
          // Offline: warn, but never leave a page whose typing is not yet saved.
          if (!dialog.open) dialog.showModal();
          return;
        }
        var really = secondsLeft * 1000;
        if (really > lead) {
          if (dialog.open) dialog.close();
        } else if (really <= 0) {
          leave(1500);
        } else if (!dialog.open) {
          when.textContent = describe(really);
          dialog.showModal();
        }
      });
    }, 1000);
  });
})();
