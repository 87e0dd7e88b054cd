/* Agent desk: small keyboard helpers. Everything works without this file. */
(function () {
  "use strict";
  // Ctrl+Enter (or Cmd+Enter) in a textarea submits its form, as Enter does in one-line fields.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.tagName === "TEXTAREA" && target.form) {
      event.preventDefault();
      if (target.form.requestSubmit) { target.form.requestSubmit(); } else { target.form.submit(); }
    }
  });
})();
