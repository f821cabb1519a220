// "Nobody found at the place": the team's phone check-in. A form marked `data-checkin` is sent
// only with the phone's GPS fix (latitude, longitude, accuracy) in its hidden inputs; the server
// checks the distance to the lead's place. Delegated on the document: the team's list is
// refreshed by htmx and its forms are replaced.
const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => String(values[k]));

function locate() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(new Error("no geolocation")); return; }
    navigator.geolocation.getCurrentPosition(resolve, reject, {
      enableHighAccuracy: true,
      timeout: 15000,
      maximumAge: 30000,
    });
  });
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-checkin")) return;
  const lat = form.querySelector("[data-checkin-lat]");
  if (lat.value) return; // located: let it go
  event.preventDefault();
  const status = form.querySelector("[data-checkin-status]");
  const button = form.querySelector("button[type=submit]");
  if (!form.reportValidity()) return;
  status.textContent = button.dataset.locating;
  button.disabled = true;
  try {
    const position = await locate();
    lat.value = String(position.coords.latitude);
    form.querySelector("[data-checkin-lng]").value = String(position.coords.longitude);
    form.querySelector("[data-checkin-accuracy]").value = String(Math.round(position.coords.accuracy));
    status.textContent = fmt(button.dataset.located, { n: Math.round(position.coords.accuracy) });
    form.submit();
  } catch (_e) {
    status.textContent = button.dataset.noGps;
    button.disabled = false;
  }
});
