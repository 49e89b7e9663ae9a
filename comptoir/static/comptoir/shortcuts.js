// Keyboard shortcuts of the list and of the thread page, listed in a dialog opened with "?".
// A single key does nothing while the focus is in a field (typing), with Ctrl, Alt or Meta
// held, or while a dialog is open; Ctrl+Enter and Ctrl+Shift+Enter act in the reply and note
// boxes, where they are meant to.
(function () {
  "use strict";
  var dialog = document.getElementById("shortcuts");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var opener = document.querySelector("[data-shortcuts-open]");
  var returnTo = null;

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

  function show() {
    returnTo = document.activeElement;
    dialog.showModal();
  }
  dialog.addEventListener("close", function () {
    if (returnTo && typeof returnTo.focus === "function" && document.contains(returnTo)) {
      returnTo.focus();
    }
    returnTo = null;
  });
  if (opener) {
    opener.hidden = false;
    opener.addEventListener("click", show);
  }

  function reach(element) {
    if (element) {
      element.scrollIntoView({ block: "center" });
      element.focus({ preventScroll: true });
    }
  }

  // The list: a current row, moved with j and k, opened with o or Enter, selected with x.
  var rows = document.getElementById("thread-rows");

  function rowList() {
    return rows ? Array.prototype.slice.call(rows.querySelectorAll("tr")).filter(function (tr) {
      return tr.querySelector(".c-id a");
    }) : [];
  }

  function currentRow() {
    var active = document.activeElement;
    var row = active && rows && rows.contains(active) ? active.closest("tr") : null;
    return row || (rows ? rows.querySelector("tr.is-current") : null);
  }

  function move(step) {
    var list = rowList();
    if (!list.length) {
      return;
    }
    var index = list.indexOf(currentRow());
    var next = index === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, index + step));
    list.forEach(function (tr) {
      tr.classList.remove("is-current");
    });
    list[next].classList.add("is-current");
    reach(list[next].querySelector(".c-id a"));
  }

  function listKey(event) {
    var row = currentRow();
    switch (event.key) {
      case "j":
        move(1);
        return true;
      case "k":
        move(-1);
        return true;
      case "o":
      case "Enter":
        if (event.key === "Enter" && event.target.closest && event.target.closest("a, button")) {
          return false; // a link or button does its own thing
        }
        if (row) {
          window.location.assign(row.querySelector(".c-id a").href);
          return true;
        }
        return false;
      case "x":
        if (row) {
          var box = row.querySelector('input[name="ids"]');
          if (box) {
            box.click();
          }
          return true;
        }
        return false;
      case "/":
        reach(document.getElementById("q"));
        return true;
    }
    return false;
  }

  // The thread page.
  var replyForm = document.getElementById("reply-form");

  function threadKey(event) {
    switch (event.key) {
      case "r":
        reach(replyForm ? replyForm.querySelector("textarea") : null);
        return true;
      case "n":
        reach(document.querySelector('textarea[name="note"]'));
        return true;
      case "s":
        reach(document.querySelector(".thread-actions form button"));
        return true;
      case "a":
        reach(document.querySelector(".thread-assign select"));
        return true;
    }
    return false;
  }

  function send(event) {
    var form = event.target.form || (event.target.closest && event.target.closest("form"));
    if (!form || typeof form.requestSubmit !== "function") {
      return false;
    }
    if (form === replyForm) {
      var button = form.querySelector(event.shiftKey ? "[data-send-next]" : "[data-send]");
      if (button) {
        form.requestSubmit(button);
        return true;
      }
      return false;
    }
    if (event.target.name === "note" && !event.shiftKey) {
      form.requestSubmit();
      return true;
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) {
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
      if (send(event)) {
        event.preventDefault();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || dialog.open) {
      return;
    }
    if (document.querySelector("dialog[open]")) {
      return;
    }
    var done = false;
    if (event.key === "?") {
      show();
      done = true;
    } else if (dialog.dataset.page === "list") {
      done = listKey(event);
    } else if (dialog.dataset.page === "thread") {
      done = threadKey(event);
    }
    if (done) {
      event.preventDefault();
    }
  });
})();
