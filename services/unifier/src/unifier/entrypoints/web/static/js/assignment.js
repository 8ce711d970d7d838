// The assignment fragment answers a refused command (409 unchanged, 422 unknown agent) with
// the refreshed fragment and its message: swap it in like a success.
(() => {
  document.addEventListener("htmx:beforeSwap", (e) => {
    const status = e.detail.xhr.status;
    const pane = e.target instanceof Element && e.target.closest(".assign-pane");
    if (pane && (status === 409 || status === 422)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();

// Another agent or the auto-assigner changed an assignment: refresh the open conversation's
// fragment (live.js re-dispatches SSE "assignment" as "hotline:assignment"). When the live
// stream (re)connects, refresh too: what changed while it was down sent no event here.
(() => {
  const refresh = (section) => {
    const pane = section.closest(".assign-pane");
    const id = section.dataset.conversation;
    if (pane && window.htmx) {
      htmx.ajax("GET", `/inbox/conversations/${encodeURIComponent(id)}/assign`, {target: pane, swap: "outerHTML"});
    }
  };
  document.addEventListener("hotline:assignment", (e) => {
    for (const id of (e.detail && e.detail.conversations) || []) {
      const section = document.querySelector(`.assign[data-conversation="${CSS.escape(id)}"]`);
      if (!section) continue;
      const shown = section.querySelector(".assignee").dataset.assignee;
      if (e.detail.assignee !== undefined && shown === (e.detail.assignee || "")) continue;  // ours, already shown with its message
      refresh(section);
    }
  });
  new MutationObserver(() => {
    if (document.body.dataset.live === "connected") document.querySelectorAll(".assign[data-conversation]").forEach(refresh);
  }).observe(document.body, {attributes: true, attributeFilter: ["data-live"]});
})();
