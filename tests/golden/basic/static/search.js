// Starts Pagefind's search UI (generated into pagefind/ at build time) and runs the query
// from ?q=. Opened from disk the browser forbids the fetches search needs: say so plainly.
(function () {
  "use strict";
  var box = document.getElementById("search");
  var offline = document.getElementById("search-offline");
  if (!box) { return; }
  if (window.location.protocol === "file:" || typeof window.PagefindUI === "undefined") {
    offline.hidden = false;
    return;
  }
  var ui = new window.PagefindUI({
    element: "#search",
    bundlePath: box.getAttribute("data-bundle"),
    showSubResults: true,
    showImages: false
  });
  // Pagefind names its field only by a title attribute; give it a real accessible name.
  var input = box.querySelector(".pagefind-ui__search-input");
  if (input) { input.setAttribute("aria-label", "Search the reports"); }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { ui.triggerSearch(query); }
})();
