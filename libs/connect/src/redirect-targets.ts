/** What a partner registered as places its users may be sent back to. */
export interface RegisteredRedirects {
  successUrl: string | null;
  failureUrl: string | null;
  /** Origins (`https://app.example`) or URL prefixes (`https://app.example/callbacks/`). */
  allowedRedirectUrls: string[];
}

const MAX_URL_LENGTH = 2048;
/** Spaces, controls and backslashes are how open-redirect filters are bypassed; a real callback has none. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const SUSPICIOUS = /[\s\\\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

/**
 * The callback URL a connect or disconnect page may redirect to: the one the partner's code asked for, if it
 * matches what the partner registered; the registered default when none was asked for; null when neither.
 * Throws when the asked-for URL is not allowed: the page must never redirect there.
 */
export function chooseRedirect(
  registered: RegisteredRedirects,
  kind: 'success' | 'failure',
  requested: unknown,
): string | null {
  const fallback = kind === 'success' ? registered.successUrl : registered.failureUrl;
  if (requested === undefined || requested === '') return fallback;
  if (typeof requested !== 'string' || !isAllowedRedirect(requested, registered)) {
    throw new RedirectNotAllowed(kind);
  }
  return requested;
}

export class RedirectNotAllowed extends Error {
  constructor(readonly kind: 'success' | 'failure') {
    super(`The ${kind} URL is not one this application registered`);
    this.name = 'RedirectNotAllowed';
  }
}

export function isAllowedRedirect(candidate: string, registered: RegisteredRedirects): boolean {
  const target = parseWebUrl(candidate);
  if (!target) return false;
  const entries = [registered.successUrl, registered.failureUrl, ...registered.allowedRedirectUrls];
  return entries.some((entry) => entry !== null && matches(target, entry));
}

/** An entry that is only an origin allows any path on it; otherwise it is a prefix ending at a boundary. */
function matches(target: URL, entry: string): boolean {
  const allowed = parseWebUrl(entry);
  if (!allowed || allowed.origin !== target.origin) return false;
  if (isOriginOnly(entry, allowed)) return true;
  const prefix = allowed.href;
  if (!target.href.startsWith(prefix)) return false;
  const next = target.href.charAt(prefix.length);
  return prefix.endsWith('/') || next === '' || next === '/' || next === '?' || next === '#';
}

function isOriginOnly(entry: string, url: URL): boolean {
  return url.pathname === '/' && !url.search && !url.hash && !/^[a-z]+:\/\/[^/]+\/./i.test(entry);
}

/** An absolute http(s) URL without credentials and without characters that hide where it leads. */
function parseWebUrl(text: string): URL | null {
  if (text.length > MAX_URL_LENGTH || SUSPICIOUS.test(text) || !/^https?:\/\//i.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return null;
  return url;
}
