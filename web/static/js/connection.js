// Whether the browser is online: shown to the person, and awaited by what needs it.
export function initConnection(notice) {
  const show = () => {
    notice.hidden = navigator.onLine;
  };
  addEventListener("online", show);
  addEventListener("offline", show);
  show();
}

export function whenOnline() {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve) => addEventListener("online", resolve, { once: true }));
}
