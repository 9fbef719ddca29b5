// Marks on a timeline show their evidence in the panel below it. Without this script the marks are plain
// links to the same panels (shown by CSS :target); with it, a click opens the panel without scrolling.
// It also lays the marks out again at the picture's real width (and again when that changes): the server
// lays them out for a phone-wide picture, which on a wide screen moves marks that would not touch there.
"use strict";

// The steps of picture.spread_marks: each mark takes the row (0 or 1) where it moves least to stay `gap`
// pixels from its row's neighbours, then marks pushed past the right edge are pushed back, keeping order.
function spreadMarks(xs, width, gap, edge) {
  const low = edge;
  const high = width - edge;
  const placed = [];
  const rows = [];
  const rowEnds = [-Infinity, -Infinity];
  for (const x of xs) {
    const wanted = Math.min(Math.max((x * width) / 100, low), high);
    const candidates = rowEnds.map((end) => Math.max(wanted, end + gap));
    const row = candidates[0] <= candidates[1] ? 0 : 1;
    placed.push(candidates[row]);
    rows.push(row);
    rowEnds[row] = candidates[row];
  }
  const rowStarts = [Infinity, Infinity];
  for (let index = placed.length - 1; index >= 0; index -= 1) {
    const row = rows[index];
    placed[index] = Math.max(Math.min(placed[index], rowStarts[row] - gap, high), low);
    rowStarts[row] = placed[index];
  }
  return { rows, shifts: placed.map((position, index) => Math.round(position - (xs[index] * width) / 100)) };
}

function layoutMarks(svg) {
  const width = svg.getBoundingClientRect().width;
  const marks = Array.from(svg.querySelectorAll(".mark"));
  if (!width || marks.length === 0) {
    return;
  }
  const data = svg.dataset;
  const xs = marks.map((mark) => parseFloat(mark.getAttribute("data-x")));
  const { rows, shifts } = spreadMarks(xs, width, Number(data.markGap), Number(data.markEdge));
  marks.forEach((mark, index) => {
    for (const circle of mark.querySelectorAll("circle")) {
      circle.setAttribute("cy", String(Number(data.markCentre) + Number(data.rowStep) * rows[index]));
      circle.setAttribute("transform", `translate(${shifts[index]} 0)`);
    }
  });
}

function showEvidence(figure, mark) {
  const id = mark.getAttribute("data-evidence");
  const panel = figure.querySelector(".evidence-panel");
  if (!id || !panel) {
    return;
  }
  for (const article of panel.querySelectorAll(".evidence")) {
    article.hidden = article.id !== id;
  }
  for (const other of figure.querySelectorAll(".mark")) {
    other.classList.toggle("selected", other === mark);
    other.setAttribute("aria-expanded", other === mark ? "true" : "false");
  }
  const hint = panel.querySelector(".evidence-hint");
  if (hint) {
    hint.hidden = true;
  }
}

function wireTimeline(figure) {
  const svg = figure.querySelector(".timeline-svg");
  if (svg) {
    layoutMarks(svg);
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => layoutMarks(svg)).observe(svg);
    }
  }
  for (const mark of figure.querySelectorAll(".mark")) {
    mark.setAttribute("role", "button");
    mark.setAttribute("aria-expanded", "false");
    mark.addEventListener("click", (event) => {
      event.preventDefault();
      showEvidence(figure, mark);
    });
    mark.addEventListener("keydown", (event) => {
      if (event.key === " ") {
        event.preventDefault();
        showEvidence(figure, mark);
      }
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const figure of document.querySelectorAll("[data-timeline]")) {
    wireTimeline(figure);
  }
});
