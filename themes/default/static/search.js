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

  // Filters come from the URL (?author=Ada%20Lovelace&tag=diffusion): a name without a page of
  // its own links here. Each is an exact Pagefind filter value (the index's spelling of the name).
  var FILTERS = [["author", "Author"], ["tag", "Tag"], ["org", "Organization"]];
  var chosen = function (params) {
    var filters = {};
    FILTERS.forEach(function (f) {
      var values = params.getAll(f[0]).filter(Boolean);
      if (values.length) filters[f[0]] = values;
    });
    return filters;
  };
  var hasFilters = function (filters) { return Object.keys(filters).length > 0; };

  // Facet counts of the results, summed over the shards that count.
  var addCounts = function (total, counts) {
    Object.keys(counts || {}).forEach(function (name) {
      var into = total[name] = total[name] || {};
      Object.keys(counts[name]).forEach(function (value) {
        if (counts[name][value] > 0) into[value] = (into[value] || 0) + counts[name][value];
      });
    });
  };

  var searchAll = function (engines, query, filters) {
    var options = { filters: filters };
    if (!query.trim()) options.sort = { date: "desc" };
    return Promise.all(engines.map(function (pagefind) {
      return pagefind.search(query.trim() ? query : null, options).then(function (search) {
        var results = search ? search.results : [];
        var counts = search ? search.filters : {};
        if (!results.length || !query.trim()) return { results: results, counts: counts, strong: true };
        return results[0].data().then(function (data) {
          return { results: results, counts: counts, strong: strong(query, data) };
        });
      });
    })).then(function (shards) {
      var any = shards.some(function (s) { return s.strong; });
      var merged = [];
      var counts = {};
      // Shards are in date order: newest first when listing by date (no query words).
      (query.trim() ? shards : shards.slice().reverse()).forEach(function (s) {
        if (s.strong || !any) {
          merged.push.apply(merged, s.results);
          addCounts(counts, s.counts);
        }
      });
      if (query.trim()) merged.sort(function (a, b) { return b.score - a.score; });
      return { results: merged, counts: counts };
    });
  };

  var filterUrl = function (filters, name, value, add) {
    var url = new URL(window.location.href);
    url.searchParams.delete(name);
    (filters[name] || []).forEach(function (v) { if (v !== value) url.searchParams.append(name, v); });
    if (add) url.searchParams.append(name, value);
    return url.pathname + url.search;
  };

  var active = document.getElementById("search-filters");
  var facets = document.getElementById("search-facets");

  // Chips of the filters in force, each with a link that removes it.
  var showActive = function (filters) {
    active.replaceChildren();
    FILTERS.forEach(function (f) {
      (filters[f[0]] || []).forEach(function (value) {
        var li = document.createElement("li");
        li.className = "chip filter";
        li.append(f[1] + ": " + value + " ");
        var a = document.createElement("a");
        a.href = filterUrl(filters, f[0], value, false);
        a.setAttribute("aria-label", "Remove filter " + f[1] + ": " + value);
        a.textContent = "×";
        li.append(a);
        active.append(li);
      });
    });
  };

  // The most frequent tags, organisations and co-authors among the results, to narrow them.
  var FACET_SIZE = 8;
  var showFacets = function (filters, counts, n) {
    facets.replaceChildren();
    if (n < 2) return;
    FILTERS.forEach(function (f) {
      var own = filters[f[0]] || [];
      var values = Object.keys(counts[f[0]] || {}).filter(function (v) {
        return own.indexOf(v) < 0 && counts[f[0]][v] < n;
      }).sort(function (a, b) { return counts[f[0]][b] - counts[f[0]][a] || (a < b ? -1 : 1); });
      if (!values.length) return;
      var group = document.createElement("div");
      group.className = "facet";
      var h = document.createElement("h2");
      h.textContent = f[1] + "s";
      var ul = document.createElement("ul");
      values.slice(0, FACET_SIZE).forEach(function (value) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = filterUrl(filters, f[0], value, true);
        a.textContent = value;
        var count = document.createElement("span");
        count.className = "term-count";
        count.textContent = counts[f[0]][value];
        li.append(a, " ", count);
        ul.append(li);
      });
      group.append(h, ul);
      facets.append(group);
    });
  };

  var describe = function (query, filters) {
    var parts = [];
    if (query.trim()) parts.push("“" + query + "”");
    FILTERS.forEach(function (f) {
      (filters[f[0]] || []).forEach(function (v) { parts.push(f[1].toLowerCase() + " " + v); });
    });
    return parts.join(", ");
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
    var filters = chosen(url.searchParams);
    showActive(filters);
    if (!query.trim() && !hasFilters(filters)) {
      list.replaceChildren();
      facets.replaceChildren();
      status.textContent = "";
      return;
    }
    status.textContent = "Searching…";
    var what = describe(query, filters);
    load().then(function (engines) {
      return searchAll(engines, query, filters);
    }).then(function (found) {
      if (mine !== latest) return null;
      var results = found.results;
      showFacets(filters, found.counts, results.length);
      var shown = results.slice(0, MAX);
      return Promise.all(shown.map(function (r) { return r.data(); })).then(function (all) {
        if (mine !== latest) return;
        list.replaceChildren.apply(list, all.map(render));
        var n = results.length;
        status.textContent = n === 0 ? "No papers match " + what + "." :
          n + " paper" + (n === 1 ? "" : "s") + " match " + what +
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
  var params = new URLSearchParams(window.location.search);
  var initial = params.get("q") || "";
  if (initial || hasFilters(chosen(params))) {
    input.value = initial;
    var header = document.getElementById("site-q");
    if (header) header.value = initial;
    run(initial);
  } else {
    input.focus();
  }
})();
