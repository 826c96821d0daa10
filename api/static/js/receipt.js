// The printable receipt: 受理编号, items, next steps and a QR code (made by the server) that opens
// the status page for this number.
import { api } from "./api.js";
import { clear, el } from "./dom.js";

export async function showReceipt({ section, body, onError }) {
  let r;
  try {
    r = await api.receipt();
  } catch (err) {
    onError(err.message);
    return;
  }
  clear(body).append(
    el("p", { class: "receipt-number" }, ["受理编号 ", el("strong", { text: r.number })]),
    el("p", { text: `办理事项：${r.scenario_name}` }),
    el("p", { text: `提交时间：${r.submitted_at}` }),
    el("table", { class: "receipt-items" }, [
      el("thead", {}, el("tr", {}, ["事项", "部门", "步骤", "状态"].map((h) => el("th", { scope: "col", text: h })))),
      el(
        "tbody",
        {},
        r.items.map((it) =>
          el("tr", {}, [it.name, it.department, `第${it.stage}步`, it.status_label].map((v) => el("td", { text: v }))),
        ),
      ),
    ]),
    el("h3", { text: "接下来" }),
    el("ol", { class: "next-steps" }, r.next_steps.map((s) => el("li", { text: s }))),
    el("figure", { class: "qr" }, [
      el("img", { src: r.qr_svg, alt: `进度查询二维码：${r.status_url}`, width: "180", height: "180" }),
      el("figcaption", { text: `扫码或访问 ${r.status_url} 查询进度（需输入手机号）` }),
    ]),
  );
  section.hidden = false;
  document.body.classList.add("showing-receipt");
  section.querySelector("h2").focus?.();
}
