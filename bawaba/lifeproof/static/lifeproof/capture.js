/* Proof of life: consent, the server's challenge shown step by step, frames from the front camera, the outcome.
   No inline script (Content-Security-Policy); texts come translated in data- attributes of #lifeproof. */
(function () {
  "use strict";
  var root = document.getElementById("lifeproof");
  if (!root) { return; }
  if ("serviceWorker" in navigator && root.dataset.swUrl) {
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.scope }).catch(function () {});
  }
  var form = document.getElementById("lp-consent");
  if (!form) { return; }
  var FRAMES = 16, EVERY_MS = 375, LEAD_MS = 700;
  var capture = document.getElementById("lp-capture");
  var video = document.getElementById("lp-video");
  var stepText = document.getElementById("lp-step");
  var progress = document.getElementById("lp-progress");
  var result = document.getElementById("lp-result");
  var start = document.getElementById("lp-start");
  var assisted = document.getElementById("lp-assisted");
  var helper = document.getElementById("lp-helper");

  function csrf() { return form.querySelector("input[name=csrfmiddlewaretoken]").value; }
  function show(message, kind, reasons) {
    result.hidden = false;
    result.className = "lp-result" + (kind ? " lp-" + kind : "");
    result.textContent = "";
    var p = document.createElement("p");
    p.className = "lp-big";
    p.textContent = message;
    result.appendChild(p);
    (reasons || []).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      result.appendChild(li);
    });
  }
  function stop(stream) {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    capture.hidden = true;
  }
  function again() {
    start.disabled = false;
    start.textContent = root.dataset.msgAgain;
    form.hidden = false;
  }
  function post(url, body) {
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { "X-CSRFToken": csrf() } }).then(function (r) {
      return r.json().then(function (data) { data.httpStatus = r.status; return data; });
    });
  }
  function grab(canvas) {
    var w = video.videoWidth || 320, h = video.videoHeight || 240;
    var scale = Math.min(1, 640 / w);
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
  }
  function poll(url, pageUrl) {
    setTimeout(function () {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
        finish(data, pageUrl);
      }).catch(function () { poll(url, pageUrl); });
    }, 1000);
  }
  function finish(data, pageUrl) {
    if (data.status === "pending") { show(data.message, "wait"); poll(data.status_url, pageUrl); return; }
    if (data.status === "accepted" || data.status === "review") {
      show(data.message, data.status === "accepted" ? "ok" : "wait");
      setTimeout(function () { window.location.assign(data.page_url || pageUrl); }, 1500);
      return;
    }
    show(data.message, "refused", data.reasons);
    again();
  }
  function run(challenge, stream) {
    var canvas = document.createElement("canvas");
    var frames = [];
    var steps = challenge.steps;
    var total = FRAMES * EVERY_MS;
    var per = (total - LEAD_MS) / steps.length;
    var began = performance.now();
    stepText.textContent = root.dataset.msgReady;
    function tick(i) {
      var at = Math.round(performance.now() - began);
      var index = Math.min(steps.length - 1, Math.floor(Math.max(0, at - LEAD_MS + 200) / per));
      if (at >= LEAD_MS - 200) { stepText.textContent = steps[index].label; }
      progress.value = Math.round(100 * at / total);
      grab(canvas).then(function (blob) {
        frames.push({ blob: blob, at: at });
        if (i + 1 < FRAMES) {
          var next = began + (i + 1) * EVERY_MS - performance.now();
          setTimeout(function () { tick(i + 1); }, Math.max(0, next));
        } else {
          send(challenge, frames, stream);
        }
      });
    }
    tick(0);
  }
  function send(challenge, frames, stream) {
    stop(stream);
    show(root.dataset.msgSending, "wait");
    var body = new FormData();
    body.append("token", challenge.token);
    frames.forEach(function (f, i) {
      body.append("frame", f.blob, "frame-" + i + ".jpg");
      body.append("at_ms", String(f.at));
    });
    post(challenge.attempt_url, body).then(function (data) {
      if (data.error) { show(data.error, "refused"); again(); return; }
      finish(data, root.dataset.scope);
    }).catch(function () { show(root.dataset.msgNetwork, "refused"); again(); });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!document.getElementById("lp-agree").checked) { show(root.dataset.msgConsent, "refused"); return; }
    start.disabled = true;
    result.hidden = true;
    var body = new FormData(form);
    post(root.dataset.challengeUrl, body).then(function (challenge) {
      if (challenge.error) { show(challenge.error, "refused"); again(); return; }
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        show(root.dataset.msgCamera, "refused"); again(); return;
      }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 640 } }, audio: false })
        .then(function (stream) {
          form.hidden = true;
          capture.hidden = false;
          video.srcObject = stream;
          var go = function () { video.removeEventListener("playing", go); run(challenge, stream); };
          video.addEventListener("playing", go);
          video.play().catch(function () {});
        })
        .catch(function () { show(root.dataset.msgCamera, "refused"); again(); });
    }).catch(function () { show(root.dataset.msgNetwork, "refused"); again(); });
  });
  if (assisted && helper) {
    var sync = function () { helper.parentNode.hidden = !assisted.checked; helper.required = assisted.checked; };
    assisted.addEventListener("change", sync);
    sync();
  }
})();
