/* ReDoc from the sidecar bundle, started here rather than in an inline script (the CSP forbids those).
   System fonts: the stock page would load Montserrat and Roboto from fonts.googleapis.com. */
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  if (!container || typeof Redoc === "undefined") return;
  var fonts = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';
  Redoc.init(
    container.dataset.schemaUrl,
    {
      nonce: container.dataset.styleNonce,
      disableSearch: true, // its search runs in a blob: worker, which the CSP refuses
      hideDownloadButton: false,
      expandResponses: "200,201",
      theme: {
        typography: { fontFamily: fonts, headings: { fontFamily: fonts }, code: { fontFamily: "monospace" } },
        colors: { primary: { main: "#b3261e" } },
      },
    },
    container
  );
})();
