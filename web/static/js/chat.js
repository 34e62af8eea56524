// The chat page: send messages and follow each answer's event stream.
import { api } from "./api.js";

const AUTHORS = { user: "You", assistant: "DocChat" };

export function initChat(root) {
  const chat = new Chat(root);
  for (const item of root.querySelectorAll("[data-role=assistant][data-status=streaming]")) {
    chat.follow(item, Number(item.dataset.lastEventId || 0));
  }
}

class Chat {
  constructor(root) {
    this.sessionId = root.dataset.sessionId;
    this.list = root.querySelector("[data-testid=message-list]");
    this.template = root.querySelector("#message-template");
    this.form = root.querySelector("[data-testid=input-bar]");
    this.input = this.form.querySelector("textarea");
    this.sendButton = this.form.querySelector("button[type=submit]");
    this.sendError = this.form.querySelector("[data-testid=send-error]");
    this.busy = false;
    this.input.addEventListener("input", () => this.updateSendButton());
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    this.updateSendButton();
  }

  updateSendButton() {
    this.sendButton.disabled = this.busy || this.input.value.trim() === "";
  }

  setBusy(busy) {
    this.busy = busy;
    this.form.setAttribute("aria-busy", String(busy));
    this.updateSendButton();
  }

  async send() {
    const content = this.input.value.trim();
    if (!content || this.busy) return;
    this.setBusy(true);
    this.sendError.hidden = true;
    try {
      const reply = await api("POST", `/api/sessions/${this.sessionId}/messages`, { content, mode: "chat" });
      this.input.value = "";
      this.showTitle(reply.session.title);
      this.append(reply.user_message);
      this.follow(this.append(reply.assistant_message), 0);
    } catch (error) {
      this.sendError.textContent = error.message;
      this.sendError.hidden = false;
      this.setBusy(false);
    }
  }

  showTitle(title) {
    document.querySelector("[data-testid=session-title]").textContent = title;
    const link = document.querySelector("[data-testid=session-list] [aria-current=page]");
    if (link) link.textContent = title;
    document.title = `${title} · DocChat`;
  }

  append(message) {
    const item = this.template.content.firstElementChild.cloneNode(true);
    item.className = `message message-${message.role}`;
    item.dataset.role = message.role;
    item.dataset.testid = `${message.role}-message`;
    item.dataset.messageId = message.id;
    item.dataset.status = message.status;
    item.querySelector("[data-testid=message-author]").textContent = AUTHORS[message.role];
    item.querySelector("[data-testid=offline-badge]").hidden = !message.offline;
    item.querySelector("[data-testid=message-body]").textContent = message.content;
    if (message.status !== "streaming") item.removeAttribute("aria-busy");
    if (message.events_url) item.dataset.eventsUrl = message.events_url;
    this.list.append(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  // Replays the answer's log after `after`, then tails it; EventSource resumes
  // with Last-Event-ID by itself when the connection drops.
  follow(item, after) {
    this.setBusy(true);
    const body = item.querySelector("[data-testid=message-body]");
    const text = document.createTextNode("");
    body.append(text);
    const source = new EventSource(`${item.dataset.eventsUrl}?after=${after}`);
    source.addEventListener("token", (event) => {
      text.appendData(JSON.parse(event.data).text);
    });
    source.addEventListener("done", (event) => {
      source.close();
      this.finish(item, JSON.parse(event.data).message);
    });
    source.addEventListener("error", (event) => {
      if (!(event instanceof MessageEvent)) return; // a dropped connection: EventSource retries
      source.close();
      const data = JSON.parse(event.data);
      this.finish(item, data.message);
    });
  }

  finish(item, message) {
    item.dataset.status = message.status;
    item.removeAttribute("aria-busy");
    const body = item.querySelector("[data-testid=message-body]");
    body.classList.remove("plain");
    body.innerHTML = message.html; // rendered and sanitized by the server
    const error = item.querySelector("[data-testid=message-error]");
    error.textContent = message.error?.message ?? "";
    error.hidden = !message.error;
    this.setBusy(false);
  }
}
