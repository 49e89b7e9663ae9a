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
  });
})();
