// Small ECharts line charts drawn from data-series="[[period, value], …]" (oldest first).
// Colours come from the page's CSS variables, so the dark large-screen theme needs no JS.

/* global echarts */

export const FONT = '"Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

export function cssVar(name, fallback = '') {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export function formatValue(value, decimals) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return Number(value).toLocaleString('zh-CN', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

// 2025-03 → 2025年3月, 2025Q1 → 2025年第1季度, 2025 → 2025年 (as map_selectors.period_label).
export function periodLabel(period) {
  if (!period) return '';
  if (period.length === 4) return `${period}年`;
  if (period.includes('Q')) return `${period.slice(0, 4)}年第${period.slice(5)}季度`;
  return `${period.slice(0, 4)}年${Number(period.slice(5))}月`;
}

function option(series, { unit, axis }) {
  const line = cssVar('--chart-line', '#0b57a4');
  const text = cssVar('--chart-text', '#556070');
  const values = series.map(([, v]) => v);
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: axis ? { left: 8, right: 16, top: 12, bottom: 8, containLabel: true } : { left: 2, right: 2, top: 4, bottom: 4 },
    tooltip: {
      trigger: 'axis',
      confine: true,
      textStyle: { fontFamily: FONT },
      formatter: (ps) => `${periodLabel(ps[0].name)}<br><b>${ps[0].value ?? '—'}</b> ${unit}`,
    },
    xAxis: {
      type: 'category',
      data: series.map(([p]) => p),
      show: axis,
      boundaryGap: false,
      axisLabel: { color: text, interval: 'auto', hideOverlap: true },
      axisLine: { lineStyle: { color: text } },
    },
    yAxis: {
      type: 'value',
      scale: true,
      show: axis,
      splitNumber: 3,
      axisLabel: { color: text },
      splitLine: { lineStyle: { color: cssVar('--chart-grid', '#e5e9ef') } },
    },
    series: [{
      type: 'line',
      data: values,
      showSymbol: false,
      symbolSize: 4,
      lineStyle: { width: axis ? 2.5 : 1.5, color: line },
      itemStyle: { color: line },
      areaStyle: { color: line, opacity: 0.12 },
      connectNulls: false,
    }],
  };
}

// Draw every [data-series] under root; returns the charts so the caller can dispose of them.
export function drawSparks(root) {
  const charts = [];
  for (const el of root.querySelectorAll('[data-series]')) {
    const series = JSON.parse(el.dataset.series || '[]');
    if (series.length < 2) continue;
    const chart = echarts.init(el);
    chart.setOption(option(series, { unit: el.dataset.unit || '', axis: el.dataset.axis === '1' }));
    charts.push(chart);
  }
  return charts;
}

export function resizeAll(charts) {
  for (const c of charts) c.resize();
}
