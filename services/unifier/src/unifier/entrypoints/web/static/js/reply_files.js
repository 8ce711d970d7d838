// The composer's files: each chosen file is uploaded at once (POST /api/tenants/{t}/uploads,
// the session's CSRF header), then named by a hidden "attachments" input the reply form sends.
// A refused upload (too large, ...) says why and attaches nothing; a sent reply empties the list.
(() => {
  const csrf = () => JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";

  function item(box, name) {
    const li = document.createElement("li");
    li.className = "uploading";
    li.textContent = name;  // the agent's own file name, as text
    box.querySelector(".reply-file-list").append(li);
    return li;
  }

  function attached(li, answer) {
    li.classList.remove("uploading");
    li.dataset.ref = answer.ref;
    const ref = document.createElement("input");
    Object.assign(ref, {type: "hidden", name: "attachments", value: answer.ref});
    const remove = document.createElement("button");
    Object.assign(remove, {type: "button", className: "reply-file-remove", textContent: "Remove"});
    remove.setAttribute("aria-label", `Remove ${answer.filename}`);
    li.append(ref, remove);
    changed(li);
  }

  // Other files are another reply: thread.js gives the form a new Idempotency-Key on input.
  const changed = (el) => el.dispatchEvent(new Event("input", {bubbles: true}));

  async function upload(box, file) {
    const li = item(box, file.name);
    const body = new FormData();
    body.append("file", file);
    const res = await fetch(box.dataset.uploadUrl, {method: "POST", body, headers: {"X-CSRF-Token": csrf()}});
    const answer = await res.json().catch(() => ({}));
    if (res.ok) return attached(li, answer);
    li.remove();
    box.querySelector(".reply-file-status").textContent =
      `Not attached: ${file.name}: ${answer.detail || `the server answered ${res.status}`}.`;
  }

  document.addEventListener("change", async (e) => {
    const input = e.target.closest && e.target.closest(".reply-file-input");
    if (!input) return;
    const box = input.closest(".reply-files");
    box.querySelector(".reply-file-status").textContent = "";
    const files = Array.from(input.files);
    input.value = "";  // the same file may be chosen again
    for (const f of files) await upload(box, f);
  });
  document.addEventListener("click", (e) => {
    const remove = e.target.closest && e.target.closest(".reply-file-remove");
    if (!remove) return;
    const form = remove.closest("form");
    remove.closest("li").remove();
    if (form) changed(form);
  });
  document.addEventListener("htmx:afterRequest", (e) => {
    const form = e.detail.elt;
    if (!(form instanceof HTMLFormElement) || form.id !== "reply") return;
    if (!e.detail.successful || e.detail.xhr.status >= 300) return;  // refused: the files stay
    for (const li of form.querySelectorAll(".reply-file-list li")) li.remove();
  });
})();
