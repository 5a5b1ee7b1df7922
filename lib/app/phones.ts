/**
 * `normalizePhone` for the route functions, loading the parser on the first phone a request
 * carries: a module reached only through `import()` runs when first awaited, so a cold start
 * that handles no phone never loads libphonenumber-js's metadata (README, "Cold start").
 */
export async function normalizePhone(raw: string): Promise<string | null> {
  return (await import('#domain/phone-parser.ts')).normalizePhone(raw);
}
