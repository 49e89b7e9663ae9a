// Small comforts for the back office; every page works without this file.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // The menu folds behind its button on narrow screens (the CSS decides when); without this
    // file it stays unfolded.
    var header = document.querySelector(".desk-header");
    var button = document.querySelector(".menu-button");
    var menu = document.getElementById("desk-menu");
    if (header && button && menu) {
      header.classList.add("folding");
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        menu.classList.toggle("open", open);
      });
    }
    // On a phone the list's filters start folded unless some are in use.
    var filters = document.querySelector("details.more-filters");
    if (filters && !filters.hasAttribute("data-active") && window.matchMedia("(max-width: 640px)").matches) {
      filters.open = false;
    }
    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", function () {
        document.querySelectorAll('input[name="ids"]').forEach(function (box) { box.checked = all.checked; });
      });
    }
    var action = document.getElementById("bulk-action");
    var assignee = document.getElementById("bulk-assignee");
    if (action && assignee) {
      var sync = function () { assignee.hidden = action.value !== "assign"; };
      action.addEventListener("change", sync);
      sync();
    }
    var target = document.getElementById("id_target");
    var email = document.getElementById("id_email");
    if (target && email) {
      var row = email.closest("p");
      var toggle = function () { if (row) { row.hidden = target.value !== "other"; } };
      target.addEventListener("change", toggle);
      toggle();
    }
    // The thread page's reply and note boxes are saved on the server as one types
    // (threads/drafts.py; colleagues see "typing" and "Draft by"): 800 ms after the last key,
    // and at least every 4 s while typing goes on.
    var presence = document.getElementById("presence");
    var draftUrl = presence && presence.getAttribute("data-draft-url");
    if (draftUrl && window.fetch) {
      [["reply", document.querySelector('#reply-form textarea[name="text"]')],
       ["note", document.querySelector('textarea[name="note"]')]].forEach(function (pair) {
        var kind = pair[0];
        var box = pair[1];
        if (!box || !box.form) { return; }
        var timer = null;
        var saved = box.value;
        var savedAt = Date.now();
        var save = function () {
          timer = null;
          if (box.value === saved) { return; }
          saved = box.value;
          savedAt = Date.now();
          var token = box.form.querySelector('input[name="csrfmiddlewaretoken"]');
          fetch(draftUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: {"X-CSRFToken": token ? token.value : ""},
            body: new URLSearchParams({kind: kind, text: box.value})
          }).catch(function () { saved = null; });
        };
        box.addEventListener("input", function () {
          if (timer) { clearTimeout(timer); }
          timer = setTimeout(save, Date.now() - savedAt > 4000 ? 0 : 800);
        });
        // Sent or submitted with a status button: the server keeps or clears it from here.
        box.form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); timer = null; } });
      });
    }
  });
})();

// Notifications in the browser itself (the Notification API, no push service): when this
// browser is switched on (the notifications page's button, kept in localStorage), each unread
// notification newer than the last one shown appears once, from the bell's poll.
(function () {
  "use strict";
  var KEY = "comptoir.browser-notifications";
  var SEEN = "comptoir.notified-up-to";
  var supported = "Notification" in window;
  function enabled() {
    return supported && Notification.permission === "granted" && localStorage.getItem(KEY) === "on";
  }
  function announce(bell) {
    var items = bell.querySelectorAll(".bell-news [data-id]");
    var seen = parseInt(localStorage.getItem(SEEN) || "0", 10);
    var newest = seen;
    items.forEach(function (item) {
      var id = parseInt(item.getAttribute("data-id"), 10);
      if (id > newest) { newest = id; }
      if (id > seen && seen > 0 && enabled()) {
        var shown = new Notification(item.textContent, { body: item.getAttribute("data-body") || "", tag: "comptoir-" + id });
        shown.onclick = function () { window.focus(); window.location.href = item.getAttribute("data-url"); };
      }
    });
    localStorage.setItem(SEEN, String(newest || seen || 1));
  }
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.id === "bell") { announce(event.target); }
  });
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var button = document.getElementById("browser-notifications");
    if (!button || !supported) { return; }
    var label = function () { button.textContent = button.getAttribute(enabled() ? "data-on" : "data-off"); };
    button.hidden = false;
    label();
    button.addEventListener("click", function () {
      if (enabled()) {
        localStorage.setItem(KEY, "off");
        label();
        return;
      }
      Notification.requestPermission().then(function (permission) {
        localStorage.setItem(KEY, permission === "granted" ? "on" : "off");
        label();
      });
    });
  });
})();
