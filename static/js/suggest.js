// Suggest medicine and supplement names as the person types: the ARIA
// "combobox with list autocomplete" pattern (WAI-ARIA Authoring Practices).
// The box stays a free-text box: a suggestion only saves typing.
//
// Any <input data-suggest-url="..."> becomes a combobox. Up and Down move through
// the suggestions, Enter or a tap takes one, Escape or Tab closes the list.
(function () {
  "use strict";

  var DELAY_MS = 120;
  var MIN_LETTERS = 2;
  var counter = 0;
  var announcer = null;

  function announce(text) {
    if (!announcer) {
      announcer = document.createElement("div");
      announcer.className = "visually-hidden";
      announcer.setAttribute("role", "status");
      announcer.setAttribute("aria-live", "polite");
      document.body.appendChild(announcer);
    }
    announcer.textContent = text;
  }

  function setUp(input) {
    if (input.dataset.suggestReady) {
      return;
    }
    input.dataset.suggestReady = "1";
    counter += 1;
    var list = document.createElement("ul");
    list.id = (input.id || "suggest") + "-suggestions-" + counter;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    // Not "Suggestions for <label>": the box's own label must stay unique.
    list.setAttribute("aria-label", "Suggested names");
    list.hidden = true;
    // The list floats over what follows: if it pushed the page down, closing it
    // when the box loses focus would move the page under the person's finger.
    var wrap = document.createElement("div");
    wrap.className = "suggest-wrap";
    input.insertAdjacentElement("beforebegin", wrap);
    wrap.appendChild(input);
    wrap.appendChild(list);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    var timer = null;
    var pending = null;
    var active = -1;
    var choosing = false;

    function options() {
      return list.querySelectorAll('[role="option"]');
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (options().length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function highlight(index) {
      var all = options();
      if (!all.length) {
        return;
      }
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function choose(option) {
      choosing = true;
      input.value = option.dataset.value;
      close();
      // Tell the page (autosave) that the answer changed, as typing would.
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      choosing = false;
      announce(option.dataset.value + " chosen");
    }

    function show(found) {
      list.textContent = "";
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.value = item.label;
        option.textContent = item.label;
        if (item.hint) {
          var hint = document.createElement("span");
          hint.className = "suggest-hint";
          hint.textContent = " (" + item.hint + ")";
          option.appendChild(hint);
        }
        // Keep the focus in the box when the option is pressed.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
        });
        option.addEventListener("click", function () {
          choose(option);
        });
        list.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (found.length) {
        open();
        announce(
          found.length + (found.length === 1 ? " suggestion" : " suggestions") +
            ". Use the up and down arrows to choose one, or carry on typing."
        );
      } else {
        close();
      }
    }

    function fetchSuggestions() {
      var text = input.value.trim();
      if (text.length < MIN_LETTERS) {
        show([]);
        return;
      }
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      var url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(text);
      fetch(url, { credentials: "same-origin", signal: pending.signal })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (document.activeElement === input && input.value.trim() === text) {
            show(data.suggestions || []);
          }
        })
        .catch(function () {
          /* offline or aborted: no suggestions, typing carries on */
        });
    }

    input.addEventListener("input", function () {
      if (choosing) {
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var isOpen = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!isOpen) {
          open();
        }
        highlight(event.altKey ? Math.max(active, 0) : active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!isOpen) {
          open();
        }
        highlight(active <= 0 ? -1 : active - 1);
      } else if (event.key === "Enter") {
        if (isOpen && active >= 0) {
          event.preventDefault(); // take the suggestion, do not send the form
          choose(options()[active]);
        }
      } else if (event.key === "Escape") {
        if (isOpen) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () {
      clearTimeout(timer);
      close();
    });
  }

  function setUpAll(root) {
    if (root.matches && root.matches("input[data-suggest-url]")) {
      setUp(root);
    }
    root.querySelectorAll("input[data-suggest-url]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAll(document);
  });
  // Rows added by htmx (another medicine, another supplement).
  document.addEventListener("htmx:load", function (event) {
    setUpAll(event.detail.elt);
  });
})();
