// The patrol phone app. Works offline: the night's data is kept in IndexedDB, and every
// submission (check-in, encounter with photos, follow-up) goes into a queue on the phone first,
// with a client UUID minted when the form was filled in. The queue is sent when the phone is
// online; the server stores a UUID once, so a replay never doubles anything. What the server
// refuses stays in the queue with its reason until the patrol deletes it.
import { baseMap, popupText } from "../core/basemap.js";

(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("app-config").textContent);
  const T = config.text;
  const API = config.api;
  const $ = (sel) => document.querySelector(sel);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => String(values[k]));
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const hhmm = (iso) => (iso ? new Date(iso).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Shanghai" }) : "—");

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // --- IndexedDB: "queue" (submissions waiting) and "kv" (the night's data, the sync log) ---
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const open = indexedDB.open("warmwinter-patrol", 1);
        open.onupgradeneeded = () => {
          open.result.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
          open.result.createObjectStore("kv", { keyPath: "k" });
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
    }
    return dbPromise;
  }
  async function store(name, mode, fn) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const tx = d.transaction(name, mode);
      const result = fn(tx.objectStore(name));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
  const queueAll = () => store("queue", "readonly", (s) => s.getAll());
  const queueAdd = (item) => store("queue", "readwrite", (s) => s.add(item));
  const queuePut = (item) => store("queue", "readwrite", (s) => s.put(item));
  const queueDelete = (id) => store("queue", "readwrite", (s) => s.delete(id));
  const kvGet = async (k) => { const row = await store("kv", "readonly", (s) => s.get(k)); return row ? row.v : null; };
  const kvSet = (k, v) => store("kv", "readwrite", (s) => s.put({ k, v }));

  // --- the night's data ---
  let today = null;
  let context = {}; // what the encounter form is about: stop, lead, coordinates

  async function loadToday() {
    try {
      const response = await fetch(`${API}/today`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.status === 401 || response.status === 403) { banner(T.relogin); throw new Error("auth"); }
      if (!response.ok) throw new Error(String(response.status));
      today = await response.json();
      today.savedAt = new Date().toISOString();
      await kvSet("today", today);
      banner("");
    } catch (_e) {
      today = await kvGet("today");
      if (today) banner(fmt(T.cached, { t: hhmm(today.savedAt) }));
      else banner(T.noData);
    }
    render();
  }

  function banner(text) {
    const el = $("#banner");
    el.textContent = text;
    el.hidden = !text;
  }

  // --- rendering ---
  let map = null;
  let mapLayer = null;
  function renderMap() {
    if (typeof L === "undefined" || !today) return;
    if (!map) {
      map = baseMap($("#route-map"), { zoom: 12 });
      mapLayer = L.layerGroup().addTo(map);
    }
    mapLayer.clearLayers();
    const points = [];
    for (const team of today.teams) {
      const path = [[team.lat, team.lng]];
      for (const stop of today.stops.filter((s) => s.team_id === team.id)) {
        path.push([stop.lat, stop.lng]);
        L.circleMarker([stop.lat, stop.lng], { radius: 7, color: stop.result === "pending" ? "#b3261e" : "#188038" })
          .bindPopup(popupText(`${stop.seq}. ${stop.label}`)).addTo(mapLayer);
      }
      path.push([team.lat, team.lng]);
      L.polyline(path, { color: "#1e6fd9", weight: 3 }).addTo(mapLayer);
      points.push(...path);
    }
    if (points.length) map.fitBounds(points, { maxZoom: 15, padding: [16, 16] });
  }

  function render() {
    if (!today) return;
    $("#team-line").textContent = today.teams.length
      ? fmt(T.team, { team: today.teams.map((t) => t.name).join("、"), night: today.night })
      : T.noTeam;
    $("#stops").innerHTML = today.stops.map((s) => `
      <li class="card stop ${s.result !== "pending" ? "is-done" : ""}" data-stop="${s.id}">
        <strong>${s.seq}. ${esc(s.label)}</strong>${s.required ? ` <span class="badge">!</span>` : ""}
        <div class="muted">${T.window} ${hhmm(s.window_start)}–${hhmm(s.window_end)} · ${T.planned} ${hhmm(s.planned_at)}</div>
        <div class="muted">${esc(s.reason)}</div>
        ${s.result === "pending" ? `<div class="actions">
          <button type="button" data-act="checkin" data-stop="${s.id}">${T.checkIn}</button>
          <button type="button" data-act="nobody" data-stop="${s.id}">${T.nobody}</button>
          <button type="button" data-act="record-stop" data-stop="${s.id}" class="primary">${T.record}</button></div>` : `<div>${T.done}</div>`}
      </li>`).join("");
    $("#leads").innerHTML = today.leads.map((l) => `
      <li class="card"><strong>${esc(l.code)}</strong> · ${esc(l.status_label)}
        ${l.needs_ambulance ? `<a class="tel-120" href="tel:120" data-testid="app-tel-120">${T.call120}</a>` : ""}
        <div>${esc(l.description)}</div>
        <button type="button" class="primary" data-act="record-lead" data-lead="${l.id}">${T.record}</button></li>`).join("");
    $("#leads-count").textContent = today.leads.length ? `(${today.leads.length})` : "";
    $("#follow-ups").innerHTML = today.follow_ups.map((f) => `
      <li class="card ${f.is_overdue ? "overdue" : ""}" data-follow="${f.id}"><strong>${esc(f.person_name)}</strong> · ${esc(f.place_name)}
        <div class="muted">${T.due} ${hhmm(f.due_at)}${f.is_overdue ? ` · <strong>${T.overdue}</strong>` : ""}</div>
        <a class="button primary" href="${esc(f.url)}">${T.followDone}</a></li>`).join("");
    $("#follow-count").textContent = today.follow_ups.length ? `(${today.follow_ups.length})` : "";
    fillSelect($("#f-escort-to"), today.destinations.map((d) => [d.id, d.name]));
    fillSelect($("#f-street"), today.streets.map((s) => [s.code, s.name]));
    renderMap();
  }

  function fillSelect(select, options) {
    const keep = select.value;
    select.innerHTML = `<option value="">—</option>` + options.map(([v, t]) => `<option value="${esc(v)}">${esc(t)}</option>`).join("");
    select.value = keep;
  }

  // --- the rules, the same table the server applies ---
  function advice() {
    const form = $("#encounter-form");
    const flags = new Set(Array.from(form.querySelectorAll("input[name=flags]:checked"), (i) => i.value));
    const willingness = form.willingness.value;
    const rule = config.rules.rules.find((r) =>
      r.any_flag.length ? r.any_flag.some((f) => flags.has(f)) : r.willingness ? r.willingness === willingness : true);
    const clauses = [rule.clause];
    if (flags.has("cannot_give_info")) clauses.push(config.rules.clauses.rescue_first);
    if (flags.has("shanghai_resident")) clauses.push(config.rules.clauses.resident);
    return { rule, flags, clauses };
  }

  let dispositionTouched = false;
  function updateForm() {
    const form = $("#encounter-form");
    const a = advice();
    if (!dispositionTouched) form.disposition.value = a.rule.disposition;
    const chosen = form.disposition.value;
    const deviates = !a.rule.acceptable.includes(chosen);
    $("#advice").innerHTML = `<strong>${T.suggest}：${esc(config.rules.dispositions[a.rule.disposition])}</strong>
      <ul>${a.clauses.map((c) => `<li>${esc(c)}</li>`).join("")}</ul>${deviates ? `<p class="warn">${T.deviationNeeded}</p>` : ""}`;
    $("#deviation").hidden = !deviates;
    $("#escort").hidden = !["hospital", "escort_station", "guide_station", "guide_shelter"].includes(chosen);
    $("#street").hidden = !a.flags.has("shanghai_resident");
    $("#supplies").classList.toggle("required", chosen === "supplies");
  }

  function addItemRow() {
    if (!today) return;
    const row = document.createElement("div");
    row.className = "row item-row";
    row.innerHTML = `<select name="item" aria-label="${T.chooseItem}"><option value="">${T.chooseItem}</option>${today.items.map((i) =>
      `<option value="${esc(i.code)}">${esc(i.name)}（${esc(i.unit)}）</option>`).join("")}</select>
      <input name="qty" type="number" min="1" step="1" value="1" aria-label="${T.quantity}" inputmode="numeric">
      <button type="button" class="link" data-act="remove-item">${T.remove}</button>`;
    $("#item-rows").appendChild(row);
  }

  function startForm(ctx) {
    const form = $("#encounter-form");
    form.reset();
    $("#item-rows").innerHTML = "";
    $("#candidates").innerHTML = "";
    $("#form-error").textContent = "";
    form.person_id.value = "";
    dispositionTouched = false;
    context = ctx;
    $("#form-context").textContent = ctx.label || "";
    updateForm();
    showTab("form");
  }

  function position() {
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) return reject(new Error(T.noGps));
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude }),
        () => reject(new Error(T.noGps)),
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  async function submitEncounter(event) {
    event.preventDefault();
    const form = $("#encounter-form");
    const error = $("#form-error");
    error.textContent = "";
    const a = advice();
    const chosen = form.disposition.value;
    const reason = form.deviation_reason.value.trim();
    if (!a.rule.acceptable.includes(chosen) && reason.length < config.rules.min_reason) {
      error.textContent = fmt(T.reasonTooShort, { n: config.rules.min_reason });
      return;
    }
    const photos = Array.from(form.photos.files);
    if (photos.length > config.maxPhotos) { error.textContent = fmt(T.tooManyPhotos, { n: config.maxPhotos }); return; }
    const big = photos.find((p) => p.size > config.maxPhotoBytes);
    if (big) { error.textContent = fmt(T.photoTooBig, { name: big.name, mb: Math.round(config.maxPhotoBytes / 1048576) }); return; }
    let where = context.lat != null ? { lat: context.lat, lng: context.lng } : null;
    if (!where) {
      try { where = await position(); } catch (e) { error.textContent = e.message; return; }
    }
    const items = Array.from(document.querySelectorAll(".item-row"))
      .map((r) => ({ code: r.querySelector("select").value, quantity: r.querySelector("input").value }))
      .filter((i) => i.code && Number(i.quantity) > 0);
    const age = form.age.value.trim();
    const body = {
      client_uuid: uuid(),
      occurred_at: new Date().toISOString(),
      lat: where.lat,
      lng: where.lng,
      place_name: context.place || "",
      stop_id: context.stopId || null,
      lead_id: context.leadId || null,
      person_id: form.person_id.value ? Number(form.person_id.value) : null,
      new_person: { name: form.name.value.trim(), sex: form.sex.value, age_estimate: age ? Number(age) : null, features: form.features.value.trim() },
      flags: Array.from(a.flags),
      willingness: form.willingness.value,
      disposition: chosen,
      deviation_reason: reason,
      help_contact_left: form.help_contact_left.checked,
      escort_members: form.escort_members.value.trim(),
      escort_to_id: form.escort_to_id.value ? Number(form.escort_to_id.value) : null,
      escort_destination: form.escort_destination.value.trim(),
      household_street_code: form.household_street_code.value,
      items,
      note: form.note.value.trim(),
    };
    await enqueue({ kind: "encounter", url: `${API}/encounters`, body, photos, label: `${T.encounter} ${context.label || ""}` });
    startForm({});
    banner(T.saved);
    showTab("queue");
    sync();
  }

  async function enqueue(item) {
    item.created = new Date().toISOString();
    item.status = "waiting";
    await queueAdd(item);
    await renderQueue();
  }

  async function checkIn(stopId, nobody) {
    const stop = today.stops.find((s) => s.id === stopId);
    let where;
    try { banner(T.locating); where = await position(); banner(""); } catch (e) { banner(e.message); return; }
    await enqueue({
      kind: "checkin",
      url: `${API}/checkins`,
      body: { client_uuid: uuid(), stop_id: stopId, lat: where.lat, lng: where.lng, at: new Date().toISOString(), nobody_found: nobody },
      label: `${nobody ? T.nobody : T.checkIn} ${stop ? stop.label : ""}`,
    });
    sync();
  }

  // --- sending the queue ---
  let syncing = null;
  function sync() {
    if (!syncing) syncing = runSync().finally(() => { syncing = null; });
    return syncing;
  }

  async function send(item) {
    const headers = { "X-CSRFToken": csrf(), Accept: "application/json" };
    let body;
    if (item.kind === "encounter") {
      body = new FormData();
      body.append("data", JSON.stringify(item.body));
      (item.photos || []).forEach((p, i) => body.append("photos", p, p.name || `photo-${i}.jpg`));
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(item.body);
    }
    return fetch(item.url, { method: "POST", credentials: "same-origin", headers, body });
  }

  async function runSync() {
    let sent = 0;
    for (const item of await queueAll()) {
      if (item.status === "rejected") continue;
      let response;
      try { response = await send(item); } catch (_e) { break; } // offline: try again later
      let answer = {};
      try { answer = await response.json(); } catch (_e) { answer = {}; }
      if (response.ok) {
        await queueDelete(item.id);
        await logDone(item, answer);
        sent += 1;
      } else if (response.status === 401 || response.status === 403) {
        item.status = "blocked";
        item.error = response.status === 401 ? T.relogin : answer.detail || T.relogin;
        await queuePut(item);
        break;
      } else if (response.status >= 500 || response.status === 429 || response.status === 408) {
        item.status = "waiting";
        item.error = T.retryLater;
        await queuePut(item);
        break;
      } else {
        item.status = "rejected";
        item.error = answer.detail || String(response.status);
        await queuePut(item);
      }
    }
    await renderQueue();
    if (sent) loadToday();
  }

  async function logDone(item, answer) {
    const log = (await kvGet("done")) || [];
    log.unshift({ label: item.label, at: new Date().toISOString(), conflicts: answer.conflicts || [], url: answer.url || "" });
    await kvSet("done", log.slice(0, 20));
  }

  async function renderQueue() {
    const items = await queueAll();
    const waiting = items.length;
    const counter = $("#queue-count");
    counter.textContent = fmt(T.queued, { n: waiting });
    counter.dataset.count = String(waiting);
    $("#queue").innerHTML = items.map((i) => `
      <li class="card ${i.status}" data-queue="${i.id}"><strong>${esc(i.label)}</strong>
        <div class="muted">${hhmm(i.created)}${i.photos && i.photos.length ? ` · 📷${i.photos.length}` : ""}</div>
        ${i.error ? `<div class="${i.status === "rejected" ? "errorlist" : "warn"}">${i.status === "rejected" ? T.rejected + "：" : ""}${esc(i.error)}</div>` : ""}
        ${i.status === "rejected" ? `<button type="button" data-act="discard" data-id="${i.id}">${T.discard}</button>` : ""}</li>`).join("");
    const done = (await kvGet("done")) || [];
    $("#done").innerHTML = done.map((d) => `
      <li class="card"><strong>${esc(d.label)}</strong> · ${T.synced} ${hhmm(d.at)}
        ${d.conflicts.map((c) => `<div class="warn">${T.conflict}：${esc(c)}</div>`).join("")}</li>`).join("");
  }

  // --- person lookup (online only) ---
  async function findPerson() {
    const form = $("#encounter-form");
    const box = $("#candidates");
    const params = new URLSearchParams({ name: form.name.value.trim(), sex: form.sex.value });
    if (form.age.value) params.set("age", form.age.value);
    if (context.lat != null) { params.set("lat", context.lat); params.set("lng", context.lng); }
    try {
      const response = await fetch(`${API}/candidates?${params}`, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const found = await response.json();
      box.innerHTML = (found.length ? "" : `<p class="muted">${T.noCandidates}</p>`) +
        found.map((c) => `<label class="candidate"><input type="radio" name="pick" value="${c.person_id}"> <strong>${esc(c.name)}</strong> (${Math.round(c.score * 100)}%)
          <small>${c.reasons.map(esc).join("；")}</small></label>`).join("") +
        `<label class="candidate"><input type="radio" name="pick" value="" checked> ${T.newFile}</label>`;
    } catch (_e) {
      box.innerHTML = `<p class="warn">${T.needOnline}</p>`;
    }
  }

  // --- a lead's close leads here: /patrols/app/?lead=<id> opens the form about that lead ---
  function leadContext(l) {
    return { leadId: l.id, lat: l.lat, lng: l.lng, place: l.description.slice(0, 60), label: `${T.lead} ${l.code}` };
  }

  function openAskedLead() {
    const asked = Number(new URLSearchParams(window.location.search).get("lead"));
    if (!asked || !today) return;
    const l = today.leads.find((x) => x.id === asked);
    if (l) startForm(leadContext(l));
    window.history.replaceState(null, "", window.location.pathname);
  }

  // --- navigation and events ---
  function showTab(name) {
    document.querySelectorAll(".tab").forEach((t) => { t.hidden = t.id !== `tab-${name}`; });
    document.querySelectorAll(".tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
    if (name === "route" && map) setTimeout(() => map.invalidateSize(), 0);
  }

  function updateNet() {
    const net = $("#net");
    net.textContent = navigator.onLine ? T.online : T.offline;
    net.classList.toggle("off", !navigator.onLine);
  }

  document.addEventListener("click", async (event) => {
    const el = event.target.closest("[data-act], [data-tab]");
    if (!el) return;
    if (el.dataset.tab && !el.dataset.act) return showTab(el.dataset.tab);
    const act = el.dataset.act;
    if (act === "checkin" || act === "nobody") return checkIn(Number(el.dataset.stop), act === "nobody");
    if (act === "record-stop") {
      const s = today.stops.find((x) => x.id === Number(el.dataset.stop));
      return startForm({ stopId: s.id, leadId: s.lead_id, lat: s.lat, lng: s.lng, place: s.label, label: s.label });
    }
    if (act === "record-lead") {
      return startForm(leadContext(today.leads.find((x) => x.id === Number(el.dataset.lead))));
    }
    if (act === "discard") { await queueDelete(Number(el.dataset.id)); return renderQueue(); }
    if (act === "remove-item") { el.closest(".item-row").remove(); return undefined; }
    return undefined;
  });

  $("#encounter-form").addEventListener("change", (event) => {
    if (event.target.name === "disposition") dispositionTouched = true;
    if (event.target.name === "pick") $("#encounter-form").person_id.value = event.target.value;
    updateForm();
  });
  $("#encounter-form").addEventListener("submit", submitEncounter);
  $("#add-item").addEventListener("click", addItemRow);
  $("#find-person").addEventListener("click", findPerson);
  $("#sync-now").addEventListener("click", () => sync());
  window.addEventListener("online", () => { updateNet(); sync(); });
  window.addEventListener("offline", updateNet);
  setInterval(() => { if (navigator.onLine) sync(); }, 30000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/patrols/sw.js", { scope: "/patrols/" }).catch(() => {});
  }
  window.wwPatrol = { sync, queueAll, queueAdd, renderQueue, loadToday };
  updateNet();
  updateForm();
  renderQueue().then(loadToday).then(() => { openAskedLead(); if (navigator.onLine) sync(); });
})();
