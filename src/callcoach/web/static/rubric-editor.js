// Rubric editor: add/remove criteria and live validation through the API (the same domain checks
// as `callcoach rubric validate`), so what the page says is what saving will say.
"use strict";

window.callcoachRubricEditor = function () {
  const form = document.getElementById("rubric-form");
  if (!form) return;
  const criteria = document.getElementById("criteria");
  const template = document.getElementById("criterion-template");

  function renumber() {
    criteria.querySelectorAll("[data-criterion]").forEach((block, index) => {
      block.querySelector("[data-number]").textContent = index + 1;
      block.querySelectorAll("[name]").forEach((field) => {
        field.name = field.name.replace(/^c-\d+-/, "c-" + index + "-");
      });
    });
  }

  function collect() {
    const doc = { id: form.elements.id.value.trim(), name: form.elements.name.value.trim(), criteria: [] };
    const description = form.elements.description.value.trim();
    if (description) doc.description = description;
    criteria.querySelectorAll("[data-criterion]").forEach((block) => {
      const get = (suffix) => block.querySelector('[name$="-' + suffix + '"]').value;
      const lines = (suffix) => get(suffix).split("\n").map((l) => l.trim()).filter(Boolean);
      const weightText = get("weight").trim();
      const weight = weightText !== "" && !Number.isNaN(Number(weightText)) ? Number(weightText) : weightText;
      const anchors = {};
      [1, 2, 3, 4, 5].forEach((level) => { anchors[level] = get("a" + level).trim(); });
      doc.criteria.push({
        id: get("id").trim(), name: get("name").trim(), weight,
        description: get("description").trim(), anchors,
        examples: { positive: lines("positive"), negative: lines("negative") },
      });
    });
    return doc;
  }

  // Anchor fields grow with their text, so a long anchor is read whole, never cut.
  function grow(field) {
    field.style.height = "auto";
    field.style.height = field.scrollHeight + 2 + "px";
  }
  function growAll(root) { root.querySelectorAll("textarea[data-autogrow]").forEach(grow); }

  // The folded summary line of each criterion: its name, weight and how many anchors are written.
  function summarise(block) {
    const name = block.querySelector("[data-name]").value.trim();
    const weight = block.querySelector("[data-weight]").value.trim();
    const written = Array.from(block.querySelectorAll("[data-anchor]")).filter((a) => a.value.trim()).length;
    block.querySelector("[data-summary-name]").textContent = name || "new criterion";
    block.querySelector("[data-summary-weight]").textContent = weight || "?";
    block.querySelector("[data-summary-anchors]").textContent = written;
  }
  function summariseAll() { criteria.querySelectorAll("[data-criterion]").forEach(summarise); }

  function fill(list, items) {
    list.textContent = "";
    items.forEach((text) => { const li = document.createElement("li"); li.textContent = text; list.append(li); });
  }

  let timer = null;
  async function validate() {
    const { ok, body } = await apiFetch("/api/v1/rubrics/validate", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(collect()),
    });
    const state = document.getElementById("validation-state");
    if (!ok || !body) { state.textContent = "Could not check the rubric right now."; return; }
    const total = body.weight_total;
    const totalEl = document.getElementById("weight-total");
    totalEl.textContent = total === null ? "–" : (Math.round(total * 100) / 100).toString();
    totalEl.className = total !== null && Math.abs(total - 100) < 1e-6 ? "ok" : "bad";
    state.textContent = body.valid ? "Valid: ready to save." : body.errors.length + " problem(s) to fix before saving.";
    state.className = body.valid ? "ok" : "bad";
    fill(document.getElementById("validation-errors"), body.errors);
    fill(document.getElementById("validation-warnings"), body.warnings);
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(validate, 250); }

  document.getElementById("add-criterion").addEventListener("click", () => {
    criteria.append(template.content.cloneNode(true));
    renumber();
    const added = criteria.lastElementChild;
    growAll(added);
    summarise(added);
    added.querySelector("[data-name]").focus();
    schedule();
  });
  form.querySelectorAll("[data-fold]").forEach((button) => button.addEventListener("click", () => {
    const open = button.dataset.fold === "open";
    criteria.querySelectorAll("[data-criterion] > details").forEach((d) => { d.open = open; });
    if (open) growAll(criteria);
  }));
  criteria.addEventListener("toggle", (event) => { if (event.target.open) growAll(event.target); }, true);
  // A required field in a folded criterion: unfold it so the browser can point at the field.
  form.addEventListener("invalid", (event) => {
    const folded = event.target.closest("details:not([open])");
    if (folded) { folded.open = true; growAll(folded); }
  }, true);
  criteria.addEventListener("click", (event) => {
    if (event.target.matches("[data-remove-criterion]")) {
      event.target.closest("[data-criterion]").remove();
      renumber();
      schedule();
    }
  });
  form.addEventListener("input", (event) => {
    if (event.target.matches("textarea[data-autogrow]")) grow(event.target);
    const block = event.target.closest("[data-criterion]");
    if (block) summarise(block);
    schedule();
  });
  growAll(form);
  summariseAll();
  validate();
};

// Re-score buttons on the rubrics page: start a background job and follow its progress.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button.rescore").forEach((button) => button.addEventListener("click", async () => {
    button.disabled = true;
    const { ok, body } = await apiFetch("/api/v1/rubrics/" + encodeURIComponent(button.dataset.rubric) + "/rescore", { method: "POST" });
    const live = document.getElementById("job-live");
    const none = document.getElementById("no-jobs");
    if (none) none.remove();
    const box = document.createElement("div");
    box.className = "job";
    box.innerHTML = '<strong></strong><div class="progress"><div></div></div><span class="job-status small"></span>';
    box.querySelector("strong").textContent = button.dataset.rubric;
    live.prepend(box);
    if (!ok) { box.querySelector(".job-status").textContent = (body && body.detail) || "Could not start re-scoring."; button.disabled = false; return; }
    box.dataset.jobUrl = "/api/v1/jobs/" + body.id;
    watchJob(box);
    button.disabled = false;
  }));
});
