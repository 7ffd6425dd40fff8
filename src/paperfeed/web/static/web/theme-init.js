// The reader's chosen theme, applied before the page paints (loaded without defer, so no flash of
// the other theme). A static file, not an inline script: the Content-Security-Policy forbids those.
(function () {
  try {
    var t = localStorage.getItem("paperfeed-theme");
    if (t) document.documentElement.dataset.theme = t;
  } catch (e) {}
})();
