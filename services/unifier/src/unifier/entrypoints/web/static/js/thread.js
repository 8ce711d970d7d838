// The thread pane: live timeline refresh (the composer keeps its draft, key and status), the
// Reply/Note tabs, one Idempotency-Key per composed reply, and inline 4xx answers.
(() => {
  const pane = () => document.querySelector(".thread-pane[data-thread-id]");
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));

  async function refreshTimeline() {
    const p = pane();
    if (!p) return;
    if (document.body.classList.contains("splitting")) {  // the agent is ticking messages
      setTimeout(refreshTimeline, 2000);
      return;
    }
    const res = await fetch(`/inbox/conversations/${encodeURIComponent(p.dataset.threadId)}/timeline`,
                            {headers: {"HX-Request": "true"}});
    const html = await res.text();
    const old = p.querySelector("#timeline");
    if (!res.ok || !old || pane() !== p) return;
    const parsed = new DOMParser().parseFromString(html, "text/html");  // inert: nothing loads
    const fresh = parsed.querySelector("#timeline") && document.adoptNode(parsed.querySelector("#timeline"));
    if (!fresh) return;
    for (const d of old.querySelectorAll("details[open]")) {  // keep what the agent opened
      const item = d.closest("[data-message-id]");
      if (!item) continue;
      const twin = fresh.querySelector(`[data-message-id="${CSS.escape(item.dataset.messageId)}"] details.${d.classList[0]}`);
      twin?.setAttribute("open", "");
    }
    old.replaceWith(fresh);
    document.dispatchEvent(new CustomEvent("hotline:timeline", {detail: {id: p.dataset.threadId}}));
  }

  // In the workspace layout the contact pane (#contact) follows the open conversation.
  function loadContact() {
    const p = pane();
    const aside = document.getElementById("contact");
    if (!p || !aside || !window.htmx || aside.dataset.contactId === p.dataset.contactId) return;
    window.htmx.ajax("GET", `/inbox/contacts/${encodeURIComponent(p.dataset.contactId)}`,
                     {target: "#contact", swap: "outerHTML"});
  }
  document.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail.target && e.detail.target.id === "thread") loadContact();
  });
  document.addEventListener("DOMContentLoaded", loadContact);

  document.addEventListener("hotline:change", (e) => {
    const p = pane();
    const ids = (e.detail && e.detail.conversations) || [];
    if (p && ids.includes(p.dataset.threadId)) refreshTimeline();
  });

  function showTab(tab) {
    const p = tab.closest(".composer");
    for (const t of p.querySelectorAll("[role=tab]")) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
    document.getElementById(tab.getAttribute("aria-controls")).querySelector("textarea")?.focus();
  }
  document.addEventListener("click", (e) => {
    const tab = e.target.closest(".composer [role=tab]");
    if (tab) showTab(tab);
  });

  // 4xx answers of the composer, and a missing conversation, are messages to show
  const OURS = "#reply-status, #note-status, #thread";
  document.addEventListener("htmx:beforeSwap", (e) => {
    const status = e.detail.xhr.status;
    if (status >= 400 && status < 500 && e.detail.target.matches(OURS)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterRequest", (e) => {
    const form = e.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.matches(".compose")) return;
    if (!e.detail.successful || e.detail.xhr.status >= 300) return;  // refused: the draft stays
    const box = form.querySelector("textarea");
    const sent = form.dataset.sending ?? box.value;
    form.dataset.sent = sent;  // a new text gets a new key
    if (box.value === sent) box.value = "";  // a draft changed while sending stays
    if (form.id === "note") refreshTimeline();
  });
  // One key per composed reply: kept for a double click or a retry of the same text, renewed
  // once a sent reply's text is replaced (typed, or inserted by a canned response).
  document.addEventListener("htmx:configRequest", (e) => {
    const form = e.detail.elt;
    if (form instanceof HTMLFormElement && form.matches(".compose")) {
      form.dataset.sending = e.detail.parameters.text ?? "";  // what this request sends
    }
    if (!(form instanceof HTMLFormElement) || form.dataset.sent === undefined) return;
    const key = form.querySelector("input[name=idempotency_key]");
    if (!key || e.detail.parameters.text === form.dataset.sent) return;
    key.value = newKey();
    e.detail.parameters.idempotency_key = key.value;
    delete form.dataset.sent;
  });
  document.addEventListener("input", (e) => {
    const form = e.target.closest && e.target.closest("form.compose");
    if (!form || form.dataset.sent === undefined) return;
    delete form.dataset.sent;
    const key = form.querySelector("input[name=idempotency_key]");
    if (key) key.value = newKey();
  });
})();
