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

  // The index comes in shards, one Pagefind bundle each (pagefind/1/, pagefind/2/ …), each
  // loaded as its own module and searched on its own (see `strong` for why not mergeIndex).
  var bundles = (form.dataset.bundles || "").split(" ").filter(Boolean);
  var base = { baseUrl: form.dataset.base };

  var load = function () {
    if (!bundles.length) return Promise.reject(new Error("no index"));
    engine = engine || Promise.all(bundles.map(function (bundle) {
      return import(bundle + "pagefind.js").then(function (pagefind) {
        return Promise.resolve(pagefind.options(base)).then(function () { return pagefind; });
      });
    }));
    return engine;
  };

  var words = function (text) {
    return text.toLocaleLowerCase().normalize("NFD").replace(/\p{M}/gu, "")
      .split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  };

  // When an index has no word starting with a query word, Pagefind falls back to words that
  // start it ("the" for "thermos", "a" for "aardvark"), matching nearly every paper. One index
  // does that only when nothing matches better; but a shard without the word would pour all
  // its papers into the results. So a shard counts only if its best result holds every query
  // word, a word it starts, or one sharing all but a short ending with it (a stemmed form).
  var strong = function (query, data) {
    var found = words(data.content || "");
    return words(query).every(function (q) {
      return found.some(function (w) {
        if (w.startsWith(q)) return true;
        var same = 0;
        while (same < q.length && same < w.length && q[same] === w[same]) same++;
        return same >= 3 && same >= Math.max(q.length, w.length) - 3;
      });
    });
  };

  var searchAll = function (engines, query) {
    return Promise.all(engines.map(function (pagefind) {
      return pagefind.search(query).then(function (search) {
        var results = search ? search.results : [];
        if (!results.length) return { results: results, strong: false };
        return results[0].data().then(function (data) {
          return { results: results, strong: strong(query, data) };
        });
      });
    })).then(function (shards) {
      var any = shards.some(function (s) { return s.strong; });
      var merged = [];
      shards.forEach(function (s) { if (s.strong || !any) merged.push.apply(merged, s.results); });
      return merged.sort(function (a, b) { return b.score - a.score; });
    });
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
    load().then(function (engines) {
      return searchAll(engines, query);
    }).then(function (results) {
      if (mine !== latest) return null;
      var shown = results.slice(0, MAX);
      return Promise.all(shown.map(function (r) { return r.data(); })).then(function (all) {
        if (mine !== latest) return;
        list.replaceChildren.apply(list, all.map(render));
        var n = results.length;
        status.textContent = n === 0 ? "No papers match “" + query + "”." :
          n + " paper" + (n === 1 ? "" : "s") + " match “" + query + "”" +
          (n > MAX ? "; showing the first " + MAX + "." : ".");
      });
    }).catch(function () {
      status.textContent = bundles.length ? "Search is not available: its index could not be loaded." :
        "There are no papers to search yet.";
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
