import { bytes } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

/**
 * Bars of bytes backed up per day and, in a band below, failures per day, for the days given
 * (`[{day: Date, bytes, failures}]`, oldest first). Drawn as inline SVG with a text summary for screen readers.
 */
export function activityChart(days, availableWidth = 720) {
  // Drawn at the width it is shown at, so the labels keep a readable size on a phone.
  const width = Math.round(Math.max(300, Math.min(1100, availableWidth)));
  const labelEvery = width < 520 ? 10 : 5;
  const top = 16;
  const bytesHeight = 150;
  const failTop = top + bytesHeight + 28;
  const failHeight = 40;
  const left = 64;
  const right = 8;
  const height = failTop + failHeight + 22;
  const slot = (width - left - right) / days.length;
  const maxBytes = Math.max(1, ...days.map((d) => d.bytes));
  const maxFailures = Math.max(1, ...days.map((d) => d.failures));
  const totalBytes = days.reduce((sum, d) => sum + d.bytes, 0);
  const totalFailures = days.reduce((sum, d) => sum + d.failures, 0);
  const label = `Last ${days.length} days: ${bytes(totalBytes)} backed up, ${totalFailures} failed job${totalFailures === 1 ? '' : 's'}.`;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label }, s('title', {}, label));

  svg.append(s('line', { class: 'axis', x1: left, y1: top + bytesHeight, x2: width - right, y2: top + bytesHeight }));
  svg.append(s('text', { x: left - 6, y: top + 4, 'text-anchor': 'end' }, bytes(maxBytes)));
  svg.append(s('text', { x: left - 6, y: top + bytesHeight, 'text-anchor': 'end' }, '0'));
  svg.append(s('text', { x: left - 6, y: failTop + 10, 'text-anchor': 'end' }, `${maxFailures} fail`));
  svg.append(s('line', { class: 'axis', x1: left, y1: failTop + failHeight, x2: width - right, y2: failTop + failHeight }));

  days.forEach((day, i) => {
    const x = left + i * slot + slot * 0.15;
    const w = slot * 0.7;
    const dayText = day.day.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
    if (day.bytes > 0) {
      const h = Math.max(2, (day.bytes / maxBytes) * bytesHeight);
      svg.append(s('rect', { class: 'bar', x, y: top + bytesHeight - h, width: w, height: h, rx: 1 }, s('title', {}, `${dayText}: ${bytes(day.bytes)} backed up`)));
    }
    if (day.failures > 0) {
      const h = Math.max(3, (day.failures / maxFailures) * failHeight);
      svg.append(s('rect', { class: 'fail', x, y: failTop + failHeight - h, width: w, height: h, rx: 1 }, s('title', {}, `${dayText}: ${day.failures} failed`)));
    }
    if (i % labelEvery === 0 || i === days.length - 1) {
      const last = i === days.length - 1;
      svg.append(s('text', { x: last ? width - right : x + w / 2, y: height - 4, 'text-anchor': last ? 'end' : 'middle' }, dayText));
    }
  });
  return svg;
}

/** Groups items into the last `count` local days by the date `dateOf(item)` gives, summing `valueOf(item)`. */
export function perDay(count, series) {
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const days = [];
  for (let i = count - 1; i >= 0; i--) {
    const day = new Date(today);
    day.setDate(today.getDate() - i);
    days.push({ day, bytes: 0, failures: 0 });
  }
  const first = days[0].day.getTime();
  const index = (iso) => {
    if (!iso) return -1;
    const date = new Date(iso);
    date.setHours(0, 0, 0, 0);
    return Math.round((date.getTime() - first) / 86_400_000);
  };
  for (const { items, dateOf, field, valueOf } of series) {
    for (const item of items) {
      const i = index(dateOf(item));
      if (i >= 0 && i < days.length) days[i][field] += valueOf(item);
    }
  }
  return days;
}
