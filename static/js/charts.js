/* Renders <canvas data-chart="ID"> with the Chart.js config in <script id="ID" type="application/json">
   (Django's json_script), on load and again after every htmx swap. */
(function () {
  "use strict";

  function dollars(value) {
    return "$" + Math.round(value).toLocaleString("en-US");
  }

  function render(root) {
    if (!window.Chart) return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) return;
      var config = JSON.parse(source.textContent);
      var options = config.options || {};
      if (options.money) {
        var axis = options.indexAxis === "y" ? "x" : "y";
        options.scales = options.scales || {};
        options.scales[axis] = { ticks: { callback: dollars } };
        options.plugins = options.plugins || {};
        options.plugins.tooltip = { callbacks: { label: function (ctx) { return dollars(ctx.parsed[axis]); } } };
      }
      delete options.money;
      options.animation = false;
      config.options = options;
      var existing = window.Chart.getChart(canvas);
      if (existing) existing.destroy();
      new window.Chart(canvas, config);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSwap", function (event) { render(event.detail.target || document); });
})();
