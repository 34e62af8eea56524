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
