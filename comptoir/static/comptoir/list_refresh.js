// The customer service page: the list's rows, its views' counts and its pager (whose links start
// from the rows shown) are fetched again every few seconds (desk:list_rows, which answers 204
// when nothing changed) and swapped in place, the current row and the scroll position kept.
// Nothing is swapped while the agent has checked rows, is typing in a field, or has a dialog
// open: their work is never moved under them.
(function () {
  "use strict";
  var rows = document.getElementById("thread-rows");
  if (!rows || !rows.dataset.refresh || !window.fetch || !window.DOMParser) {
    return;
  }
  var views = document.getElementById("thread-views");
  var status = document.getElementById("rows-status");
  var every = Math.max(1, parseInt(rows.dataset.every, 10) || 20) * 1000;
  var version = rows.dataset.version || "";

  function typing(element) {
    if (!element || !element.tagName) {
      return false;
    }
    if (element.isContentEditable || element.tagName === "TEXTAREA" || element.tagName === "SELECT") {
      return true;
    }
    if (element.tagName === "INPUT") {
      return ["checkbox", "radio", "button", "submit", "reset", "image"].indexOf(element.type) === -1;
    }
    return false;
  }

  function busy() {
    return (
      document.hidden ||
      typing(document.activeElement) ||
      document.querySelector("dialog[open]") !== null ||
      document.querySelector('#bulk-form input[name="ids"]:checked, #select-all:checked') !== null
    );
  }

  function currentRow() {
    var active = document.activeElement;
    var row = active && rows.contains(active) ? active.closest("tr") : null;
    return row || rows.querySelector("tr.is-current");
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("thread-rows");
    var holder = doc.querySelector("[data-version]");
    if (!fresh || !holder) {
      return; // not the fragment (signed out meanwhile): leave the page as it is
    }
    var row = currentRow();
    var box = row ? row.querySelector('input[name="ids"]') : null;
    var current = box ? box.value : null;
    var hadFocus = rows.contains(document.activeElement);
    rows.replaceChildren.apply(rows, Array.prototype.slice.call(fresh.childNodes));
    [["thread-views", views], ["thread-pager", document.getElementById("thread-pager")]].forEach(
      function (pair) {
        // The views' counts, and the pager, whose links start from the rows now shown.
        var freshPart = doc.getElementById(pair[0]);
        if (pair[1] && freshPart) {
          pair[1].replaceChildren.apply(pair[1], Array.prototype.slice.call(freshPart.childNodes));
        }
      }
    );
    version = holder.dataset.version || "";
    if (current) {
      var again = rows.querySelector('input[name="ids"][value="' + current + '"]');
      var tr = again ? again.closest("tr") : null;
      if (tr) {
        tr.classList.add("is-current");
        var link = tr.querySelector(".c-id a");
        if (hadFocus && link) {
          link.focus({ preventScroll: true });
        }
      }
    }
    if (status) {
      status.textContent = status.dataset.updated || "";
    }
  }

  function refresh() {
    if (busy()) {
      window.setTimeout(refresh, every);
      return;
    }
    var url = rows.dataset.refresh + (rows.dataset.refresh.indexOf("?") === -1 ? "?" : "&") +
      "version=" + encodeURIComponent(version);
    fetch(url, { credentials: "same-origin", redirect: "error" })
      .then(function (response) {
        return response.status === 200 ? response.text() : null;
      })
      .then(function (html) {
        if (html && !busy()) {
          swap(html);
        }
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(refresh, every);
      });
  }
  window.setTimeout(refresh, every);
})();
