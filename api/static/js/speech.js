// Read aloud (the browser's Chinese voice, else the server's espeak-ng) and voice input (the
// server's recogniser). Each button stays hidden when its feature is not available.
import { api } from "./api.js";

function chineseVoice() {
  if (!("speechSynthesis" in window)) return Promise.resolve(null);
  const pick = () => speechSynthesis.getVoices().find((v) => v.lang?.toLowerCase().startsWith("zh")) ?? null;
  const now = pick();
  if (now) return Promise.resolve(now);
  return new Promise((resolve) => {
    const done = () => resolve(pick());
    speechSynthesis.addEventListener("voiceschanged", done, { once: true });
    setTimeout(done, 800);
  });
}

export async function setupSpeech({ readButton, micButton, onText, onError }) {
  let caps = { tts: false, asr: false };
  try {
    caps = await api.speech();
  } catch {
    // no speech at all: both buttons stay hidden
  }
  const voice = await chineseVoice();
  let reading = false;
  let audio = null;

  if (voice || caps.tts) {
    readButton.hidden = false;
    readButton.addEventListener("click", () => {
      reading = !reading;
      readButton.setAttribute("aria-pressed", String(reading));
      if (!reading) stop();
    });
  }

  function stop() {
    if (voice) speechSynthesis.cancel();
    if (audio) audio.pause();
  }

  async function speak(text) {
    if (!reading || !text) return;
    if (voice) {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      speechSynthesis.speak(utterance);
      return;
    }
    try {
      const blob = await api.tts(text);
      audio = new Audio(URL.createObjectURL(blob));
      await audio.play();
    } catch {
      // reading aloud is a help, not the message: the text is on the screen
    }
  }

  if (caps.asr && navigator.mediaDevices?.getUserMedia && window.MediaRecorder) {
    micButton.hidden = false;
    let recorder = null;
    micButton.addEventListener("click", async () => {
      if (recorder) {
        recorder.stop();
        return;
      }
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch {
        onError("无法使用麦克风，请打字或使用屏幕键盘。");
        return;
      }
      const chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", (e) => chunks.push(e.data));
      recorder.addEventListener("stop", async () => {
        stream.getTracks().forEach((t) => t.stop());
        const type = recorder.mimeType || "audio/webm";
        recorder = null;
        micButton.setAttribute("aria-pressed", "false");
        micButton.textContent = "说话";
        try {
          const { text } = await api.recognise(new Blob(chunks, { type }));
          onText(text);
        } catch (err) {
          onError(err.message);
        }
      });
      recorder.start();
      micButton.setAttribute("aria-pressed", "true");
      micButton.textContent = "说完了";
    });
  }
  return { speak, stop };
}
