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
  // 问题发生地: over a thousand places. The select becomes an accessible type-ahead (GOV.UK's accessible-autocomplete,
  // served from static/vendor): type any part of 乡镇 村 组 ("兴旺 二组", "城关 兴旺"), ↑/↓ choose, Enter takes it;
  // every option is shown by its full place name. The select stays in the form, hidden, and is what is submitted.
  var region = form.querySelector("select[name=region]");
  if (region && window.accessibleAutocomplete && region.options.length > 50) {  // a short list stays a plain select
    var labels = [], byLabel = {}, byCode = {}, stack = [];
    Array.prototype.forEach.call(region.options, function (o) {
      if (!o.value) return;
      var m = o.text.match(/^(\u3000*)(.*)$/);
      var depth = m[1].length;
      stack[depth] = m[2];
      stack.length = depth + 1;
      var label = stack.slice(depth > 0 ? 1 : 0).join(" ");
      labels.push(label);
      byLabel[label] = o.value;
      byCode[o.value] = label;
    });
    var source = function (query, populate) {
      var words = query.trim().split(/\s+/).filter(Boolean);
      if (!words.length) { populate([]); return; }
      var hits = labels.filter(function (l) { return words.every(function (w) { return l.indexOf(w) >= 0; }); });
      // A place whose own name starts with what was typed first, then shorter (higher-level) names.
      var last = words[words.length - 1];
      hits.sort(function (a, b) {
        var an = a.slice(a.lastIndexOf(" ") + 1).indexOf(last) === 0 ? 0 : 1;
        var bn = b.slice(b.lastIndexOf(" ") + 1).indexOf(last) === 0 ? 0 : 1;
        return an - bn || a.length - b.length;
      });
      populate(hits.slice(0, 30));
    };
    var choose = function (label) {
      var code = label ? byLabel[label] : "";
      if (label === undefined) {
        var typed = document.getElementById(region.id.replace(/-select$/, ""));
        if (typed && typed.value.trim()) return; // left without choosing: keep the last choice
      }
      if (code !== undefined && region.value !== code) {
        region.value = code;
        region.dispatchEvent(new Event("change", { bubbles: true }));
      }
    };
    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: region,
      source: source,
      onConfirm: choose,
      defaultValue: byCode[region.value] || "",
      minLength: 1,
      showAllValues: false,
      autoselect: true,
      confirmOnBlur: true,
      displayMenu: "overlay",
      placeholder: "输入乡镇、村、组名检索，如：城关 兴旺",
      tNoResults: function () { return "未找到该地名"; },
      tStatusQueryTooShort: function (n) { return "请至少输入" + n + "个字"; },
      tStatusNoResults: function () { return "未找到该地名"; },
      tStatusSelectedOption: function (opt, len, idx) { return opt + "，第" + (idx + 1) + "项，共" + len + "项，已选中"; },
      tStatusResults: function (len, content) { return "找到" + len + "个地名，" + content; },
      tAssistiveHint: function () { return "输入后用上下方向键选择，回车确认"; },
    });
    var input = document.getElementById(region.id.replace(/-select$/, ""));
    if (input) {
      input.setAttribute("data-region-typeahead", "1");
      if (region.hasAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
    }
  }

  var channel = form.querySelector("[name=channel]");
  function syncChannel() { form.setAttribute("data-channel", channel.value); }
  channel.addEventListener("change", syncChannel);
  syncChannel();

  var url = form.getAttribute("data-repeat-url");
  var box = document.getElementById("repeat-hints");
  var timer = null, lastQuery = "";
  function val(name) { var el = form.querySelector("[name=" + name + "]"); return el ? el.value.trim() : ""; }
  function check() {
    var params = new URLSearchParams({ id_number: val("id_number"), phone: val("phone"), content: val("content"), region: val("region") });
    if (!params.get("id_number") && !params.get("phone") && params.get("content").length < 8) { box.innerHTML = ""; lastQuery = ""; return; }
    // The same question again (a change event after the typing) leaves the hint, and the keyboard's place in it, alone.
    if (params.toString() === lastQuery) return;
    lastQuery = params.toString();
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
  // 使用该信访人信息: the earlier petitioner's details, as far as the clerk may see them, copied into the form.
  function reuse(btn) {
    var params = new URLSearchParams({ id_number: val("id_number"), phone: val("phone") });
    fetch(btn.getAttribute("data-use-petitioner") + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var status = document.getElementById("reuse-status");
        var filled = [];
        Object.keys(data.fields || {}).forEach(function (name) {
          var el = form.querySelector("[name=" + name + "]");
          if (el && data.fields[name]) { el.value = data.fields[name]; filled.push(el.closest("label").querySelector("span").textContent.replace("*", "").trim()); }
        });
        var anonymous = form.querySelector("[name=anonymous]");
        if (filled.length && anonymous && anonymous.checked) { anonymous.checked = false; anonymous.dispatchEvent(new Event("change", { bubbles: true })); }
        var text = filled.length ? "已填入 " + data.reg_no + " 的信访人信息：" + filled.join("、") : "该信访件没有可复用的信访人信息";
        if (data.withheld && data.withheld.length) text += "（" + data.withheld.join("、") + "受保护，未填入）";
        if (status) status.textContent = text;
      })
      .catch(function () { var status = document.getElementById("reuse-status"); if (status) status.textContent = "未能读取该信访人信息，请手工填写"; });
  }

  box.addEventListener("click", function (ev) {
    var use = ev.target.closest("[data-use-petitioner]");
    if (use) { reuse(use); return; }
    var btn = ev.target.closest("[data-link-repeat]");
    if (!btn) return;
    var input = form.querySelector("[name=repeat_of]");
    input.value = btn.getAttribute("data-link-repeat");
    input.focus();
  });
})();
