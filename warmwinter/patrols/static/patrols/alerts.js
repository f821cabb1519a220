// 接单提醒 on the patrol's phone: the 「开启接单提醒」 button asks for permission and subscribes
// this device to Web Push (with the server's VAPID key); while the app is open, an alert from
// the service worker rings (a tone made by WebAudio, no sound file) and vibrates.
(function () {
  "use strict";
  const button = document.getElementById("push-enable");
  const banner = document.getElementById("alert-banner");
  if (!button || !("serviceWorker" in navigator)) return;

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function keyBytes(b64url) {
    const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (b64url.length % 4)) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  }

  let audio = null;
  function ring() {
    try {
      audio = audio || new AudioContext();
      const start = audio.currentTime;
      [0, 0.35, 0.7].forEach((offset) => {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = 880;
        gain.gain.setValueAtTime(0.25, start + offset);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
        tone.connect(gain).connect(audio.destination);
        tone.start(start + offset);
        tone.stop(start + offset + 0.3);
      });
    } catch (_e) {
      // no audio on this device: the vibration and the banner remain
    }
  }

  function show(alert) {
    ring();
    if (navigator.vibrate) navigator.vibrate([300, 100, 300, 100, 600]);
    if (!banner) return;
    banner.replaceChildren();
    const link = document.createElement("a");
    link.href = alert.url;
    link.textContent = `${alert.title || ""} ${alert.body || ""}`.trim();
    banner.append(link);
    banner.hidden = false;
    banner.dataset.lead = String(alert.lead);
  }

  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "lead-alert") show(event.data);
  });
  navigator.serviceWorker.startMessages(); // addEventListener alone leaves them queued

  async function subscribe() {
    if (audio === null) {
      try {
        audio = new AudioContext(); // created on a tap, so it may play later
      } catch (_e) {
        audio = null;
      }
    }
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      button.textContent = button.dataset.denied;
      return;
    }
    const registration = await navigator.serviceWorker.ready;
    const subscription =
      (await registration.pushManager.getSubscription()) ||
      (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(button.dataset.key) }));
    const response = await fetch(button.dataset.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      credentials: "same-origin",
      body: JSON.stringify(subscription.toJSON()),
    });
    button.textContent = response.ok ? button.dataset.on : button.dataset.failed;
    button.disabled = response.ok;
  }

  if (button.dataset.key && "PushManager" in window && "Notification" in window) {
    button.hidden = false;
    button.addEventListener("click", () => {
      subscribe().catch(() => {
        button.textContent = button.dataset.failed;
      });
    });
  }
})();
