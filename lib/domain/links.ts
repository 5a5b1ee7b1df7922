/**
 * One-time sign-in links for the customer page: how long they live, what the customer's page
 * session they are exchanged for lasts, how often one may be asked for, and the message that
 * carries one, in the customer's language. Pure.
 */
export const LINK_TTL_MINUTES = 15;
/** The app key a link is exchanged for: the customer page's session on that device. */
export const LINK_SESSION_DAYS = 90;
/** Links one phone number or e-mail address may be sent in an hour when the customer asks. */
export const LINK_REQUESTS_PER_HOUR = 3;

export type LinkLocale = 'en' | 'hy' | 'uk' | 'hu' | 'fa';
const locales: readonly LinkLocale[] = ['en', 'hy', 'uk', 'hu', 'fa'];

const texts: Record<LinkLocale, { subject: string; text: (chain: string, url: string, minutes: number) => string }> = {
  en: { subject: 'Your points', text: (c, u, m) => `${c}: open your points page (the link works once, for ${m} minutes): ${u}` },
  hy: { subject: 'Ձեր միավորները', text: (c, u, m) => `${c}. բացեք ձեր միավորների էջը (հղումը գործում է մեկ անգամ, ${m} րոպե)՝ ${u}` },
  uk: { subject: 'Ваші бали', text: (c, u, m) => `${c}: відкрийте сторінку своїх балів (посилання діє один раз, ${m} хв): ${u}` },
  hu: { subject: 'Pontjaim', text: (c, u, m) => `${c}: nyissa meg a pontjai oldalát (a link egyszer, ${m} percig érvényes): ${u}` },
  fa: { subject: 'امتیازهای من', text: (c, u, m) => `${c}: صفحهٔ امتیازهای خود را باز کنید (این پیوند یک بار و تا ${m} دقیقه کار می‌کند): ${u}` },
};

export const linkLocale = (...candidates: Array<string | undefined>): LinkLocale => {
  for (const c of candidates) {
    const base = c?.toLowerCase().split(/[-_]/)[0];
    if (base && (locales as readonly string[]).includes(base)) return base as LinkLocale;
  }
  return 'en';
};

/** The message that carries a link; the URL is the only thing in it that must not be logged. */
export function linkMessage(locale: LinkLocale, chain: string, url: string): { locale: LinkLocale; subject: string; text: string; html: string } {
  const t = texts[locale];
  const text = t.text(chain, url, LINK_TTL_MINUTES);
  const escape = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
  const dir = locale === 'fa' ? 'rtl' : 'ltr';
  return { locale, subject: `${chain}: ${t.subject}`, text, html: `<p dir="${dir}" lang="${locale}">${escape(text).replace(escape(url), `<a href="${escape(url)}">${escape(url)}</a>`)}</p>` };
}

/** Where a link may go, shown to staff without the whole number or address. */
export const maskDestination = (to: string): string =>
  to.includes('@') ? `${to[0]}…@${to.split('@')[1]}` : `${to.slice(0, 4)}…${to.slice(-2)}`;
