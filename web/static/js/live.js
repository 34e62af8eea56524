// The workspace's changes as they happen, from any tab or device: one event stream while
// the tab is in sight and online (a hidden tab holds no connection), resumed after the
// last change it heard when it is again. Changes are applied one at a time, in order.
import { streamRefusal } from "./api.js";
import { showProblem } from "./problem.js";

// Every kind of change the stream carries (the README's API table says what each holds).
const CHANGES = ["document", "document_deleted", "session", "session_deleted", "answer"];
const handlers = new Map(CHANGES.map((type) => [type, []]));

// `handle(data)` for each change of this type; it may return a promise.
export function onChange(type, handle) {
  handlers.get(type).push(handle);
}

export function followChanges(body) {
  let heard = Number(body.dataset.liveEventId); // where a new stream goes on from
  let applying = Promise.resolve();
  let source = null;
  let refused = false;

  const apply = async (type, data, id) => {
    for (const handle of handlers.get(type)) await handle(data);
    body.dataset.liveEventId = id;
  };
  const close = () => {
    source?.close();
    source = null;
    body.dataset.live = refused ? "refused" : "closed";
  };
  const open = () => {
    if (source || refused || document.visibilityState === "hidden" || !navigator.onLine) return;
    const stream = new EventSource(`/api/workspace/events?after=${heard}`);
    source = stream;
    stream.addEventListener("open", () => {
      body.dataset.live = "open";
    });
    for (const type of CHANGES) {
      stream.addEventListener(type, (event) => {
        const id = Number(event.lastEventId); // each one once: the server resumes exactly
        heard = id;
        applying = applying.then(() => apply(type, JSON.parse(event.data), id)).catch(console.error);
      });
    }
    stream.addEventListener("error", async () => {
      body.dataset.live = "closed"; // reconnecting, unless refused outright
      if (stream.readyState !== EventSource.CLOSED) return;
      refused = true;
      close();
      showProblem((await streamRefusal(stream.url)).message);
    });
  };

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") close();
    else open();
  });
  addEventListener("offline", close);
  addEventListener("online", open);
  open();
}
