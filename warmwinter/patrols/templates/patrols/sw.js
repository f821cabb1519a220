// Service worker of the patrol app: keeps the app shell for offline use. Data never goes in
// here: the app keeps the night's data and its queue of submissions in IndexedDB.
const CACHE = "ww-patrol-{{ version }}";
const SHELL_PAGE = "{% url 'patrols:app' %}";
const ASSETS = [{% for a in assets %}"{{ a|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll([SHELL_PAGE, ...ASSETS])).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("ww-patrol-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (url.pathname === SHELL_PAGE) {
    // network first, so a signed-out user sees the login page; the cached shell when offline
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(SHELL_PAGE, copy));
          }
          return response;
        })
        .catch(() => caches.match(SHELL_PAGE))
    );
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});

// 接单提醒: a dispatch arrives as a Web Push (encrypted; the browser decrypts it). It shows a
// notification that opens the lead, and tells an open app to ring and vibrate.
self.addEventListener("push", (event) => {
  let alert = {};
  try {
    alert = event.data ? event.data.json() : {};
  } catch (_e) {
    alert = { title: event.data ? event.data.text() : "" };
  }
  const url = alert.url || "/dispatch/my/";
  event.waitUntil(
    self.registration
      .showNotification(alert.title || "派单提醒", {
        body: alert.body || "",
        tag: `lead-${alert.lead}`,
        renotify: true,
        requireInteraction: true,
        icon: ASSETS.find((a) => a.endsWith(".svg")),
        vibrate: [300, 100, 300, 100, 600],
        data: { url, lead: alert.lead },
      })
      .then(() => self.clients.matchAll({ type: "window", includeUncontrolled: true }))
      .then((windows) => windows.forEach((w) => w.postMessage({ ...alert, url, type: "lead-alert" })))
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/dispatch/my/", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url === url);
      if (open) return open.focus();
      return self.clients.openWindow(url);
    })
  );
});
