// ibid UI: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // "/" focuses the search box, unless the reader is typing somewhere already.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.getElementById("top-q");
    if (box) {
      e.preventDefault();
      box.focus();
    }
  });

  // Shared passages: a view switch (diff / A only / B only) and expand/collapse all.
  var passages = document.querySelector(".passages");
  if (!passages) return;
  var bar = document.createElement("div");
  bar.className = "view-switch";
  var views = [["diff", "Differences"], ["a", "Text A"], ["b", "Text B"]];
  views.forEach(function (v, i) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = v[1];
    b.setAttribute("aria-pressed", i === 0 ? "true" : "false");
    b.addEventListener("click", function () {
      passages.classList.remove("show-a", "show-b");
      if (v[0] !== "diff") passages.classList.add("show-" + v[0]);
      bar.querySelectorAll("button[aria-pressed]").forEach(function (o) {
        o.setAttribute("aria-pressed", o === b ? "true" : "false");
      });
    });
    bar.appendChild(b);
  });
  var toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "toggle-all";
  toggle.textContent = "Expand all";
  toggle.addEventListener("click", function () {
    var all = passages.querySelectorAll("details.passage");
    var open = toggle.textContent === "Expand all";
    all.forEach(function (d) { d.open = open; });
    toggle.textContent = open ? "Collapse all" : "Expand all";
  });
  bar.appendChild(toggle);
  passages.parentNode.insertBefore(bar, passages);
})();
