// The chat's header: rename, delete, and which documents the chat answers from.
import { api } from "./api.js";
import { showProblem } from "./problem.js";
import { confirmAction } from "./confirm.js";

export function initChatHeader(root) {
  const sessionId = root.dataset.sessionId;
  root.querySelector("[data-action=rename-session]").addEventListener("click", () => rename(root, sessionId));
  root.querySelector("[data-action=delete-session]").addEventListener("click", () => remove(sessionId));
  const picker = root.querySelector("[data-testid=chat-documents]");
  // Saves run one after another, each sending the boxes as they are then, so quick
  // clicks cannot land out of order; aria-busy says when the last one is done.
  let saving = Promise.resolve();
  let pending = 0;
  picker.addEventListener("change", () => {
    pending += 1;
    picker.setAttribute("aria-busy", "true");
    saving = saving.then(() => chooseDocuments(picker, sessionId)).finally(() => {
      pending -= 1;
      if (pending === 0) picker.setAttribute("aria-busy", "false");
    });
  });
}

export function showTitle(title) {
  document.querySelector("[data-testid=session-title]").textContent = title;
  const link = document.querySelector("[data-testid=session-list] [aria-current=page]");
  if (link) link.textContent = title;
  document.title = `${title} · DocChat`;
}

function rename(root, sessionId) {
  const dialog = root.querySelector("[data-testid=rename-dialog]");
  const input = dialog.querySelector("input");
  input.value = document.querySelector("[data-testid=session-title]").textContent;
  dialog.returnValue = "";
  dialog.showModal();
  input.select();
  dialog.addEventListener("close", async () => {
    const title = input.value.trim();
    if (dialog.returnValue !== "save" || !title) return;
    try {
      showTitle((await api("PATCH", `/api/sessions/${sessionId}`, { title })).title);
    } catch (error) {
      showProblem(error.message);
    }
  }, { once: true });
}

async function remove(sessionId) {
  const title = document.querySelector("[data-testid=session-title]").textContent;
  const confirmed = await confirmAction({
    title: `Delete “${title}”?`,
    message: "The chat and all its messages are deleted. Your documents stay.",
    confirmLabel: "Delete",
  });
  if (!confirmed) return;
  try {
    await api("DELETE", `/api/sessions/${sessionId}`);
    window.location.assign("/");
  } catch (error) {
    showProblem(error.message);
  }
}

async function chooseDocuments(picker, sessionId) {
  const boxes = [...picker.querySelectorAll("input[type=checkbox]")];
  const chosen = boxes.filter((box) => box.checked);
  const error = picker.querySelector("[data-testid=chat-documents-error]");
  try {
    await api("PATCH", `/api/sessions/${sessionId}`, { document_ids: chosen.map((box) => box.value) });
    picker.querySelector("[data-testid=chat-documents-count]").textContent = `${chosen.length} of ${boxes.length}`;
    error.hidden = true;
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  }
}
