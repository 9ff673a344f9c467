// Live updates for the dashboard: follow the event feed and redraw the page's main part when something happens.
(() => {
  "use strict";
  const source = document.body.dataset.stream;
  if (!source || !window.EventSource) return;
  const live = document.getElementById("live");
  const status = (state, text) => { if (live) { live.dataset.state = state; live.textContent = text; } };
  let pending = null;

  const redraw = async () => {
    pending = null;
    try {
      const response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.redirected || !response.ok) { if (response.status === 401 || response.redirected) location.reload(); return; }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("main");
      const current = document.getElementById("main");
      if (!fresh || !current) return;
      const known = new Set([...current.querySelectorAll("[data-event-id]")].map(e => e.dataset.eventId));
      fresh.querySelectorAll("[data-event-id]").forEach(e => { if (!known.has(e.dataset.eventId)) e.classList.add("fresh"); });
      const focused = document.activeElement && document.activeElement.closest("#main form");
      if (!focused) current.replaceWith(fresh);
    } catch (_) { /* the next event redraws again */ }
  };

  const stream = new EventSource(source);
  stream.onopen = () => status("live", "live");
  stream.onerror = () => status("reconnecting", "reconnecting…");
  const onEvent = (e) => {
    document.body.dataset.lastEvent = e.lastEventId;
    if (!pending) pending = setTimeout(redraw, 250);
  };
  (document.body.dataset.types || "").split(",").filter(Boolean).forEach(t => stream.addEventListener(t, onEvent));
  window.addEventListener("pagehide", () => stream.close());
})();
