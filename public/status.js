/* MM Portal: keeps the public status page (/status/<key>) live without any WebAssembly.
 *
 * The server renders the whole checklist. Every two seconds, until the account is ready, this
 * re-reads the page and swaps the checklist in place (the page is small and compressed). A
 * failed read keeps the last checklist, says the page is reconnecting and tries again with a
 * growing pause; the first good read clears the notice. A tab in the background reads nothing
 * until it is shown again (then at once). */
(function () {
  "use strict";
  var REFRESH_MS = 2000;
  var MAX_PAUSE_MS = 30000;
  var pause = REFRESH_MS;

  function root() { return document.getElementById("status"); }
  function ready() {
    var card = document.querySelector('[data-testid="status-card"]');
    return card && card.dataset.ready === "true";
  }
  function notice(text) {
    var el = document.getElementById("status-offline");
    if (!text) { if (el) el.remove(); return; }
    if (!el) {
      el = document.createElement("p");
      el.id = "status-offline";
      el.className = "notice warn";
      el.setAttribute("role", "status");
      el.dataset.testid = "status-offline";
      var container = root();
      if (container) container.parentNode.insertBefore(el, container);
    }
    el.textContent = text;
  }

  var waiting = false; // a read is scheduled or running
  function schedule(ms) {
    waiting = true;
    setTimeout(function () { waiting = false; refresh(); }, ms);
  }

  function refresh() {
    if (ready() || !root()) return;
    if (document.visibilityState === "hidden") return; // resumed by visibilitychange
    waiting = true;
    fetch(location.pathname, { headers: { accept: "text/html" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok && response.status !== 404) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("status");
        if (!next) throw new Error("no checklist in the answer");
        var current = root();
        if (current.innerHTML !== next.innerHTML) current.innerHTML = next.innerHTML;
        notice(null);
        pause = REFRESH_MS;
      })
      .catch(function () {
        notice("Connection lost. This page will update again as soon as it is back.");
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
      })
      .then(function () { waiting = false; if (!ready()) schedule(pause); });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !waiting) refresh();
  });
  document.body.dataset.enhanced = "true";
  schedule(REFRESH_MS);
})();
