// The places map: one overlay per place kind, district names as a base layer when no tile
// server is configured (the page must work with none).
(function () {
  "use strict";
  const el = document.getElementById("map");
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const colours = {
    station: "#b3261e", temp_shelter: "#e8710a", help_point: "#f9ab00",
    advisor_point: "#1e8e3e", lottery_outlet: "#12b5cb", affairs_center: "#4285f4",
    civil_affairs_station: "#7b1fa2", charity_supermarket: "#c2185b", key_place: "#3c4043",
  };
  const map = L.map(el).setView(config.centre, 11);
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 18 }).addTo(map);
  }
  const districtLayer = L.layerGroup().addTo(map);
  fetch(el.dataset.districtsUrl, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((page) => {
      for (const d of page.items || []) {
        if (d.lat == null) continue;
        L.marker([d.lat, d.lng], {
          icon: L.divIcon({ className: "district-label", html: "<span>" + d.name + "</span>", iconSize: null }),
          interactive: false,
        }).addTo(districtLayer);
      }
    });
  const overlays = {};
  fetch(el.dataset.geojsonUrl, { credentials: "same-origin" })
    .then((r) => {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    })
    .then((collection) => {
      const byKind = {};
      for (const f of collection.features) {
        (byKind[f.properties.kind] = byKind[f.properties.kind] || []).push(f);
      }
      for (const [kind, label] of Object.entries(config.kinds)) {
        const features = byKind[kind] || [];
        const layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
          pointToLayer: (f, latlng) => L.circleMarker(latlng, {
            radius: kind === "station" ? 9 : 6, color: "#fff", weight: 1.5,
            fillColor: colours[kind] || "#555", fillOpacity: 0.9,
          }),
          onEachFeature: (f, layer) => {
            const p = f.properties;
            const div = document.createElement("div");
            const a = document.createElement("a");
            a.href = "/places/" + p.id + "/";
            a.textContent = p.name;
            div.append(a, document.createElement("br"), (p.key_place_type || p.kind_label) + " · " + p.org_unit);
            if (p.address) div.append(document.createElement("br"), p.address);
            layer.bindPopup(div);
          },
        });
        layer.addTo(map);
        overlays['<span class="dot" style="background:' + (colours[kind] || "#555") + '"></span>' + label + " (" + features.length + ")"] = layer;
      }
      L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
      el.dataset.loaded = String(collection.features.length);
    })
    .catch((err) => { el.dataset.error = String(err); });
  const hash = window.location.hash.slice(1).split(",").map(Number);
  if (hash.length === 2 && hash.every(Number.isFinite)) map.setView(hash, 16);
})();
