// The hotline console: pick a place from the search results, Ctrl+Enter submits.
(function () {
  "use strict";
  const form = document.getElementById("hotline-form");
  if (!form) return;
  document.addEventListener("click", (e) => {
    const btn = e.target.closest(".pick-place");
    if (!btn) return;
    form.querySelector("input[name=place]").value = btn.dataset.placeId;
    form.querySelector("input[name=lat]").value = btn.dataset.lat;
    form.querySelector("input[name=lng]").value = btn.dataset.lng;
    form.querySelector("select[name=datum]").value = "wgs84";
    document.getElementById("picked-place").textContent = btn.dataset.name;
    document.getElementById("place-results").innerHTML = "";
    form.querySelector("textarea[name=description]").focus();
  });
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
})();
