// The chat shared by the web/phone page and the kiosk: messages, quick replies, typing indicator,
// the form panel, and nothing lost on a reload or a dropped connection (the server keeps the
// conversation; the unsent draft stays in this tab's sessionStorage).
import { api } from "./api.js";
import { progressText, renderCase } from "./case-panel.js";
import { el } from "./dom.js";
import { showReceipt } from "./receipt.js";
import { setupSpeech } from "./speech.js";

const DRAFT_KEY = "zw-draft";
const $ = (id) => document.getElementById(id);

export async function startChat({ channel }) {
  const list = $("messages");
  const input = $("message-input");
  const form = $("composer");
  const typing = $("typing");
  const welcome = $("welcome");
  const errorBox = $("composer-error");
  const panel = $("case-panel");
  let busy = false;
  let lastCase = null;

  const speech = await setupSpeech({
    readButton: $("read-aloud"),
    micButton: $("mic"),
    onText: (text) => {
      input.value = text;
      saveDraft();
      input.focus();
    },
    onError: (message) => showError(message),
  });

  function scrollToEnd() {
    list.lastElementChild?.scrollIntoView({ block: "end" });
  }

  function addMessage(from, text, buttons = []) {
    welcome.hidden = true;
    const item = el("li", { class: `msg from-${from}` }, [
      el("span", { class: "sr-only", text: from === "bot" ? "机器人说：" : "我说：" }),
      el("p", { class: "bubble", text }),
    ]);
    if (buttons.length) {
      item.append(
        el(
          "div",
          { class: "quick-replies", role: "group", "aria-label": "可选的回答" },
          buttons.map((b) => el("button", { type: "button", class: "quick", dataset: { payload: b.payload }, text: b.title })),
        ),
      );
    }
    list.append(item);
    scrollToEnd();
    return item;
  }

  function retireOldButtons() {
    list.querySelectorAll(".quick").forEach((b) => {
      b.disabled = true;
    });
  }

  function showError(message, retry) {
    errorBox.replaceChildren(el("span", { text: `⚠ ${message}` }));
    if (retry) errorBox.append(" ", el("button", { type: "button", class: "retry", text: "重试", onclick: retry }));
    errorBox.hidden = false;
  }

  function hideError() {
    errorBox.hidden = true;
    errorBox.replaceChildren();
  }

  function saveDraft() {
    sessionStorage.setItem(DRAFT_KEY, input.value);
  }

  async function refreshCase() {
    try {
      const state = await api.state();
      lastCase = state.case;
      render();
    } catch {
      // the panel keeps what it showed; the next turn refreshes it
    }
  }

  function render() {
    renderCase(panel, lastCase, {
      onCorrect: (field) => send(`/correct{"field": "${field.id}"}`, `修改${field.label}`),
      onReceipt: openReceipt,
    });
    $("case-progress").textContent = progressText(lastCase);
  }

  async function send(message, shown = message, { echo = true } = {}) {
    if (busy || !message.trim()) return;
    busy = true;
    document.body.dataset.busy = "true";
    hideError();
    const bubble = echo ? addMessage("user", shown) : null;
    typing.hidden = false;
    scrollToEnd();
    try {
      const reply = await api.say(message, channel);
      bubble?.classList.remove("unsent");
      retireOldButtons();
      if (reply.session.expired) addMessage("note", "上一次的会话因长时间未操作已结束，已为您开始新的会话。");
      for (const m of reply.messages) {
        addMessage("bot", m.text, m.buttons);
        speech.speak(m.text);
      }
      if (input.value === message) {
        input.value = "";
        saveDraft();
      }
    } catch (err) {
      bubble?.classList.add("unsent");
      showError(err.message, () => {
        bubble?.remove();
        send(message, shown);
      });
    } finally {
      typing.hidden = true;
      busy = false;
    }
    await refreshCase();
    delete document.body.dataset.busy;
  }

  async function openReceipt() {
    await showReceipt({ section: $("receipt"), body: $("receipt-body"), onError: (m) => showError(m) });
  }

  async function endSession() {
    try {
      await api.endSession();
    } catch {
      // the server ends idle sessions by itself; clear this screen either way
    }
    sessionStorage.clear();
    localStorage.clear();
    window.location.replace(window.location.pathname);
  }

  // Wiring
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    send(input.value.trim());
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send(input.value.trim());
    }
  });
  input.addEventListener("input", saveDraft);
  document.addEventListener("click", (e) => {
    const button = e.target.closest("button.quick");
    if (button && !button.disabled) send(button.dataset.payload, button.textContent);
  });
  const endButton = $("end-session");
  let confirmTimer = null;
  endButton.addEventListener("click", () => {
    if (confirmTimer) {
      clearTimeout(confirmTimer);
      endSession();
      return;
    }
    endButton.textContent = "确定结束？再点一次";
    confirmTimer = setTimeout(() => {
      endButton.textContent = "结束办理";
      confirmTimer = null;
    }, 5000);
  });
  $("print-receipt").addEventListener("click", () => window.print());
  $("close-receipt").addEventListener("click", () => {
    $("receipt").hidden = true;
    document.body.classList.remove("showing-receipt");
    input.focus();
  });

  // Restore: the conversation from the server, the draft from this tab.
  input.value = sessionStorage.getItem(DRAFT_KEY) ?? "";
  try {
    const state = await api.state();
    for (const m of state.messages) addMessage(m.from, m.text, m.buttons);
    retireOldButtons();
    list.querySelectorAll("li:last-child .quick").forEach((b) => {
      b.disabled = false;
    });
    lastCase = state.case;
    render();
  } catch (err) {
    showError(err.message, () => window.location.reload());
  }
  document.body.dataset.ready = "true";
  return { send, endSession, input };
}
