/* Long texts ([data-fold]) open folded to a few lines with a "展开全文" button (and "收起" back). Without script the
   whole text shows. */
(function () {
  "use strict";
  function setup(el) {
    if (el.dataset.foldReady) return;
    el.dataset.foldReady = "1";
    var lines = parseInt(el.dataset.fold || "8", 10);
    el.classList.add("fold-lines-" + (lines > 4 ? 8 : 4));
    el.classList.add("folded");
    if (el.scrollHeight <= el.clientHeight + 4) { el.classList.remove("folded"); return; }
    var chars = (el.textContent || "").trim().length;
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "link fold-toggle";
    btn.setAttribute("aria-expanded", "false");
    var more = "展开全文（共 " + chars + " 字）";
    btn.textContent = more;
    btn.addEventListener("click", function () {
      var folded = el.classList.toggle("folded");
      btn.textContent = folded ? more : "收起";
      btn.setAttribute("aria-expanded", folded ? "false" : "true");
      if (folded) el.scrollIntoView({ block: "nearest" });
    });
    el.insertAdjacentElement("afterend", btn);
  }
  function all(root) { (root || document).querySelectorAll("[data-fold]").forEach(setup); }
  document.addEventListener("DOMContentLoaded", function () { all(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { all(ev.target); });
})();
