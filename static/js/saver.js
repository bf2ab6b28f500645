// Save a form as the person types, without ever losing or overwriting anything.
//
// Any <form data-saver-url="..."> gets this behaviour; nothing here knows which
// form it is. The contract with the server (see questionnaires/drafts.py):
//
// - One queue per form: saves, "add/remove a row" buttons and page changes run one
//   after another, so a save can never cancel or overtake a row being added.
// - A save posts only the fields changed since the last confirmed save, marked
//   _saver=1, each name listed in _changed, with the value the page started from
//   under "_base:<name>". The server writes a field only if it still holds that
//   value; otherwise it answers with a conflict, and both values are shown here.
// - What was typed stays in localStorage until the server confirms it, so it
//   survives a lost connection, a closed tab and being signed out; it is sent again
//   when the connection is back or the page is opened again, and then removed.
// - The status line ([data-saver-status]) says what is true: "Saving…", "Saved at
//   …", or "Not saved" with the reason.
// - A submit button with data-saver-swap="#selector" posts its action through the
//   queue and swaps that part of the page with the server's reply; other submit
//   buttons first save what is pending, then submit the form as usual.
//
// A form saved as one whole (the advice editor) also names, in
// data-saver-version, the hidden input holding the version it was typed over. Each
// save posts it, and the reply's "version" replaces it. A 409 then means a newer
// version was saved elsewhere: saving stops, the typing stays on the page. A
// button press submits the whole form at once (after a save under way, so its
// version is current), for the server to check.
//
// Wording a form may change: data-saver-saved-text ("{time}" is replaced) and
// data-saver-signed-out-text (followed by the link to sign in again).
(function () {
  "use strict";

  var STORE_PREFIX = "cofactor-saver:";
  var TYPING_DELAY = 800;
  var CHANGE_DELAY = 150;

  function Saver(form) {
    this.form = form;
    this.url = form.dataset.saverUrl;
    this.storeKey = STORE_PREFIX + (form.dataset.saverKey || this.url);
    this.status = form.querySelector("[data-saver-status]");
    this.version = form.dataset.saverVersion
      ? form.querySelector("input[name='" + form.dataset.saverVersion + "']")
      : null;
    this.behind = false; // a newer version was saved elsewhere
    this.text = {
      saved: form.dataset.saverSavedText || "Saved at {time}",
      signedOut:
        form.dataset.saverSignedOutText ||
        "Not saved: you were signed out. What you typed is kept on this device; ",
    };
    this.base = this.snapshot();
    this.pending = {};
    this.conflicts = {};
    this.queue = [];
    this.busy = false;
    this.saveWanted = false;
    this.timer = null;
    this.retryDelay = 0;
    this.stopped = false;
    this.restore();
    this.listen();
  }

  // ------------------------------------------------------------ reading fields

  function skipped(el) {
    return (
      !el.name ||
      el.disabled ||
      el.name.charAt(0) === "_" ||
      el.name === "csrfmiddlewaretoken" ||
      el.type === "submit" ||
      el.type === "button" ||
      el.type === "hidden" ||
      el.type === "file"
    );
  }

  Saver.prototype.fieldsNamed = function (name) {
    return Array.prototype.filter.call(this.form.elements, function (el) {
      return el.name === name;
    });
  };

  Saver.prototype.valuesOf = function (name) {
    var values = [];
    this.fieldsNamed(name).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) values.push(el.value);
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) {
          values.push(o.value);
        });
      } else {
        values.push(el.value);
      }
    });
    return values;
  };

  Saver.prototype.setValues = function (name, values) {
    this.fieldsNamed(name).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = values.indexOf(o.value) !== -1;
        });
      } else {
        el.value = values.length ? values[0] : "";
      }
    });
  };

  Saver.prototype.snapshot = function () {
    var result = {};
    var self = this;
    Array.prototype.forEach.call(this.form.elements, function (el) {
      if (!skipped(el) && !(el.name in result)) {
        result[el.name] = self.valuesOf(el.name);
      }
    });
    return result;
  };

  // The reply's JSON, or {} when it has none (a proxy's error page, say).
  function jsonOf(reply) {
    return reply.json().catch(function () {
      return {};
    });
  }

  function same(a, b) {
    return JSON.stringify(a || []) === JSON.stringify(b || []);
  }

  // ----------------------------------------------------------- keeping typing

  Saver.prototype.persist = function () {
    var names = Object.keys(this.pending);
    try {
      if (!names.length) {
        window.localStorage.removeItem(this.storeKey);
        return;
      }
      var base = {};
      var self = this;
      names.forEach(function (name) {
        base[name] = self.base[name] || [];
      });
      var stored = { pending: this.pending, base: base, at: Date.now() };
      if (this.version) stored.version = this.version.value;
      window.localStorage.setItem(this.storeKey, JSON.stringify(stored));
    } catch (e) {
      // Storage full or blocked: the page still saves while it is open.
    }
  };

  Saver.prototype.restore = function () {
    var stored;
    try {
      stored = JSON.parse(window.localStorage.getItem(this.storeKey) || "null");
    } catch (e) {
      stored = null;
    }
    if (!stored || !stored.pending) return;
    // Typed over that version: sent with it, so a newer one is never overwritten.
    if (this.version && stored.version) this.version.value = stored.version;
    var self = this;
    Object.keys(stored.pending).forEach(function (name) {
      self.pending[name] = stored.pending[name];
      // The value the earlier page started from: a change made elsewhere since
      // then is shown as a conflict, not overwritten.
      self.base[name] = (stored.base || {})[name] || [];
      self.setValues(name, stored.pending[name]);
    });
    if (Object.keys(this.pending).length) {
      this.say("Saving what you typed earlier…");
      this.saveWanted = true;
      this.pump();
    }
  };

  // ----------------------------------------------------------------- events

  Saver.prototype.listen = function () {
    var self = this;
    var onEdit = function (delay) {
      return function (event) {
        var el = event.target;
        if (!el || !el.form || el.form !== self.form || skipped(el)) return;
        self.pending[el.name] = self.valuesOf(el.name);
        self.persist();
        self.later(delay);
      };
    };
    this.form.addEventListener("input", onEdit(TYPING_DELAY));
    this.form.addEventListener("change", onEdit(CHANGE_DELAY));
    // Enter in a one-line field would "press" the first submit button in the
    // form, which on a list step is "Remove medicine 1": save instead.
    this.form.addEventListener("keydown", function (event) {
      var el = event.target;
      if (event.key !== "Enter" || !el || el.tagName !== "INPUT") return;
      if (el.type === "submit" || el.type === "button") return;
      event.preventDefault();
      self.later(0);
    });
    this.form.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button") : null;
      if (button) self.lastButton = button; // for browsers without event.submitter
    });
    this.form.addEventListener("submit", function (event) {
      if (self.bypass) return;
      event.preventDefault();
      var button = event.submitter || self.lastButton;
      if (button && button.dataset.saverSwap) {
        // A double tap adds one row, not two: the button is replaced once done.
        if (self.swapping === button) return;
        self.swapping = button;
        self.enqueue({ kind: "swap", button: button });
      } else {
        self.enqueue({ kind: "submit", button: button });
      }
    });
    window.addEventListener("online", function () {
      self.retryDelay = 0;
      self.saveWanted = self.saveWanted || Object.keys(self.pending).length > 0;
      self.pump();
    });
  };

  Saver.prototype.later = function (delay) {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.saveWanted = true;
      self.pump();
    }, delay);
  };

  Saver.prototype.enqueue = function (op) {
    window.clearTimeout(this.timer);
    this.stopped = false;
    // A form posted whole with its version carries what is pending itself.
    var whole = this.version && op.kind === "submit";
    this.saveWanted = !whole && Object.keys(this.pending).length > 0;
    this.queue.push(op);
    this.pump();
  };

  // ------------------------------------------------------------------ queue

  Saver.prototype.pump = function () {
    if (this.busy || this.stopped) return;
    if (this.saveWanted && !this.behind && Object.keys(this.pending).length) {
      this.saveWanted = false;
      this.sendSave();
      return;
    }
    this.saveWanted = false;
    var op = this.queue.shift();
    if (!op) return;
    if (op.kind === "swap") {
      this.sendSwap(op.button);
    } else {
      this.submit(op.button);
    }
  };

  Saver.prototype.post = function (url, body) {
    var hidden = this.form.querySelectorAll("input[type=hidden]");
    Array.prototype.forEach.call(hidden, function (el) {
      if (el.name) body.append(el.name, el.value);
    });
    body.append("_saver", "1");
    this.busy = true;
    return window.fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Saver": "1" },
    });
  };

  Saver.prototype.sendSave = function () {
    var self = this;
    var sent = {};
    var body = new FormData();
    Object.keys(this.pending).forEach(function (name) {
      sent[name] = self.pending[name].slice();
      body.append("_changed", name);
      sent[name].forEach(function (v) {
        body.append(name, v);
      });
      (self.base[name] || []).forEach(function (v) {
        body.append("_base:" + name, v);
      });
    });
    this.say("Saving…");
    this.post(this.url, body)
      .then(function (reply) {
        return jsonOf(reply).then(function (data) {
            self.busy = false;
            if (reply.redirected) {
              self.signedOut(reply);
            } else if (reply.ok && data.saved_at) {
              self.saved(sent, data);
            } else {
              self.failed(reply.status, data, true);
            }
          });
      })
      .catch(function () {
        self.busy = false;
        self.offline();
      });
  };

  Saver.prototype.saved = function (sent, data) {
    var self = this;
    var conflicted = {};
    (data.conflicts || []).forEach(function (c) {
      c.names.forEach(function (n) {
        conflicted[n] = true;
      });
      self.showConflict(c);
    });
    Object.keys(sent).forEach(function (name) {
      if (conflicted[name]) return;
      self.base[name] = sent[name];
      if (same(self.pending[name], sent[name])) delete self.pending[name];
    });
    if (this.version && data.version) this.version.value = data.version;
    this.persist();
    this.retryDelay = 0;
    this.seen();
    var open = Object.keys(this.conflicts).length;
    if (open) {
      this.say(
        "Saved at " +
          data.saved_at +
          ", except " +
          (open === 1 ? "1 answer" : open + " answers") +
          " changed on another device: please choose which to keep."
      );
    } else {
      this.say(
        Object.keys(this.pending).length
          ? "Saving…"
          : this.text.saved.replace("{time}", data.saved_at)
      );
    }
    this.saveWanted = Object.keys(this.pending).some(function (n) {
      return !conflicted[n];
    });
    this.pump();
  };

  Saver.prototype.offline = function () {
    this.queue = [];
    this.swapping = null;
    this.say(
      "Not saved: no connection – we'll keep trying. What you typed is kept on this device.",
      "error"
    );
    this.retry();
  };

  Saver.prototype.retry = function () {
    var self = this;
    this.retryDelay = Math.min(30000, this.retryDelay ? this.retryDelay * 2 : 2000);
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.saveWanted = true;
      self.pump();
    }, this.retryDelay);
  };

  // Sent to the sign-in page (signed out elsewhere): nothing was saved.
  Saver.prototype.signedOut = function (reply) {
    this.failed(401, { login_url: reply.url });
  };

  // Signing in again comes back to this page, not to the address saved to.
  function loginLink(url) {
    var login = new URL(url, window.location.href);
    var next = window.location.pathname + window.location.search;
    return login.pathname + "?next=" + encodeURIComponent(next);
  }

  Saver.prototype.failed = function (code, data, isSave) {
    this.queue = [];
    this.swapping = null;
    if (code === 401 && data.login_url) {
      this.stopped = true;
      this.say(this.text.signedOut, "error", {
        href: loginLink(data.login_url),
        text: "sign in again to save it",
      });
      return;
    }
    if (code === 403) {
      // Usually a page from before signing in again elsewhere (its security token
      // has changed): opening it again puts back what was typed, and saves it.
      this.stopped = true;
      this.say(
        "Not saved: this page is out of date. What you typed is kept on this device; ",
        "error",
        { href: window.location.href, text: "open the page again to save it" }
      );
      return;
    }
    if (code >= 500 || code === 0) {
      this.say(
        "Not saved: something went wrong on our side – we'll keep trying.",
        "error"
      );
      if (isSave) this.retry();
      return;
    }
    if (code === 409) {
      // Sent meanwhile, or a newer version saved elsewhere: nothing typed here
      // can be stored over it, so nothing is kept to send again.
      this.pending = {};
      this.persist();
    }
    if (code === 409 && this.version) {
      this.behind = true;
      this.say("Not saved. " + (data.error || data.message || ""), "error");
      return;
    }
    this.say(
      "Not saved: " +
        (data.error || "the change was refused (error " + code + ")."),
      "error"
    );
  };

  // --------------------------------------------------- rows and page changes

  Saver.prototype.sendSwap = function (button) {
    var self = this;
    var body = new FormData();
    body.append(button.name, button.value);
    var selector = button.dataset.saverSwap;
    var focusAfter = button.dataset.focusAfter;
    // getAttribute: a field named "action" hides the form's own action property.
    this.post(this.form.getAttribute("action") || window.location.href, body)
      .then(function (reply) {
        var type = reply.headers.get("Content-Type") || "";
        if (reply.redirected && reply.url.indexOf(self.form.getAttribute("action")) === -1) {
          self.busy = false;
          self.signedOut(reply);
          return;
        }
        if (!reply.ok || type.indexOf("json") !== -1) {
          return jsonOf(reply).then(function (data) {
            self.busy = false;
            self.failed(reply.ok ? 500 : reply.status, data, false);
          });
        }
        return reply.text().then(function (html) {
          self.busy = false;
          self.swapping = null;
          self.swap(selector, html, focusAfter);
          self.seen();
          self.pump();
        });
      })
      .catch(function () {
        self.busy = false;
        self.offline();
      });
  };

  Saver.prototype.swap = function (selector, html, focusAfter) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.querySelector(selector);
    var current = this.form.querySelector(selector);
    if (!fresh || !current) return;
    current.replaceWith(document.importNode(fresh, true));
    // What the server sent is stored; what was typed meanwhile is put back.
    var now = this.snapshot();
    var self = this;
    Object.keys(now).forEach(function (name) {
      if (name in self.pending) {
        self.setValues(name, self.pending[name]);
      } else {
        self.base[name] = now[name];
      }
    });
    if (focusAfter) {
      var target = this.form.querySelector(focusAfter);
      if (target) target.focus();
    }
  };

  Saver.prototype.submit = function (button) {
    if (Object.keys(this.conflicts).length) {
      this.say("Please choose which answer to keep first (see above).", "error");
      return;
    }
    if (this.version) {
      // Posted whole, with the version it was typed over (behind a newer one,
      // the server says what to do): what it posts is no longer kept here.
      if (!window.navigator.onLine) {
        this.offline();
        return;
      }
      this.pending = {};
      this.persist();
    } else if (Object.keys(this.pending).length) {
      // Typed while the last save was on its way: save that first.
      this.queue.unshift({ kind: "submit", button: button });
      this.saveWanted = true;
      this.pump();
      return;
    }
    this.addHidden("_saver", "1");
    if (button && button.name) this.addHidden(button.name, button.value);
    this.bypass = true;
    HTMLFormElement.prototype.submit.call(this.form);
  };

  Saver.prototype.addHidden = function (name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    this.form.appendChild(input);
  };

  // -------------------------------------------------------------- conflicts

  Saver.prototype.showConflict = function (c) {
    var self = this;
    var key = c.names.join(" ");
    if (this.conflicts[key]) this.conflicts[key].remove();
    var field = this.fieldsNamed(c.names[0])[0];
    var box = document.createElement("div");
    box.className = "alert alert-warning saver-conflict";
    box.setAttribute("role", "alert");
    var heading = document.createElement("p");
    heading.className = "fw-semibold mb-1";
    heading.textContent =
      "“" + c.label + "” was changed on another device or tab since you opened this page.";
    box.appendChild(heading);
    box.appendChild(line("Saved there: ", c.theirs || "(blank)"));
    box.appendChild(line("Yours, not saved: ", c.yours || "(blank)"));
    var mine = button("Keep mine", "btn btn-primary btn-sm me-2");
    var theirs = button("Use the one saved there", "btn btn-outline-dark btn-sm");
    box.appendChild(mine);
    box.appendChild(theirs);
    mine.addEventListener("click", function () {
      // Mine replaces what is stored now: that becomes the value I start from.
      c.names.forEach(function (n) {
        self.base[n] = c.theirs_data[n] || [];
        self.pending[n] = self.valuesOf(n);
      });
      self.resolved(key, field);
    });
    theirs.addEventListener("click", function () {
      c.names.forEach(function (n) {
        var values = c.theirs_data[n] || [];
        self.setValues(n, values);
        self.base[n] = values;
        delete self.pending[n];
      });
      self.resolved(key, field);
    });
    var anchor = field
      ? field.closest(".question, fieldset, .mb-3") || field.parentElement
      : null;
    if (anchor) {
      anchor.parentElement.insertBefore(box, anchor);
    } else {
      this.status.parentElement.insertBefore(box, this.status);
    }
    this.conflicts[key] = box;
  };

  Saver.prototype.resolved = function (key, field) {
    this.conflicts[key].remove();
    delete this.conflicts[key];
    this.persist();
    if (field) field.focus();
    this.saveWanted = true;
    this.pump();
  };

  function line(label, value) {
    var p = document.createElement("p");
    p.className = "mb-1";
    p.appendChild(document.createTextNode(label));
    var q = document.createElement("q");
    q.textContent = value;
    p.appendChild(q);
    return p;
  }

  function button(text, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = text;
    return b;
  }

  // ----------------------------------------------------------------- status

  Saver.prototype.say = function (text, tone, link) {
    if (!this.status) return;
    this.status.textContent = text;
    this.status.classList.toggle("save-status-error", tone === "error");
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      this.status.appendChild(a);
      this.status.appendChild(document.createTextNode("."));
    }
  };

  Saver.prototype.seen = function () {
    document.dispatchEvent(new CustomEvent("cofactor:server-seen"));
  };

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-saver-url]");
    Array.prototype.forEach.call(forms, function (form) {
      form.saver = new Saver(form);
    });
  });
})();
