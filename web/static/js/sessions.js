// "New chat": create a session and open it.
import { api } from "./api.js";
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
}
