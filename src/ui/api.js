// The UI's only door to the controller: fetch JSON from /v1 with the bearer token kept in
// sessionStorage (per tab, never in the URL). A 401 asks the page to show the login form.

const TOKEN_KEY = 'kairos.token';

/** Thrown for non-2xx answers; `code` and `message` come from the API's error body. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * Server time minus browser time, from the `x-kairos-now` header of the last answer, so
 * "in 5m" is relative to the controller's clock, not to a skewed laptop.
 */
let skewMs = 0;

/** The controller's current time, epoch ms. */
export const serverNow = () => Date.now() + skewMs;

/** Called on 401; app.js sets it to show the login form. */
export const auth = { onUnauthorized: () => {} };

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

async function call(method, path, body) {
  // Writes are JSON even without parameters: the API refuses other writes (cross-site forms).
  if (method !== 'GET' && body === undefined) body = {};
  const headers = { accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const now = Number(res.headers.get('x-kairos-now'));
  if (now > 0) skewMs = now - Date.now();
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (res.status === 401) auth.onUnauthorized();
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? 'E_HTTP', data?.error?.message ?? `HTTP ${res.status}`);
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);
/** Path segment for a job name or run id (run ids hold `@`, `:` and `/`). */
export const seg = (s) => encodeURIComponent(s);
