// The workbench's only script: the progress of a running run, polled from the JSON API.
(function () {
  "use strict";
  var box = document.getElementById("running");
  if (!box) return;
  var id = box.getAttribute("data-run");
  var bar = document.getElementById("progress");
  var text = document.getElementById("progress-text");
  function poll() {
    fetch("/api/runs/" + id, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (run) {
        bar.value = run.progress.done;
        text.textContent = run.progress.done.toLocaleString() + " of " +
          run.progress.total.toLocaleString() + " runs";
        if (run.status !== "running") { window.location.reload(); return; }
        window.setTimeout(poll, 250);
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }
  window.setTimeout(poll, 250);
})();
