// Search page: queries the Pagefind index in the browser (loaded only on this page).
(function () {
  "use strict";
  var form = document.querySelector(".search-page");
  if (!form) return;
  var input = form.querySelector("input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var MAX = 30;
  var engine = null;
  var latest = 0;
  var timer = 0;

  var load = function () {
    engine = engine || import(form.dataset.bundle + "pagefind.js").then(function (pagefind) {
      return Promise.resolve(pagefind.options({ baseUrl: form.dataset.base })).then(function () {
        return pagefind;
      });
    });
    return engine;
  };

  // Pagefind's excerpt is HTML with <mark>s: keep only text and the marks.
  var excerpt = function (html) {
    var parsed = document.createElement("template");
    parsed.innerHTML = html;
    var p = document.createElement("p");
    parsed.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.append(mark);
      } else {
        p.append(node.textContent);
      }
    });
    return p;
  };

  var render = function (data) {
    var li = document.createElement("li");
    li.className = "result";
    var h2 = document.createElement("h2");
    var a = document.createElement("a");
    a.href = data.url;
    a.textContent = data.meta.title || data.url;
    h2.append(a);
    li.append(h2);
    var about = [data.meta.authors, data.meta.date].filter(Boolean).join(" · ");
    if (about) {
      var by = document.createElement("p");
      by.className = "byline";
      by.textContent = about;
      li.append(by);
    }
    li.append(excerpt(data.excerpt || ""));
    return li;
  };

  var run = function (query) {
    var mine = ++latest;
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    if (!query.trim()) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    status.textContent = "Searching…";
    load().then(function (pagefind) {
      return pagefind.search(query);
    }).then(function (search) {
      if (mine !== latest) return null;
      var shown = search.results.slice(0, MAX);
      return Promise.all(shown.map(function (r) { return r.data(); })).then(function (all) {
        if (mine !== latest) return;
        list.replaceChildren.apply(list, all.map(render));
        var n = search.results.length;
        status.textContent = n === 0 ? "No papers match “" + query + "”." :
          n + " paper" + (n === 1 ? "" : "s") + " match “" + query + "”" +
          (n > MAX ? "; showing the first " + MAX + "." : ".");
      });
    }).catch(function () {
      status.textContent = "Search is not available: its index could not be loaded.";
    });
  };

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run(input.value);
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value); }, 180);
  });
  var initial = new URLSearchParams(window.location.search).get("q") || "";
  if (initial) {
    input.value = initial;
    var header = document.getElementById("site-q");
    if (header) header.value = initial;
    run(initial);
  } else {
    input.focus();
  }
})();
