/* Bawaba fibre: the outbox of field reports kept on the phone until the server confirms them.
 *
 * A report is written to IndexedDB (photos included, as Blobs) under a UUID made on the phone, then
 * sent to the API with that UUID. The server stores a UUID once (a repeat answers 200 with the same
 * report), so a report whose answer was lost can be sent again safely. A report leaves the outbox only
 * after a 2xx answer naming its UUID; a definitive refusal (4xx) keeps it on the phone, not retried,
 * with the reason, until the user sends it again as is, edits it (the form reopens with its fields and
 * photos; the corrected copy goes under a new UUID and replaces it in one transaction) or removes it.
 * Network errors, 5xx, 408 and 429 are retried on the `online` event, when the page becomes visible, and
 * every RETRY_MS; a 409 with Retry-After (another request in flight) stays queued and is retried after
 * that delay, doubled at each new clash (at most MAX_WAIT_MS).
 * Loaded on every contractor page (nav counter) and on the offline page.
 */
(function () {
  "use strict";

  var DB_NAME = "bawaba-fibre";
  var DB_VERSION = 1;
  var OUTBOX = "outbox";
  var SENT = "sent";
  var RETRY_MS = 20000;
  var SEND_TIMEOUT_MS = 5 * 60 * 1000;
  var KEEP_SENT = 20;
  var RETRYABLE = [408, 425, 429];
  var MAX_WAIT_MS = 60000;

  var strings = {};
  var stringsNode = document.getElementById("fibre-strings");
  if (stringsNode) {
    try { strings = JSON.parse(stringsNode.textContent); } catch (e) { strings = {}; }
  }
  function t(key, params) {
    var text = strings[key] || key;
    return text.replace(/%\((\w+)\)s/g, function (match, name) {
      return params && name in params ? String(params[name]) : match;
    });
  }

  var userMeta = document.querySelector('meta[name="fibre-user"]');
  var currentUser = userMeta ? userMeta.content : null;
  var listeners = [];
  var sendingUuid = null;
  var dbPromise = null;
  var channel = "BroadcastChannel" in window ? new BroadcastChannel("bawaba-fibre-outbox") : null;

  // ------------------------------------------------------------------ storage

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      if (!("indexedDB" in window)) { reject(new Error("IndexedDB is not available")); return; }
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: "uuid" });
        if (!db.objectStoreNames.contains(SENT)) db.createObjectStore(SENT, { keyPath: "uuid" });
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); dbPromise = null; };
        resolve(db);
      };
      request.onerror = function () { dbPromise = null; reject(request.error); };
    });
    return dbPromise;
  }

  // Runs fn(stores...) in one transaction; resolves when the transaction is committed (strict durability
  // where supported, so that a report is on disk before the form is cleared).
  function transact(names, mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx;
        try {
          tx = mode === "readwrite" ? db.transaction(names, mode, { durability: "strict" }) : db.transaction(names, mode);
        } catch (e) {
          tx = db.transaction(names, mode);
        }
        var result;
        var request = fn.apply(null, names.map(function (name) { return tx.objectStore(name); }));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("transaction aborted")); };
      });
    });
  }

  function all(name) { return transact([name], "readonly", function (store) { return store.getAll(); }); }
  function get(name, key) { return transact([name], "readonly", function (store) { return store.get(key); }); }
  function put(name, value) { return transact([name], "readwrite", function (store) { return store.put(value); }); }
  function remove(name, key) { return transact([name], "readwrite", function (store) { return store.delete(key); }); }

  function mine(record) { return currentUser === null || record.user === currentUser; }
  function byDate(a, b) { return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0; }

  function reports() {
    return all(OUTBOX).then(function (records) { return records.filter(mine).sort(byDate); });
  }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // `replaces`: the UUID of a refused report this one corrects. Both happen in one transaction, and only if
  // that report is still refused (not sent again or removed meanwhile, from another tab).
  function enqueue(record, replaces) {
    record.user = currentUser;
    record.status = "queued";
    record.attempts = 0;
    record.lastError = "";
    record.createdAt = record.createdAt || new Date().toISOString();
    var gone = false;
    return transact([OUTBOX], "readwrite", function (store) {
      if (!replaces) return store.put(record);
      var old = store.get(replaces);
      old.onsuccess = function () {
        if (!old.result || old.result.status !== "failed" || !mine(old.result)) { gone = true; store.transaction.abort(); return; }
        store.delete(replaces);
        store.put(record);
      };
    }).then(function () {
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
      changed();
      flush();
      return record;
    }, function (error) { throw gone ? new Error(t("editGone")) : error; });
  }

  // A refused report back in the queue as it is (the server's state may have changed since).
  function requeue(uuid) {
    return transact([OUTBOX], "readwrite", function (store) {
      var request = store.get(uuid);
      request.onsuccess = function () {
        var record = request.result;
        if (!record || record.status !== "failed") return;
        record.status = "queued";
        record.lastError = "";
        record.conflicts = 0;
        record.notBefore = 0;
        store.put(record);
      };
    }).then(function () { changed(); flush(); });
  }

  function editUrl(record) {
    return (record.formUrl || record.orderUrl + "report/") + "#edit=" + encodeURIComponent(record.uuid);
  }

  function discard(uuid) {
    return get(OUTBOX, uuid).then(function (record) {
      // Only a refused report may be removed by hand: a queued one may already be on the server.
      if (record && record.status === "failed") return remove(OUTBOX, uuid);
    }).then(changed);
  }

  // ------------------------------------------------------------------ sending

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function summary(body) {
    var counts = { accepted: 0, rejected: 0, doubtful: 0 };
    (body && body.items || []).forEach(function (item) {
      if (item.decision in counts) counts[item.decision] += 1;
    });
    return counts;
  }

  function errorText(status, body) {
    var parts = [];
    if (body && body.detail) parts.push(body.detail);
    if (body && body.errors) {
      Object.keys(body.errors).forEach(function (field) {
        (body.errors[field] || []).forEach(function (message) {
          if (parts.indexOf(message) === -1 && String(body.detail || "").indexOf(message) === -1) parts.push(message);
        });
      });
    }
    return parts.join(" ") || "HTTP " + status;
  }

  // Retry-After in milliseconds (seconds or an HTTP date), or null when absent.
  function retryAfter(response) {
    var value = response.headers.get("Retry-After");
    if (!value) return null;
    var ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - Date.now();
    return isFinite(ms) ? Math.max(ms, 1000) : null;
  }

  function formData(record) {
    var data = new FormData();
    Object.keys(record.fields).forEach(function (key) {
      var value = record.fields[key];
      if (value !== null && value !== undefined && value !== "") data.append(key, value);
    });
    data.append("client_uuid", record.uuid);
    (record.photos || []).forEach(function (photo) { data.append("photos", photo.blob, photo.name); });
    return data;
  }

  // Returns "sent", "failed" (definitive refusal), "retry" or "stop" (no point trying the next ones now).
  function send(record) {
    var controller = "AbortController" in window ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS) : null;
    record.attempts = (record.attempts || 0) + 1;
    record.lastAttemptAt = new Date().toISOString();
    sendingUuid = record.uuid;
    changed(true);
    return fetch(record.url, {
      method: "POST", body: formData(record), credentials: "same-origin", cache: "no-store",
      headers: { "X-CSRFToken": csrfToken(), "Idempotency-Key": record.uuid, "Accept": "application/json" },
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        return { response: response, body: body };
      });
    }).then(function (answer) {
      var response = answer.response;
      var body = answer.body;
      // A 2xx counts only when it is the API's answer for this very report (not a login page or a proxy's).
      if (response.ok && !response.redirected && body && body.id === record.uuid) {
        return transact([OUTBOX, SENT], "readwrite", function (outbox, sent) {
          sent.put({ uuid: record.uuid, user: record.user, workOrder: record.workOrder, createdAt: record.createdAt,
                     sentAt: new Date().toISOString(), items: (record.quantities || []).length,
                     photos: (record.photos || []).length, result: summary(body), replay: response.status === 200 });
          return outbox.delete(record.uuid);
        }).then(trimSent).then(function () {
          document.dispatchEvent(new CustomEvent("fibre:sent", {
            detail: { record: record, body: body, status: response.status } }));
          return "sent";
        });
      }
      var csrfFailure = response.status === 403 && body && /csrf/i.test(String(body.detail || ""));
      if (response.status === 401 || csrfFailure || response.redirected || (response.ok && !body)) {
        record.lastError = t("signIn");
        return put(OUTBOX, record).then(function () { return "stop"; });
      }
      var wait = retryAfter(response);
      if (response.status === 409 && wait !== null) {
        // A clash with another request in flight (same photos, same key): this report only waits a moment.
        record.conflicts = (record.conflicts || 0) + 1;
        wait = Math.min(wait * Math.pow(2, record.conflicts - 1), MAX_WAIT_MS);
        record.notBefore = Date.now() + wait;
        record.lastError = t("retrying", { error: errorText(response.status, body) });
        return put(OUTBOX, record).then(function () { setTimeout(flush, wait + 100); return "retry"; });
      }
      if (response.status >= 500 || RETRYABLE.indexOf(response.status) !== -1 || response.ok) {
        record.lastError = t("server", { status: response.status });
        if (wait !== null) {
          record.notBefore = Date.now() + Math.min(wait, MAX_WAIT_MS);
          setTimeout(flush, Math.min(wait, MAX_WAIT_MS) + 100);
        }
        return put(OUTBOX, record).then(function () { return "stop"; });
      }
      record.status = "failed";
      record.lastError = errorText(response.status, body);
      record.failedStatus = response.status;
      return put(OUTBOX, record).then(function () {
        document.dispatchEvent(new CustomEvent("fibre:failed", { detail: { record: record, body: body } }));
        return "failed";
      });
    }, function () {
      record.lastError = t("network");
      return put(OUTBOX, record).then(function () { return "stop"; });
    }).then(function (outcome) {
      if (timer) clearTimeout(timer);
      sendingUuid = null;
      return outcome;
    }, function (error) {
      if (timer) clearTimeout(timer);
      sendingUuid = null;
      throw error;
    });
  }

  function trimSent() {
    return all(SENT).then(function (records) {
      records.sort(function (a, b) { return a.sentAt < b.sentAt ? 1 : -1; });
      var extra = records.slice(KEEP_SENT);
      if (!extra.length) return;
      return transact([SENT], "readwrite", function (store) {
        extra.forEach(function (record) { store.delete(record.uuid); });
      });
    });
  }

  function due(record) { return record.status === "queued" && !(record.notBefore > Date.now()); }

  function sendAll() {
    return reports().then(function (records) {
      var queued = records.filter(due);
      var index = 0;
      function next() {
        if (index >= queued.length) return Promise.resolve();
        var uuid = queued[index++].uuid;
        // Read it again: another tab may have sent it meanwhile.
        return get(OUTBOX, uuid).then(function (record) {
          if (!record || !due(record)) return next();
          return send(record).then(function (outcome) { return outcome === "stop" ? null : next(); });
        });
      }
      return next();
    });
  }

  var flushing = null;
  var flushAgain = false;

  function flush() {
    if (currentUser === null) return Promise.resolve();  // the offline page only shows the outbox
    if (flushing) { flushAgain = true; return flushing; }
    if (!navigator.onLine) { changed(); return Promise.resolve(); }
    flushing = (function loop() {
      flushAgain = false;
      var run = navigator.locks && navigator.locks.request
        ? navigator.locks.request("bawaba-fibre-outbox", sendAll)
        : sendAll();
      return run.then(function () { return flushAgain && navigator.onLine ? loop() : null; });
    })().catch(function (error) {
      if (window.console) console.warn("fibre outbox:", error);
    }).then(function () {
      flushing = null;
      changed();
    });
    return flushing;
  }

  // ------------------------------------------------------------------ display

  function changed(local) {
    render();
    listeners.forEach(function (listener) { try { listener(); } catch (e) { /* keep going */ } });
    if (channel && !local) channel.postMessage("changed");
  }

  function formatTime(iso) {
    // Day first on 24 hours in every language, as the pages (SHORT_DATETIME_FORMAT "d/m/Y H:i"): the browser's
    // own "ar" and "en" formats are month first or use other digits.
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getDate()) + "/" + two(d.getMonth() + 1) + "/" + d.getFullYear() + " " +
      two(d.getHours()) + ":" + two(d.getMinutes());
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render() {
    return Promise.all([all(OUTBOX), all(SENT)]).then(function (stores) {
      var waiting = stores[0].filter(mine).sort(byDate);
      var sent = stores[1].filter(mine).sort(function (a, b) { return a.sentAt < b.sentAt ? 1 : -1; });
      var queuedCount = waiting.filter(function (r) { return r.status === "queued"; }).length;
      var status = document.getElementById("outbox-status");
      if (status) {
        status.hidden = waiting.length === 0;
        status.textContent = t("queuedCount", { n: waiting.length });
        status.className = "outbox-status" + (waiting.some(function (r) { return r.status === "failed"; }) ? " failed" : "");
        status.dataset.count = String(waiting.length);
      }
      var panel = document.getElementById("outbox");
      if (!panel) return;
      panel.hidden = waiting.length === 0 && sent.length === 0;
      var summaryNode = document.getElementById("outbox-summary");
      summaryNode.textContent = waiting.length ? t("queuedCount", { n: waiting.length }) : t("empty");
      summaryNode.dataset.queued = String(queuedCount);
      var list = document.getElementById("outbox-list");
      list.textContent = "";
      waiting.forEach(function (record) {
        var item = element("li", "outbox-item " + (record.uuid === sendingUuid ? "sending" : record.status));
        item.dataset.uuid = record.uuid;
        var head = element("div", "outbox-head");
        head.appendChild(element("strong", "ltr", record.workOrder));
        head.appendChild(document.createTextNode(" · " + t("items", { n: (record.quantities || []).length }) +
          " · " + t("photos", { n: (record.photos || []).length }) + " · " + formatTime(record.createdAt)));
        item.appendChild(head);
        var state = record.uuid === sendingUuid ? t("sending") : record.status === "failed" ? t("failed") : t("queued");
        item.appendChild(element("span", "badge outbox-state", state));
        if (record.attempts) item.appendChild(element("span", "help", " " + t("attempts", { n: record.attempts })));
        if (record.lastError) {
          item.appendChild(element("p", record.status === "failed" ? "error outbox-error" : "help outbox-error",
            t("lastError", { error: record.lastError })));
        }
        if (record.status === "failed") {
          var actions = element("p", "outbox-actions");
          var again = element("button", "outbox-again", t("sendAgain"));
          again.type = "button";
          again.addEventListener("click", function () { requeue(record.uuid); });
          var edit = element("a", "button outbox-edit", t("edit"));
          edit.href = editUrl(record);
          var button = element("button", "outbox-remove", t("remove"));
          button.type = "button";
          button.addEventListener("click", function () {
            if (window.confirm(t("confirmRemove"))) discard(record.uuid);
          });
          actions.appendChild(again);
          actions.appendChild(edit);
          actions.appendChild(button);
          item.appendChild(actions);
        }
        list.appendChild(item);
      });
      var sentTitle = document.getElementById("outbox-sent-title");
      var sentList = document.getElementById("outbox-sent");
      sentTitle.hidden = sent.length === 0;
      sentList.textContent = "";
      sent.slice(0, 5).forEach(function (record) {
        var item = element("li", "outbox-item sent");
        item.dataset.uuid = record.uuid;
        var head = element("div", "outbox-head");
        head.appendChild(element("strong", "ltr", record.workOrder));
        head.appendChild(document.createTextNode(" · " + t("sent") + " " + formatTime(record.sentAt)));
        item.appendChild(head);
        item.appendChild(element("p", "help", t("result", record.result || {})));
        sentList.appendChild(item);
      });
      var sendButton = document.getElementById("outbox-send");
      if (sendButton) sendButton.hidden = queuedCount === 0 || currentUser === null;
    }).catch(function () { /* no IndexedDB: nothing to show */ });
  }

  // ------------------------------------------------------------------ wiring

  function registerServiceWorker() {
    var meta = document.querySelector('meta[name="fibre-sw"]');
    if (!meta || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(meta.content, { scope: meta.dataset.scope }).then(function () {
      var last = null;
      try { last = localStorage.getItem("fibre-user"); localStorage.setItem("fibre-user", currentUser || ""); } catch (e) { /* private mode */ }
      if (last && currentUser && last !== currentUser && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "clear-pages" });  // pages of the previous user
      }
    }).catch(function (error) { if (window.console) console.info("fibre: no service worker", error); });
  }

  function start() {
    var sendButton = document.getElementById("outbox-send");
    if (sendButton) sendButton.addEventListener("click", function () { flush(); });
    window.addEventListener("online", function () { flush(); });
    window.addEventListener("offline", function () { changed(true); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") flush();
    });
    if (channel) channel.onmessage = function () { render(); listeners.forEach(function (l) { l(); }); };
    setInterval(function () {
      reports().then(function (records) {
        if (records.some(function (r) { return r.status === "queued"; })) flush();
      }).catch(function () {});
    }, RETRY_MS);
    registerServiceWorker();
    render();
    flush();
  }

  window.FibreOutbox = {
    enqueue: enqueue,
    flush: flush,
    reports: reports,
    discard: discard,
    requeue: requeue,
    newUuid: newUuid,
    strings: t,
    user: currentUser,
    onChange: function (listener) { listeners.push(listener); },
    available: function () { return openDb().then(function () { return true; }, function () { return false; }); },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
