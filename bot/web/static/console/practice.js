// "复制答复": copy the ready-to-read answer script to the clipboard.
(function () {
  "use strict";
  var button = document.getElementById("copy-answer");
  var script = document.getElementById("answer-script");
  var status = document.getElementById("copy-status");
  if (!button || !script) { return; }

  function done(ok) {
    status.textContent = ok ? button.dataset.copied : button.dataset.failed;
    document.body.dataset.copied = ok ? "yes" : "no";
  }

  function fallback() {
    script.focus();
    script.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    done(ok);
  }

  button.addEventListener("click", function () {
    var text = script.value;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  });
})();
