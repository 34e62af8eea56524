// The documents panel: many files at once from the picker or dropped anywhere on the page,
// each in its own row (progress, processing, ready or failed); delete after confirmation.
// Rows change as documents are added, processed or deleted in any tab.
import { api } from "./api.js";
import { confirmAction } from "./confirm.js";
import { onChange } from "./live.js";

let labels = {};

export function initDocuments(panel) {
  labels = JSON.parse(panel.dataset.statusLabels);
  const input = panel.querySelector("input[type=file]");
  input.addEventListener("change", () => {
    uploadAll(panel, input.files);
    input.value = "";
  });
  acceptDrops(panel);
  panel.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action=delete-document]");
    if (button) deleteDocument(button.closest("[data-testid=document-row]"));
  });
  const list = panel.querySelector("[data-testid=document-list]");
  onChange("document", (change) => showChange(list, change));
  onChange("document_deleted", ({ id }) => {
    const row = rowOf(list, id);
    // An upload's own row (still sending, or saying why it was refused) is its to end.
    if (row && !discardButton(row)) row.remove();
  });
}

function rowOf(list, documentId) {
  return list.querySelector(`[data-document-id="${documentId}"]`);
}

// A row uploaded here belongs to its upload until the server answers it: the change only
// names it. Any other is shown as the server renders it now, unless it shows that already
// (a change replayed to a page made after it; re-rendering would drop a note on the row).
async function showChange(list, { document: doc, upload }) {
  const mine = upload && list.querySelector(`[data-upload="${upload}"]`);
  if (mine) {
    mine.dataset.documentId = doc.id;
    // Stored, so the server has the whole file. Firefox says an upload is sent only once
    // it is answered, which waits for the file to be read.
    if (doc.status === "processing") setStatus(mine, "processing");
    return;
  }
  const shown = rowOf(list, doc.id);
  if (shown?.dataset.upload || shown?.dataset.status === doc.status) return;
  const fresh = await renderedRow(doc.id);
  const row = rowOf(list, doc.id);
  if (!fresh || row?.dataset.upload) return; // deleted meanwhile, or uploading here
  if (row) row.replaceWith(fresh);
  else list.append(fresh);
}

// The row as the server renders it, so it reads exactly as it will after a reload; null
// when the document is gone (or the row cannot be had).
async function renderedRow(documentId) {
  const response = await fetch(`/documents/${documentId}/row`).catch(() => null);
  if (!response?.ok) return null;
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim();
  return template.content.firstElementChild;
}

function uploadAll(panel, files) {
  for (const file of files) upload(panel, file);
}

function acceptDrops(panel) {
  const overlay = document.querySelector("[data-testid=drop-overlay]");
  const carriesFiles = (event) => event.dataTransfer?.types.includes("Files");
  let depth = 0; // dragenter/dragleave fire for every element crossed
  document.addEventListener("dragenter", (event) => {
    if (!carriesFiles(event)) return;
    depth += 1;
    overlay.hidden = false;
  });
  document.addEventListener("dragleave", (event) => {
    if (!carriesFiles(event)) return;
    depth = Math.max(0, depth - 1);
    overlay.hidden = depth > 0 ? overlay.hidden : true;
  });
  document.addEventListener("dragover", (event) => {
    if (carriesFiles(event)) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth = 0;
    overlay.hidden = true;
    uploadAll(panel, event.dataTransfer.files);
  });
}

const INTERRUPTED = "The upload was interrupted. Check your connection and try again.";

function upload(panel, file) {
  const row = newRow(panel, file.name);
  if (file.size > Number(panel.dataset.maxBytes)) {
    showError(row, panel.dataset.tooLarge);
    return;
  }
  const request = new XMLHttpRequest();
  const progress = row.querySelector("progress");
  progress.hidden = false;
  discardButton(row).addEventListener("click", () => request.abort());
  request.addEventListener("loadend", () => delete row.dataset.upload);
  request.open("POST", "/api/documents");
  // The name other tabs hear it by too, so this tab knows the new row is its own.
  row.dataset.upload = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  request.setRequestHeader("DocChat-Upload", row.dataset.upload);
  request.responseType = "json";
  request.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) progress.value = event.loaded / event.total;
  });
  request.upload.addEventListener("load", () => setStatus(row, "processing"));
  request.addEventListener("load", () => {
    const body = request.response ?? {};
    if (request.status === 201) showDocument(row, body);
    else showError(row, body.error?.message ?? INTERRUPTED); // no word from DocChat: cut short
  });
  request.addEventListener("error", () => showError(row, INTERRUPTED));
  const form = new FormData();
  form.append("file", file);
  request.send(form);
}

function newRow(panel, filename) {
  const template = panel.querySelector("#document-row-template");
  const row = template.content.firstElementChild.cloneNode(true);
  const name = row.querySelector("[data-testid=document-name]");
  name.textContent = filename;
  name.title = filename;
  const discard = discardButton(row);
  discard.setAttribute("aria-label", `Cancel upload of ${filename}`);
  discard.addEventListener("click", () => row.remove());
  panel.querySelector("[data-testid=document-list]").append(row);
  return row;
}

function discardButton(row) {
  return row.querySelector("[data-action=discard-upload]");
}

function setStatus(row, status) {
  row.dataset.status = status;
  row.querySelector("[data-testid=document-status]").textContent = labels[status];
  // Once the server has the whole file there is nothing left to cancel.
  discardButton(row)?.toggleAttribute("hidden", status === "processing");
}

async function showDocument(row, doc) {
  const fresh = await renderedRow(doc.id);
  if (fresh) {
    row.replaceWith(fresh);
    return;
  }
  setStatus(row, doc.status);
  row.querySelector("progress").hidden = true;
}

function showError(row, message, status = "failed") {
  setStatus(row, status);
  row.querySelector("progress").hidden = true;
  const discard = discardButton(row);
  if (discard) {
    discard.textContent = "Dismiss";
    discard.setAttribute("aria-label", `Dismiss ${row.querySelector("[data-testid=document-name]").textContent}`);
  }
  const error = row.querySelector("[data-testid=document-error]");
  error.textContent = message;
  error.hidden = false;
}

async function deleteDocument(row) {
  const name = row.querySelector("[data-testid=document-name]").textContent;
  const confirmed = await confirmAction({
    title: `Delete “${name}”?`,
    message: "Its file and text are removed from DocChat, and chats can no longer use it.",
    confirmLabel: "Delete",
  });
  if (!confirmed) return;
  try {
    await api("DELETE", `/api/documents/${row.dataset.documentId}`);
    row.remove();
  } catch (error) {
    if (error.status === 404) row.remove();
    else showError(row, error.message, row.dataset.status);
  }
}
