/**
 * Which characters Tally accepts in any text it is sent — the one definition, applied to every
 * string (and key) of every request body (lib/http/request.ts) and every imported row.
 *
 * Refused everywhere: C0 controls other than tab, line feed and carriage return (NUL among
 * them), DEL and the C1 controls; lone UTF-16 surrogates (not text, and they break JSON and
 * UTF-8 encoders downstream); the bidi embedding, override and isolate controls U+202A–U+202E
 * and U+2066–U+2069 (they make "U+202E"-style spoofing possible in SMS and e-mail texts); the
 * byte-order mark. Allowed: every letter and script, ZWNJ/ZWJ (Persian needs them), the
 * LRM/RLM marks (plain right-to-left text uses them). Single-line fields (codes, names) also
 * refuse tab, line feed and carriage return.
 */
const forbiddenAnywhere = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/;
const lineBreaks = /[\t\n\r]/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a text is refused, as the rule a 400 names, or null when it is fine. */
export function textProblem(s: string, opts: { singleLine?: boolean } = {}): string | null {
  if (loneSurrogate.test(s)) return 'contains a lone UTF-16 surrogate';
  const bad = forbiddenAnywhere.exec(s);
  if (bad) return `contains the control character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  if (opts.singleLine && lineBreaks.test(s)) return 'must be one line (no tab or line break)';
  return null;
}

/**
 * A path segment as it may be echoed in an answer: a field name we could have defined, or an
 * index; anything else (a name the caller made up, possibly hostile) shows as `*`.
 */
const shown = (segment: string) => (/^[A-Za-z0-9_-]{1,64}$/.test(segment) ? segment : '*');

/** The first string (or object key) in a JSON value that breaks the rule, with its dotted path. */
export function firstTextProblem(value: unknown, path: string[] = []): { path: string; problem: string } | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path: path.map(shown).join('.'), problem } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstTextProblem(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyProblem = textProblem(k, { singleLine: true });
      if (keyProblem) return { path: [...path, k].map(shown).join('.'), problem: `its name ${keyProblem}` };
      const found = firstTextProblem(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

/** A zod refinement for single-line fields (SKUs, categories, names). */
export const singleLine = (s: string) => textProblem(s, { singleLine: true }) === null;
export const singleLineMessage = 'must be one line of text without control or bidi-override characters';
