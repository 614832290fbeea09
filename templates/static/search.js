// Full-text search over the index the build writes into search/data/ (see search.py).
// A query reads meta.json, one terms file per word and the docs files of the results shown;
// words match as prefixes, every word must match, results are ranked by BM25.
// Opened from disk the browser forbids the fetches search needs: say so plainly.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form) { return; }
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  if (window.location.protocol === "file:" || !window.fetch) {
    document.getElementById("search-offline").hidden = false;
    form.hidden = true;
    return;
  }
  var base = form.getAttribute("data-index");
  var root = form.getAttribute("data-root");
  var FORMAT = 1, PAGE = 20, K1 = 1.2, B = 0.75, PREFIX_WEIGHT = 0.5;
  var MARKS = /[\u0300-\u036f]/g;
  var WORD = /[\p{L}\p{N}]+/gu;
  var files = {};
  var latest = 0;
  var shown = [];
  var query = [];

  // The same words as search.py's words(): lower case, no accents, two characters or more.
  function words(text) {
    var plain = text.toLowerCase().normalize("NFKD").replace(MARKS, "");
    return (plain.match(WORD) || []).filter(function (w) { return Array.from(w).length > 1; });
  }

  function shardOf(word) {
    return Array.from(word).slice(0, 2).map(function (c) {
      return c.codePointAt(0).toString(16);
    }).join("-");
  }

  function load(name) {
    if (!files[name]) {
      files[name] = fetch(base + name).then(function (response) {
        if (!response.ok) { throw new Error(name + ": HTTP " + response.status); }
        return response.json();
      });
      files[name].catch(function () { delete files[name]; });
    }
    return files[name];
  }

  // Documents containing a word (or a longer word it begins), with a weighted count.
  function matches(meta, word) {
    var shard = shardOf(word);
    if (meta.shards.indexOf(shard) < 0) { return Promise.resolve(new Map()); }
    return load("terms-" + shard + ".json").then(function (terms) {
      var found = new Map();
      Object.keys(terms).forEach(function (term) {
        if (term.slice(0, word.length) !== word) { return; }
        var weight = term === word ? 1 : PREFIX_WEIGHT;
        var postings = terms[term];
        var doc = 0;
        for (var i = 0; i < postings.length; i += 2) {
          doc = i === 0 ? postings[0] : doc + postings[i];
          found.set(doc, (found.get(doc) || 0) + weight * postings[i + 1]);
        }
      });
      return found;
    });
  }

  function rank(meta, found) {
    var total = meta.documents;
    var average = meta.lengths.reduce(function (a, b) { return a + b; }, 0) / Math.max(total, 1);
    var scores = null;
    found.forEach(function (docs) {
      var idf = Math.log(1 + (total - docs.size + 0.5) / (docs.size + 0.5));
      var next = new Map();
      docs.forEach(function (tf, doc) {
        if (scores !== null && !scores.has(doc)) { return; }
        var norm = K1 * (1 - B + B * meta.lengths[doc] / average);
        next.set(doc, (scores === null ? 0 : scores.get(doc)) + idf * tf * (K1 + 1) / (tf + norm));
      });
      scores = next;
    });
    return Array.from(scores.entries()).sort(function (a, b) {
      return b[1] - a[1] || a[0] - b[0];
    }).map(function (entry) { return entry[0]; });
  }

  function highlighted(text) {
    var fragment = document.createDocumentFragment();
    var at = 0;
    text.replace(WORD, function (token, offset) {
      var plain = words(token)[0];
      var hit = plain && query.some(function (w) { return plain.slice(0, w.length) === w; });
      if (hit) {
        fragment.appendChild(document.createTextNode(text.slice(at, offset)));
        var mark = document.createElement("mark");
        mark.textContent = token;
        fragment.appendChild(mark);
        at = offset + token.length;
      }
      return token;
    });
    fragment.appendChild(document.createTextNode(text.slice(at)));
    return fragment;
  }

  function item(row) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.className = "result-link";
    link.href = root + row[0] + "index.html";
    link.textContent = row[1];
    var kind = document.createElement("span");
    kind.className = "result-kind";
    kind.textContent = " \u00b7 " + row[2];
    li.appendChild(link);
    li.appendChild(kind);
    if (row[3]) {
      var context = document.createElement("p");
      context.className = "result-context muted";
      context.textContent = row[3];
      li.appendChild(context);
    }
    if (row[4]) {
      var excerpt = document.createElement("p");
      excerpt.appendChild(highlighted(row[4]));
      li.appendChild(excerpt);
    }
    return li;
  }

  function showMore(meta, run) {
    var next = shown.slice(list.children.length, list.children.length + PAGE);
    var chunks = Array.from(new Set(next.map(function (doc) {
      return Math.floor(doc / meta.chunk);
    })));
    return Promise.all(chunks.map(function (c) { return load("docs-" + c + ".json"); }))
      .then(function (loaded) {
        if (run !== latest) { return; }
        next.forEach(function (doc) {
          var rows = loaded[chunks.indexOf(Math.floor(doc / meta.chunk))];
          list.appendChild(item(rows[doc % meta.chunk]));
        });
        more.hidden = list.children.length >= shown.length;
      });
  }

  function say(text) { status.textContent = text; }

  function search(text) {
    var run = ++latest;
    query = words(text);
    list.textContent = "";
    more.hidden = true;
    shown = [];
    if (!text.trim()) { say(""); return Promise.resolve(); }
    if (!query.length) { say("Type a word of two letters or more."); return Promise.resolve(); }
    return load("meta.json").then(function (meta) {
      if (meta.format !== FORMAT) {
        throw new Error("the search index is from another version: rebuild the site");
      }
      return Promise.all(query.map(function (w) { return matches(meta, w); }))
        .then(function (found) {
          if (run !== latest) { return; }
          shown = rank(meta, found);
          var quoted = "\u201c" + text.trim() + "\u201d";
          say(shown.length === 0 ? "No results for " + quoted + "."
            : shown.length + (shown.length === 1 ? " result" : " results") + " for " + quoted + ".");
          return showMore(meta, run);
        });
    }).catch(function (problem) {
      if (run === latest) { say("Search failed: " + problem.message); }
    });
  }

  function update() {
    var text = input.value;
    var url = new URL(window.location.href);
    if (text.trim()) { url.searchParams.set("q", text); } else { url.searchParams.delete("q"); }
    window.history.replaceState(null, "", url);
    return search(text);
  }

  var timer = null;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 200);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    update();
  });
  more.addEventListener("click", function () {
    load("meta.json").then(function (meta) { return showMore(meta, latest); });
  });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    search(initial);
  }
})();
