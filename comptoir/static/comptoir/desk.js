// Small comforts for the back office; every page works without this file.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
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
