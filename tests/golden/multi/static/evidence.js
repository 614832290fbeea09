// Remembers whether the reader wants the evidence marks shown. The marks work without
// this script (the checkbox drives them through CSS); this only keeps the choice.
(function () {
  "use strict";
  var key = "osce-digest:show-evidence";
  var box = document.getElementById("show-evidence");
  if (!box) { return; }
  try {
    var saved = window.localStorage.getItem(key);
    if (saved !== null) { box.checked = saved === "1"; }
    box.addEventListener("change", function () {
      window.localStorage.setItem(key, box.checked ? "1" : "0");
    });
  } catch (e) {
    // Storage can be unavailable (private mode, file://); the toggle still works.
  }
})();
