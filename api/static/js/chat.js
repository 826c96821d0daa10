// Entry of the web and phone page.
import { startChat } from "./chat-app.js";

startChat({ channel: window.matchMedia("(pointer: coarse)").matches ? "mobile" : "web" });
