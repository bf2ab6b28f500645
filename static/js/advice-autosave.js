// The advice editor saves as the practitioner types (questionnaires/views/
// advice_autosave.py). One save at a time; each says which version it was typed
// over, and a newer save from another tab stops autosaving with a message rather
// than being overwritten. Nothing typed is ever taken off the page.
(function () {
  "use strict";

  var DELAY_MS = 1200;
  var RETRY_MS = 5000;

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("advice-form");
    if (!form || !form.dataset.autosaveUrl) {
      return;
    }
    var url = form.dataset.autosaveUrl;
    var status = document.getElementById("advice-save-status");
    var version = form.querySelector("input[name=saved_version]");
    var timer = null;
    var inFlight = null; // the promise of the save under way
    var dirty = false;
    var stopped = false;

    function say(text, problem) {
      status.textContent = text;
      status.classList.toggle("text-danger-emphasis", Boolean(problem));
      status.classList.toggle("fw-semibold", Boolean(problem));
      status.classList.toggle("text-body-secondary", !problem);
    }

    function later(ms) {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, ms);
    }

    function changed() {
      if (stopped) {
        return;
      }
      dirty = true;
      say("Saving…");
      later(DELAY_MS);
    }

    function save() {
      if (stopped || !dirty) {
        return inFlight || Promise.resolve();
      }
      if (inFlight) {
        return inFlight.then(save);
      }
      dirty = false;
      var data = new FormData(form);
      data.set("action", "autosave");
      inFlight = fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json" },
      })
        .then(function (reply) {
          if (reply.type === "opaqueredirect" || reply.status === 0) {
            stopped = true;
            say(
              "Not saved: you have been signed out. What you typed is still on " +
                "this page; copy it, sign in again and paste it back.",
              true
            );
            return;
          }
          return reply.json().then(function (body) {
            if (reply.ok) {
              version.value = body.version;
              say("Saved at " + body.saved_at + ".");
            } else if (reply.status === 409) {
              stopped = true;
              say("Not saved. " + body.message + " Reload the page to see it.", true);
            } else {
              throw new Error("status " + reply.status);
            }
          });
        })
        .catch(function () {
          dirty = true;
          say("Not saved yet: no connection to the server. Trying again…", true);
          later(RETRY_MS);
        })
        .finally(function () {
          inFlight = null;
          if (dirty && !stopped) {
            later(DELAY_MS);
          }
        });
      return inFlight;
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    window.addEventListener("online", function () {
      if (dirty && !stopped) {
        later(0);
      }
    });

    // A button press posts the whole form with the version it holds: wait for a
    // save under way, so the page does not refuse its own newer version.
    form.addEventListener("submit", function (event) {
      window.clearTimeout(timer);
      dirty = false;
      if (inFlight) {
        event.preventDefault();
        var submitter = event.submitter;
        inFlight.then(function () {
          form.requestSubmit(submitter);
        });
      }
    });
  });
})();
