// Entry point: wire up whatever parts this page has, then follow the workspace's changes.
import { initChat } from "./chat.js";
import { initChatHeader } from "./chat_header.js";
import { initConnection } from "./connection.js";
import { initDocuments } from "./documents.js";
import { initDrawer } from "./drawer.js";
import { followChanges } from "./live.js";
import { initSessions } from "./sessions.js";

initConnection(document.querySelector("[data-testid=connection-status]"));
initDrawer(document.body);
initSessions(document);
initDocuments(document.querySelector("[data-testid=documents-panel]"));
const chat = document.querySelector(".chat");
if (chat) {
  initChatHeader(chat);
  initChat(chat);
}
followChanges(document.body);
