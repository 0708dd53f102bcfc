// Measures the audit report as laid out by the browser and leaves the result, as JSON, in a new "pre#layout":
// the KPI cards, section headings, tables and charts (page coordinates, CSS pixels), every chart's text labels,
// and points every 2 px along each chart's lines, so a test can check for overlaps without a screenshot.
(() => {
  const round = (v) => Math.round(v * 10) / 10;
  const box = (e) => {
    const r = e.getBoundingClientRect();
    return [r.left + scrollX, r.top + scrollY, r.width, r.height].map(round);
  };
  const out = { width: innerWidth, cards: [], boxes: {}, charts: [], text: document.body.innerText };
  for (const card of document.querySelectorAll(".card")) {
    if (!card.offsetParent) continue; // not displayed
    out.cards.push({ metric: card.querySelector("[data-metric]").dataset.metric, box: box(card) });
  }
  for (const h of document.querySelectorAll("h2")) out.boxes["h2:" + h.textContent.trim()] = box(h);
  document.querySelectorAll("table").forEach((t, i) => (out.boxes["table:" + i] = box(t)));
  for (const svg of document.querySelectorAll("svg")) {
    const title = svg.getAttribute("aria-label");
    out.boxes["svg:" + title] = box(svg);
    const chart = { title, box: box(svg), texts: [], lines: [] };
    for (const t of svg.querySelectorAll("text")) {
      chart.texts.push({ text: t.textContent, cls: t.getAttribute("class") || "", box: box(t) });
    }
    const toPage = svg.getScreenCTM();
    for (const line of svg.querySelectorAll("line, polyline")) {
      const points = [];
      const length = line.getTotalLength();
      for (let d = 0; d <= length; d += 2) {
        const p = line.getPointAtLength(d).matrixTransform(toPage);
        points.push([round(p.x + scrollX), round(p.y + scrollY)]);
      }
      chart.lines.push({ kind: line.tagName, points });
    }
    out.charts.push(chart);
  }
  const pre = document.createElement("pre");
  pre.id = "layout";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
