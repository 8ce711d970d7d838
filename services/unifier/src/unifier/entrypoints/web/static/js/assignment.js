// The assignment fragment answers a refused command (409 unchanged, 422 unknown agent) with
// the refreshed fragment and its message: swap it in like a success.
(() => {
  document.addEventListener("htmx:beforeSwap", (e) => {
    const status = e.detail.xhr.status;
    const fromAssign = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest(".assign");
    if (fromAssign && (status === 409 || status === 422)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
