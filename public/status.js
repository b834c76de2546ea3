/* MM Portal: keeps the public status page (/status/<key>) live without any WebAssembly.
 *
 * The server renders the whole checklist and pushes a note over Server-Sent Events
 * (/live/status/<key>, docs/LIVE.md) whenever this signup or its WABA changes; then this
 * re-reads the page and swaps the checklist in place (the page is small and compressed). An
 * idle page reads nothing. While the stream is down the page says it is reconnecting (the
 * browser reconnects by itself and, once back, the page reads once). Where the stream cannot
 * be had (no EventSource, or the server refused it, e.g. for an unknown key), the page reads
 * itself every two seconds instead, with a growing pause after failures. A tab in the
 * background reads nothing until it is shown again (then at once, if something changed). */
(function () {
  "use strict";
  var REFRESH_MS = 2000;
  var MAX_PAUSE_MS = 30000;
  var COALESCE_MS = 300;
  var pause = REFRESH_MS;
  var polling = false; // no stream: read on a timer
  var stale = false; // a change came while the tab was hidden
  var source = null;

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
  // In the page's language (the server puts it on #status); English if missing.
  var LOST = (root() && root().dataset.connectionLost) ||
    "Connection lost. This page will update again as soon as it is back.";

  var waiting = false; // a read is scheduled or running
  function schedule(ms) {
    waiting = true;
    setTimeout(function () { waiting = false; refresh(); }, ms);
  }

  function refresh() {
    if (!root()) return;
    if (ready()) { if (source) source.close(); return; }
    if (document.visibilityState === "hidden") { stale = true; return; }
    stale = false;
    waiting = true;
    fetch(location.pathname + location.search, { headers: { accept: "text/html" }, cache: "no-store" })
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
        notice(LOST);
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
      })
      .then(function () {
        waiting = false;
        if (ready()) { if (source) source.close(); return; }
        if (polling) schedule(pause);
      });
  }

  function poll() {
    if (polling) return;
    polling = true;
    if (!waiting) schedule(REFRESH_MS);
  }

  function follow() {
    var key = location.pathname.split("/").pop();
    if (!window.EventSource || !key) { poll(); return; }
    source = new EventSource("/live/status/" + encodeURIComponent(key));
    var pending = false;
    source.addEventListener("change", function () {
      if (pending) return;
      pending = true;
      setTimeout(function () { pending = false; if (!waiting) refresh(); }, COALESCE_MS);
    });
    source.onopen = function () { notice(null); };
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) {
        poll(); // refused (unknown key, too many streams): read on a timer
      } else {
        notice(LOST); // the browser reconnects, then the stream says what changed
      }
    };
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || waiting) return;
    if (stale || polling) refresh();
  });
  document.body.dataset.enhanced = "true";
  if (!ready()) follow();
})();
