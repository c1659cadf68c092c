/* Maps of greenballot (Leaflet, served from /static/vendor/leaflet): every element with data-map gets a map.
   data-boundaries: URL of the neighbourhoods' GeoJSON (one with properties.highlight is emphasised);
   data-points: URL of GeoJSON points (popups link to properties.url);
   data-marker-lat / -lon / -title: one marker given by the page;
   data-tiles / data-attribution: the city's base tiles (none: the boundaries alone are the base layer);
   data-picker: clicking sets the inputs named by data-lat-input and data-lon-input, typing moves the marker,
   and choosing a neighbourhood in data-hood-select zooms to it. No inline script or style: CSP-safe. */
(function () {
  "use strict";
  if (!window.L) { return; }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }

  function popup(properties) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.title;
    box.appendChild(link);
    if (properties.label) {
      var detail = document.createElement("p");
      detail.textContent = properties.label;
      box.appendChild(detail);
    }
    return box;
  }

  function escapeText(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function parse(value) {
    var number = parseFloat(String(value || "").replace(",", "."));
    return isFinite(number) ? number : null;
  }

  function setUp(element) {
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 });
    map.attributionControl.setPrefix(false);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: escapeText(element.dataset.attribution || "") }).addTo(map);
    }
    var bounds = L.latLngBounds([]);
    var hoodLayers = {};
    var marker = null;
    var fitted = false;

    function fit() {
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12], maxZoom: 17 }); fitted = true; }
    }

    function place(lat, lon, title) {
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return; }
      if (!marker) {
        title = title || element.getAttribute("aria-label") || "";
        marker = L.marker([lat, lon], { alt: title, title: title, keyboard: true }).addTo(map);
      } else {
        marker.setLatLng([lat, lon]);
      }
      element.dataset.markerLat = String(lat);
      element.dataset.markerLon = String(lon);
    }

    var pending = [];
    if (element.dataset.boundaries) {
      pending.push(getJSON(element.dataset.boundaries).then(function (data) {
        if (!data) { return; }
        var layer = L.geoJSON(data, {
          style: function (feature) {
            var on = feature.properties && feature.properties.highlight;
            return { color: on ? "#1f5a2c" : "#4f7a5a", weight: on ? 3 : 1.5, fillColor: "#7fb77e",
                     fillOpacity: on ? 0.3 : 0.1 };
          },
          onEachFeature: function (feature, item) {
            item.bindTooltip(feature.properties.name, { sticky: true });
            hoodLayers[String(feature.properties.id)] = item;
          }
        }).addTo(map);
        var highlighted = data.features.filter(function (f) { return f.properties.highlight; });
        var focus = highlighted.length ? L.geoJSON({ type: "FeatureCollection", features: highlighted }) : layer;
        if (focus.getBounds().isValid()) { bounds.extend(focus.getBounds()); }
        element.dataset.boundaryCount = String(data.features.length);
      }));
    }
    if (element.dataset.points) {
      pending.push(getJSON(element.dataset.points).then(function (data) {
        if (!data) { return; }
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            return L.marker(latlng, { alt: feature.properties.title, title: feature.properties.title });
          },
          onEachFeature: function (feature, item) { item.bindPopup(popup(feature.properties)); }
        }).addTo(map);
        if (layer.getBounds().isValid()) { bounds.extend(layer.getBounds()); }
        element.dataset.pointCount = String(data.features.length);
      }));
    }
    var lat = parse(element.dataset.markerLat), lon = parse(element.dataset.markerLon);
    if (lat !== null && lon !== null) {
      place(lat, lon, element.dataset.markerTitle);
      bounds.extend([lat, lon]);
    }

    if (element.hasAttribute("data-picker")) {
      var latInput = document.getElementById(element.dataset.latInput);
      var lonInput = document.getElementById(element.dataset.lonInput);
      var hoodSelect = element.dataset.hoodSelect ? document.getElementById(element.dataset.hoodSelect) : null;
      var title = element.dataset.markerTitle || "";
      map.on("click", function (event) {
        var picked = event.latlng.wrap();
        latInput.value = picked.lat.toFixed(6);
        lonInput.value = picked.lng.toFixed(6);
        place(picked.lat, picked.lng, title);
        latInput.dispatchEvent(new Event("change", { bubbles: true }));
      });
      [latInput, lonInput].forEach(function (input) {
        input.addEventListener("input", function () { place(parse(latInput.value), parse(lonInput.value), title); });
      });
      if (hoodSelect) {
        hoodSelect.addEventListener("change", function () {
          var item = hoodLayers[hoodSelect.value];
          if (item && item.getBounds().isValid()) { map.fitBounds(item.getBounds(), { padding: [12, 12] }); }
        });
      }
    }

    Promise.all(pending).then(function () {
      if (!fitted) { fit(); }
      if (!bounds.isValid()) { map.setView([46.6, 2.4], 5); }
      element.dataset.ready = "1";
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), function (element) {
      if (!element.dataset.started) { element.dataset.started = "1"; setUp(element); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
