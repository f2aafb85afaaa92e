/**
 * Removes secrets from anything the suite attaches to its reports: JSON bodies,
 * headers and free text (service logs, Python reprs, URLs). Unit-tested in
 * test/redact.test.ts; the evidence path as a whole in test/evidence.test.ts.
 */
const SECRET_KEY = /(pass(word)?|token|secret|api[_-]?key|authorization|credential)/i;
export const REDACTED = '[redacted]';

/** A deep copy of `value` with every secret-looking field's value replaced. */
export function redactValue(value: unknown, extraSecrets: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => redactValue(item, extraSecrets));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && inner !== null && inner !== undefined && inner !== '' ? REDACTED : redactValue(inner, extraSecrets);
    }
    return out;
  }
  if (typeof value === 'string') return redactText(value, extraSecrets);
  return value;
}

/** A key name that holds a secret, inside free text: password, imap_password, api_key, X-API-Token, client_secret, ... */
const KEY = String.raw`[\w-]*(?:pass(?:word)?|token|secret|api[_-]?key|credential)[\w-]*`;

/**
 * Replaces every known secret value, and whatever free text shows as a credential:
 *  - `Bearer x` / `Basic x`;
 *  - a secret-named key with a quoted value, in JSON (`"password": "x"`) or a Python
 *    repr (`'password': 'x'`, as the proxy logs a refused request body);
 *  - a secret-named key with a bare value (`X-API-Token: x`, `api_key=x` in a query);
 *  - the password of a URL (`postgresql://user:x@host`).
 */
export function redactText(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  const known = [...extraSecrets].filter((secret) => secret && secret.length >= 4).sort((a, b) => b.length - a.length);
  for (const secret of known) out = out.split(secret).join(REDACTED);
  return out
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`)
    .replace(new RegExp(String.raw`(["']?${KEY}["']?\s*[:=]\s*)"[^"]*"`, 'gi'), `$1"${REDACTED}"`)
    .replace(new RegExp(String.raw`(["']?${KEY}["']?\s*[:=]\s*)'[^']*'`, 'gi'), `$1'${REDACTED}'`)
    .replace(new RegExp(String.raw`(\b${KEY}\s*[:=]\s*)(?!["'\s\[{]|null\b|None\b|true\b|false\b)[^\s&,;'"}\]]+`, 'gi'), `$1${REDACTED}`)
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`);
}
