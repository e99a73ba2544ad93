// The REST API: the user's session (its token), JSON requests, and problem documents turned into errors that
// say which form field they are about.

const { reactive } = Vue;
const STORAGE_KEY = 'trader.session';

/** The logged-in user: token, userId, username; all null when logged out. Kept for this tab only. */
export const session = reactive({ token: null, userId: null, username: null, expired: false });

const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
if (stored && stored.token && tokenExpiry(stored.token) > Date.now()) {
  Object.assign(session, stored);
}

/** Whether the session's token has run out (the bridge closes the socket then; the API answers 401). */
export function sessionExpired() {
  return session.token !== null && tokenExpiry(session.token) <= Date.now();
}

function tokenExpiry(token) {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).exp * 1000;
  } catch (e) {
    return 0;
  }
}

/** Starts a session from a signup or login answer. */
export function startSession(answer) {
  Object.assign(session, { token: answer.token, userId: answer.userId, username: answer.username, expired: false });
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ token: answer.token, userId: answer.userId,
    username: answer.username }));
}

/** Ends the session; {@code expired} says the server refused the token (the login page says so). */
export function endSession(expired = false) {
  Object.assign(session, { token: null, userId: null, username: null, expired });
  sessionStorage.removeItem(STORAGE_KEY);
}

/** A refused request: HTTP status, the problem's detail (cleaned up for people) and the form field it is about. */
export class ApiError extends Error {
  constructor(status, detail, field) {
    super(detail);
    this.status = status;
    this.field = field;
  }
}

const SCHEMA_PREFIX = 'The value of the request body is invalid. Reason: ';

/**
 * The field a problem detail is about: the JSON pointer the request validator names ("... at #/amount"), else the
 * first of {@code fields} the detail mentions, else the first field whose keywords it contains.
 */
export function fieldOf(detail, fields = [], keywords = {}) {
  const pointer = /at #\/(\w+)/.exec(detail) || /Property "(\w+)"/.exec(detail);
  if (pointer) {
    return pointer[1];
  }
  const lower = detail.toLowerCase();
  const named = fields.find(f => new RegExp('\\b' + f.toLowerCase() + '\\b').test(lower));
  if (named) {
    return named;
  }
  return Object.keys(keywords).find(f => keywords[f].some(k => lower.includes(k))) || null;
}

function readable(detail) {
  const text = detail.startsWith(SCHEMA_PREFIX) ? detail.slice(SCHEMA_PREFIX.length) : detail;
  const property = /^Property "(\w+)" does not match .* at #\/\w+$/.exec(text);
  return property ? `This ${property[1]} is not valid` : text;
}

/**
 * Calls {@code /api + path}. Resolves with the JSON answer; rejects with an ApiError. {@code position} asks the read
 * side to have applied a command's events first (read-your-writes).
 */
export async function api(method, path, body, { position } = {}) {
  const query = position ? (path.includes('?') ? '&' : '?') + 'position=' + encodeURIComponent(position) : '';
  const headers = { Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (session.token) {
    headers.Authorization = 'Bearer ' + session.token;
  }
  let response;
  try {
    response = await fetch('/api' + path + query, { method, headers,
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'The server cannot be reached. Check the connection and try again.', null);
  }
  const text = await response.text();
  let json = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch (e) {
    json = { detail: text };
  }
  if (response.ok) {
    return json;
  }
  if (response.status === 401 && session.token && !path.startsWith('/auth/')) {
    endSession(true);
  }
  const detail = json.detail || json.title || `The server answered ${response.status}`;
  return Promise.reject(new ApiError(response.status, readable(detail), fieldOf(detail)));
}

/**
 * Errors of a form: {@code of(error)} files an ApiError under its field (or under 'form'), using the form's field
 * names and keywords for details that name no JSON pointer.
 */
export function formErrors(fields, keywords = {}) {
  const errors = reactive({});
  return {
    errors,
    clear() {
      Object.keys(errors).forEach(k => delete errors[k]);
    },
    of(error) {
      const field = error.field && fields.includes(error.field) ? error.field
        : fieldOf(error.message, fields, keywords);
      errors[field || 'form'] = error.message;
    },
  };
}
