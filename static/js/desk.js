// Keeps the support desk current without a reload: asks the desk's JSON
// for fresh counts every few seconds and updates the desk home's counts
// and the "a caller is waiting" banner on every admin page. Without
// JavaScript both still show what was true when the page was loaded.
(function () {
  "use strict";
  var source = document.querySelector("[data-desk-poll]");
  if (!source) return;
  var url = source.getAttribute("data-desk-poll");
  var every = parseInt(source.getAttribute("data-desk-every"), 10) || 5000;
  var title = document.title;

  function apply(data) {
    var counts = data.counts || {};
    document.querySelectorAll("[data-desk-count]").forEach(function (element) {
      var name = element.getAttribute("data-desk-count");
      if (!(name in counts)) return;
      element.textContent = String(counts[name]);
      var tile = element.closest("[data-desk-tile]");
      if (tile) tile.classList.toggle("desk-tile-busy", counts[name] > 0);
    });
    document.querySelectorAll("[data-desk-banner]").forEach(function (banner) {
      banner.hidden = !counts.waiting;
      var text = banner.querySelector("[data-desk-banner-text]");
      if (text) text.textContent = data.banner || "";
    });
    // A tab in the background says so in its title.
    document.title = counts.waiting ? "(" + counts.waiting + ") " + title : title;
  }

  function poll() {
    if (document.hidden) {
      window.setTimeout(poll, every);
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && data.counts) apply(data); })
      .catch(function () { /* signed out or offline: try again later */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
