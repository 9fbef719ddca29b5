// Marks on a timeline show their evidence in the panel below it. Without this script the marks are plain
// links to the same panels (shown by CSS :target); with it, a click opens the panel without scrolling.
"use strict";

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
  // The wide touch area around each dot (drawn beneath every dot) opens the same mark.
  for (const area of figure.querySelectorAll(".mark-hit")) {
    const mark = figure.querySelector(`.mark[data-evidence="${area.getAttribute("data-evidence")}"]`);
    area.addEventListener("click", (event) => {
      event.preventDefault();
      if (mark) showEvidence(figure, mark);
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const figure of document.querySelectorAll("[data-timeline]")) {
    wireTimeline(figure);
  }
});
