// The one map set-up of every page with a map (the places map, the dispatch board, the report
// form, the night plan, the patrol app): Leaflet on an element, the tiles of MAP_TILE_URL with
// their attribution, or none (the page still works: markers on a blank ground, no request to
// any tile server), and the default view of Shanghai. The server writes the tile settings on
// the map's element as data-tile-url and data-tile-attribution (core/context_processors.py).
//
// The attribution is the operator's setting and Leaflet shows it as HTML (providers ask for a
// link); it is configuration, never data. Leaflet reads a string given to bindPopup or divIcon
// as HTML too: what comes from data (a team's name, a stop's label) is handed to it as a text
// node built here, never as a string.

/** People's Square (人民广场), the centre of the city's maps. */
export const SHANGHAI = [31.2304, 121.4737];

/**
 * A Leaflet map on `el`, at `centre` and `zoom`, with the tile layer the server configured.
 * Returns null when Leaflet did not load (the page works without its map).
 */
export function baseMap(el, { centre = SHANGHAI, zoom = 11 } = {}) {
  if (!el || typeof L === "undefined") return null;
  const map = L.map(el).setView(centre, zoom);
  const tileUrl = el.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 18 }).addTo(map);
  }
  return map;
}

/** A popup's content: each part a line of text (a node may be given as it is). */
export function popupText(...lines) {
  const box = document.createElement("div");
  lines.forEach((line, i) => {
    if (i) box.append(document.createElement("br"));
    box.append(line instanceof Node ? line : document.createTextNode(String(line)));
  });
  return box;
}
