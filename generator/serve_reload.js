// paperfeed serve: live reload, added to every HTML page the preview serves (never written to disk).
// Polls the build status beside this script (/__paperfeed/status); reloads the page when a new
// build succeeded, and shows a failed build's error over the page (the last good site stays).
(function () {
  "use strict";
  var POLL_MS = 500;
  var status = document.currentScript ? new URL("status", document.currentScript.src).href
                                      : "/__paperfeed/status";
  var known = null;
  function overlay(message) {
    var box = document.getElementById("paperfeed-build-error");
    if (!message) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "paperfeed-build-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,0,0,.92);color:#fff;font:14px/1.5 ui-monospace,monospace";
      document.body.appendChild(box);
    }
    box.innerHTML = "";
    var title = document.createElement("h2");
    title.textContent = "paperfeed: the build failed (showing the last good site underneath)";
    title.style.cssText = "margin:0 0 1rem;font:bold 16px/1.4 system-ui,sans-serif;color:#ffb4b4";
    var text = document.createElement("pre");
    text.textContent = message;
    text.style.cssText = "margin:0;white-space:pre-wrap";
    box.appendChild(title);
    box.appendChild(text);
  }
  function poll() {
    fetch(status, {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (s) {
        if (known !== null && s.version !== known && !s.error) { location.reload(); return; }
        known = s.version;
        overlay(s.error);
        setTimeout(poll, POLL_MS);
      }, function () { setTimeout(poll, POLL_MS * 4); });
  }
  poll();
})();
