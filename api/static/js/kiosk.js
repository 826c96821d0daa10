// Entry of the self-service kiosk: the same chat, in large type, with an on-screen keypad, a
// larger-text switch, and an idle reset that ends the session and clears the screen for the next person.
import { startChat } from "./chat-app.js";

const $ = (id) => document.getElementById(id);
const main = $("main");
const idleSeconds = Number(main.dataset.idleSeconds) || 120;
const countdownSeconds = Number(main.dataset.countdownSeconds) || 30;

const chat = await startChat({ channel: "kiosk" });

// Larger text
const bigger = $("bigger-text");
function setBigger(on) {
  document.documentElement.classList.toggle("text-larger", on);
  bigger.setAttribute("aria-pressed", String(on));
}
bigger.addEventListener("click", () => {
  const on = bigger.getAttribute("aria-pressed") !== "true";
  setBigger(on);
  if (on) sessionStorage.setItem("zw-larger", "1");
  else sessionStorage.removeItem("zw-larger");
});
setBigger(sessionStorage.getItem("zw-larger") === "1");

// On-screen keypad for numbers and ID numbers
const keypad = $("keypad");
const toggle = $("keypad-toggle");
toggle.addEventListener("click", () => {
  keypad.hidden = !keypad.hidden;
  toggle.setAttribute("aria-expanded", String(!keypad.hidden));
});
keypad.addEventListener("click", (e) => {
  const key = e.target.closest("button")?.dataset.key;
  if (!key) return;
  const input = chat.input;
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? input.value.length;
  if (key === "backspace") {
    const from = start === end ? Math.max(0, start - 1) : start;
    input.setRangeText("", from, end, "end");
  } else {
    input.setRangeText(key, start, end, "end");
  }
  input.dispatchEvent(new Event("input"));
});

// Idle reset: after idleSeconds without a touch, a countdown with one tap to stay; then the
// session ends on the server and the screen and this browser's storage are cleared.
const overlay = $("idle");
const counter = $("idle-countdown");
let lastActivity = Date.now();
let remaining = null;

function inUse() {
  return document.querySelector("#messages li") !== null || chat.input.value !== "";
}

function activity() {
  if (remaining !== null) return; // only "继续办理" dismisses the countdown
  lastActivity = Date.now();
}

for (const type of ["pointerdown", "keydown", "input", "touchstart"]) {
  document.addEventListener(type, activity, { capture: true, passive: true });
}

$("idle-stay").addEventListener("click", () => {
  remaining = null;
  overlay.hidden = true;
  lastActivity = Date.now();
  chat.input.focus();
});

setInterval(() => {
  if (remaining === null) {
    if (inUse() && Date.now() - lastActivity >= idleSeconds * 1000) {
      remaining = countdownSeconds;
      counter.textContent = String(remaining);
      overlay.hidden = false;
      $("idle-stay").focus();
    }
    return;
  }
  remaining -= 1;
  counter.textContent = String(Math.max(remaining, 0));
  if (remaining <= 0) {
    remaining = null;
    chat.endSession();
  }
}, 1000);
