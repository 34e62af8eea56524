// fetch() for the JSON API: errors carry the server's human message.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "Cannot reach DocChat. Check your connection and try again.");
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    // No word from DocChat (a crash, or a proxy in front of it): say what is known.
    const error = data?.error ?? {
      code: "http_error",
      message: `Something went wrong on the server (HTTP ${response.status}). Try again; if it ` +
        "keeps happening, tell whoever runs this DocChat.",
    };
    throw new ApiError(response.status, error.code, error.message);
  }
  return data;
}

const UNFOLLOWABLE = "This page could not follow what happens on the server. Reload the page.";

// EventSource gives up on an HTTP error without saying which; the same request tells.
export async function streamRefusal(url) {
  const controller = new AbortController();
  try {
    const response = await fetch(url, { signal: controller.signal });
    const body = response.ok ? {} : await response.json();
    return { status: response.status, message: body.error?.message ?? UNFOLLOWABLE };
  } catch {
    return { status: 0, message: UNFOLLOWABLE };
  } finally {
    controller.abort(); // in case it was let through this time: only the reason was wanted
  }
}
