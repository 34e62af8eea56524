// The chat page: send messages and follow each answer's event stream, whichever tab
// started it.
import { api, streamRefusal } from "./api.js";
import { showTitle } from "./chat_header.js";
import { whenOnline } from "./connection.js";
import { onChange } from "./live.js";
import { showProblem } from "./problem.js";

const OFFLINE_SEND = "You are offline. Your message is kept here: send it once the connection is back.";
const DELETED_ELSEWHERE = "This chat was deleted in another tab or window.";
// What a screen reader hears as an answer ends (then the reason, if it gives one).
const ENDED = {
  done: "Answer complete.",
  stopped: "Answer stopped.",
  error: "Answer failed.",
  interrupted: "Answer failed.",
  length_limit: "Answer ended early.",
  filtered: "Answer ended early.",
  refused: "Answer declined.",
};
const THINKING = "DocChat is thinking…";
const ANSWERING = "DocChat is answering…";

export function initChat(root) {
  const chat = new Chat(root);
  chat.scrollToEnd(); // the latest of the conversation first
  for (const item of root.querySelectorAll("[data-role=assistant][data-status=streaming]")) {
    chat.follow(item);
  }
  onChange("answer", (started) => {
    if (started.session_id === chat.sessionId) chat.start(started);
  });
  onChange("session_deleted", ({ id }) => {
    if (id === chat.sessionId) chat.gone();
  });
}

class Chat {
  constructor(root) {
    this.root = root;
    this.sessionId = root.dataset.sessionId;
    this.modeLabels = JSON.parse(root.dataset.modeLabels);
    this.list = root.querySelector("[data-testid=message-list]");
    this.scroller = root.querySelector(".messages");
    this.following = 0; // a scroll down to the newest text, due at the next frame
    this.template = root.querySelector("#message-template");
    this.form = root.querySelector("[data-testid=input-bar]");
    this.input = this.form.querySelector("textarea");
    this.sendButton = this.form.querySelector("button[type=submit]");
    this.sendError = this.form.querySelector("[data-testid=send-error]");
    this.stopButton = this.form.querySelector("[data-action=stop]");
    this.announcer = root.querySelector("[data-testid=answer-announcer]");
    this.stopButton.addEventListener("click", () => this.stop());
    this.streaming = null; // the answer being written, while there is one
    this.source = null; // its event stream, while open
    this.maxChars = Number(this.form.dataset.maxChars);
    this.busy = false;
    this.closed = false; // the chat was deleted elsewhere
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
    const tooLong = [...text].length > this.maxChars; // characters, as the server counts
    this.showError(tooLong ? this.form.dataset.tooLong : "");
    this.sendButton.disabled = this.closed || this.busy || text === "" || tooLong;
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
    this.input.focus(); // from Send, which is disabled now: on to the next question
    if (!navigator.onLine) {
      this.showError(OFFLINE_SEND);
      return;
    }
    this.setBusy(true);
    try {
      const reply = await api("POST", `/api/sessions/${this.sessionId}/messages`, { content, mode: this.mode });
      this.input.value = "";
      showTitle(reply.session.title);
      this.start({ question: reply.user_message, answer: reply.assistant_message });
    } catch (error) {
      this.setBusy(Boolean(this.streaming)); // one from elsewhere may have started meanwhile
      this.showError(error.message); // the text stays in the box, ready to send again
    }
  }

  // "retry": a new answer in its place; "continue": more of it, after the length limit.
  async rewrite(item, action) {
    if (this.busy) return;
    this.input.focus(); // the button goes with the answer it rewrites
    this.setBusy(true);
    try {
      const reply = await api("POST", `/api/messages/${item.dataset.messageId}/${action}`);
      this.start({ answer: reply.assistant_message, replaces: item.dataset.messageId });
    } catch (error) {
      this.setBusy(Boolean(this.streaming));
      this.showError(error.message);
    }
  }

  // An answer starts, in this tab or another: show it once, and follow it. It comes after
  // a new question, or `replaces` an answer (retried, or itself continued).
  start({ question, answer, replaces }) {
    if (this.closed) return;
    const shown = this.item(answer.id);
    const continuing = replaces === answer.id && shown?.dataset.status === "length_limit";
    if (shown && !continuing) return; // this tab has it already
    const item = this.newItem(answer);
    if (replaces) {
      const old = this.item(replaces);
      if (!old) return; // not on this page: it was made after that
      old.replaceWith(item);
    } else {
      // Only the latest answer can be retried, and these are older now.
      for (const retry of this.list.querySelectorAll("[data-action=retry]")) retry.remove();
      this.list.append(this.newItem(question), item);
    }
    this.scrollToEnd();
    this.follow(item);
  }

  item(messageId) {
    return this.list.querySelector(`[data-message-id="${messageId}"]`);
  }

  // The chat was deleted in another tab: say so, and take nothing more.
  gone() {
    if (this.root.dataset.deleting) return; // by this tab, which is leaving
    this.closed = true;
    this.source?.close();
    this.source = null;
    this.streaming?.removeAttribute("aria-busy");
    this.streaming = null;
    this.stopButton.hidden = true;
    this.input.disabled = true;
    this.setBusy(false);
    showProblem(DELETED_ELSEWHERE);
  }

