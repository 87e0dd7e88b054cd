/* Bawaba post: the postman's round, offline first.
 *
 * Each delivery (or unsuccessful attempt) is written to IndexedDB first — fields, the signature drawn on the
 * canvas as a PNG Blob, the optional photo — under an id made on the phone, with the phone's time and GPS
 * position. It is then sent with that id (the event's external_id on the server): the server stores an id
 * once, so a record whose answer was lost is sent again safely. A record leaves the phone only after a 2xx
 * answer naming its id; a refusal (4xx) stays on the phone with the reason; network errors, 5xx, 408 and
 * 429 are retried on the `online` event, when the page becomes visible, and every RETRY_MS.
 */
(function () {
  "use strict";

  var DB_NAME = "bawaba-postal-round";
  var STORE = "outbox";
  var RETRY_MS = 20000;
  var RETRYABLE = [408, 425, 429];

  var strings = {};
  try { strings = JSON.parse(document.getElementById("postal-strings").textContent); } catch (e) { strings = {}; }
  function t(key, params) {
    return (strings[key] || key).replace(/%\((\w+)\)s/g, function (m, name) {
      return params && name in params ? String(params[name]) : m;
    });
  }
  var userMeta = document.querySelector('meta[name="postal-user"]');
  var currentUser = userMeta ? userMeta.content : "";
  var form = document.getElementById("record-form");
  var dbPromise = null;

  // ------------------------------------------------------------------ storage

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      if (!("indexedDB" in window)) { reject(new Error("no IndexedDB")); return; }
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { dbPromise = null; reject(request.error); };
    });
    return dbPromise;
  }

  function transact(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx;
        try { tx = db.transaction([STORE], mode, { durability: "strict" }); } catch (e) { tx = db.transaction([STORE], mode); }
        var result;
        var request = fn(tx.objectStore(STORE));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("aborted")); };
      });
    });
  }

  function records() {
    return transact("readonly", function (s) { return s.getAll(); }).then(function (all) {
      return all.filter(function (r) { return r.user === currentUser; })
        .sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
    });
  }
  function put(record) { return transact("readwrite", function (s) { return s.put(record); }); }
  function remove(id) { return transact("readwrite", function (s) { return s.delete(id); }); }
  function get(id) { return transact("readonly", function (s) { return s.get(id); }); }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
  }

  function deviceId() {
    var id = "";
    try { id = localStorage.getItem("postal-device") || ""; } catch (e) { id = ""; }
    if (!id) {
      id = "phone-" + newId().replace(/-/g, "").slice(0, 10);
      try { localStorage.setItem("postal-device", id); } catch (e) { /* private mode */ }
    }
    return id;
  }

  // ------------------------------------------------------------------ sending

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function payload(record) {
    var data = new FormData();
    Object.keys(record.fields).forEach(function (key) {
      var v = record.fields[key];
      if (v !== null && v !== undefined && v !== "") data.append(key, v);
    });
    data.append("client_id", record.id);
    if (record.signature) data.append("signature", record.signature, "signature.png");
    if (record.photo) data.append("photo", record.photo, record.photoName || "photo.jpg");
    return data;
  }

  // "sent", "failed" (refused for good), or "stop" (try again later).
  function send(record) {
    return fetch(record.url, {
      method: "POST", body: payload(record), credentials: "same-origin", cache: "no-store",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        if (response.ok && !response.redirected && body && body.id === record.id) {
          return remove(record.id).then(function () { markItem(record.fields.number, record.fields.outcome, false); return "sent"; });
        }
        if (response.status === 401 || response.status === 403 && !body || response.redirected || response.ok) {
          record.lastError = t("signIn");
          return put(record).then(function () { return "stop"; });
        }
        if (response.status >= 500 || RETRYABLE.indexOf(response.status) !== -1) {
          record.lastError = t("server", { status: response.status });
          return put(record).then(function () { return "stop"; });
        }
        record.status = "failed";
        record.lastError = (body && body.detail) || "HTTP " + response.status;
        return put(record).then(function () { return "failed"; });
      });
    }, function () {
      record.lastError = t("network");
      return put(record).then(function () { return "stop"; });
    });
  }

  function sendAll() {
    return records().then(function (list) {
      var queued = list.filter(function (r) { return r.status === "queued"; });
      var i = 0;
      function next() {
        if (i >= queued.length) return Promise.resolve();
        var id = queued[i++].id;
        return get(id).then(function (record) {  // another tab may have sent it meanwhile
          if (!record || record.status !== "queued") return next();
          return send(record).then(function (outcome) { return outcome === "stop" ? null : next(); });
        });
      }
      return next();
    });
  }

  var flushing = null;
  function flush() {
    if (flushing) return flushing;
    if (!navigator.onLine) { render(); return Promise.resolve(); }
    var run = navigator.locks && navigator.locks.request ? navigator.locks.request("bawaba-postal-round", sendAll) : sendAll();
    flushing = run.catch(function (e) { if (window.console) console.warn("postal outbox:", e); })
      .then(function () { flushing = null; render(); });
    return flushing;
  }

  // ------------------------------------------------------------------ display

  function markItem(number, outcome, queued) {
    var li = document.querySelector('.round-item[data-number="' + number + '"]');
    if (!li) return;
    li.classList.toggle("queued", queued);
    li.classList.remove("outcome-pending");
    li.classList.add("outcome-" + outcome);
    var state = li.querySelector("[data-state]");
    if (state) state.textContent = queued ? t("waiting") : t(outcome);
    var actions = li.querySelector(".actions");
    if (actions) actions.hidden = true;
  }

  function render() {
    var netstate = document.getElementById("netstate");
    if (netstate) { netstate.hidden = navigator.onLine; netstate.textContent = t("offline"); }
    return records().then(function (list) {
      var box = document.getElementById("outbox");
      var ul = document.getElementById("outbox-list");
      var status = document.getElementById("outbox-status");
      var queued = list.filter(function (r) { return r.status === "queued"; }).length;
      box.hidden = list.length === 0;
      status.hidden = queued === 0;
      status.textContent = t("queued", { n: queued });
      ul.textContent = "";
      list.forEach(function (r) {
        var li = document.createElement("li");
        li.className = r.status;
        li.dataset.id = r.id;
        var num = document.createElement("strong");
        num.dir = "ltr";
        num.textContent = r.fields.number;
        li.appendChild(num);
        li.appendChild(document.createTextNode(" · " + t(r.fields.outcome) + " · " +
          (r.status === "failed" ? t("refused", { error: r.lastError }) : t("waiting") + (r.lastError ? " (" + r.lastError + ")" : ""))));
        ul.appendChild(li);
        markItem(r.fields.number, r.fields.outcome, true);
      });
    }).catch(function () { /* no IndexedDB */ });
  }

  // ------------------------------------------------------------------ the record form

  var canvas = document.getElementById("rec-signature");
  var ctx = canvas ? canvas.getContext("2d") : null;
  var drawn = false;
  var position = null;

  function clearSignature() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    drawn = false;
  }

  function point(event) {
    var rect = canvas.getBoundingClientRect();
    return { x: (event.clientX - rect.left) * canvas.width / rect.width, y: (event.clientY - rect.top) * canvas.height / rect.height };
  }

  function setupCanvas() {
    var drawing = false;
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#111";
    clearSignature();
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true;
      canvas.setPointerCapture(e.pointerId);
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      drawn = true;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    document.getElementById("rec-clear").addEventListener("click", clearSignature);
  }

  function locate() {
    var gps = document.getElementById("rec-gps");
    position = null;
    gps.textContent = "";
    if (!navigator.geolocation) { gps.textContent = t("gpsNone"); return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      position = p.coords;
      gps.textContent = t("gpsOk", { m: Math.round(p.coords.accuracy) });
    }, function () { gps.textContent = t("gpsNone"); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function openForm(li, outcome) {
    form.hidden = false;
    document.getElementById("rec-number").value = li.dataset.number;
    document.getElementById("rec-outcome").value = outcome;
    document.getElementById("record-title").textContent = li.dataset.number + " · " + t(outcome);
    document.getElementById("delivered-fields").hidden = outcome !== "delivered";
    document.getElementById("failed-fields").hidden = outcome !== "failed";
    document.getElementById("rec-errors").hidden = true;
    li.after(form);
    locate();
    (outcome === "delivered" ? document.getElementById("rec-signatory") : document.getElementById("rec-reason")).focus();
  }

  function resetForm() {
    form.reset();
    clearSignature();
    form.hidden = true;
  }

  function showErrors(list) {
    var p = document.getElementById("rec-errors");
    p.textContent = list.join(" ");
    p.hidden = list.length === 0;
  }

  function toBlob() {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); });
  }

  function save(event) {
    event.preventDefault();
    var outcome = document.getElementById("rec-outcome").value;
    var signatory = document.getElementById("rec-signatory").value.trim();
    var reason = document.getElementById("rec-reason").value;
    var errors = [];
    if (outcome === "delivered" && !signatory) errors.push(t("name"));
    if (outcome === "delivered" && !drawn) errors.push(t("sign"));
    if (outcome === "failed" && !reason) errors.push(t("reason"));
    showErrors(errors);
    if (errors.length) return;
    var photoInput = document.getElementById("rec-photo");
    var photo = outcome === "delivered" && photoInput.files.length ? photoInput.files[0] : null;
    var fields = {
      number: document.getElementById("rec-number").value, outcome: outcome,
      occurred_at: new Date().toISOString(), device: deviceId(),
      signatory: outcome === "delivered" ? signatory : "",
      reason_code: outcome === "failed" ? reason : "",
      action_code: outcome === "failed" ? document.getElementById("rec-action").value : "",
    };
    if (position) {
      fields.latitude = position.latitude.toFixed(6);
      fields.longitude = position.longitude.toFixed(6);
      fields.accuracy = Math.round(position.accuracy);
    }
    (outcome === "delivered" ? toBlob() : Promise.resolve(null)).then(function (signature) {
      var record = { id: newId(), user: currentUser, url: form.action, fields: fields, signature: signature,
                     photo: photo, photoName: photo ? photo.name : "", status: "queued", lastError: "",
                     createdAt: new Date().toISOString() };
      return put(record).then(function () {
        if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
        markItem(fields.number, outcome, true);
        resetForm();
        return render();
      }).then(flush);
    }).catch(function (error) { showErrors([t("noStorage") + " " + error]); });
  }

  function setupForm() {
    if (!form) return;
    setupCanvas();
    form.addEventListener("submit", save);
    document.getElementById("rec-cancel").addEventListener("click", resetForm);
    var reason = document.getElementById("rec-reason");
    reason.addEventListener("change", function () {
      var option = reason.options[reason.selectedIndex];
      if (option && option.dataset.action) document.getElementById("rec-action").value = option.dataset.action;
    });
    document.querySelectorAll(".round-item [data-open]").forEach(function (button) {
      button.addEventListener("click", function () { openForm(button.closest(".round-item"), button.dataset.open); });
    });
  }

  function registerServiceWorker() {
    var meta = document.querySelector('meta[name="postal-sw"]');
    if (!meta || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(meta.content, { scope: meta.dataset.scope }).then(function () {
      var last = null;
      try { last = localStorage.getItem("postal-user"); localStorage.setItem("postal-user", currentUser); } catch (e) { /* private */ }
      if (last && last !== currentUser && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "clear-pages" });
      }
    }).catch(function () { /* no service worker: the page still queues */ });
  }

  function start() {
    setupForm();
    document.getElementById("outbox-send").addEventListener("click", function () { flush(); });
    window.addEventListener("online", function () { flush(); });
    window.addEventListener("offline", function () { render(); });
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") flush(); });
    setInterval(function () { if (navigator.onLine) flush(); }, RETRY_MS);
    registerServiceWorker();
    render().then(flush);
  }

  window.PostalRound = { flush: flush, records: records };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
