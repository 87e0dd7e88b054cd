/* Bawaba fibre: the field report form.
 *
 * With JavaScript the form is not posted: the report (quantities, position, measurements and the photos
 * as Blobs) goes to the outbox (outbox.js) under a new UUID and is sent to the API from there, now or
 * when the network is back. Without IndexedDB the form is posted to the page as without JavaScript.
 * Opened as #edit=<uuid> (from the outbox's "Edit"), the form is filled with a refused report's fields and
 * photos; the corrected report is queued under a new UUID and the refused one leaves the outbox with it.
 */
(function () {
  "use strict";

  var form = document.getElementById("field-report");
  var outbox = window.FibreOutbox;
  if (!form || !outbox) return;
  form.classList.add("js");
  var t = outbox.strings;
  var startedAt = new Date().toISOString();
  var photos = [];  // {file, url}
  var maxBytes = Number(form.dataset.maxBytes) || 5 * 1024 * 1024;
  var maxPhotos = Number(form.dataset.maxPhotos) || 10;
  var acceptedTypes = (form.dataset.accept || "image/jpeg,image/png,image/webp").split(",");
  var photoInput = document.getElementById("photos");
  var photoList = document.getElementById("photo-list");
  var submitButton = document.getElementById("submit-report");
  var submitStatus = document.getElementById("submit-status");
  var formErrors = document.getElementById("form-errors");
  var editNote = document.getElementById("edit-note");
  var busy = false;
  var editing = editTarget();  // the UUID of the refused report being corrected, if any

  function editTarget() {
    var match = /^#edit=([\w-]+)$/.exec(location.hash);
    return match ? match[1] : null;
  }

  function field(name) { return form.elements.namedItem(name); }
  function value(name) { var el = field(name); return el && !el.disabled ? el.value.trim() : ""; }
  function quantityInputs() { return Array.prototype.slice.call(form.querySelectorAll("input[data-work-item]")); }
  function number(text) { return Number(String(text).trim().replace(",", ".")); }

  // ------------------------------------------------------------------ network state

  var netState = document.getElementById("netstate");
  function showNetState() {
    if (!netState) return;
    netState.hidden = navigator.onLine;
    netState.textContent = navigator.onLine ? t("onlineNow") : t("offlineNow");
    netState.className = "netstate" + (navigator.onLine ? "" : " offline");
  }
  window.addEventListener("online", showNetState);
  window.addEventListener("offline", showNetState);
  showNetState();

  // ------------------------------------------------------------------ photos

  function renderPhotos() {
    photoList.textContent = "";
    photos.forEach(function (photo, index) {
      var item = document.createElement("li");
      var img = document.createElement("img");
      img.src = photo.url;
      img.alt = photo.file.name;
      img.width = 96;
      img.height = 72;
      item.appendChild(img);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "photo-remove";
      button.textContent = t("removePhoto");
      button.setAttribute("aria-label", t("removePhoto") + " " + (index + 1));
      button.addEventListener("click", function () {
        URL.revokeObjectURL(photo.url);
        photos.splice(index, 1);
        renderPhotos();
      });
      item.appendChild(button);
      photoList.appendChild(item);
    });
  }

  function addPhotos(files) {
    var problems = [];
    Array.prototype.forEach.call(files, function (file) {
      if (acceptedTypes.indexOf(file.type) === -1) {
        problems.push(t("photoType", { name: file.name }));
      } else if (file.size > maxBytes) {
        problems.push(t("photoSize", { name: file.name }));
      } else if (photos.length >= maxPhotos) {
        problems.push(t("tooManyPhotos", { n: maxPhotos }));
      } else {
        photos.push({ file: file, url: URL.createObjectURL(file) });
      }
    });
    showErrors(problems);
    renderPhotos();
  }

  if (photoInput) {
    photoInput.addEventListener("change", function () {
      addPhotos(photoInput.files);
      photoInput.value = "";  // the photos are kept in `photos`; picking again adds more
    });
  }

  // ------------------------------------------------------------------ position

  var gpsButton = document.getElementById("gps-button");
  var gpsStatus = document.getElementById("gps-status");

  function locate() {
    if (!("geolocation" in navigator)) { gpsStatus.textContent = t("gpsUnsupported"); return; }
    gpsStatus.textContent = t("gpsWaiting");
    navigator.geolocation.getCurrentPosition(function (position) {
      var coords = position.coords;
      field("latitude").value = coords.latitude.toFixed(6);
      field("longitude").value = coords.longitude.toFixed(6);
      field("gps_accuracy_m").value = coords.accuracy.toFixed(1);
      gpsStatus.textContent = t("gpsDone", {
        accuracy: Math.round(coords.accuracy),
        time: new Date(position.timestamp || Date.now()).toLocaleTimeString("en-GB", {hour: "2-digit", minute: "2-digit", second: "2-digit"}),  // 24 h, Latin digits
      });
    }, function (error) {
      gpsStatus.textContent = error && error.code === 1 ? t("gpsDenied") : t("gpsUnavailable");
    }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 });
  }

  if (gpsButton) {
    if ("geolocation" in navigator) {
      gpsButton.hidden = false;
      gpsButton.addEventListener("click", locate);
      if (navigator.permissions && navigator.permissions.query) {
        navigator.permissions.query({ name: "geolocation" }).then(function (permission) {
          // Not when correcting a report: its position is the one recorded on site, not the current one.
          if (permission.state === "granted" && !value("latitude") && !editing) locate();
        }).catch(function () {});
      }
    } else {
      gpsStatus.textContent = t("gpsUnsupported");
    }
  }

  // ------------------------------------------------------------------ quantities already waiting in the outbox

  function showQueuedQuantities() {
    return outbox.reports().then(function (records) {
      var waiting = {};
      records.forEach(function (record) {
        if (record.workOrder !== form.dataset.workOrder || record.status !== "queued") return;
        (record.quantities || []).forEach(function (line) {
          waiting[line.work_item] = (waiting[line.work_item] || 0) + number(line.quantity);
        });
      });
      quantityInputs().forEach(function (input) {
        var queued = waiting[input.dataset.workItem] || 0;
        input.dataset.queued = String(queued);
        var note = form.querySelector('[data-queued-for="' + input.dataset.workItem + '"]');
        if (note) {
          note.hidden = queued === 0;
          note.textContent = queued ? " · " + t("queued") + ": " + queued : "";
        }
      });
    }).catch(function () {});
  }
  outbox.onChange(showQueuedQuantities);
  showQueuedQuantities();

  // ------------------------------------------------------------------ correcting a refused report

  function loadEdit() {
    if (!editing) return;
    outbox.reports().then(function (records) {
      var record = records.filter(function (r) { return r.uuid === editing; })[0];
      if (!record || record.status !== "failed" || record.workOrder !== form.dataset.workOrder) {
        showEditNote(t("editGone"));
        editing = null;
        return;
      }
      var fields = record.fields || {};
      (record.quantities || []).forEach(function (line) {
        var input = form.querySelector('input[data-work-item="' + line.work_item + '"]');
        if (input) input.value = line.quantity;
      });
      ["latitude", "longitude", "gps_accuracy_m", "ont_serial", "ont_rx_power_dbm", "link_loss_db", "notes"].forEach(function (name) {
        if (field(name) && fields[name] !== undefined) field(name).value = fields[name];
      });
      if (field("splice_losses_db") && fields.splice_losses_db) field("splice_losses_db").value = fields.splice_losses_db.split(";").join("; ");
      if (fields.device_started_at) startedAt = fields.device_started_at;  // the time on site, for the checks
      photos.forEach(function (photo) { URL.revokeObjectURL(photo.url); });
      photos = (record.photos || []).map(function (stored) {
        var file = new File([stored.blob], stored.name, { type: stored.type || stored.blob.type });
        return { file: file, url: URL.createObjectURL(file) };
      });
      renderPhotos();
      showEditNote(t("editing", { error: record.lastError || "" }));
    }).catch(function () {});
  }

  function showEditNote(text) {
    if (!editNote) return;
    editNote.hidden = !text;
    editNote.textContent = text || "";
  }

  function stopEditing() {
    editing = null;
    showEditNote("");
    if (history.replaceState) history.replaceState(null, "", location.pathname + location.search);
  }

  // "Edit" on another refused report while this form is open: load the page again (fresh quantities left).
  window.addEventListener("hashchange", function () { if (editTarget()) location.reload(); });
  loadEdit();

  // ------------------------------------------------------------------ validation

  function showErrors(problems) {
    formErrors.textContent = "";
    formErrors.hidden = problems.length === 0;
    problems.forEach(function (problem) {
      var line = document.createElement("span");
      line.textContent = problem;
      formErrors.appendChild(line);
      formErrors.appendChild(document.createElement("br"));
    });
    if (problems.length) formErrors.scrollIntoView({ block: "center" });
  }

  function validate() {
    var problems = [];
    var lines = [];
    var neededPhotos = 0;
    quantityInputs().forEach(function (input) {
      if (input.disabled || !input.value.trim()) return;
      var qty = number(input.value);
      var left = number(input.dataset.remaining) - number(input.dataset.queued || 0);
      if (!isFinite(qty) || qty <= 0) {
        problems.push(t("badQuantity", { code: input.dataset.code }));
      } else if (qty > left + 1e-9) {
        problems.push(t("tooMuch", { code: input.dataset.code, qty: input.value.trim(), left: Math.max(0, left) }));
      } else {
        lines.push({ work_item: Number(input.dataset.workItem), quantity: input.value.trim().replace(",", ".") });
        neededPhotos = Math.max(neededPhotos, Number(input.dataset.minPhotos) || 0);
      }
    });
    if (!lines.length && !problems.length) problems.push(t("noItems"));
    return { problems: problems, lines: lines, neededPhotos: neededPhotos };
  }

  // ------------------------------------------------------------------ submit

  function readPhoto(photo) {
    // Copy the bytes now: a camera file may be temporary, the queued report must not depend on it.
    return photo.file.arrayBuffer().then(function (buffer) {
      return { name: photo.file.name || "photo.jpg", type: photo.file.type, blob: new Blob([buffer], { type: photo.file.type }) };
    });
  }

  var DECIMAL_FIELDS = ["latitude", "longitude", "gps_accuracy_m", "ont_rx_power_dbm", "link_loss_db"];

  function splices() {
    return value("splice_losses_db").split(/[;\s]+/).filter(Boolean).map(function (token) {
      return token.replace(",", ".");
    });
  }

  function fieldsFor(lines) {
    var fields = { items: JSON.stringify(lines), device_started_at: startedAt, device_reported_at: new Date().toISOString() };
    DECIMAL_FIELDS.forEach(function (name) { if (field(name)) fields[name] = value(name).replace(",", "."); });
    if (field("splice_losses_db")) fields.splice_losses_db = splices().join(";");
    if (field("ont_serial")) fields.ont_serial = value("ont_serial");
    if (field("notes")) fields.notes = value("notes");
    return fields;
  }

  function numberProblems() {
    var problems = [];
    DECIMAL_FIELDS.forEach(function (name) {
      var el = field(name);
      if (el && value(name) && !isFinite(number(value(name)))) problems.push(t("badNumber", { label: labelOf(el) }));
    });
    var spliceField = field("splice_losses_db");
    if (spliceField && splices().some(function (token) { return !isFinite(Number(token)); })) {
      problems.push(t("badNumber", { label: labelOf(spliceField) }));
    }
    return problems;
  }

  function labelOf(el) {
    var label = form.querySelector('label[for="' + el.id + '"]');
    return label ? label.textContent.trim() : el.name;
  }

  function resetForm() {
    quantityInputs().forEach(function (input) { input.value = ""; });
    ["ont_serial", "ont_rx_power_dbm", "link_loss_db", "splice_losses_db", "notes"].forEach(function (name) {
      if (field(name)) field(name).value = "";
    });
    photos.forEach(function (photo) { URL.revokeObjectURL(photo.url); });
    photos = [];
    renderPhotos();
    startedAt = new Date().toISOString();
  }

  function postWithoutOutbox(uuid) {
    // No IndexedDB: send the classic form (the page answers with the result). Photos go back into the input.
    field("client_uuid").value = uuid;
    field("device_started_at").value = startedAt;
    field("device_reported_at").value = new Date().toISOString();
    if (photoInput && window.DataTransfer) {
      var transfer = new DataTransfer();
      photos.forEach(function (photo) { transfer.items.add(photo.file); });
      photoInput.files = transfer.files;
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    var check = validate();
    var problems = check.problems.concat(numberProblems());
    if (!problems.length && photos.length < check.neededPhotos) {
      problems.push(t("photosNeeded", { n: check.neededPhotos, given: photos.length }));
    }
    showErrors(problems);
    if (problems.length) return;
    busy = true;
    submitButton.disabled = true;
    var uuid = outbox.newUuid();
    outbox.available().then(function (ok) {
      if (!ok) {
        submitStatus.textContent = t("noStorage");
        postWithoutOutbox(uuid);
        return null;
      }
      return Promise.all(photos.map(readPhoto)).then(function (stored) {
        return outbox.enqueue({
          uuid: uuid, url: form.dataset.apiUrl, workOrder: form.dataset.workOrder, orderUrl: form.dataset.orderUrl,
          formUrl: location.pathname, fields: fieldsFor(check.lines), quantities: check.lines, photos: stored,
        }, editing);
      }).then(function () {
        stopEditing();
        resetForm();
        submitStatus.textContent = navigator.onLine ? t("savedOnline") : t("savedOffline");
        var panel = document.getElementById("outbox");
        if (panel) panel.scrollIntoView({ block: "start" });
      });
    }).catch(function (error) {
      submitStatus.textContent = String(error && error.message || error);
    }).then(function () {
      busy = false;
      submitButton.disabled = false;
    });
  });

  document.addEventListener("fibre:sent", function (event) {
    var record = event.detail.record;
    if (record.workOrder !== form.dataset.workOrder) return;
    var counts = { accepted: 0, rejected: 0, doubtful: 0 };
    (event.detail.body.items || []).forEach(function (item) {
      if (item.decision in counts) counts[item.decision] += 1;
      // What the server now counts as done or under review is no longer left to do on this page.
      if (item.decision === "rejected" || event.detail.status !== 201) return;
      var input = form.querySelector('input[data-work-item="' + item.workItem + '"]');
      if (!input) return;
      var left = Math.max(0, number(input.dataset.remaining) - number(item.quantity));
      input.dataset.remaining = String(left);
      if (left <= 0) input.disabled = true;
      var note = form.querySelector('[data-left-for="' + item.workItem + '"]');
      if (note) note.textContent = t("leftNow", { n: left });
    });
    submitStatus.textContent = t("sent") + ": " + t("result", counts);
    showQueuedQuantities();
  });
})();
