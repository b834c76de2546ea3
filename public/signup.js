/* MM Portal: launches Meta's Embedded Signup from the public signup page.
 *
 * - loads the Facebook JS SDK from the configured URL and calls FB.init;
 * - keeps the button disabled until both the SDK and the server-issued session nonce are ready;
 * - calls FB.login synchronously in the click (an await before it would get the popup blocked)
 *   with the Marketing Messages launch payload;
 * - accepts `message` events only from the exact configured origins and forwards each
 *   WA_EMBEDDED_SIGNUP event to the server, bound to the nonce;
 * - sends the code to the server, which exchanges it (the token never comes back here), then
 *   opens the status page. */
(function () {
  "use strict";
  if (window.__mmSignup) return;
  window.__mmSignup = true;

  // The page is complete as served (no WebAssembly on public pages): start at once, and tell
  // tests and scripts that the handlers are live.
  main();
  document.body.dataset.enhanced = "true";

  function main() {
  var root = document.getElementById("signup");
  if (!root) return;
  var config = null;
  var campaign = root.dataset.campaign || "";
  // Opened through a partner's signup link (/signup/link/<token>): the session is bound to
  // it on the server, and Meta's form is pre-filled with what the partner gave the link.
  var link = root.dataset.link || "";
  var linkPrefill = null;
  try { linkPrefill = root.dataset.prefill ? JSON.parse(root.dataset.prefill) : null; } catch (e) { linkPrefill = null; }
  function el(id) { return document.getElementById(id); }
  // The messages in the page's language (#signup-texts, from app/locales/*/public.ftl),
  // English when missing; `{name}` placeholders filled from `vars`.
  var texts = {};
  try { texts = JSON.parse((el("signup-texts") || {}).dataset.texts || "{}"); } catch (e) { texts = {}; }
  function tr(key, english, vars) {
    var text = texts[key] || english;
    Object.keys(vars || {}).forEach(function (name) { text = text.split("{" + name + "}").join(vars[name]); });
    return text;
  }
  var origins = [];
  var nonce = null;
  var sdkReady = false;
  var busy = false;
  var lastEvent = null;
  var email = "";

  function say(text, kind) {
    var notice = el("signup-notice");
    notice.textContent = text;
    notice.className = "notice" + (kind ? " " + kind : "");
    notice.dataset.kind = kind || "";
  }
  function refresh() {
    el("connect").disabled = !(sdkReady && nonce) || busy;
  }

  // Server functions: form-encoded arguments in, JSON out; errors come back as {"Variant": "message"}.
  // Over a rate limit (429) the error says how long to wait (`Retry-After`, in seconds), kept
  // on the error as `retryAfter` so a caller can try again by itself.
  function call(name, args) {
    return fetch("/api/" + name, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "accept": "application/json" },
      body: new URLSearchParams(args).toString()
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        if (response.status === 429) {
          var wait = parseInt(response.headers.get("retry-after") || "", 10);
          if (!(wait > 0)) wait = 10;
          var limited = new Error(tr("rate-limited", "Too many attempts from your network. Please try again in {seconds} s.", { seconds: wait }));
          limited.retryAfter = wait;
          throw limited;
        }
        if (!response.ok) {
          var message = body && typeof body === "object" ? Object.keys(body).map(function (k) { return body[k]; })[0] : null;
          throw new Error(typeof message === "string" ? message : tr("unreachable", "The server could not be reached (HTTP {status}).", { status: response.status }));
        }
        return body;
      });
    });
  }

  function newSession() {
    nonce = null;
    refresh();
    var args = campaign ? { campaign: campaign } : {};
    if (link) args.link = link;
    return call("signup_start", args).then(function (value) {
      nonce = value;
      refresh();
      if (sdkReady) say(tr("ready", "Ready. Press the button to open Meta's window."));
    }).catch(function (error) {
      if (error.retryAfter) {
        // Many signups from one network (an office, a mobile carrier): wait, then try again.
        say(tr("rate-limited-wait", "Too many attempts from your network. Trying again in {seconds} s…", { seconds: error.retryAfter }), "warn");
        setTimeout(newSession, error.retryAfter * 1000);
        return;
      }
      if (link) {
        // The link stopped working since the page was opened (expired, withdrawn, used).
        say(error.message, "error");
        return;
      }
      say(tr("session-failed", "We could not start a signup session: {reason} Reload the page to try again.", { reason: error.message }), "error");
    });
  }

  function loadSdk() {
    var timer = setTimeout(function () {
      if (!sdkReady) say(tr("sdk-slow", "Facebook sign-in is taking long to load. Check your connection or content blockers, then reload the page."), "error");
    }, 15000);
    window.fbAsyncInit = function () {
      try {
        FB.init({ appId: config.app_id, autoLogAppEvents: true, xfbml: true, version: config.graph_version });
      } catch (e) {
        say(tr("sdk-start-failed", "Facebook sign-in could not start: {reason}", { reason: e.message }), "error");
        return;
      }
      clearTimeout(timer);
      sdkReady = true;
      refresh();
      if (nonce) say(tr("ready", "Ready. Press the button to open Meta's window."));
    };
    var script = document.createElement("script");
    script.async = true;
    script.defer = true;
    script.crossOrigin = "anonymous";
    script.src = config.sdk_url;
    script.onerror = function () {
      clearTimeout(timer);
      say(tr("sdk-missing", "Facebook sign-in could not be loaded. Check your connection or allow this page in your content blocker, then reload."), "error");
    };
    document.head.appendChild(script);
  }

  window.addEventListener("message", function (event) {
    if (origins.indexOf(event.origin) < 0) return; // exact match only
    var data;
    try { data = typeof event.data === "string" ? JSON.parse(event.data) : null; } catch (e) { return; }
    if (!data || data.type !== "WA_EMBEDDED_SIGNUP" || !nonce) return;
    lastEvent = data;
    call("signup_event", { nonce: nonce, payload: JSON.stringify(data) }).catch(function () {});
    var info = data.data || {};
    if (data.event === "CANCEL" && info.current_step) {
      say(tr("cancelled", "You closed Meta's window at the step {step}. Press the button to try again.", { step: info.current_step }), "warn");
    } else if (info.error_message) {
      say(tr("meta-error", "Meta reported a problem: {reason} Press the button to try again.", { reason: info.error_message }), "error");
    } else if (/^FINISH/.test(data.event || "")) {
      say(tr("meta-done", "Meta's part is done. Connecting your account…"));
    }
  });

  // Prefill (Meta's `extras.setup`) from the link the partner sent, e.g.
  // /signup?business_name=Acme&business_email=admin@acme.example&business_website=https://acme.example
  function prefill() {
    var query = new URLSearchParams(location.search);
    var business = {};
    [["business_name", "name"], ["business_email", "email"], ["business_website", "website"]].forEach(function (pair) {
      var value = (query.get(pair[0]) || "").trim();
      if (value) business[pair[1]] = value.slice(0, 200);
    });
    var setup = Object.keys(business).length ? { business: business } : {};
    // The link's pre-fill (made by the partner) wins over the address's parameters.
    if (linkPrefill && typeof linkPrefill === "object") {
      if (linkPrefill.business) setup.business = linkPrefill.business;
      if (linkPrefill.phone) setup.phone = linkPrefill.phone;
    }
    return setup;
  }

  // Meta's launch shapes (docs/meta/es-v4.md). v4: `extras` holds only the pre-fill (and
  // the coexistence flow's featureType); the Marketing Messages API comes from the login
  // configuration. v3 (deprecated by Meta on 2026-10-15): the seeds' payload, with the
  // marketing_messages_lite feature, sessionInfoVersion and version.
  function extras() {
    var value = { setup: prefill() };
    if (config.feature_type) value.featureType = config.feature_type;
    if (config.es_version === "v3") {
      value.features = [{ name: "marketing_messages_lite" }];
      value.sessionInfoVersion = "3";
      value.version = "v3";
    } else if (config.feature_type) {
      value.sessionInfoVersion = "3";
    }
    if (config.solution_id) value.setup.solutionID = config.solution_id;
    return value;
  }

  function onLogin(response) {
    var code = response && response.authResponse && response.authResponse.code;
    if (!code) {
      busy = false;
      var sent = nonce;
      // Give a CANCEL or error message from the window a moment to arrive and explain itself.
      setTimeout(function () {
        if (!lastEvent) {
          say(tr("popup-closed", "Meta's window was closed before finishing, or your browser blocked it. Allow pop-ups for this page and press the button again."), "warn");
        }
        if (sent) call("signup_abandoned", { nonce: sent }).catch(function () {});
        newSession();
      }, 400);
      return;
    }
    say(tr("connecting", "Connecting your account with Meta…"));
    var done = { nonce: nonce, code: code };
    if (email) done.email = email;
    call("signup_complete", done).then(function (statusKey) {
      say(tr("connected", "Connected. Opening your status page…"), "ok");
      location.assign("/status/" + encodeURIComponent(statusKey));
    }).catch(function (error) {
      busy = false;
      say(error.message, "error");
      newSession();
    });
  }

  document.addEventListener("click", function (event) {
    var button = el("connect");
    if (!button || event.target !== button || button.disabled || busy) return;
    // The optional email for the status link and Meta's requests: checked before Meta's
    // window opens (still synchronously in the click, or the popup would be blocked).
    var field = el("admin-email");
    email = field ? field.value.trim() : "";
    if (email && field.validity && !field.validity.valid) {
      say(tr("email-invalid", "This email address does not look right. Correct it or leave the field empty."), "error");
      field.focus();
      return;
    }
    busy = true;
    lastEvent = null;
    refresh();
    say(tr("window-open", "Meta's window is open. Finish the steps there."));
    FB.login(onLogin, {
      config_id: config.config_id,
      response_type: "code",
      override_default_response_type: true,
      extras: extras()
    });
    call("signup_launched", { nonce: nonce }).catch(function () {});
  });

  // The page carries the launch settings; ask the server only if it did not.
  var embedded = null;
  try {
    var holder = el("signup-config");
    embedded = holder && holder.dataset.config ? JSON.parse(holder.dataset.config) : null;
  } catch (e) { embedded = null; }
  (embedded ? Promise.resolve(embedded) : call("signup_config", {})).then(function (value) {
    config = value;
    origins = config.origins && config.origins.length ? config.origins : [location.origin];
    newSession();
    loadSdk();
  }).catch(function (error) {
    say(tr("unavailable", "Signup is not available right now: {reason}", { reason: error.message }), "error");
  });
  }
})();
