// The one form beside the chat: what has been decided, the merged form by group (personal data
// comes masked from the server), the materials to bring and what merging saved (四减).
import { clear, el } from "./dom.js";

const STATE_LABELS = { filled: "已填", pending: "待填", derived: "自动" };

function section(title, ...children) {
  return el("section", { class: "case-section" }, [el("h3", { text: title }), ...children]);
}

function questionsView(questions) {
  return section(
    "引导问题",
    el(
      "ul",
      { class: "questions" },
      questions.map((q) =>
        el("li", {}, [
          el("span", { class: "label", text: q.label }),
          el("span", { class: q.answered ? "answer" : "answer pending", text: q.answered ? q.answer : "待回答" }),
        ]),
      ),
    ),
  );
}

function itemsView(plan) {
  const names = Object.fromEntries(plan.items.map((it) => [it.id, it.name]));
  const items = el(
    "ol",
    { class: "items" },
    plan.items.map((it) =>
      el("li", {}, [
        el("strong", { text: it.name }),
        el("span", { class: "dept", text: ` · ${it.department}` }),
        el("p", { class: "why", text: it.reason }),
      ]),
    ),
  );
  const stages = el(
    "ol",
    { class: "stages" },
    plan.stages.map((st) =>
      el("li", {}, [
        `第${st.stage}步${st.parallel ? "（同时办理）" : ""}：`,
        st.items.map((id) => names[id] ?? id).join("、"),
        ...st.joint_groups.map((g) => el("p", { class: "joint", text: `互为前置的处理：${g.resolution}` })),
      ]),
    ),
  );
  const skipped = plan.not_applicable.length
    ? el("details", { class: "not-applicable" }, [
        el("summary", { text: `不需要办的事项（${plan.not_applicable.length}）` }),
        el(
          "ul",
          {},
          plan.not_applicable.map((it) => el("li", {}, [el("strong", { text: it.name }), el("p", { class: "why", text: it.reason })])),
        ),
      ])
    : null;
  return [section(`要办的事项（${plan.items.length}）`, items, skipped), section("办理顺序", stages)];
}

function formView(groups, { editable, onCorrect }) {
  return section(
    "联合表单",
    ...groups.map((group) =>
      el("div", { class: "field-group" }, [
        el("h4", { text: group.label }),
        el(
          "dl",
          {},
          group.fields.flatMap((f) => {
            const value =
              f.state === "filled"
                ? f.value
                : f.state === "derived"
                  ? `根据${f.derived_from}自动得出`
                  : "待填写";
            const dd = el("dd", { class: `state-${f.state}` }, [
              el("span", { class: "badge", text: STATE_LABELS[f.state] }),
              el("span", { class: "value", text: value }),
            ]);
            if (editable && f.state === "filled") {
              dd.append(
                el("button", {
                  type: "button",
                  class: "link",
                  text: "修改",
                  "aria-label": `修改${f.label}`,
                  onclick: () => onCorrect(f),
                }),
              );
            }
            return [el("dt", { text: f.label }), dd];
          }),
        ),
      ]),
    ),
  );
}

function materialsView(materials) {
  const toBring = materials.filter((m) => (m.kind ?? "bring") === "bring");
  return section(
    `需要您准备的材料（${toBring.length}）`,
    el(
      "ul",
      { class: "materials" },
      toBring.map((m) => el("li", {}, [m.name, m.note ? el("span", { class: "note", text: `（${m.note}）` }) : null])),
    ),
  );
}

function savingView(plan) {
  const s = plan.saving;
  const rows = [
    ["少填", `${s.saved_entries} 项`, `分别申请共填 ${s.separate_entries} 项，一张表只填 ${s.merged_fields} 项`],
  ];
  if (s.materials_to_bring !== undefined) {
    rows.push([
      "少交",
      `${s.separate_materials - s.materials_to_bring} 份`,
      `分别申请共交 ${s.separate_materials} 份材料，现在只需带 ${s.materials_to_bring} 份`,
    ]);
  } else {
    rows.push(["少交", `${s.separate_materials - s.merged_materials} 份`, `材料合并为 ${s.merged_materials} 份`]);
  }
  const steps = s.separate_steps ?? plan.items.length;
  rows.push(["少跑环节", `${steps - (s.merged_steps ?? 1)} 个`, `${steps} 次分别申请，变成 1 次提交`]);
  if (s.separate_days !== undefined) {
    rows.push(["少等", `${s.separate_days - s.merged_days} 个工作日`, `逐项办理共 ${s.separate_days} 个工作日，并联办理 ${s.merged_days} 个工作日`]);
  }
  const trips = s.separate_trips !== undefined ? `分别到各窗口办要跑 ${s.separate_trips} 次；` : "";
  rows.push(["跑动", `${s.trips_online ?? 0} 次`, `${trips}网上提交，不用跑窗口`]);
  return section(
    "四减：为您省下的",
    el(
      "table",
      { class: "saving" },
      [el("caption", { class: "sr-only", text: "四减明细" }),
        el("tbody", {}, rows.map(([k, v, note]) => el("tr", {}, [el("th", { scope: "row", text: k }), el("td", { text: v }), el("td", { class: "note", text: note })])))],
    ),
  );
}

export function progressText(c) {
  if (!c) return "";
  if (c.application_number) return `已提交 · ${c.application_number}`;
  const fields = c.form.flatMap((g) => g.fields).filter((f) => f.state !== "derived");
  const filled = fields.filter((f) => f.state === "filled").length;
  return fields.length ? `已填 ${filled}/${fields.length}` : "";
}

export function renderCase(panel, c, { onCorrect, onReceipt }) {
  clear(panel);
  if (!c) {
    panel.append(el("p", { class: "empty", text: "还没有选定要办的事。告诉机器人您想办什么，这里会列出要办的事项、一张联合表单和要准备的材料。" }));
    return;
  }
  panel.append(el("p", { class: "scenario-name", text: c.scenario_name }));
  if (c.application_number) {
    panel.append(
      el("div", { class: "submitted", role: "status" }, [
        el("p", { text: `✔ 已提交，受理编号 ${c.application_number}` }),
        el("button", { type: "button", text: "查看并打印回执", onclick: onReceipt }),
      ]),
    );
  }
  panel.append(questionsView(c.questions));
  if (!c.plan) return;
  if (!c.decided) panel.append(el("p", { class: "note", text: "还有引导问题没回答，下面是按目前回答得出的初步结果。" }));
  panel.append(...itemsView(c.plan));
  if (c.form.length) panel.append(formView(c.form, { editable: !c.application_number, onCorrect }));
  panel.append(materialsView(c.plan.materials), savingView(c.plan));
}
