// The report form's location: a pin on the map, "use my location", or a landmark.
// The browser's geolocation and a map click give WGS-84 (no tile offset without tiles).
import { baseMap } from "../core/basemap.js";

const el = document.getElementById("pick-map");
const map = baseMap(el);
if (map) {
  const lat = document.querySelector("input[name=lat]");
  const lng = document.querySelector("input[name=lng]");
  const statusEl = document.getElementById("location-status");
  let marker = null;
  function place(la, ln, label) {
    lat.value = la.toFixed(6);
    lng.value = ln.toFixed(6);
    if (marker) marker.setLatLng([la, ln]);
    else marker = L.marker([la, ln]).addTo(map);
    map.setView([la, ln], Math.max(map.getZoom(), 15));
    statusEl.textContent = label + " " + lat.value + ", " + lng.value;
    el.dataset.picked = "1";
  }
  if (lat.value && lng.value) place(parseFloat(lat.value), parseFloat(lng.value), "✓");
  map.on("click", (e) => place(e.latlng.lat, e.latlng.lng, "✓"));
  document.getElementById("use-location").addEventListener("click", () => {
    if (!navigator.geolocation) {
      statusEl.textContent = "×";
      return;
    }
    statusEl.textContent = "…";
    navigator.geolocation.getCurrentPosition(
      (pos) => place(pos.coords.latitude, pos.coords.longitude, "📍"),
      (err) => { statusEl.textContent = "× " + err.message; },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });
}
