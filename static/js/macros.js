// The case page's canned replies: a click on a macro's button puts its text,
// rendered for this case by the server (support.macros), in the reply box.
// The text is set as the box's value, never parsed as HTML.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-macro-text]");
    if (!button) return;
    var box = document.getElementById(button.getAttribute("data-macro-for"));
    if (!box) return;
    var text = button.getAttribute("data-macro-text");
    // Into an empty box as it is; after what the agent already wrote, on a
    // new paragraph, so nothing typed is lost.
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + text : text;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  });
})();
