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
    schedule();
  });
  criteria.addEventListener("click", (event) => {
    if (event.target.matches("[data-remove-criterion]")) {
      event.target.closest("[data-criterion]").remove();
      renumber();
      schedule();
    }
  });
  form.addEventListener("input", schedule);
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
