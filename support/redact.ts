/**
 * Removes secrets from anything the suite attaches to its reports: JSON bodies,
 * headers and free text. Unit-tested in test/redact.test.ts.
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

/** Replaces every known secret value, and Bearer/Basic credentials, in free text. */
export function redactText(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`)
    .replace(/("?(?:x-api-token|api_key|password|token)"?\s*[:=]\s*)"[^"]*"/gi, `$1"${REDACTED}"`);
}
