/* Desk by push (docs/desk.md): one Server-Sent Events stream per page. Optional: without it (or without
   JavaScript) the queue polls as before, or the page is reloaded by hand. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="bawaba-live"]');
  if (!meta || !window.EventSource) { return; }
  var root = document.documentElement;
  var live = false;
  var source = new EventSource(meta.content);
  root.setAttribute("data-live", "connecting");
  source.addEventListener("ready", function () { live = true; root.setAttribute("data-live", "on"); });
  source.addEventListener("error", function () {
    // EventSource reconnects by itself (sending Last-Event-ID); polling covers the gap, or takes over for good
    // when the server answered 204 (no push behind this server).
    live = false;
    root.setAttribute("data-live", source.readyState === EventSource.CLOSED ? "off" : "connecting");
  });
  // While the stream is up, the queue's polling timer keeps ticking but asks nothing.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (live && event.detail && event.detail.elt && event.detail.elt.id === "queue") { event.preventDefault(); }
  });
  source.addEventListener("queue", function (event) {
    var queue = document.getElementById("queue");
    if (!queue) { return; }
    if (window.htmx && window.htmx.swap) {
      window.htmx.swap(queue, event.data, { swapStyle: "outerHTML" });  // keeps focus, arms the new element
    } else {
      queue.outerHTML = event.data;
    }
  });
  // The list's rows are those on screen already, only its count moved: the count's text and the list's new
  // ETag (so that polling, if it takes over, gets 304 while nothing changes).
  source.addEventListener("queue-count", function (event) {
    var queue = document.getElementById("queue");
    var count = document.getElementById("queue-count");
    if (!queue || !count) { return; }
    var values = JSON.parse(event.data);
    count.textContent = values.text;
    queue.setAttribute("data-etag", values.etag);
    queue.setAttribute("hx-headers", JSON.stringify({ "If-None-Match": '"' + values.etag + '"' }));
  });
  source.addEventListener("notifications", function (event) {
    var badge = document.getElementById("notification-count");
    var count = parseInt(event.data, 10);
    if (!badge || isNaN(count)) { return; }
    badge.firstChild.nodeValue = String(count);
    badge.classList.toggle("urgent", count > 0);
  });
  source.addEventListener("counters", function (event) {
    var values = JSON.parse(event.data);
    Object.keys(values).forEach(function (id) {
      var number = document.querySelector("#" + id + " .number");
      if (number) { number.textContent = String(values[id]); }
    });
  });
  // Everything else published to the user's topic (bawaba.live.publish("user:<id>", kind, payload)), e.g. a
  // telephony screen pop: panels listen with document.addEventListener("bawaba:live", ...).
  source.addEventListener("live", function (event) {
    document.dispatchEvent(new CustomEvent("bawaba:live", { detail: JSON.parse(event.data) }));
  });
})();
