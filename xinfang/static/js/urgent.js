// 紧急报告：15分钟上报倒计时（无内联脚本，CSP 要求）。
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function start() {
    var el = document.getElementById("countdown");
    if (!el || !el.dataset.deadline) { return; }
    var label = document.getElementById("countdown-label");
    var deadline = Date.parse(el.dataset.deadline);
    // Use the server's clock: offset between server "now" and this browser's clock.
    var skew = el.dataset.now ? Date.parse(el.dataset.now) - Date.now() : 0;
    function tick() {
      var left = Math.round((deadline - (Date.now() + skew)) / 1000);
      var abs = Math.abs(left);
      var text = pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
      if (left >= 0) {
        el.textContent = "剩余 " + text;
        el.classList.remove("late");
      } else {
        el.textContent = "已超时 " + text;
        el.classList.add("late");
        if (label) { label.textContent = "已超过15分钟上报时限，请立即上报并如实记录"; }
      }
    }
    tick();
    window.setInterval(tick, 1000);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
