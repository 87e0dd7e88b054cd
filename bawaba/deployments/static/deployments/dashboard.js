/* Bawaba fibre: the operator dashboard's site map (Leaflet, served locally).
 * No tile server is reachable, so sites are drawn as circle markers on a plain background with a
 * one-degree graticule and a scale; the data comes from the API's GeoJSON export of the programme.
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

  function colour(state) {
    if (state === "completed") return "#067647";
    if (state === "inProgress" || state === "partial" || state === "pending") return "#d97706";
    if (state === "acknowledged") return "#64748b";
    return "#b42318";  // held, cancelled, failed, rejected, cancellation
  }

  var map = L.map(node, { zoomSnap: 0.5, preferCanvas: true, worldCopyJump: false, zoomControl: false });
  L.control.zoom({ zoomInTitle: t("zoomIn"), zoomOutTitle: t("zoomOut") }).addTo(map);
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("© OpenStreetMap contributors");
  L.control.scale({ imperial: false }).addTo(map);
  map.setView([28.0, 2.6], 5);  // replaced by the sites' bounds once loaded

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
  }
  map.on("moveend", drawGraticule);
  drawGraticule();

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }

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
      map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 15 });
      node.dataset.sites = String(features.length);
      status.textContent = t("sites", { n: features.length });
    })
    .catch(function () { status.textContent = t("error"); });
})();
