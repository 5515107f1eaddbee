// callcoach: the little behaviour the server-rendered pages need. No inline scripts (CSP).
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// Fetch JSON from our own API with the session's CSRF token (needed for anything but GET).
async function apiFetch(url, options = {}) {
  const headers = Object.assign({ "X-CSRF-Token": csrfToken() }, options.headers || {});
  const response = await fetch(url, Object.assign({ credentials: "same-origin" }, options, { headers }));
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  return { ok: response.ok, status: response.status, body };
}

function clearHighlights() {
  document.querySelectorAll(".seg.highlight").forEach((el) => el.classList.remove("highlight"));
  document.querySelectorAll("mark.quote-hl").forEach((mark) => {
    const parent = mark.parentNode;
    parent.replaceChild(document.createTextNode(mark.textContent), mark);
    parent.normalize();
  });
  document.querySelectorAll(".evidence-item.active").forEach((el) => el.classList.remove("active"));
}

// Wrap the quoted words in the segment's text so the eye lands on them.
function markQuote(textEl, quote) {
  const text = textEl.textContent;
  let start = text.indexOf(quote);
  if (start < 0) start = text.toLowerCase().indexOf(quote.toLowerCase());
  if (start < 0 || !quote) return false;
  const mark = document.createElement("mark");
  mark.className = "quote-hl";
  mark.textContent = text.slice(start, start + quote.length);
  textEl.textContent = "";
  textEl.append(text.slice(0, start), mark, text.slice(start + quote.length));
  return true;
}

function showEvidence(button) {
  clearHighlights();
  button.classList.add("active");
  const seg = document.getElementById("seg-" + button.dataset.segment);
  if (!seg) return;
  seg.classList.add("highlight");
  const textEl = seg.querySelector(".txt");
  if (textEl) markQuote(textEl, button.dataset.quote || "");
  seg.scrollIntoView({ behavior: "smooth", block: "center" });
  const audio = document.getElementById("call-audio");
  const start = parseFloat(button.dataset.start || seg.dataset.start);
  if (audio && !Number.isNaN(start)) {
    audio.currentTime = start;
    audio.play().catch(() => {});
  }
}

function renderCharts() {
  const charts = document.querySelectorAll("[data-chart]");
  if (!charts.length || typeof Plotly === "undefined") return;
  charts.forEach((el) => {
    const source = document.getElementById(el.dataset.chart);
    if (!source) return;
    const figure = JSON.parse(source.textContent);
    Plotly.newPlot(el, figure.data, figure.layout, { displaylogo: false, responsive: true });
    if (el.dataset.linkBase) {
      // Heatmap cells and chart points open the rep they belong to.
      el.on("plotly_click", (event) => {
        const point = event.points && event.points[0];
        const target = point && (point.customdata && point.customdata[0] || point.y);
        if (target && target !== "Team benchmark") window.location = el.dataset.linkBase + encodeURIComponent(target);
      });
    }
  });
}

// Poll a background job and show its progress until it ends (twice a second at most is what
// the server writes; once a second is enough for a person).
function watchJob(container) {
  const url = container.dataset.jobUrl;
  if (!url) return;
  const bar = container.querySelector(".progress > div");
  const label = container.querySelector(".job-status");
  const state = container.querySelector(".job-state");
  const count = container.querySelector(".job-count");
  const tick = async () => {
    const { ok, body } = await apiFetch(url);
    if (!ok || !body) { label.textContent = "Could not read the job's progress."; return; }
    const pct = body.percent === null || body.percent === undefined ? 0 : body.percent;
    if (bar) bar.style.width = pct + "%";
    label.textContent = body.message || body.status;
    if (state) state.textContent = body.status;
    if (count && body.total) count.textContent = body.done + " / " + body.total;
    container.dataset.status = body.status;
    if (body.status === "queued" || body.status === "running") setTimeout(tick, 1000);
  };
  tick();
}

// Cancel and Retry buttons on the Jobs page.
function jobAction(button) {
  if (button.dataset.ask && !window.confirm(button.dataset.ask)) return;
  button.disabled = true;
  apiFetch(button.dataset.action, { method: "POST" }).then(({ ok, body }) => {
    if (!ok) { button.disabled = false; window.alert((body && body.detail) || "The job could not be changed."); return; }
    window.location.reload();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-autosubmit]").forEach((el) =>
    el.addEventListener("change", () => el.form.submit()));
  document.querySelectorAll(".evidence-item").forEach((button) =>
    button.addEventListener("click", () => showEvidence(button)));
  document.querySelectorAll("[data-job-url]").forEach(watchJob);
  document.querySelectorAll("button.job-action").forEach((button) =>
    button.addEventListener("click", () => jobAction(button)));
  document.querySelectorAll("[data-confirm]").forEach((el) =>
    el.addEventListener("click", (event) => { if (!window.confirm(el.dataset.confirm)) event.preventDefault(); }));
  renderCharts();
  if (window.callcoachRubricEditor) window.callcoachRubricEditor();
});
