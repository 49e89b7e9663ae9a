// Order page: choosing a standard message fills the textarea with its text (in the order's
// language); a counter shows the characters used. No inline script: the CSP forbids it, so the
// texts come from a JSON block (json_script) named by the select's data-texts attribute.
// Without JavaScript the "Use" button reloads the page with ?use=<id> instead.
(function () {
  "use strict";

  var select = document.querySelector("select[data-texts][data-target]");
  if (!select) {
    return;
  }
  var source = document.getElementById(select.dataset.texts);
  var textarea = document.getElementById(select.dataset.target);
  var counter = document.getElementById("order-message-counter");
  if (!source || !textarea) {
    return;
  }
  var texts = JSON.parse(source.textContent || "{}");

  function count() {
    if (!counter) {
      return;
    }
    var max = counter.dataset.max || textarea.getAttribute("maxlength") || "";
    counter.textContent = textarea.value.length + " / " + max;
    counter.hidden = false;
  }

  select.addEventListener("change", function () {
    if (Object.prototype.hasOwnProperty.call(texts, select.value)) {
      textarea.value = texts[select.value];
      count();
    }
  });
  textarea.addEventListener("input", count);

  var useButton = select.form && select.form.querySelector("[data-use-button]");
  if (useButton) {
    // Choosing is enough when scripts run (removed, not hidden: the CSS sets buttons' display).
    useButton.parentNode.removeChild(useButton);
  }
  count();
})();
