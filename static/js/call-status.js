// Keeps the case page's phone-call panel current without a reload: polls the
// case's call status every two seconds while a call is scheduled or under
// way, and reloads once when it starts or ends so the actions match.
(function () {
  "use strict";
  var panel = document.querySelector(".call-panel[data-status-url]");
  if (!panel) return;
  var label = panel.querySelector("[data-call-label]");
  if (!label) return;
  var url = panel.getAttribute("data-status-url");
  var lastState = null;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (call) {
        if (!call || !call.state) return;
        label.textContent = call.label;
        label.className = "status status-" + call.state;
        var changeable = panel.querySelector("[data-call-changeable]");
        if (changeable && !call.changeable) changeable.hidden = true;
        var due = panel.querySelector("[data-call-due]");
        if (due && !call.changeable) due.hidden = true;
        if (lastState && lastState !== call.state && !call.active) {
          window.location.reload();  // finished: show the timeline and actions
          return;
        }
        lastState = call.state;
        if (call.active) window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
