// The night plan's map: one coloured line per team, from its base through its stops in order and
// back; the stops come from the tables' data attributes (one source of truth).
import { baseMap, popupText } from "../core/basemap.js";

const el = document.getElementById("plan-map");
const map = baseMap(el, { zoom: 12 });
if (map) {
  const colours = ["#b3261e", "#1e6fd9", "#188038", "#e8710a", "#8e24aa", "#00838f", "#6d4c41"];
  const all = [];
  let lines = 0;
  document.querySelectorAll("section.route").forEach((section, i) => {
    const colour = colours[i % colours.length];
    const base = [parseFloat(section.dataset.baseLat), parseFloat(section.dataset.baseLng)];
    const path = [base];
    L.marker(base, { title: section.dataset.team }).bindPopup(popupText(section.dataset.team)).addTo(map);
    section.querySelectorAll("tr.stop-row").forEach((row) => {
      const p = [parseFloat(row.dataset.lat), parseFloat(row.dataset.lng)];
      path.push(p);
      L.circleMarker(p, { radius: 7, color: colour, fillOpacity: 0.8 })
        .bindPopup(popupText(row.dataset.seq + ". " + row.dataset.label)).addTo(map);
    });
    path.push(base);
    if (path.length > 2) {
      L.polyline(path, { color: colour, weight: 3 }).addTo(map);
      lines += 1;
    }
    all.push(...path);
  });
  el.dataset.routes = String(lines);
  if (all.length) map.fitBounds(all, { maxZoom: 15, padding: [20, 20] });
}
