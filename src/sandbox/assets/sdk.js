/* MM Portal sandbox: a stand-in for the Facebook JS SDK (connect.facebook.net/…/sdk.js).
 * Same call shapes as the real SDK for what Embedded Signup uses: FB.init, FB.login,
 * FB.getLoginStatus, and window.fbAsyncInit. FB.login opens the simulator's ES popup. */
(function () {
  "use strict";
  if (window.FB && window.FB.__mmSandbox) return;
  var script = document.currentScript;
  var SDK_ORIGIN = script ? new URL(script.src, location.href).origin : location.origin;
  var settings = null;

  function notConnected() {
    return { status: "unknown", authResponse: null };
  }

  var FB = {
    __mmSandbox: true,
    init: function (options) {
      if (!options || !options.appId) {
        throw new Error("FB.init: appId is required");
      }
      settings = { appId: String(options.appId), version: options.version || "" };
    },
    getLoginStatus: function (callback) {
      if (typeof callback === "function") callback(notConnected());
    },
    login: function (callback, options) {
      if (typeof callback !== "function") callback = function () {};
      if (!settings) {
        console.error("FB.login() called before FB.init().");
        callback(notConnected());
        return;
      }
      options = options || {};
      var params = new URLSearchParams({
        app_id: settings.appId,
        version: settings.version,
        config_id: options.config_id || "",
        response_type: options.response_type || "",
        override_default_response_type: String(!!options.override_default_response_type),
        extras: JSON.stringify(options.extras || {}),
        origin: location.origin
      });
      var popup = window.open(SDK_ORIGIN + "/sandbox/embedded-signup?" + params.toString(),
        "mm_sandbox_embedded_signup", "width=560,height=720");
      if (!popup) {
        // Blocked by the browser: the real SDK also ends without an authResponse.
        callback(notConnected());
        return;
      }
      var finished = false;
      function finish(response) {
        if (finished) return;
        finished = true;
        window.removeEventListener("message", onMessage);
        clearInterval(watch);
        callback(response);
      }
      function onMessage(event) {
        if (event.origin !== SDK_ORIGIN || event.source !== popup) return;
        var data;
        try { data = JSON.parse(event.data); } catch (e) { return; }
        if (!data || data.type !== "MM_SANDBOX_LOGIN_RESULT") return;
        finish(data.response && data.response.authResponse ? data.response : notConnected());
      }
      window.addEventListener("message", onMessage);
      var watch = setInterval(function () {
        // Closed without a result (the admin closed the window): report "unknown", like the
        // real SDK, after giving a last message time to arrive.
        if (popup.closed) setTimeout(function () { finish(notConnected()); }, 400);
      }, 250);
    }
  };
  window.FB = FB;
  if (typeof window.fbAsyncInit === "function") setTimeout(window.fbAsyncInit, 0);
})();
