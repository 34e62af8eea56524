// The chat's header: rename, delete, and which documents the chat answers from; each
// kept true as the chat and the documents change in other tabs.
import { api } from "./api.js";
import { confirmAction } from "./confirm.js";
import { onChange } from "./live.js";
import { showProblem } from "./problem.js";

export function initChatHeader(root) {
  const sessionId = root.dataset.sessionId;
  root.querySelector("[data-action=rename-session]").addEventListener("click", () => rename(root, sessionId));
  root.querySelector("[data-action=delete-session]").addEventListener("click", () => remove(root, sessionId));
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

  onChange("session", ({ session }) => {
    if (session.id !== sessionId) return;
    showTitle(session.title);
    if (pending === 0) showChoice(picker, session.document_ids); // else this tab's own is on its way
  });
  onChange("document", ({ document: doc }) => {
    if (doc.status === "ready" && !boxOf(picker, doc.id)) addBox(picker, doc);
  });
  onChange("document_deleted", ({ id }) => {
    boxOf(picker, id)?.closest("label").remove();
    showCount(picker);
  });
  onChange("session_deleted", ({ id }) => {
    if (id !== sessionId) return;
    for (const control of root.querySelectorAll(".chat-header button, .chat-header input")) {
      control.disabled = true;
    }
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

async function remove(root, sessionId) {
  const title = document.querySelector("[data-testid=session-title]").textContent;
  const confirmed = await confirmAction({
    title: `Delete “${title}”?`,
    message: "The chat and all its messages are deleted. Your documents stay.",
    confirmLabel: "Delete",
  });
  if (!confirmed) return;
  root.dataset.deleting = "true"; // by this tab: not news to announce here
  try {
    await api("DELETE", `/api/sessions/${sessionId}`);
    window.location.assign("/");
  } catch (error) {
    delete root.dataset.deleting;
    showProblem(error.message);
  }
}

function boxes(picker) {
  return [...picker.querySelectorAll("input[type=checkbox]")];
}

function boxOf(picker, documentId) {
  return boxes(picker).find((box) => box.value === documentId);
}

// A document ready since the page was made: chosen if the chat answers from every one.
function addBox(picker, doc) {
  const label = picker.querySelector("#document-choice-template").content.firstElementChild.cloneNode(true);
  const box = label.querySelector("input");
  box.value = doc.id;
  box.checked = picker.dataset.everyDocument === "true";
  label.querySelector("span").textContent = doc.filename;
  picker.querySelector("fieldset").append(label);
  showCount(picker);
}

function showChoice(picker, documentIds) {
  picker.dataset.everyDocument = String(documentIds === null);
  for (const box of boxes(picker)) box.checked = documentIds === null || documentIds.includes(box.value);
  showCount(picker);
}

function showCount(picker) {
  const all = boxes(picker);
  const chosen = all.filter((box) => box.checked).length;
  picker.querySelector("[data-testid=chat-documents-count]").textContent =
    all.length ? `${chosen} of ${all.length}` : "none yet";
  picker.querySelector("fieldset").hidden = !all.length;
  picker.querySelector(".hint").hidden = all.length > 0;
}

async function chooseDocuments(picker, sessionId) {
  const error = picker.querySelector("[data-testid=chat-documents-error]");
  try {
    const gone = await saveChoice(picker, sessionId);
    error.textContent = gone.length ? deletedElsewhere(gone) : "";
  } catch (failure) {
    error.textContent = failure.message;
  }
  error.hidden = !error.textContent;
  showCount(picker);
}

// Saves the boxes ticked now. A document deleted elsewhere, not yet heard of here, is
// taken out of the choice and the rest saved; returns the names of those taken out.
async function saveChoice(picker, sessionId) {
  const save = () => {
    const ids = boxes(picker).filter((box) => box.checked).map((box) => box.value);
    return api("PATCH", `/api/sessions/${sessionId}`, { document_ids: ids });
  };
  try {
    await save();
    return [];
  } catch (failure) {
    if (failure.status !== 404) throw failure;
    const present = new Set((await api("GET", "/api/documents")).map((doc) => doc.id));
    const gone = boxes(picker).filter((box) => !present.has(box.value));
    if (!gone.length) throw failure; // the chat itself is gone
    const names = gone.map((box) => box.closest("label").textContent.trim());
    for (const box of gone) box.closest("label").remove();
    await save();
    return names;
  }
}

function deletedElsewhere(names) {
  const quoted = names.map((name) => `“${name}”`).join(", ");
  const them = names.length === 1 ? "was deleted elsewhere, so this chat no longer uses it" :
    "were deleted elsewhere, so this chat no longer uses them";
  return `${quoted} ${them}.`;
}
