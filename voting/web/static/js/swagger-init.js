// Starts the vendored Swagger UI on /schema/swagger (an inline start script would break the CSP).
(function () {
  var container = document.getElementById("swagger-container");
  if (!container || typeof SwaggerUIBundle !== "function") return;
  window.ui = SwaggerUIBundle({
    url: container.dataset.specUrl,
    dom_id: "#swagger-container",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis]
  });
})();
