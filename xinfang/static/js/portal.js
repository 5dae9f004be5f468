// Portal form helpers (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  if (!form) return;
  var anonymous = form.querySelector("input[name=anonymous]");
  var identity = document.getElementById("identity");
  var nature = form.querySelector("select[name=nature]");
  var confidential = form.querySelector("input[name=confidential]");
  var hint = document.getElementById("report-hint");
  function sync() {
    if (anonymous && identity) identity.classList.toggle("hidden", anonymous.checked);
    var report = nature && nature.value === "report";
    if (report && confidential) { confidential.checked = true; }
    if (confidential) confidential.disabled = !!report;
    if (hint) hint.hidden = !report;
  }
  if (anonymous) anonymous.addEventListener("change", sync);
  if (nature) nature.addEventListener("change", sync);
  sync();
  form.addEventListener("submit", function () { if (confidential) confidential.disabled = false; });
})();
