// The status page: 受理编号 + phone → the application's status, each item's progress, and, when an
// officer asked for a correction (补正), what and why, with a form to send the corrected values.
import { api } from "./api.js";
import { clear, el } from "./dom.js";

const form = document.getElementById("status-form");
const errorBox = document.getElementById("status-error");
const result = document.getElementById("status-result");

function fail(box, message) {
  box.textContent = `⚠ ${message}`;
  box.hidden = false;
}

function correctionForm(app, phone) {
  const wanted = new Map();
  const reasons = [];
  for (const it of app.items) {
    for (const f of it.correction) wanted.set(f.id, f.label);
    if (it.correction.length && it.reason) reasons.push(`${it.name}：${it.reason}`);
  }
  if (!wanted.size) return null;
  const problems = el("p", { class: "error", role: "alert", hidden: true });
  const fields = [...wanted].map(([id, label]) =>
    el("div", { class: "field" }, [
      el("label", { for: `fix-${id}`, text: label }),
      el("input", { id: `fix-${id}`, name: id, required: true, maxlength: "200", autocomplete: "off" }),
      el("p", { class: "error", id: `fix-${id}-error`, hidden: true }),
    ]),
  );
  const fixForm = el("form", { class: "status-form correction", novalidate: true }, [
    el("h3", { text: "需要补正" }),
    ...reasons.map((r) => el("p", { text: r })),
    ...fields,
    el("button", { type: "submit", text: "提交补正" }),
    problems,
  ]);
  fixForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    problems.hidden = true;
    fixForm.querySelectorAll(".field .error").forEach((p) => { p.hidden = true; });
    const values = Object.fromEntries([...wanted.keys()].map((id) => [id, fixForm.elements[id].value.trim()]));
    try {
      const updated = await api.correct(app.number, phone, values);
      show(updated, phone, "补正已提交，申请已回到审核队列。");
    } catch (err) {
      fail(problems, err.message);
      for (const [id, message] of Object.entries(err.details?.fields ?? {})) {
        const p = document.getElementById(`fix-${id}-error`);
        if (p) fail(p, message);
      }
    }
  });
  return fixForm;
}

function show(app, phone, notice = "") {
  clear(result).append(
    el("h2", { text: app.scenario_name }),
    notice ? el("p", { class: "notice", role: "status", text: `✔ ${notice}` }) : null,
    el("p", {}, ["受理编号 ", el("strong", { text: app.number }), ` · 第${app.version}版`]),
    el("p", {}, ["当前状态：", el("strong", { class: `status status-${app.status}`, text: app.status_label })]),
    el("p", { class: "note", text: `提交于 ${app.created_at?.slice(0, 16).replace("T", " ") ?? ""}` }),
    el("table", { class: "status-items" }, [
      el("caption", { text: "各事项进度" }),
      el("thead", {}, el("tr", {}, ["事项", "部门", "步骤", "进度"].map((h) => el("th", { scope: "col", text: h })))),
      el(
        "tbody",
        {},
        app.items.map((it) =>
          el("tr", {}, [
            el("td", { text: it.name }),
            el("td", { text: it.department }),
            el("td", { text: `第${it.stage}步` }),
            el("td", {}, [
              el("span", { class: `status status-${it.status}`, text: it.status_label }),
              it.reason ? el("p", { class: "note", text: it.reason }) : null,
            ]),
          ]),
        ),
      ),
    ]),
    correctionForm(app, phone),
  );
  result.hidden = false;
  const heading = result.querySelector("h2");
  heading.setAttribute("tabindex", "-1");
  heading.focus();
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  errorBox.hidden = true;
  const number = form.number.value.trim().toUpperCase();
  const phone = form.phone.value.trim();
  if (!number || !phone) {
    fail(errorBox, "请填写受理编号和手机号。");
    return;
  }
  try {
    show(await api.status(number, phone), phone);
  } catch (err) {
    fail(errorBox, err.message);
    result.hidden = true;
  }
});
document.body.dataset.ready = "true";
