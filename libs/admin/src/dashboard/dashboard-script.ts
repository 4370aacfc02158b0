/**
 * The dashboard's only script, served as a file (the CSP allows no inline scripts): it draws each
 * `<canvas data-chart>` with Chart.js from the JSON in that attribute, then folds away the table that holds
 * the same figures (open by default, so the page reads without JavaScript).
 */
export const DASHBOARD_SCRIPT = `'use strict';
(function () {
  var Chart = window.Chart;
  if (!Chart) return;
  // The chart boxes take room only once there is something to draw in them.
  document.documentElement.classList.add('charts-drawn');
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.color = '#5b6475';
  document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    var spec = JSON.parse(canvas.getAttribute('data-chart'));
    var line = spec.type === 'line';
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (set) {
          return {
            label: set.label,
            data: set.data,
            backgroundColor: set.color,
            borderColor: set.color,
            borderWidth: line ? 2 : 0,
            pointRadius: line ? 3 : 0,
            spanGaps: false,
            maxBarThickness: 28,
          };
        }),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? 'y' : 'x',
        interaction: { mode: 'index', intersect: false },
        scales: (function () {
          // The value axis is y, or x for horizontal bars; counts get whole-number ticks.
          var category = { stacked: !!spec.stacked, ticks: { maxTicksLimit: 9, maxRotation: 0 }, grid: { display: false } };
          var value = {
            stacked: !!spec.stacked,
            beginAtZero: true,
            grace: line ? '10%' : 0,
            ticks: { precision: spec.integer ? 0 : undefined },
            title: { display: !!spec.unit, text: spec.unit },
          };
          return spec.horizontal ? { x: value, y: category } : { x: category, y: value };
        })(),
        plugins: { legend: { display: spec.datasets.length > 1, position: 'bottom', labels: { boxWidth: 12 } } },
      },
    });
    var table = document.getElementById(canvas.getAttribute('data-table'));
    if (table) table.open = false;
  });
})();
`;
