// 数字乡村一张图: a choropleth of one indicator for one period, drawn by ECharts from the
// county's own boundaries (no tiles). Click or tap a division for its profile.

/* global echarts */
import { boundaries, choropleth, refit } from './choropleth.js';
import { drawSparks, periodLabel, resizeAll } from './spark.js';

const config = JSON.parse(document.getElementById('onemap-config').textContent);
const $ = (id) => document.getElementById(id);
const ui = {
  map: $('map'),
  indicator: $('indicator'),
  slider: $('period'),
  sliderLabel: $('period-label'),
  play: $('play'),
  caption: $('map-caption'),
  captionPeriod: $('map-period'),
  unit: $('map-unit'),
  status: $('map-status'),
  profile: $('profile'),
  pick: $('division-pick'),
};
const state = {
  indicator: config.indicator,
  level: config.level,
  period: config.period,
  periods: [],
  division: config.division,
  data: null,
};
let names = {}; // division code → name, from the boundaries
let shown = null; // the boundaries drawn
const chart = echarts.init(ui.map);
let sparks = [];
let timer = null;
let loading = null;
const latest = { map: 0, profile: 0 }; // answers that come back out of order are dropped

window.onemap = { chart, state }; // for the browser test and the curious

async function getJSON(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error || `请求失败（${response.status}）`);
  }
  return response.json();
}

// The period of ``periods`` nearest to ``wanted`` without going past it (2025Q1 ends in 2025-03).
function periodEnd(p) {
  if (p.length === 4) return `${p}-12`;
  if (p.includes('Q')) return `${p.slice(0, 4)}-${String(Number(p.slice(5)) * 3).padStart(2, '0')}`;
  return p;
}
function nearest(periods, wanted) {
  const before = periods.filter((p) => periodEnd(p) <= periodEnd(wanted));
  return before.length ? before[before.length - 1] : periods[0];
}

async function load() {
  const ticket = ++latest.map;
  ui.map.dataset.state = 'loading';
  const query = new URLSearchParams({ indicator: state.indicator, level: state.level });
  if (state.period) query.set('period', state.period);
  try {
    const [geo, data] = await Promise.all([
      boundaries(config.geo, state.level),
      getJSON(`${config.values}?${query}`),
    ]);
    if (ticket !== latest.map) return null;
    if (data.periods.length && !data.periods.includes(data.period)) {
      state.period = nearest(data.periods, data.period); // another frequency: keep to the same time
      return load();
    }
    Object.assign(state, { period: data.period, periods: data.periods, data });
    if (names !== geo.names) fillPicker(geo.names);
    names = geo.names;
    shown = geo;
    await choropleth(chart, geo, data, { labels: state.level === 'town', selected: state.division });
    if (ticket !== latest.map) return null;
    syncControls();
    ui.status.textContent = data.values.length ? '' : '该期暂无数据。';
    ui.map.dataset.state = 'ready';
  } catch (err) {
    ui.status.textContent = err.message;
    ui.map.dataset.state = 'error';
  }
  return null;
}

// The divisions in a list too: for the keyboard, and for fingers too big for a small village.
function fillPicker(byCode) {
  const options = Object.entries(byCode)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, name]) => new Option(name, code));
  ui.pick.replaceChildren(new Option(state.level === 'town' ? '选择镇…' : '选择村…', ''), ...options);
}

function syncControls() {
  const { periods } = state;
  ui.slider.max = String(Math.max(periods.length - 1, 0));
  ui.slider.value = String(Math.max(periods.indexOf(state.period), 0));
  ui.slider.disabled = periods.length < 2;
  ui.play.disabled = periods.length < 2;
  ui.sliderLabel.textContent = periodLabel(state.period);
  const ind = state.data.indicator;
  ui.caption.textContent = ind.name;
  ui.captionPeriod.textContent = periodLabel(state.period);
  ui.unit.textContent = `${ind.unit ? `单位：${ind.unit} · ` : ''}${ind.direction === 'down' ? '越小越好' : '越大越好'}`;
  const query = new URLSearchParams(location.search);
  for (const key of ['indicator', 'level', 'period', 'division']) {
    if (state[key]) query.set(key, state[key]);
    else query.delete(key);
  }
  history.replaceState(null, '', `?${query}`);
  ui.pick.value = names[state.division] ? state.division : '';
}

