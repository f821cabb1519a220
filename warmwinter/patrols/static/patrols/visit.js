// A follow-up's visit record on the phone: show what the chosen answer needs (found: state,
// willingness, items; not found: a GPS check-in and a note), and take the check-in from the
// phone's geolocation into the form's hidden fields. Text goes in with textContent only.
const form = document.getElementById("visit-form");
if (form) {
  const status = document.getElementById("locate-status");
  const place = { lat: parseFloat(form.dataset.lat), lng: parseFloat(form.dataset.lng) };
  const radius = parseInt(form.dataset.radius, 10);
  const t = (key, values = {}) =>
    (status.dataset[key] || "").replace(/\{(\w+)\}/g, (_m, k) => String(values[k] ?? ""));

  function metres(a, b) {
    const r = 6371000;
    const rad = (d) => (d * Math.PI) / 180;
    const dLat = rad(b.lat - a.lat);
    const dLng = rad(b.lng - a.lng);
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(h));
  }

  function show() {
    const chosen = form.querySelector("input[name=found]:checked");
    const value = chosen ? chosen.value : "";
    form.querySelector("[data-when=found]").hidden = value !== "1";
    form.querySelector("[data-when=missed]").hidden = value !== "0";
  }

  function locate() {
    if (!("geolocation" in navigator)) {
      status.textContent = t("tUnsupported");
      return;
    }
    status.textContent = t("tLocating");
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const here = { lat: pos.coords.latitude, lng: pos.coords.longitude };
        form.elements.lat.value = here.lat.toFixed(6);
        form.elements.lng.value = here.lng.toFixed(6);
        form.elements.accuracy.value = Math.round(pos.coords.accuracy || 0);
        const away = Math.round(metres(here, place));
        const acc = Math.round(pos.coords.accuracy || 0);
        status.textContent = t("tLocated", { away, acc }) + (away > radius ? t("tOutside", { r: radius }) : "");
        status.dataset.away = String(away);
      },
      (err) => { status.textContent = t("tFailed") + err.message; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 },
    );
  }

  form.addEventListener("change", show);
  document.getElementById("locate").addEventListener("click", locate);
  show();
}
