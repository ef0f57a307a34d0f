// The county's choropleth, shared by the one map and the dashboard: the boundaries are
// registered with ECharts once per level, then any indicator's values colour them.

/* global echarts */
import { FONT, cssVar, formatValue } from './spark.js';

// Canvas text does not make the browser fetch a web font's subsets as DOM text does:
// load the glyphs first, or the names come out as empty boxes where no CJK font is installed.
export async function glyphs(text) {
  if (!document.fonts) return;
  try {
    await Promise.all([
      document.fonts.load(`14px "Noto Sans SC"`, text),
      document.fonts.load(`700 14px "Noto Sans SC"`, text),
    ]);
  } catch {
    // a system font will do
  }
}

function bigScreen() {
  return document.body.classList.contains('screen') || matchMedia('(min-width: 1920px)').matches;
}

function points(geometry) {
  if (!geometry) return [];
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
  return rings.flat();
}

const maps = new Map(); // level → {mapName, names, aspect, ratio}

export async function boundaries(url, level) {
  if (maps.has(level)) return maps.get(level);
  const response = await fetch(`${url}?level=${level}`, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`未能读取边界（${response.status}）`);
  const geo = await response.json();
  const names = {};
  let [west, south, east, north] = [180, 90, -180, -90];
  for (const f of geo.features) {
    names[f.properties.code] = f.properties.name;
    for (const [lon, lat] of points(f.geometry)) {
      [west, east] = [Math.min(west, lon), Math.max(east, lon)];
      [south, north] = [Math.min(south, lat), Math.max(north, lat)];
    }
  }
  await glyphs(Object.values(names).join(''));
  const mapName = `county-${level}`;
  echarts.registerMap(mapName, geo);
  // A degree of longitude is shorter than one of latitude by cos(latitude).
  const aspect = south < north ? Math.cos(((south + north) / 2) * (Math.PI / 180)) : 0.75;
  const ratio = south < north ? ((east - west) * aspect) / (north - south) : 1;
  const entry = { mapName, names, aspect, ratio };
  maps.set(level, entry);
  return entry;
}

// The map as large as the chart allows without stretching it, above the legend's strip.
function layout(chart, geo) {
  const pad = 8;
  const legend = bigScreen() ? 56 : 44;
  const width = chart.getWidth() - 2 * pad;
  const height = chart.getHeight() - pad - legend;
  const w = Math.max(Math.min(width, height * geo.ratio), 10);
  return {
    layoutCenter: [pad + width / 2, pad + height / 2],
    layoutSize: Math.max(w, w / geo.ratio), // ECharts: the longer side
  };
}

// On a phone the box takes the map's own shape, so a wide county leaves no empty band.
export function fitBox(chart, geo) {
  const box = chart.getDom();
  const narrow = matchMedia('(max-width: 59.99rem)').matches;
  const height = Math.min(Math.max(box.clientWidth / geo.ratio + 60, 260), innerHeight * 0.75);
  const wanted = narrow ? `${Math.round(height)}px` : '';
  if (box.style.height !== wanted) {
    box.style.height = wanted;
    chart.resize();
  }
}

// After the chart's box changes size: resize, and fit the map to it again.
export function refit(chart, geo) {
  chart.resize();
  if (geo) chart.setOption({ series: [layout(chart, geo)] });
}

// The colour visualMap gives a value, so hovering or choosing a division keeps its colour
// (ECharts would otherwise paint it with the emphasis colour).
function colourScale(palette, min, max) {
  const stops = palette.map((c) => {
    const n = parseInt(c.trim().slice(1), 16);
    return [n >> 16, (n >> 8) & 255, n & 255];
  });
  return (value) => {
    const t = Math.min(Math.max((value - min) / (max - min), 0), 1) * (stops.length - 1);
    const i = Math.min(Math.floor(t), stops.length - 2);
    const rgb = stops[i].map((a, k) => Math.round(a + (stops[i + 1][k] - a) * (t - i)));
    return `rgb(${rgb.join(',')})`;
  };
}

function item(code, value, colour) {
  if (value === null || value === undefined) return { name: code, value: NaN };
  const areaColor = colour(value);
  return { name: code, value, emphasis: { itemStyle: { areaColor } }, select: { itemStyle: { areaColor } } };
}

// Draw ``data`` (as /map/values.json answers) on ``chart`` over the boundaries ``geo``.
export async function choropleth(chart, geo, data, { labels = false, selected = '' } = {}) {
  const { unit, decimals } = data.indicator;
  fitBox(chart, geo);
  await glyphs(`${unit}暂无数据0123456789.,-`);
  const big = bigScreen();
  const text = cssVar('--chart-text', '#556070');
  let { min, max } = data;
  if (min === null) [min, max] = [0, 1];
  if (min === max) max = min + 1; // one value: still a legend
  const name = (p) => geo.names[p.name] || p.name;
  const palette = cssVar('--map-palette', '#eef5fb,#c6dbef,#6baed6,#2171b5,#08306b').split(',');
  const colour = colourScale(palette, min, max);
  const shown = {
    show: true, formatter: name, color: '#fff', textBorderColor: '#000', textBorderWidth: 2,
    fontWeight: 'bold', fontFamily: FONT, fontSize: big ? 16 : 12,
  };
  chart.setOption(
    {
      textStyle: { fontFamily: FONT },
      animationDurationUpdate: 300,
      tooltip: {
        trigger: 'item',
        confine: true,
        textStyle: { fontFamily: FONT },
        formatter: (p) => {
          const none = p.value === undefined || Number.isNaN(p.value);
          return `${name(p)}<br>${none ? '暂无数据' : `<b>${formatValue(p.value, decimals)}</b> ${unit}`}`;
        },
      },
      visualMap: {
        type: 'continuous',
        orient: 'horizontal',
        min,
        max,
        left: 'center',
        bottom: 4,
        itemWidth: big ? 16 : 12,
        itemHeight: big ? 320 : 180,
        calculable: false,
        precision: decimals,
        text: [`${formatValue(max, decimals)} ${unit}`, `${formatValue(min, decimals)} ${unit}`],
        textGap: 8,
        textStyle: { color: text, fontSize: big ? 16 : 12, fontFamily: FONT },
        inRange: { color: palette },
        seriesIndex: 0,
      },
      series: [
        {
          type: 'map',
          map: geo.mapName,
          nameProperty: 'code',
          aspectScale: geo.aspect,
          roam: true,
          scaleLimit: { min: 0.8, max: 12 },
          ...layout(chart, geo),
          selectedMode: 'single',
          data: data.values.map((v) => item(v.code, v.value, colour)),
          itemStyle: {
            areaColor: cssVar('--map-empty', '#e3e7ec'),
            borderColor: cssVar('--map-border', '#fff'),
            borderWidth: labels ? 1.5 : 0.8,
          },
          label: {
            show: labels, formatter: name, color: cssVar('--c-text', '#1b2430'), fontSize: big ? 14 : 11,
            textBorderColor: cssVar('--c-surface', '#fff'), textBorderWidth: 2, fontFamily: FONT,
          },
          // No label appears on hover: one drawn between a press and its release would swallow
          // the click (zrender wants both on the same element), and the tooltip names it anyway.
          emphasis: { label: { show: labels }, itemStyle: { borderColor: '#ffb000', borderWidth: 2 } },
          select: { label: shown, itemStyle: { borderColor: '#ff7a00', borderWidth: 3 } },
        },
      ],
    },
    { replaceMerge: ['series'] },
  );
  if (selected) chart.dispatchAction({ type: 'select', seriesIndex: 0, name: selected });
}
