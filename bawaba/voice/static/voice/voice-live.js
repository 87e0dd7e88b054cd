/* Telephony's screen pop by push (docs/voice.md): when a call reaches the agent, the server publishes
   "voice.screen_pop" on the agent's own topic; the desk's stream (static/js/desk-live.js) hands it over as a
   "bawaba:live" event and this opens the caller's screen at once. Without a stream (WSGI) or without
   JavaScript, the state bar's poll sends the page there instead (HX-Redirect) or the agent follows its link. */
(function () {
  "use strict";
  document.addEventListener("bawaba:live", function (event) {
    var detail = event.detail || {};
    var payload = detail.payload || {};
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
