/* Counter page helpers (the page works without them): choosing the commune from the postcode as it is typed. */
(function () {
  "use strict";
  var postcode = document.getElementById("id_recipient_postcode");
  var commune = document.getElementById("id_recipient_commune");
  if (!postcode || !commune) { return; }
  postcode.addEventListener("input", function () {
    var code = postcode.value.replace(/\s/g, "");
    if (!/^\d{5}$/.test(code)) { return; }
    var matches = [];
    for (var i = 0; i < commune.options.length; i++) {
      if (commune.options[i].text.indexOf(code + " ") === 0) { matches.push(i); }
    }
    if (matches.length === 1) { commune.selectedIndex = matches[0]; }
  });
}());
