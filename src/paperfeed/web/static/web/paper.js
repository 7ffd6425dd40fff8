// The paper page's "Copy BibTeX" button: copies the entry the server wrote into <pre id="bibtex">.
// A static file, not an inline script, so a Content-Security-Policy without 'unsafe-inline'
// allows it. The button is rendered hidden and shown here: without JavaScript it could do nothing
// (the entry is still there to select, under "BibTeX").
(function () {
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    var status = button.parentElement.querySelector(".copy-status");
    function say(ok) {
      if (status) status.textContent = ok ? "BibTeX copied." : "Could not copy: select the entry below.";
      if (!ok) {
        var details = source.closest("details");
        if (details) details.open = true;
      }
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { say(true); },
          function () { say(fallbackCopy(text)); }
        );
      } else {
        say(fallbackCopy(text));
      }
    });
  });
})();
