// paperfeed default theme: small progressive enhancements. Every page works without it.
(function () {
  "use strict";
  var root = document.documentElement;

  // Light/dark toggle. The choice is stored; without one the system setting applies.
  // (An inline script in <head> applies a stored choice before the first paint.)
  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    var dark = window.matchMedia("(prefers-color-scheme: dark)");
    var isDark = function () {
      return root.dataset.theme ? root.dataset.theme === "dark" : dark.matches;
    };
    var show = function () {
      toggle.setAttribute("aria-pressed", String(isDark()));
    };
    toggle.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("theme", next); } catch (e) { /* private mode: not kept */ }
      show();
    });
    if (dark.addEventListener) dark.addEventListener("change", show);
    show();
  }

  // Date picker: go straight to a day's page. Without script the form opens the calendar.
  var form = document.querySelector(".date-jump");
  if (form && window.fetch) {
    var input = form.querySelector("input");
    var status = form.querySelector(".date-status");
    var days = null;
    var load = function () {
      days = days || fetch(form.dataset.days).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (data) { return data.days; });
      return days;
    };
    var pretty = function (iso) {
      var p = iso.split("-");
      return new Date(Date.UTC(+p[0], p[1] - 1, +p[2])).toLocaleDateString(root.lang || undefined,
        { weekday: "short", year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
    };
    var link = function (iso, href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = pretty(iso);
      return a;
    };
    var go = function () {
      var day = input.value;
      if (!day) return;
      load().then(function (map) {
        if (map[day]) { window.location.href = map[day]; return; }
        var keys = Object.keys(map).sort();
        var before = keys.filter(function (k) { return k < day; }).pop();
        var after = keys.filter(function (k) { return k > day; })[0];
        status.textContent = "No papers on " + pretty(day) + ".";
        [["Before: ", before], ["After: ", after]].forEach(function (pair) {
          if (!pair[1]) return;
          status.append(" " + pair[0], link(pair[1], map[pair[1]]));
        });
      }).catch(function () { form.submit(); });
    };
    form.addEventListener("submit", function (event) { event.preventDefault(); go(); });
    input.addEventListener("change", function () { status.textContent = ""; });
    input.addEventListener("focus", load, { once: true });
  }

  // Copy the BibTeX entry (the button only exists for script users).
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var said = button.parentNode.querySelector(".copy-status");
    if (!source) return;
    var fallback = function () {
      getSelection().selectAllChildren(source);
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { /* unsupported */ }
      said.textContent = done ? "Copied." : "Selected: press Ctrl+C to copy.";
    };
    button.addEventListener("click", function () {
      if (!navigator.clipboard) { fallback(); return; }
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        said.textContent = "Copied.";
      }, fallback);
    });
  });
})();
