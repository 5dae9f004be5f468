// Worklist for volume: keyboard navigation over the rows and the batch bar's count of ticked rows.
//   j / ↓  next row      k / ↑  previous row      Enter  open the row's petition
//   x / space  tick the row for the batch bar       /  the search box
// Keys typed into a field (search, batch inputs, saved-filter name) are left alone.
(function () {
  "use strict";
  // On a phone the filters fold away unless some are in force, so the list starts on the first screen.
  var box = document.getElementById("filter-box");
  if (box && window.matchMedia("(max-width: 700px)").matches && !/（已设条件）/.test(box.querySelector("summary").textContent)) box.open = false;
  var table = document.getElementById("worklist-table");
  if (!table) return;
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-row]"));
  var picked = document.getElementById("batch-picked");

  function typing(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag === "INPUT") return ["checkbox", "radio", "button", "submit", "reset"].indexOf(el.type) < 0;
    return false;
  }
  function current() {
    var el = document.activeElement;
    var row = el && el.closest ? el.closest("tr[data-row]") : null;
    return row && rows.indexOf(row) >= 0 ? row : null;
  }
  function focusRow(row) {
    if (!row) return;
    rows.forEach(function (r) { r.classList.toggle("kb-current", r === row); });
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var row = current() || table.querySelector("tr.kb-current");
    var i = row ? rows.indexOf(row) + step : (step > 0 ? 0 : rows.length - 1);
    focusRow(rows[Math.max(0, Math.min(rows.length - 1, i))]);
  }
  function updatePicked() {
    if (!picked) return;
    var n = table.querySelectorAll("input[name=rows]:checked").length;
    picked.textContent = n ? "已勾选 " + n + " 件" : "未勾选";
    rows.forEach(function (r) { var box = r.querySelector("input[name=rows]"); r.classList.toggle("picked", !!(box && box.checked)); });
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || !rows.length) return;
    if (typing(ev.target)) return;
    var row = current();
    var key = ev.key;
    if (key === "j" || (key === "ArrowDown" && row)) { ev.preventDefault(); move(1); }
    else if (key === "k" || (key === "ArrowUp" && row)) { ev.preventDefault(); move(-1); }
    else if (key === "Enter" && row && ev.target === row) {
      var link = row.querySelector("a[href]");
      if (link) { ev.preventDefault(); window.location.href = link.href; }
    } else if ((key === "x" || (key === " " && ev.target === row)) && row) {
      var box = row.querySelector("input[name=rows]");
      if (box) { ev.preventDefault(); box.checked = !box.checked; updatePicked(); }
    } else if (key === "/") {
      var q = document.querySelector("form[role=search] [name=q]");
      if (q) { ev.preventDefault(); q.focus(); q.select(); }
    }
  });
  table.addEventListener("change", function (ev) { if (ev.target.name === "rows") updatePicked(); });
  table.addEventListener("focusin", function (ev) {
    var row = ev.target.closest("tr[data-row]");
    if (row) rows.forEach(function (r) { r.classList.toggle("kb-current", r === row); });
  });
  updatePicked();

  // The batch bar shows the inputs of the chosen action only (data-for lists the actions an input serves).
  var form = document.getElementById("batch-form");
  var action = form && form.querySelector("select[name=action]");
  if (action) {
    var sync = function () {
      form.querySelectorAll("[data-for]").forEach(function (el) {
        el.hidden = el.getAttribute("data-for").split(" ").indexOf(action.value) < 0;
      });
    };
    action.addEventListener("change", sync);
    sync();
  }
})();
