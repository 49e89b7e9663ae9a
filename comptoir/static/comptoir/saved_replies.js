// Thread page: insert a saved reply at the cursor of the reply box, by keyboard.
// The list and the "Insert" button (which posts and shows the page again) are replaced by a
// search field with a list box (the ARIA combobox pattern): type to filter by name or text,
// arrow keys to choose, Enter to insert, Escape to close. The texts come with their variables
// already filled by the server (json_script: the CSP forbids inline scripts); a variable without
// a value stays in the text as typed and is named in a notice until it is replaced.
(function () {
  "use strict";

  var box = document.querySelector("[data-saved-replies]");
  if (!box) {
    return;
  }
  var source = document.getElementById(box.dataset.source);
  var textarea = document.getElementById(box.dataset.target);
  var pick = box.querySelector(".saved-replies-pick");
  var notice = box.querySelector("[data-missing-notice]");
  if (!source || !textarea || !pick || !notice) {
    return;
  }
  var replies = JSON.parse(source.textContent || "[]");
  var touched = false; // has the agent put the cursor somewhere in the reply box?
  var pending = []; // the variables without a value still in the reply box

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  replies.forEach(function (reply) {
    reply.folded = fold(reply.name + "\n" + reply.text);
  });

  function named(template, variables) {
    return template.replace("%(variables)s", variables.join(", "));
  }

  // The search field and its list box, in place of the list and the button.
  var label = pick.querySelector("label");
  var input = document.createElement("input");
  input.type = "text";
  input.id = "saved-reply-search";
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", "saved-reply-options");
  input.setAttribute("autocomplete", "off");
  input.placeholder = box.dataset.placeholder || "";
  var list = document.createElement("ul");
  list.id = "saved-reply-options";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-labelledby", "saved-reply-label");
  list.hidden = true;
  var combo = document.createElement("div");
  combo.className = "saved-replies-combo";
  combo.appendChild(input);
  combo.appendChild(list);
  label.id = "saved-reply-label";
  label.htmlFor = input.id;
  while (pick.lastChild !== label) {
    pick.removeChild(pick.lastChild);
  }
  pick.appendChild(combo);

  var shown = [];
  var active = -1;

  function render() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    shown = replies.filter(function (reply) {
      return words.every(function (word) {
        return reply.folded.indexOf(word) !== -1;
      });
    });
    list.textContent = "";
    shown.forEach(function (reply, index) {
      var option = document.createElement("li");
      option.id = "saved-reply-option-" + reply.id;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", index === active ? "true" : "false");
      option.textContent = reply.name;
      if (reply.missing.length) {
        var warning = document.createElement("span");
        warning.className = "saved-replies-warning";
        warning.textContent = " (" + named(box.dataset.missingShort || "", reply.missing) + ")";
        option.appendChild(warning);
      }
      option.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the field until the reply is inserted
      });
      option.addEventListener("click", function () {
        insert(reply);
      });
      list.appendChild(option);
    });
    if (!shown.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = box.dataset.none || "";
      list.appendChild(none);
    }
    var current = shown[active];
    if (current) {
      input.setAttribute("aria-activedescendant", "saved-reply-option-" + current.id);
      var element = document.getElementById("saved-reply-option-" + current.id);
      if (element && element.scrollIntoView) {
        element.scrollIntoView({ block: "nearest" });
      }
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open() {
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    render();
  }

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function remind() {
    pending = pending.filter(function (variable) {
      return textarea.value.indexOf(variable) !== -1;
    });
    notice.textContent = pending.length ? named(box.dataset.missing || "", pending) : "";
    notice.hidden = !pending.length;
    textarea.classList.toggle("has-missing", pending.length > 0);
  }

  function insert(reply) {
    var start = touched ? textarea.selectionStart : textarea.value.length;
    var end = touched ? textarea.selectionEnd : textarea.value.length;
    textarea.setRangeText(reply.text, start, end, "end");
    touched = true;
    reply.missing.forEach(function (variable) {
      if (pending.indexOf(variable) === -1) {
        pending.push(variable);
      }
    });
    input.value = "";
    close();
    remind();
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  ["focus", "keyup", "mouseup", "select"].forEach(function (kind) {
    textarea.addEventListener(kind, function () {
      touched = true;
    });
  });
  textarea.addEventListener("input", remind);
  // A page shown again (a refused Send): the marks still in the reply box are named at once.
  replies.forEach(function (reply) {
    reply.missing.forEach(function (variable) {
      if (pending.indexOf(variable) === -1 && textarea.value.indexOf(variable) !== -1) {
        pending.push(variable);
      }
    });
  });
  remind();

  input.addEventListener("input", function () {
    active = 0;
    open();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) {
        active = 0;
        open();
        return;
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      if (shown.length) {
        active = (active + step + shown.length) % shown.length;
      }
      render();
    } else if (event.key === "Enter") {
      event.preventDefault(); // never submits the reply
      if (!list.hidden && shown[active]) {
        insert(shown[active]);
      } else {
        active = 0;
        open();
      }
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", function () {
    close();
  });
})();
