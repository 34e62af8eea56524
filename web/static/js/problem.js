// What went wrong with an action that has no form of its own to say it in (a new chat, a
// rename, a delete): one place at the top of the page, read out as it appears.
export function showProblem(message) {
  const notice = document.querySelector("[data-testid=page-problem]");
  notice.textContent = message;
  notice.hidden = false;
}
