// Keyboard shortcuts, generic: an element with data-shortcut="<key>" is focused (a field) or
// clicked (anything else) when that key is pressed outside fields; "?" lists them all in a
// dialog (each with its title); j/k open the next/previous conversation of #list; Esc closes
// dialogs.
(() => {
  const FIELDS = "input, textarea, select, [contenteditable=''], [contenteditable=true]";
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);

  function activate(el) {
    if (el.matches(FIELDS)) el.focus();
    else { el.focus(); el.click(); }
  }

  function rows() { return Array.from(document.querySelectorAll("#list [data-id]")); }
  function step(by) {
    const all = rows();
    if (!all.length) return;
    const open = document.querySelector(".thread-pane[data-thread-id]")?.dataset.threadId;
    const current = "[aria-current=true], [aria-current=page], [aria-selected=true], .selected";
    const at = all.findIndex((r) => r.matches(current) || r.querySelector(current) || r.dataset.id === open);
    const next = all[Math.min(all.length - 1, Math.max(0, at < 0 ? 0 : at + by))];
    const target = next.matches("a, button") ? next : next.querySelector("a, button") || next;
    target.focus();
    target.click();
  }

  function help() {
    let dialog = document.getElementById("shortcuts-help");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "shortcuts-help";
      dialog.className = "shortcuts-help";
      dialog.setAttribute("aria-labelledby", "shortcuts-title");
      document.body.append(dialog);
    }
    const title = document.createElement("h2");
    title.id = "shortcuts-title";
    title.textContent = "Keyboard shortcuts";
    const list = document.createElement("dl");
    const add = (key, what) => {
      const dt = document.createElement("dt");
      const kbd = document.createElement("kbd");
      kbd.textContent = key;
      dt.append(kbd);
      const dd = document.createElement("dd");
      dd.textContent = what;
      list.append(dt, dd);
    };
    add("j / k", "Next / previous conversation");
    for (const el of document.querySelectorAll("[data-shortcut]")) {
      add(el.dataset.shortcut, el.title || el.getAttribute("aria-label") || el.textContent.trim());
    }
    add("?", "This help");
    add("Esc", "Close dialogs");
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", () => dialog.close());
    dialog.replaceChildren(title, list, close);
    if (!dialog.open) dialog.showModal();
    close.focus();
  }

  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      for (const d of document.querySelectorAll("dialog[open]")) d.close();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (e.target.closest && e.target.closest(FIELDS)) return;
    if (document.querySelector("dialog[open]") && e.key !== "?") return;
    if (e.key === "?") { e.preventDefault(); help(); return; }
    const keys = e.shiftKey && e.key.length === 1 ? [e.key, `shift+${e.key.toLowerCase()}`] : [e.key];
    const el = Array.from(document.querySelectorAll("[data-shortcut]"))
      .find((x) => keys.includes(x.dataset.shortcut) && visible(x) && !x.disabled);
    if (el) { e.preventDefault(); activate(el); return; }
    if (e.key === "j") { e.preventDefault(); step(1); }
    else if (e.key === "k") { e.preventDefault(); step(-1); }
  });
})();
