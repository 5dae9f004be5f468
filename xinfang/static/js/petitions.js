// Petition pages: the registration form adapts to the channel and hints at repeats while typing.
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) return;
  // After a refused submit the summary at the top takes the focus (its links lead to each field); otherwise the form
  // starts at its first field.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (ev) {
      var link = ev.target.closest("a[href^='#']");
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (target) { ev.preventDefault(); target.focus(); target.scrollIntoView({ block: "center" }); }
    });
  }
  var channel = form.querySelector("[name=channel]");
  function syncChannel() { form.setAttribute("data-channel", channel.value); }
  channel.addEventListener("change", syncChannel);
  syncChannel();

  var url = form.getAttribute("data-repeat-url");
  var box = document.getElementById("repeat-hints");
  var timer = null;
  function val(name) { var el = form.querySelector("[name=" + name + "]"); return el ? el.value.trim() : ""; }
  function check() {
    var params = new URLSearchParams({ id_number: val("id_number"), phone: val("phone"), content: val("content"), region: val("region") });
    if (!params.get("id_number") && !params.get("phone") && params.get("content").length < 8) { box.innerHTML = ""; return; }
    if (window.htmx) {
      window.htmx.ajax("GET", url + "?" + params.toString(), { target: box, swap: "innerHTML" });
    } else {
      fetch(url + "?" + params.toString(), { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) { box.innerHTML = html; });
    }
  }
  form.querySelectorAll("[data-repeat-check], [name=region]").forEach(function (el) {
    el.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 400); });
    el.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(check, 50); });
  });
  box.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-link-repeat]");
    if (!btn) return;
    var input = form.querySelector("[name=repeat_of]");
    input.value = btn.getAttribute("data-link-repeat");
    input.focus();
  });
})();
