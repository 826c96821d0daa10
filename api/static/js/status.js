// The status page: 受理编号 + phone → the application's status and each item's progress.
import { api } from "./api.js";
import { clear, el } from "./dom.js";

const form = document.getElementById("status-form");
const errorBox = document.getElementById("status-error");
const result = document.getElementById("status-result");

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  errorBox.hidden = true;
  const number = form.number.value.trim().toUpperCase();
  const phone = form.phone.value.trim();
  if (!number || !phone) {
    errorBox.textContent = "⚠ 请填写受理编号和手机号。";
    errorBox.hidden = false;
    return;
  }
  let app;
  try {
    app = await api.status(number, phone);
  } catch (err) {
    errorBox.textContent = `⚠ ${err.message}`;
    errorBox.hidden = false;
    result.hidden = true;
    return;
  }
  clear(result).append(
    el("h2", { text: app.scenario_name }),
    el("p", {}, ["受理编号 ", el("strong", { text: app.number })]),
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
            el("td", {}, el("span", { class: `status status-${it.status}`, text: it.status_label })),
          ]),
        ),
      ),
    ]),
  );
  result.hidden = false;
  result.querySelector("h2").setAttribute("tabindex", "-1");
  result.querySelector("h2").focus();
});

document.body.dataset.ready = "true";
