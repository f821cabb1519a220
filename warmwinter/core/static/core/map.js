// The places map: one overlay per place kind, district names as a base layer when no tile
// server is configured (the page must work with none). The set-up is core/basemap.js.
import { baseMap, popupText } from "./basemap.js";

const el = document.getElementById("map");
const map = baseMap(el);
if (map) {
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const colours = {
    station: "#b3261e", temp_shelter: "#e8710a", help_point: "#f9ab00",
    advisor_point: "#1e8e3e", lottery_outlet: "#12b5cb", affairs_center: "#4285f4",
    civil_affairs_station: "#7b1fa2", charity_supermarket: "#c2185b", key_place: "#3c4043",
  };
  const districtLayer = L.layerGroup().addTo(map);
  fetch(el.dataset.districtsUrl, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((page) => {
      for (const d of page.items || []) {
        if (d.lat == null) continue;
        const name = document.createElement("span");
        name.textContent = d.name;
        L.marker([d.lat, d.lng], {
          icon: L.divIcon({ className: "district-label", html: name, iconSize: null }),
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
            const a = document.createElement("a");
            a.href = "/places/" + encodeURIComponent(p.id) + "/";
            a.textContent = p.name;
            const lines = [a, (p.key_place_type || p.kind_label) + " · " + p.org_unit];
            if (p.address) lines.push(p.address);
            layer.bindPopup(popupText(...lines));
          },
        });
        layer.addTo(map);
        // Leaflet writes a layer's name as HTML: the dot is ours, the label is escaped.
        overlays['<span class="dot" style="background:' + (colours[kind] || "#555") + '"></span>' + escapeHtml(label) + " (" + features.length + ")"] = layer;
      }
      L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
      el.dataset.loaded = String(collection.features.length);
    })
    .catch((err) => { el.dataset.error = String(err); });
  const hash = window.location.hash.slice(1).split(",").map(Number);
  if (hash.length === 2 && hash.every(Number.isFinite)) map.setView(hash, 16);
}

function escapeHtml(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}
