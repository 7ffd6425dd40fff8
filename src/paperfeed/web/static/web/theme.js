// Light/dark toggle: follows prefers-color-scheme until the reader picks one (kept in localStorage).
(function () {
  var button = document.getElementById("theme-toggle");
  if (!button) return;
  function current() {
    var set = document.documentElement.dataset.theme;
    if (set) return set;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function label() {
    button.setAttribute("aria-pressed", current() === "dark" ? "true" : "false");
  }
  button.addEventListener("click", function () {
    var next = current() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    try { localStorage.setItem("paperfeed-theme", next); } catch (e) {}
    label();
  });
  label();
})();
