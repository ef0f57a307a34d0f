// The leaders' dashboard: a trend chart per key indicator, and the county map of the one chosen.

/* global echarts */
import { boundaries, choropleth, refit } from './choropleth.js';
import { drawSparks, periodLabel, resizeAll } from './spark.js';

const config = JSON.parse(document.getElementById('dash-config').textContent);
const charts = drawSparks(document.querySelector('.dash__figures'));
const box = document.getElementById('dash-map');
const map = box ? echarts.init(box) : null;
let indicator = config.indicator;
let shown = null;

async function show(code) {
  indicator = code;
  box.dataset.state = 'loading';
  const response = await fetch(`${config.values}?indicator=${encodeURIComponent(code)}&level=village`, {
    credentials: 'same-origin',
  });
  if (!response.ok) return;
  const [geo, data] = await Promise.all([boundaries(config.geo, 'village'), response.json()]);
  await choropleth(map, geo, data);
  shown = geo;
  document.getElementById('dash-map-caption').textContent = data.indicator.name;
  document.getElementById('dash-map-period').textContent =
    `${periodLabel(data.period)}${data.indicator.unit ? ` · 单位：${data.indicator.unit}` : ''}`;
  for (const card of document.querySelectorAll('.kpi')) {
    card.classList.toggle('is-active', card.dataset.indicator === code);
  }
  box.dataset.state = 'ready';
}

if (map) {
  show(indicator);
  map.on('click', (p) => {
    if (p.componentType !== 'series' || !p.name) return;
    const url = new URL(config.map, location.href);
    url.searchParams.set('indicator', indicator);
    url.searchParams.set('division', p.name);
    location.href = url.toString();
  });
  document.querySelector('.dash__figures').addEventListener('click', (e) => {
    const card = e.target.closest('.kpi');
    if (card && !e.target.closest('a, summary, details')) show(card.dataset.indicator);
  });
}
// The anomalies come after the page: the first look after a refresh decomposes every series.
async function alerts() {
  const panel = document.getElementById('alerts');
  const counter = document.getElementById('anomaly-counter');
  const response = await fetch(config.alerts, { credentials: 'same-origin' });
  panel.removeAttribute('aria-busy');
  if (!response.ok) {
    panel.innerHTML = '<p class="muted">异常分析暂不可用。</p>';
    return;
  }
  panel.innerHTML = await response.text();
  const count = Number(panel.querySelector('[data-count]')?.dataset.count || 0);
  counter.querySelector('.counter__n').textContent = String(count);
  counter.classList.toggle('counter--warn', count > 0);
}
alerts();

window.addEventListener('resize', () => {
  resizeAll(charts);
  if (map) refit(map, shown);
});
window.onemap = { chart: map };
