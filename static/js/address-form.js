// The address form shows the prefecture list for Japan and the free-text
// region for any other country. Without this script both are shown, with
// help texts that say which is which; the server decides either way.
(function () {
  "use strict";
  var country = document.getElementById("id_country");
  var prefecture = document.getElementById("id_prefecture");
  var region = document.getElementById("id_region");
  var postalCode = document.getElementById("id_postal_code");
  if (!country || !prefecture || !region) {
    return;
  }
  function show(field, visible) {
    var wrapper = field.closest("div") || field;
    wrapper.hidden = !visible;
    // A hidden field is neither filled in by the browser nor sent.
    field.disabled = !visible;
  }
  function update() {
    var japan = country.value === "JP";
    show(prefecture, japan);
    show(region, !japan);
    if (postalCode) {
      // 150-0041 is all digits; a UK or Canadian postcode is not.
      if (japan) {
        postalCode.setAttribute("inputmode", "numeric");
      } else {
        postalCode.removeAttribute("inputmode");
      }
    }
  }
  country.addEventListener("change", update);
  update();
})();
