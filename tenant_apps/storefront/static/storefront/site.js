// Menu search and allergen/dietary filters, in the page (the full menu is already there).
(function () {
  "use strict";
  function normal(text) { return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }
  function apply() {
    var query = normal((document.querySelector("[data-menu-search]") || {value: ""}).value.trim());
    var without = Array.prototype.map.call(document.querySelectorAll("[data-without]:checked"), function (b) { return b.value; });
    var only = Array.prototype.map.call(document.querySelectorAll("[data-only]:checked"), function (b) { return b.value; });
    var shown = 0;
    document.querySelectorAll(".item").forEach(function (item) {
      var allergens = (item.getAttribute("data-allergens") || "").split(" ");
      var dietary = (item.getAttribute("data-dietary") || "").split(" ");
      var ok = (!query || normal(item.getAttribute("data-name") || "").indexOf(query) >= 0) &&
        without.every(function (a) { return allergens.indexOf(a) < 0; }) &&
        only.every(function (d) { return dietary.indexOf(d) >= 0; });
      item.hidden = !ok;
      if (ok) shown += 1;
    });
    document.querySelectorAll(".category").forEach(function (category) {
      category.hidden = !category.querySelector(".item:not([hidden])");
    });
    var empty = document.querySelector("[data-menu-empty]");
    if (empty) empty.hidden = shown > 0;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".filters");
    if (!form) return;
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
  });
})();
