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
  // Polled parts marked data-poll-visible (the queue, the wallboard) ask nothing while the page is hidden (another
  // tab, a locked phone); the next tick after it is shown again refreshes them. htmx's own trigger filter
  // ("every 2s [document.visibilityState === 'visible']") cannot do it: it needs eval, which our
  // Content-Security-Policy refuses, and htmx then ignores the filter and polls anyway.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.hasAttribute("data-poll-visible") && document.visibilityState === "hidden") {
      event.preventDefault();
    }
  });
})();