  // Whether the chat is still there, after its answer was not (a 404).
  async isGone() {
    try {
      await api("GET", `/api/sessions/${this.sessionId}`);
      return false;
    } catch (error) {
      return error.status === 404;
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
    const reasoning = item.querySelector("[data-testid=reasoning]");
    if (message.role === "user") {
      steps.remove();
      reasoning.remove();
    } else {
      reasoning.querySelector("[data-testid=reasoning-text]").textContent = message.reasoning;
      reasoning.querySelector("summary").textContent = message.thought || "Thinking…";
      reasoning.hidden = !message.reasoning;
    }
    for (const text of message.steps) addStep(steps, text);
    if (message.last_event_id) item.dataset.lastEventId = message.last_event_id;
    if (message.status !== "streaming") item.removeAttribute("aria-busy");
    if (message.events_url) item.dataset.eventsUrl = message.events_url;
    return item;
  }

  async stop() {
    this.stopButton.disabled = true; // shown only while an answer is being written
    this.input.focus(); // Stop goes once the answer has stopped
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
    this.source?.close(); // the answer it replaces, if it was still followed
    this.setBusy(true);
    this.streaming = item;
    this.stopButton.hidden = false;
    this.stopButton.disabled = false;
    const body = item.querySelector("[data-testid=message-body]");
    const steps = item.querySelector("[data-testid=research-steps]");
    const text = document.createTextNode("");
    body.append(text);
    const reasoning = item.querySelector("[data-testid=reasoning]");
    // Followed again mid-thought (a reload): still thinking, not yet answering.
    this.announcer.textContent = reasoning.hidden || body.textContent ? ANSWERING : THINKING;
    const thoughts = document.createTextNode("");
    reasoning.querySelector("[data-testid=reasoning-text]").append(thoughts);
    const source = new EventSource(`${item.dataset.eventsUrl}?after=${item.dataset.lastEventId || 0}`);
    this.source = source;
    const on = (type, handle) =>
      source.addEventListener(type, (event) => {
        item.dataset.lastEventId = event.lastEventId;
        handle(event);
      });
    on("token", (event) => this.growing(() => text.appendData(JSON.parse(event.data).text)));
    on("step", (event) => this.growing(() => addStep(steps, JSON.parse(event.data).text)));
    // The model's reasoning grows in its own block, said once to a screen reader.
    on("reasoning", (event) => this.growing(() => {
      if (reasoning.hidden) this.announcer.textContent = THINKING;
      reasoning.hidden = false;
      thoughts.appendData(JSON.parse(event.data).text);
    }));
    on("thought", (event) => {
      reasoning.querySelector("summary").textContent = JSON.parse(event.data).label;
      if (this.announcer.textContent === THINKING) this.announcer.textContent = ANSWERING;
    });
    on("done", () => {
      source.close();
      this.finish(item);
    });
    source.addEventListener("error", async (event) => {
      if (event instanceof MessageEvent) {
        source.close(); // the answer's own ending: an error from the model
        this.finish(item);
      } else if (source.readyState === EventSource.CLOSED) {
        // Refused outright (dropped ones retry by themselves).
        const refused = await streamRefusal(source.url);
        this.abandon(item);
        await this.explainMissing(refused.status, refused.message);
      }
    });
  }

  // The page stops following an answer it may not read; the person can go on.
  abandon(item) {
    item.removeAttribute("aria-busy");
    if (this.streaming !== item) return; // a later answer is followed by now
    this.letGo();
    this.setBusy(false);
  }

  letGo() {
    this.source = null;
    this.streaming = null;
    this.stopButton.hidden = true;
  }

  async finish(item) {
    if (this.streaming === item) this.letGo();
    const shown = await renderedItem(item.dataset.messageId).catch((error) => error);
    if (!this.streaming) this.setBusy(false); // unless a later answer is followed by now
    if (!(shown instanceof Error)) {
      this.growing(() => item.replaceWith(shown));
      this.announce(shown);
      return;
    }
    item.removeAttribute("aria-busy");
    await this.explainMissing(shown.status,
      "The answer is saved, but could not be shown. Reload the page to see it.");
  }

  // The conversation grows at its end: follow it down, unless the person has scrolled up
  // to read something earlier. Once a frame, not per token: measuring the scroller right
  // after each change would force a layout for every token.
  growing(change) {
    if (!this.following) {
      const { scrollHeight, scrollTop, clientHeight } = this.scroller;
      if (scrollHeight - scrollTop - clientHeight < 40) {
        this.following = requestAnimationFrame(() => {
          this.following = 0;
          this.scrollToEnd();
        });
      }
    }
    change();
  }

  scrollToEnd() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  announce(item) {
    const reason = item.querySelector("[data-testid=message-error]:not([hidden]), [data-testid=message-note]");
    this.announcer.textContent = [ENDED[item.dataset.status], reason?.textContent].filter(Boolean).join(" ");
  }

  // An answer that is not there (404) went with its chat, or was replaced by a retry in
  // another tab (whose news puts the new one here); anything else is said as it is.
  async explainMissing(status, message) {
    if (status !== 404) this.showError(message);
    else if (await this.isGone()) this.gone();
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
      if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
      const template = document.createElement("template");
      template.innerHTML = (await response.text()).trim();
      return template.content.firstElementChild;
    } catch (error) {
      if (navigator.onLine) throw error;
    }
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
