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
  // 问题发生地: over a thousand places in one <select>; a search box above it finds one by typing part of its name
  // (a native <datalist>: keyboard and screen readers know it), and the select stays for those who prefer it.
  var region = form.querySelector("select[name=region]");
  if (region && region.options.length > 50) {
    var list = document.createElement("datalist");
    list.id = "region-options";
    var stack = [], byLabel = {}, byCode = {};
    Array.prototype.forEach.call(region.options, function (o) {
      if (!o.value) return;
      var m = o.text.match(/^(\u3000*)(.*)$/);
      var depth = m[1].length;
      stack[depth] = m[2];
      stack.length = depth + 1;
      var label = stack.slice(depth > 0 ? 1 : 0).join(" ");
      byLabel[label] = o.value;
      byCode[o.value] = label;
      var opt = document.createElement("option");
      opt.value = label;
      list.appendChild(opt);
    });
    var search = document.createElement("input");
    search.type = "search";
    search.id = "region-search";
    search.setAttribute("list", "region-options");
    search.setAttribute("autocomplete", "off");
    search.setAttribute("aria-label", "问题发生地：输入乡镇、村或组名检索");
    search.placeholder = "输入乡镇、村名检索，如：城关镇 兴旺村";
    search.value = byCode[region.value] || "";
    region.parentNode.insertBefore(search, region);
    region.parentNode.insertBefore(list, region);
    var pick = function () {
      var code = byLabel[search.value.trim()];
      if (code && region.value !== code) {
        region.value = code;
        region.dispatchEvent(new Event("change", { bubbles: true }));
      }
    };
    search.addEventListener("input", pick);
    search.addEventListener("change", pick);
    region.addEventListener("change", function () { if (byCode[region.value] !== search.value) search.value = byCode[region.value] || ""; });
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
