// Refusals (404, 409, 422) of the contact panel and the template picker come with the
// refreshed pane and the reason: swap them in like a success (htmx drops 4xx bodies by default).
// Delegated on document, so it serves panes swapped in later too.
document.addEventListener("htmx:beforeSwap", (e) => {
  const status = e.detail.xhr.status;
  const refusal = status === 404 || status === 409 || status === 422;
  if (refusal && e.detail.target.closest("[data-swap-refusals]")) {
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  }
});
