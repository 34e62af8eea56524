// On a narrow screen the sidebar is a drawer behind the Menu button: opening it moves
// focus in and makes the page behind it inert; Escape or a tap beside it closes it.
const NARROW = matchMedia("(max-width: 45rem)");

export function initDrawer(body) {
  const button = body.querySelector("[aria-controls=sidebar]");
  const sidebar = body.querySelector("#sidebar");
  const main = body.querySelector("main");
  const isOpen = () => body.dataset.drawer === "open";
  const setOpen = (open) => {
    body.dataset.drawer = open ? "open" : "closed";
    button.setAttribute("aria-expanded", String(open));
    main.inert = open;
    if (open) [...sidebar.querySelectorAll("button, a[href], input")].find((el) => el.checkVisibility())?.focus();
  };
  button.addEventListener("click", () => setOpen(!isOpen()));
  body.querySelector("[data-testid=drawer-backdrop]").addEventListener("click", () => setOpen(false));
  addEventListener("keydown", (event) => {
    // An open dialog takes its own Escape.
    if (event.key !== "Escape" || !isOpen() || document.querySelector("dialog[open]")) return;
    setOpen(false);
    button.focus();
  });
  NARROW.addEventListener("change", () => setOpen(false)); // wide again: no drawer to be in
}
