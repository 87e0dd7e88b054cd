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
  // Asked by the bar's poll at each tick (hx-trigger filter): true while the stream carries the bar's changes.
  window.bawabaVoicePushed = function () {
    if (document.documentElement.getAttribute("data-live") !== "on") { return false; }
    return Date.now() - lastFetch < SAFETY_MS;
  };
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.id === "voice-bar") { lastFetch = Date.now(); }
  });
  document.addEventListener("bawaba:live", function (event) {
    var detail = event.detail || {};
    var payload = detail.payload || {};
    if (detail.kind === "voice.agent_state") {
      var bar = document.getElementById("voice-bar");
      if (bar && window.htmx) { window.htmx.trigger(bar, "voice-refresh"); }
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
