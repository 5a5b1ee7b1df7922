/**
 * `normalizePhone` for the route functions, loading the parser on the first phone a request
 * carries, so a cold start that handles no phone never loads libphonenumber-js's metadata. In a
 * Lambda the parser is a file of its own beside the handler's bundle (infra/bundling.ts,
 * `lazyFiles`); run from source, the module itself is imported (README, "Cold start").
 */
const loadPhoneParser = (): Promise<typeof import('#domain/phone-parser.ts')> =>
  process.env.TALLY_PHONE_PARSER_FILE ? import(new URL(process.env.TALLY_PHONE_PARSER_FILE, import.meta.url).href) : import('#domain/phone-parser.ts');

export async function normalizePhone(raw: string): Promise<string | null> {
  return (await loadPhoneParser()).normalizePhone(raw);
}
