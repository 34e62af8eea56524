// The chat page: send messages and follow each answer's event stream.
import { api } from "./api.js";
import { showTitle } from "./chat_header.js";
import { whenOnline } from "./connection.js";

const OFFLINE_SEND = "You are offline. Your message is kept here: send it once the connection is back.";

export function initChat(root) {
  const chat = new Chat(root);
  for (const item of root.querySelectorAll("[data-role=assistant][data-status=streaming]")) {
    chat.follow(item);
  }
}

class Chat {
  constructor(root) {
    this.sessionId = root.dataset.sessionId;
    this.modeLabels = JSON.parse(root.dataset.modeLabels);
    this.list = root.querySelector("[data-testid=message-list]");
    this.template = root.querySelector("#message-template");
    this.form = root.querySelector("[data-testid=input-bar]");
    this.input = this.form.querySelector("textarea");
    this.sendButton = this.form.querySelector("button[type=submit]");
    this.sendError = this.form.querySelector("[data-testid=send-error]");
    this.stopButton = this.form.querySelector("[data-action=stop]");
    this.stopButton.addEventListener("click", () => this.stop());
    this.streaming = null; // the answer being written, while there is one
    this.source = null; // its event stream, while open
    this.maxChars = Number(this.form.dataset.maxChars);
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
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      const item = button?.closest("[data-role=assistant]");
      const action = button?.dataset.action;
      if (action === "retry" || action === "continue") this.rewrite(item, action);
      if (action === "copy") copy(item, button);
    });
    // A stream that outlives the network can't be trusted to still be there: close it
    // while offline, and resume from the last event once back.
    addEventListener("offline", () => {
      this.source?.close();
      this.source = null;
    });
    addEventListener("online", () => {
      if (this.sendError.textContent === OFFLINE_SEND) this.showError("");
      if (this.streaming && !this.source) this.follow(this.streaming);
    });
    this.updateSendButton();
  }

  updateSendButton() {
    const text = this.input.value.trim();
    const tooLong = text.length > this.maxChars;
    this.showError(tooLong ? this.form.dataset.tooLong : "");
    this.sendButton.disabled = this.busy || text === "" || tooLong;
  }

  showError(message) {
    this.sendError.textContent = message;
    this.sendError.hidden = !message;
  }

  setBusy(busy) {
    this.busy = busy;
    this.form.setAttribute("aria-busy", String(busy));
    this.updateSendButton();
  }

  get mode() {
    return this.form.querySelector("input[name=mode]:checked").value;
  }

  async send() {
    const content = this.input.value.trim();
    if (!content || this.busy) return;
    if (!navigator.onLine) {
      this.showError(OFFLINE_SEND);
      return;
    }
    this.setBusy(true);
    try {
      const reply = await api("POST", `/api/sessions/${this.sessionId}/messages`, { content, mode: this.mode });
      this.input.value = "";
      showTitle(reply.session.title);
      this.list.append(this.newItem(reply.user_message));
      const answer = this.newItem(reply.assistant_message);
      this.list.append(answer);
      this.follow(answer);
    } catch (error) {
      this.setBusy(false);
      this.showError(error.message); // the text stays in the box, ready to send again
    }
  }

  // "retry": a new answer in its place; "continue": more of it, after the length limit.
  async rewrite(item, action) {
    if (this.busy) return;
    this.setBusy(true);
    try {
      const reply = await api("POST", `/api/messages/${item.dataset.messageId}/${action}`);
      const answer = this.newItem(reply.assistant_message);
      item.replaceWith(answer);
      this.follow(answer);
    } catch (error) {
      this.setBusy(false);
      this.showError(error.message);
    }
  }

  // A message as it starts out; the server renders it whole once it is finished.
  newItem(message) {
    const item = this.template.content.firstElementChild.cloneNode(true);
    item.className = `message message-${message.role}`;
    item.dataset.role = message.role;
    item.dataset.testid = `${message.role}-message`;
    item.dataset.messageId = message.id;
    item.dataset.status = message.status;
    item.dataset.mode = message.mode;
    item.querySelector("[data-testid=message-author]").textContent =
      message.role === "user" ? "You" : "DocChat";
    const badge = item.querySelector("[data-testid=mode-badge]");
    if (message.role === "user") badge.remove();
    else badge.textContent = this.modeLabels[message.mode];
    item.querySelector("[data-testid=offline-badge]").hidden = !message.offline;
    item.querySelector("[data-testid=message-body]").textContent = message.content;
    const steps = item.querySelector("[data-testid=research-steps]");
    if (message.role === "user") steps.remove();
    for (const text of message.steps) addStep(steps, text);
    if (message.last_event_id) item.dataset.lastEventId = message.last_event_id;
    if (message.status !== "streaming") item.removeAttribute("aria-busy");
    if (message.events_url) item.dataset.eventsUrl = message.events_url;
    item.scrollIntoView?.({ block: "end" });
    return item;
  }

  async stop() {
    this.stopButton.disabled = true; // shown only while an answer is being written
    try {
      await api("POST", `/api/messages/${this.streaming.dataset.messageId}/stop`);
    } catch (error) {
      this.showError(error.message);
      this.stopButton.disabled = false;
    } // the stream itself ends with the stopped answer
  }

  // Replays the answer's log after the last event the page has, then tails it;
  // EventSource resumes with Last-Event-ID by itself when the connection drops.
  follow(item) {
    this.setBusy(true);
    this.streaming = item;
    this.stopButton.hidden = false;
    this.stopButton.disabled = false;
    const body = item.querySelector("[data-testid=message-body]");
    const steps = item.querySelector("[data-testid=research-steps]");
    const text = document.createTextNode("");
    body.append(text);
    const source = new EventSource(`${item.dataset.eventsUrl}?after=${item.dataset.lastEventId || 0}`);
    this.source = source;
    const on = (type, handle) =>
      source.addEventListener(type, (event) => {
        item.dataset.lastEventId = event.lastEventId;
        handle(event);
      });
    on("token", (event) => text.appendData(JSON.parse(event.data).text));
    on("step", (event) => addStep(steps, JSON.parse(event.data).text));
    on("done", () => {
      source.close();
      this.finish(item);
    });
    source.addEventListener("error", async (event) => {
      if (event instanceof MessageEvent) {
        source.close(); // the answer's own ending: an error from the model
        this.finish(item);
      } else if (source.readyState === EventSource.CLOSED) {
        this.abandon(item, await refusal(source.url)); // refused outright; dropped ones retry
      }
    });
  }

  // The page stops following an answer it may not read; the person can go on.
  abandon(item, reason) {
    this.source = null;
    this.streaming = null;
    this.stopButton.hidden = true;
    item.removeAttribute("aria-busy");
    this.setBusy(false);
    this.showError(reason);
  }

  async finish(item) {
    this.source = null;
    this.streaming = null;
    this.stopButton.hidden = true;
    try {
      item.replaceWith(await renderedItem(item.dataset.messageId));
      this.setBusy(false);
    } catch {
      item.removeAttribute("aria-busy");
      this.setBusy(false);
      this.showError("The answer is saved, but could not be shown. Reload the page to see it.");
    }
  }
}

function addStep(steps, text) {
  const step = document.createElement("li");
  step.textContent = text;
  steps.append(step);
  steps.hidden = false;
}

// A finished message as the server renders (and sanitizes) it; waits out being offline.
async function renderedItem(messageId) {
  for (;;) {
    await whenOnline();
    try {
      const response = await fetch(`/messages/${messageId}/item`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const template = document.createElement("template");
      template.innerHTML = (await response.text()).trim();
      return template.content.firstElementChild;
    } catch (error) {
      if (navigator.onLine) throw error;
    }
  }
}

const UNFOLLOWABLE = "The answer could not be followed. Reload the page.";

// EventSource gives up on an HTTP error without saying which; the same request tells.
async function refusal(url) {
  const controller = new AbortController();
  try {
    const response = await fetch(url, { signal: controller.signal });
    const body = response.ok ? {} : await response.json();
    return body.error?.message ?? UNFOLLOWABLE;
  } catch {
    return UNFOLLOWABLE;
  } finally {
    controller.abort(); // in case it was let through this time: only the reason was wanted
  }
}

async function copy(item, button) {
  const text = item.querySelector("[data-testid=message-body]").innerText;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Copy failed";
  }
}
