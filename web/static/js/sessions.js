// The sidebar's chats: "New chat" creates one and opens it; chats made, renamed, used or
// deleted in any tab show here, most recently changed first.
import { api } from "./api.js";
import { onChange } from "./live.js";
import { showProblem } from "./problem.js";

export function initSessions(root) {
  for (const button of root.querySelectorAll("[data-action=new-chat]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const session = await api("POST", "/api/sessions", {});
        window.location.assign(`/c/${session.id}`);
      } catch (error) {
        button.disabled = false;
        showProblem(error.message);
      }
    });
  }
  const list = root.querySelector("[data-testid=session-list]");
  onChange("session", ({ session }) => showSession(list, session));
  onChange("session_deleted", ({ id }) => {
    itemOf(list, id)?.remove();
    if (!list.children.length) list.append(emptyItem());
  });
}

function itemOf(list, sessionId) {
  return list.querySelector(`[data-session-id="${sessionId}"]`);
}

function showSession(list, session) {
  const item = itemOf(list, session.id) ?? newItem(session);
  item.querySelector("a").textContent = session.title;
  item.dataset.updatedAt = session.updated_at;
  list.querySelector("[data-testid=no-sessions]")?.remove();
  const older = [...list.children].find(
    (other) => other !== item && other.dataset.updatedAt <= session.updated_at,
  );
  list.insertBefore(item, older ?? null);
}

function newItem(session) {
  const item = document.createElement("li");
  item.dataset.sessionId = session.id;
  const link = document.createElement("a");
  link.href = `/c/${session.id}`;
  item.append(link);
  return item;
}

function emptyItem() {
  const item = document.createElement("li");
  item.className = "empty";
  item.dataset.testid = "no-sessions";
  item.textContent = "No chats yet";
  return item;
}
