// The map screen: Leaflet, loaded only when the map is first opened, with
// the deals as markers. Without tiles (blocked, offline) the markers still
// show on a plain background; without Leaflet the page says so.

import { T } from "./i18n.js";

let loading = null;

function load() {
  if (window.L) return Promise.resolve(window.L);
  if (loading) return loading;
  loading = new Promise((resolve, reject) => {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = "app/assets/vendor/leaflet/leaflet.css";
    document.head.append(css);
    const js = document.createElement("script");
    js.src = "app/assets/vendor/leaflet/leaflet.js";
    js.onload = () => resolve(window.L);
    js.onerror = () => {
      loading = null;
      reject(new Error("Leaflet didn't load"));
    };
    document.head.append(js);
  });
  return loading;
}

// Draws `deals` into `el`; `onOpen(id)` when a marker is tapped. Resolves
// once the markers are on the map.
export async function drawMap(el, deals, near, onOpen) {
  const L = await load();
  const cfg = document.getElementById("config").dataset;
  const map = L.map(el, { zoomControl: true, attributionControl: true });
  L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution }).addTo(map);
  const style = getComputedStyle(document.documentElement);
  const color = style.getPropertyValue("--button").trim() || "#3390ec";
  const points = [];
  for (const d of deals) {
    const at = [d.venue.lat, d.venue.lng];
    points.push(at);
    L.circleMarker(at, { radius: 11, color: "#fff", weight: 2, fillColor: color, fillOpacity: 0.95 })
      .addTo(map)
      .bindTooltip(d.title, { direction: "top" })
      .on("click", () => onOpen(d.id));
  }
  if (near) {
    points.push([near.lat, near.lng]);
    L.circleMarker([near.lat, near.lng], { radius: 6, color: color, weight: 3, fillColor: "#fff", fillOpacity: 1 })
      .addTo(map)
      .bindTooltip(T("map-you"), { direction: "top" });
  }
  if (points.length > 1) map.fitBounds(points, { padding: [32, 32], maxZoom: 16 });
  else if (points.length === 1) map.setView(points[0], 15);
  else map.setView([52.52, 13.405], 11);
  return map;
}
