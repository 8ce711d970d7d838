// Collision notice: tell the server this agent is viewing / typing in / has left the open
// conversation, and show who else is there (the server leaves oneself out).
// Markup: _presence.html (.presence[data-conversation]); news: "hotline:presence" (live.js).
(() => {
  const RENEW_MS = 20000;  // "viewing" again before the server's 45 s expiry
  const TYPING_EVERY_MS = 2500;  // at most one "typing" per this, while input goes on
  const TYPING_IDLE_MS = 5000;  // back to "viewing" after this long without input
  const REFRESH_MS = 10000;  // re-read the others (their entries expire on the server)
  const csrf = () => JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
  const url = (id) => `/inbox/conversations/${encodeURIComponent(id)}/presence`;
  const state = new Map();  // conversation id -> {typedAt, sentTypingAt, idle, renew, refresh}

  const send = (id, what) => fetch(url(id), {
    method: "POST",
    keepalive: what === "left",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
    body: JSON.stringify({state: what}),
  }).catch(() => {});

  // One re-read at a time; news meanwhile gets one more pass (a swap replaces the element).
  const find = (id) => document.querySelector(`.presence[data-conversation="${CSS.escape(id)}"]`);
  const wanted = new Set();
  let busy = false;
  const refresh = async (id) => {
    wanted.add(id);
    if (busy || !window.htmx) return;
    busy = true;
    try {
      while (wanted.size) {
        const [next] = wanted;
        wanted.delete(next);
        const res = await fetch(url(next), {headers: {"HX-Request": "true"}});
        const el = find(next);
        if (res.ok && el) htmx.swap(el, await res.text(), {swapStyle: "outerHTML"});
      }
    } finally {
      busy = false;
    }
  };

  const open = (id) => {
    if (state.has(id)) return;
    const s = {typedAt: 0, sentTypingAt: 0, idle: null};
    s.renew = setInterval(() => send(id, Date.now() - s.typedAt < TYPING_IDLE_MS ? "typing" : "viewing"), RENEW_MS);
    s.refresh = setInterval(() => refresh(id), REFRESH_MS);
    state.set(id, s);
    send(id, "viewing");
  };

  const leave = (id) => {
    const s = state.get(id);
    if (!s) return;
    clearInterval(s.renew); clearInterval(s.refresh); clearTimeout(s.idle);
    state.delete(id);
    send(id, "left");
  };

  const scan = () => {
    const here = new Set([...document.querySelectorAll(".presence[data-conversation]")].map((el) => el.dataset.conversation));
    for (const id of here) open(id);
    for (const id of [...state.keys()]) if (!here.has(id)) leave(id);
  };

  const typed = () => {
    for (const [id, s] of state) {
      const now = Date.now();
      s.typedAt = now;
      if (now - s.sentTypingAt > TYPING_EVERY_MS) { s.sentTypingAt = now; send(id, "typing"); }
      clearTimeout(s.idle);
      s.idle = setTimeout(() => { s.sentTypingAt = 0; send(id, "viewing"); }, TYPING_IDLE_MS);
    }
  };

  document.addEventListener("input", (e) => { if (e.target instanceof HTMLTextAreaElement) typed(); });
  document.addEventListener("hotline:presence", (e) => { if (state.has(e.detail.conversation_id)) refresh(e.detail.conversation_id); });
  document.addEventListener("htmx:afterSettle", scan);  // a pane swapped: another conversation, or none
  window.addEventListener("pagehide", () => { for (const id of [...state.keys()]) leave(id); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan); else scan();
})();
