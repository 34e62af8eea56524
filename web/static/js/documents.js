// The documents panel: upload many files at once, each with its own progress row.
let labels = {};

export function initDocuments(panel) {
  labels = JSON.parse(panel.dataset.statusLabels);
  const input = panel.querySelector("input[type=file]");
  input.addEventListener("change", () => {
    for (const file of input.files) upload(panel, file);
    input.value = "";
  });
}

function upload(panel, file) {
  const row = newRow(panel, file.name);
  const progress = row.querySelector("progress");
  progress.hidden = false;
  const request = new XMLHttpRequest();
  request.open("POST", "/api/documents");
  request.responseType = "json";
  request.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) progress.value = event.loaded / event.total;
  });
  request.upload.addEventListener("load", () => setStatus(row, "processing"));
  request.addEventListener("load", () => {
    progress.hidden = true;
    const body = request.response ?? {};
    if (request.status === 201) showDocument(row, body);
    else showError(row, body.error?.message ?? `Upload failed (HTTP ${request.status}).`);
  });
  request.addEventListener("error", () => {
    progress.hidden = true;
    showError(row, "The upload was interrupted. Check your connection and try again.");
  });
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
  panel.querySelector("[data-testid=document-list]").append(row);
  return row;
}

function setStatus(row, status) {
  row.dataset.status = status;
  row.querySelector("[data-testid=document-status]").textContent = labels[status] ?? status;
}

function showDocument(row, doc) {
  row.dataset.documentId = doc.id;
  row.querySelector("[data-testid=document-name]").textContent = doc.filename;
  setStatus(row, doc.status);
  if (doc.error) showError(row, doc.error, doc.status);
}

function showError(row, message, status = "failed") {
  setStatus(row, status);
  const error = row.querySelector("[data-testid=document-error]");
  error.textContent = message;
  error.hidden = false;
}
