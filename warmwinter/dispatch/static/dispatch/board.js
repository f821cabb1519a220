// The board's map follows the queue: after every refresh of the live partial the markers are
// redrawn from the rows' data attributes (one source of truth, no second poll).
import { baseMap, popupText } from "../core/basemap.js";

const el = document.getElementById("board-map");
const map = baseMap(el);
if (map) {
  const layer = L.layerGroup().addTo(map);
  const colours = { 1: "#b3261e", 2: "#e8710a", 3: "#1e6fd9" };
  let fitted = false;
  function redraw() {
    layer.clearLayers();
    const points = [];
    document.querySelectorAll("#board-live tr.lead-row").forEach((row) => {
      const lat = parseFloat(row.dataset.lat), lng = parseFloat(row.dataset.lng);
      if (!isFinite(lat) || !isFinite(lng)) return;
      const overdue = row.dataset.overdue === "1";
      L.circleMarker([lat, lng], {
        radius: overdue ? 10 : 7,
        color: overdue ? "#b3261e" : "#333",
        weight: overdue ? 3 : 1,
        fillColor: colours[row.dataset.priority] || "#888",
        fillOpacity: 0.85,
      }).bindPopup(popupText(row.dataset.code)).addTo(layer);
      points.push([lat, lng]);
    });
    el.dataset.markers = String(points.length);
    if (!fitted && points.length) {
      map.fitBounds(points, { maxZoom: 14, padding: [20, 20] });
      fitted = true;
    }
  }
  redraw();
  document.body.addEventListener("htmx:afterSwap", (e) => {
    if (e.target && e.target.id === "board-live") redraw();
  });
}
