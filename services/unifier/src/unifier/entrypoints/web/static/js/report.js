// The report reads hours, weekdays and days in the agent's own time zone, as snoozes do:
// opened without a zone, it asks again with the browser's.
(() => {
  const form = document.querySelector("form[data-browser-tz]");
  const url = new URL(window.location.href);
  if (!form || url.searchParams.get("tz")) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone === "UTC") return;
  url.searchParams.set("tz", zone);
  window.location.replace(url.toString());
})();
