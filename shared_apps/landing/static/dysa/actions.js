// Small page behaviours declared with data attributes, so no page needs inline event handlers
// (the Content-Security-Policy forbids them): data-action="print", data-submit-on-change,
// data-copy-from="<element id>", and data-no-submit on forms that filter in place.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action], [data-copy-from]");
    if (!target) return;
    if (target.dataset.action === "print") window.print();
    var source = target.dataset.copyFrom && document.getElementById(target.dataset.copyFrom);
    if (source && navigator.clipboard) navigator.clipboard.writeText(source.textContent);
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-submit-on-change]") && event.target.form) {
      event.target.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[data-no-submit]")) event.preventDefault();
  });
})();
