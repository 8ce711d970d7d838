// The assignment fragment (_thread_assign.html in .assign-pane).
(() => {
  // A refused command (409 unchanged, 422 unknown agent) answers with the refreshed fragment
  // and its message: swap it in like a success.
  document.addEventListener("htmx:beforeSwap", (e) => {
    const status = e.detail.xhr.status;
    const pane = e.target instanceof Element && e.target.closest(".assign-pane");
    if (pane && (status === 409 || status === 422)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // Re-read the open conversations' fragments, one request at a time; news that comes in
  // meanwhile gets one more pass (each swap replaces the element: a request queued on the old
  // one would land nowhere).
  const url = (id) => `/inbox/conversations/${encodeURIComponent(id)}/assign`;
  const find = (id) => document.querySelector(`.assign[data-conversation="${CSS.escape(id)}"]`);
  const wanted = new Set();
  let busy = false;
  const refresh = async (ids) => {
    ids.forEach((id) => wanted.add(id));
    if (busy || !window.htmx) return;
    busy = true;
    try {
      while (wanted.size) {
        const [id] = wanted;
        wanted.delete(id);
        const res = await fetch(url(id), {headers: {"HX-Request": "true"}});
        const pane = find(id) && find(id).closest(".assign-pane");
        if (res.ok && pane) htmx.swap(pane, await res.text(), {swapStyle: "outerHTML"});
      }
    } finally {
      busy = false;
    }
  };
  const shown = () => [...document.querySelectorAll(".assign[data-conversation]")].map((s) => s.dataset.conversation);

  // Another agent or the auto-assigner changed an assignment (SSE "assignment").
  document.addEventListener("hotline:assignment", (e) => {
    const ids = ((e.detail && e.detail.conversations) || []).filter((id) => {
      const section = find(id);
      if (!section) return false;
      // a command of this pane in flight answers with the fresh fragment and its message
      if (section.closest(".assign-pane").querySelector(".htmx-request")) return false;
      const now = section.querySelector(".assignee").dataset.assignee;
      // our own command's news, already shown with its message
      return !(e.detail.assignee !== undefined && now === (e.detail.assignee || ""));
    });
    if (ids.length) refresh(ids);
  });
  // The live stream (re)connected: what changed while it was down sent no event here. It may
  // have connected before this script ran (deferred scripts load one by one), and news between
  // the page's render and the stream's start sent no event either: catch up once now too.
  const caughtUp = () => {
    if (document.body.dataset.live === "connected") refresh(shown());
  };
  new MutationObserver(caughtUp).observe(document.body, {attributes: true, attributeFilter: ["data-live"]});
  caughtUp();
})();
