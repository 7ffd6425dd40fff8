// Fields marked data-select-on-focus (the new API token) select their whole text when focused, to
// copy it in one go. A static file, not an onfocus="" attribute: the Content-Security-Policy runs
// no inline handlers.
(function () {
  document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
