/* Telephony's screen pop by push (docs/voice.md): when a call reaches the agent, the server publishes
   "voice.screen_pop" on the agent's own topic; the desk's stream (static/js/desk-live.js) hands it over as a
   "bawaba:live" event and this opens the caller's screen at once. Without a stream (WSGI) or without
   JavaScript, the state bar's poll sends the page there instead (HX-Redirect) or the agent follows its link.
   The state bar itself: while the stream is up, each change of the agent's state is pushed ("voice.agent_state")
   and the bar is fetched once then; its poll only runs when the stream is down, and once a minute as a
   safety net. */
(function () {
  "use strict";
  var SAFETY_MS = 60000;
  var lastFetch = Date.now();
  var told = false;  // the next fetch of the bar is the one a pushed change asked for
  function pushed() {  // true while the stream carries the bar's changes
    if (document.documentElement.getAttribute("data-live") !== "on") { return false; }
    return Date.now() - lastFetch < SAFETY_MS;
  }
  // The bar's poll keeps ticking (hx-trigger "every"; htmx's filters need eval, which the CSP refuses) but asks
  // nothing while the stream is up, as the desk's queue does (desk-live.js).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || elt.id !== "voice-bar") { return; }
    if (told) { told = false; return; }
    if (pushed()) { event.preventDefault(); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.id === "voice-bar") { lastFetch = Date.now(); }
  });
  document.addEventListener("bawaba:live", function (event) {
    var detail = event.detail || {};
    var payload = detail.payload || {};
    if (detail.kind === "voice.agent_state") {
      var bar = document.getElementById("voice-bar");
      if (bar && window.htmx) { told = true; window.htmx.trigger(bar, "voice-refresh"); }
      return;
    }
    if (detail.kind !== "voice.screen_pop" || typeof payload.url !== "string" || payload.url.charAt(0) !== "/" ||
        payload.url.charAt(1) === "/") {
      return;
    }
    var key = "bawaba-voice-popped";
    try {
      if (window.sessionStorage.getItem(key) === payload.leg) { return; }  // once per call reaching the agent
      window.sessionStorage.setItem(key, payload.leg);
    } catch (error) { /* storage refused: the page opens anyway */ }
    if (window.location.pathname === payload.url) { return; }
    document.documentElement.setAttribute("data-voice-pop", "push");
    window.location.assign(payload.url);
  });
})();