async function openProfile(code) {
  const ticket = ++latest.profile;
  state.division = code;
  syncControls();
  ui.profile.setAttribute('aria-busy', 'true');
  const url = config.profile.replace('000000000000', encodeURIComponent(code));
  const response = await fetch(state.period ? `${url}?period=${state.period}` : url, { credentials: 'same-origin' });
  const html = response.ok ? await response.text() : '';
  if (ticket !== latest.profile) return;
  ui.profile.removeAttribute('aria-busy');
  if (!response.ok) {
    ui.status.textContent = '未能打开该区划的画像。';
    return;
  }
  for (const c of sparks) c.dispose();
  ui.profile.innerHTML = html;
  ui.profile.classList.add('is-open');
  sparks = drawSparks(ui.profile);
  markCurrent();
  if (matchMedia('(max-width: 59.99rem)').matches) ui.profile.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

// The indicator on the map stands out in the profile.
function markCurrent() {
  for (const li of ui.profile.querySelectorAll('.pi')) {
    li.classList.toggle('is-current', li.dataset.indicator === state.indicator);
  }
}

function closeProfile() {
  for (const c of sparks) c.dispose();
  sparks = [];
  state.division = '';
  ui.profile.classList.remove('is-open');
  ui.profile.innerHTML = '<p class="onemap__hint muted">点击（手机上轻触）地图上的村或镇，查看它的全部指标、趋势、排名和数据来源。</p>';
  chart.dispatchAction({ type: 'unselect', seriesIndex: 0, name: Object.keys(names) });
  syncControls();
}

// A slider dragged through 24 months would ask for each; wait until it rests a moment.
function setPeriod(period) {
  state.period = period;
  ui.sliderLabel.textContent = periodLabel(period);
  clearTimeout(loading);
  loading = setTimeout(async () => {
    await load();
    if (state.division) openProfile(state.division);
  }, 120);
}

function stop() {
  clearInterval(timer);
  timer = null;
  ui.play.textContent = '▶';
  ui.play.setAttribute('aria-pressed', 'false');
}

ui.indicator.addEventListener('change', () => {
  state.indicator = ui.indicator.value;
  markCurrent();
  load();
});
for (const radio of document.querySelectorAll('input[name="level"]')) {
  radio.addEventListener('change', () => {
    state.level = radio.value;
    load();
  });
}
ui.slider.addEventListener('input', () => {
  stop();
  setPeriod(state.periods[Number(ui.slider.value)]);
});
ui.play.addEventListener('click', () => {
  if (timer) return stop();
  ui.play.textContent = '⏸';
  ui.play.setAttribute('aria-pressed', 'true');
  let i = state.periods.indexOf(state.period);
  if (i >= state.periods.length - 1) i = -1; // from the start again
  timer = setInterval(() => {
    i += 1;
    if (i >= state.periods.length) return stop();
    ui.slider.value = String(i);
    setPeriod(state.periods[i]);
    return null;
  }, 1200);
  return null;
});
ui.pick.addEventListener('change', () => {
  if (!ui.pick.value) return;
  chart.dispatchAction({ type: 'select', seriesIndex: 0, name: ui.pick.value });
  openProfile(ui.pick.value);
});
chart.on('click', (p) => {
  if (p.componentType === 'series' && p.name) openProfile(p.name);
});
ui.profile.addEventListener('click', (e) => {
  if (e.target.closest('[data-close]')) closeProfile();
});
new ResizeObserver(() => {
  refit(chart, shown);
  resizeAll(sparks);
}).observe(ui.map);

load().then(() => {
  if (state.division) openProfile(state.division);
});
