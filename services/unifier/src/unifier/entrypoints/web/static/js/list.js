// The conversation list: live refresh on hotline:change (only changed rows are replaced; scroll,
// focus and checked boxes stay), the selected row, and the bulk toolbar (POST .../bulk).
(() => {
  const PAGE_MAX = 500; // the list route's largest page
  const $ = (sel, root = document) => root.querySelector(sel);
  const rows = () => $("#rows");
  let timer = null;
  let busy = false;
  let again = false;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"] || ""; }
    catch { return ""; }
  }

  function listUrl(size) {
    const params = new URLSearchParams(new FormData($("#filters")));
    params.set("limit", String(size));
    return `/inbox/list?${params}`;
  }

  // Refetch as many rows as are shown and put each changed row in place of the old one.
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const shown = rows().querySelectorAll(":scope > li.row").length;
      const limit = Number(new FormData($("#filters")).get("limit") || 50);
      const res = await fetch(listUrl(Math.min(PAGE_MAX, Math.max(limit, shown))));
      if (res.ok) merge(new DOMParser().parseFromString(await res.text(), "text/html"));
    } finally {
      busy = false;
      if (again) { again = false; schedule(); }
    }
  }

  function merge(doc) {
    const list = rows();
    const scroller = $("#list-body");
    const anchor = topRow(scroller);
    const old = new Map([...list.querySelectorAll(":scope > li.row")].map((li) => [li.dataset.id, li]));
    const wanted = [];
    for (const fresh of doc.querySelectorAll("#rows > li")) {
      const before = old.get(fresh.dataset.id);
      if (before && before.dataset.sig === fresh.dataset.sig) { wanted.push(before); continue; }
      const node = document.adoptNode(fresh);
      if (before) {
        $(".pick", node).checked = $(".pick", before).checked;
        if ($(".open", before).hasAttribute("aria-current")) $(".open", node).setAttribute("aria-current", "true");
      }
      wanted.push(node);
    }
    const focused = document.activeElement;
    wanted.forEach((node, i) => {
      if (list.children[i] !== node) list.insertBefore(node, list.children[i] || null);
      if (!node.dataset.live) { window.htmx.process(node); node.dataset.live = "1"; }
    });
    while (list.children.length > wanted.length) list.lastElementChild.remove();
    const count = $("#list-count", doc);
    if (count) $("#list-count").textContent = count.textContent;
    if (focused && !document.contains(focused)) restoreFocus(focused);
    keep(scroller, anchor);
  }

  // The row at the top of the visible list and its offset: after a refresh the agent sees the
  // same rows in the same place, whatever arrived above them.
  function topRow(scroller) {
    const edge = scroller.getBoundingClientRect().top;
    for (const li of rows().querySelectorAll(":scope > li.row")) {
      const top = li.getBoundingClientRect().top;
      if (top - edge >= -li.offsetHeight / 2) return {id: li.dataset.id, offset: top - edge, scrollTop: scroller.scrollTop};
    }
    return {id: null, offset: 0, scrollTop: scroller.scrollTop};
  }

  function keep(scroller, anchor) {
    const li = anchor.id && rows().querySelector(`li.row[data-id="${CSS.escape(anchor.id)}"]`);
    if (!li || anchor.scrollTop === 0) { scroller.scrollTop = anchor.scrollTop; return; }
    const now = li.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    scroller.scrollTop += now - anchor.offset;
  }

  function restoreFocus(lost) {
    const li = lost.closest("li.row");
    const same = li && rows().querySelector(`li.row[data-id="${CSS.escape(li.dataset.id)}"] .${lost.className.split(" ")[0]}`);
    if (same) same.focus();
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  function picked() {
    return [...document.querySelectorAll("#rows .pick:checked")].map((box) => box.value);
  }

  function params(action, form) {
    if (action === "assign") return {assignee: form.assignee.value || null};
    if (action === "label") return {labels: [form.label.value.trim()].filter(Boolean)};
    return {};
  }

  function summary(results) {
    const failed = results.filter((r) => !r.ok);
    const ok = results.length - failed.length;
    const lines = [`${ok} of ${results.length} done.`];
    for (const r of failed) lines.push(`${r.id}: ${r.error}${r.detail ? ` (${r.detail})` : ""}`);
    return lines.join(" ");
  }

  function reason(body, status) {
    if (typeof body.detail === "string" && body.detail) return body.detail;
    if (Array.isArray(body.detail)) return body.detail.map((d) => d.msg).join("; ");
    return body.error || `HTTP ${status}`;
  }

  async function bulk(event) {
    event.preventDefault();
    const form = event.target;
    const action = event.submitter ? event.submitter.value : "";
    const status = $("#bulk-status");
    const ids = picked();
    if (!ids.length) { status.textContent = "Select conversations first."; return; }
    const res = await fetch(form.dataset.endpoint, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
      body: JSON.stringify({ids, action, ...params(action, form)}),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) { status.textContent = `Not done: ${reason(body, res.status)}`; return; }
    status.textContent = summary(body.results);
    status.dataset.done = String(Date.now());
    for (const r of body.results) {
      const box = rows().querySelector(`li.row[data-id="${CSS.escape(r.id)}"] .pick`);
      if (box && r.ok) box.checked = false;
    }
    $("#pick-all").checked = false;
    schedule();
  }

  function select(event) {
    const link = event.target.closest("#rows a.open");
    if (!link) return;
    for (const other of document.querySelectorAll("#rows a.open[aria-current]")) other.removeAttribute("aria-current");
    link.setAttribute("aria-current", "true");
    $("#f-selected").value = link.closest("li.row").dataset.id;
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.addEventListener("hotline:change", schedule);
    $("#bulk").addEventListener("submit", bulk);
    $("#pick-all").addEventListener("change", (e) => {
      for (const box of document.querySelectorAll("#rows .pick")) box.checked = e.target.checked;
    });
    document.addEventListener("click", select);
  });
})();
