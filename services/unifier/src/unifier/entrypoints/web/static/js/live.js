// One EventSource per page: each server-sent event becomes a DOM event on document,
// "hotline:<event name>" with the parsed JSON as detail. body[data-live] says whether it is up.
(() => {
  const source = new EventSource("/inbox/events");
  const names = ["change", "presence", "assignment"];
  source.addEventListener("open", () => { document.body.dataset.live = "connected"; });
  source.addEventListener("error", () => { document.body.dataset.live = "reconnecting"; });
  for (const name of names) {
    source.addEventListener(name, (e) => {
      document.dispatchEvent(new CustomEvent(`hotline:${name}`, {detail: JSON.parse(e.data)}));
    });
  }
})();
