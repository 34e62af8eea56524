// A modal "are you sure?" before anything destructive; resolves true only when confirmed.
export function confirmAction({ title, message, confirmLabel }) {
  const dialog = document.querySelector("[data-testid=confirm-dialog]");
  dialog.querySelector("#confirm-title").textContent = title;
  dialog.querySelector("#confirm-message").textContent = message;
  dialog.querySelector("[data-slot=confirm]").textContent = confirmLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}
