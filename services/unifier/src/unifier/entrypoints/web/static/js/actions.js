// Conversation actions (_thread_actions.html): errors shown in the fragment's alert slot, the
// browser's time zone sent with a snooze, canned responses inserted into the reply box, and a
// split mode that lets the agent tick messages ([data-message-id]) of the timeline.
// Listeners sit on document, so fragments swapped in later work without re-binding.
(() => {
  const SECTION = ".thread-actions";

  // A refused action (4xx) answers a small alert: show it in place of the scope's alert slot.
  document.addEventListener("htmx:beforeSwap", (e) => {
    const status = e.detail.xhr.status;
    const scope = e.detail.requestConfig?.elt?.closest("[data-alert-scope]");
    if (status < 400 || status >= 500 || !scope) return;
    const slot = scope.querySelector("[data-actions-alert]");
    if (!slot) return;
    e.detail.shouldSwap = true;
    e.detail.isError = false;
    e.detail.target = slot;
    e.detail.swapOverride = "outerHTML";
  });

  document.addEventListener("htmx:configRequest", (e) => {
    if (!e.detail.elt.closest(SECTION)) return;
    if ("tz" in e.detail.parameters || e.detail.elt.querySelector?.("[data-browser-tz]")) {
      e.detail.parameters.tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    }
  });

  // Times in the agent's own zone.
  const localise = (root) => {
    for (const t of root.querySelectorAll("time[data-local-time]")) {
      const when = new Date(t.getAttribute("datetime"));
      if (!Number.isNaN(when.getTime())) t.textContent = when.toLocaleString();
    }
  };
  document.addEventListener("DOMContentLoaded", () => localise(document));
  document.addEventListener("htmx:afterSettle", (e) => localise(e.detail.elt));

  // Opening a menu focuses its first field.
  document.addEventListener("toggle", (e) => {
    const menu = e.target;
    if (!(menu instanceof HTMLDetailsElement) || !menu.open || !menu.closest(SECTION)) return;
    menu.querySelector("input:not([type=hidden]), button")?.focus();
  }, true);

  // Canned responses: the server renders the text; insert it at the reply box's cursor.
  const status = (section, text) => {
    const out = section.querySelector("[data-canned-status]");
    if (out) out.textContent = text;
  };
  const insert = (box, text) => {
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.selectionStart = box.selectionEnd = start + text.length;
    box.dispatchEvent(new Event("input", {bubbles: true}));
    box.focus();
  };
  document.addEventListener("click", async (e) => {
    const pick = e.target.closest?.(".canned-pick");
    if (!pick) return;
    const section = pick.closest(SECTION);
    const box = document.querySelector("#reply textarea");
    if (!box) { status(section, "Open the reply box first."); return; }
    const answer = await fetch(pick.dataset.cannedUrl, {credentials: "same-origin"});
    if (!answer.ok) { status(section, `Could not load the canned response (${answer.status}).`); return; }
    const rendered = await answer.json();
    insert(box, rendered.text);
    pick.closest("details")?.removeAttribute("open");
    status(section, rendered.unknown.length
      ? `Inserted. Unknown placeholders left as written: ${rendered.unknown.join(", ")}`
      : "Inserted.");
  });

  // Split mode: a checkbox on each message of the timeline; the ticked ids go in the form.
  const messages = () => document.querySelectorAll("[data-message-id]");
  const splitForm = (el) => el.closest(SECTION)?.querySelector("[data-split-form]");
  const sync = (form) => {
    const picked = [...document.querySelectorAll("input.split-pick:checked")];
    const inputs = form.querySelector("[data-split-inputs]");
    inputs.replaceChildren(...picked.map((box) => {
      const hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "message_ids"; hidden.value = box.value;
      return hidden;
    }));
    const count = form.querySelector("[data-split-count]");
    count.textContent = `${picked.length} selected`;
    form.querySelector("[data-split-submit]").disabled = picked.length === 0;
  };
  const setSplit = (form, on) => {
    form.querySelector("[data-split-toggle]").setAttribute("aria-pressed", String(on));
    for (const sel of ["[data-split-count]", "[data-split-submit]", "[data-split-cancel]"]) {
      form.querySelector(sel).hidden = !on;
    }
    document.body.classList.toggle("splitting", on);
    for (const m of messages()) {
      m.querySelector(":scope > input.split-pick")?.remove();
      if (!on) continue;
      const box = document.createElement("input");
      box.type = "checkbox"; box.className = "split-pick"; box.value = m.dataset.messageId;
      box.setAttribute("aria-label", "Move this message to the new conversation");
      m.prepend(box);
    }
    sync(form);
  };
  document.addEventListener("click", (e) => {
    const toggle = e.target.closest?.("[data-split-toggle]");
    const cancel = e.target.closest?.("[data-split-cancel]");
    if (toggle) setSplit(splitForm(toggle), toggle.getAttribute("aria-pressed") !== "true");
    if (cancel) setSplit(splitForm(cancel), false);
  });
  document.addEventListener("change", (e) => {
    if (!e.target.matches?.("input.split-pick")) return;
    const form = document.querySelector(`${SECTION} [data-split-form]`);
    if (form) sync(form);
  });
  document.addEventListener("htmx:beforeSwap", (e) => {
    if (e.detail.target?.matches?.(SECTION) && e.detail.xhr.status < 400) {
      for (const box of document.querySelectorAll("input.split-pick")) box.remove();
      document.body.classList.remove("splitting");
    }
  });

  // After a merge or split the thread on screen changed: reload the thread pane (or page).
  document.addEventListener("hotline:thread-moved", (e) => {
    const id = e.detail.conversation;
    const pane = document.querySelector("#thread");
    if (pane && window.htmx) {
      window.htmx.ajax("GET", `/inbox/conversations/${encodeURIComponent(id)}`, {target: pane});
    } else if (document.body.dataset.page === "thread-actions") {
      window.location.assign(`/inbox/conversations/${encodeURIComponent(id)}/actions`);
    }
  });
})();
