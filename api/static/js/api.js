// The page's one way to the server: same-origin JSON endpoints; errors carry a Chinese message.

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const NETWORK = "网络连接中断，请检查网络后点“重试”。您已填写的内容不会丢失。";
const UNAVAILABLE = "服务暂时不可用，请稍后再试。您已填写的内容不会丢失。";

async function request(method, url, { json, body, type, as = "json" } = {}) {
  const headers = {};
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (type) {
    headers["Content-Type"] = type;
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body, credentials: "same-origin", cache: "no-store" });
  } catch {
    throw new ApiError(0, "network", NETWORK);
  }
  if (response.ok && response.status === 204) return null;
  if (response.ok && as === "blob") return response.blob();
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, data?.code ?? `http_${response.status}`, data?.message ?? UNAVAILABLE, data?.details);
  }
  return data;
}

export const api = {
  say: (message, channel) => request("POST", "/api/chat", { json: { message, channel } }),
  state: () => request("GET", "/api/chat/state"),
  endSession: () => request("DELETE", "/api/chat/session"),
  receipt: () => request("GET", "/api/chat/receipt"),
  speech: () => request("GET", "/api/chat/speech"),
  tts: (text) => request("POST", "/api/chat/speech/tts", { json: { text }, as: "blob" }),
  recognise: (audio) => request("POST", "/api/chat/speech/recognise", { body: audio, type: audio.type || "audio/webm" }),
  correct: (number, phone, formData) =>
    request("POST", `/api/applications/${encodeURIComponent(number)}/correction`, {
      json: { phone, form_data: formData },
    }),
  status: (number, phone) =>
    request("GET", `/api/applications/${encodeURIComponent(number)}?phone=${encodeURIComponent(phone)}`),
};
