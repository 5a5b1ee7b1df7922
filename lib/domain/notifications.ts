/**
 * Notifications: which domain events tell the customer something, on which channel, in which
 * language, and when. Pure: an event and what we know of the customer in, messages out. The
 * renderer substitutes named variables only (no expressions, no code), escapes them for HTML
 * e-mail, and formats numbers and dates in the customer's locale (Persian digits for `fa`).
 */
import type * as z from 'zod';
import type { notificationsSchema } from './schemas/notifications.ts';
import { addDays } from './calendar.ts';
import { localTime } from './time.ts';

export const channels = ['sms', 'email', 'push'] as const;
export type Channel = (typeof channels)[number];

/** The events a customer can be told about, and the variables their templates may use. */
export const notifiableEvents = {
  'receipt.committed': ['name', 'points', 'balance', 'store'],
  'birthday.granted': ['name', 'points', 'balance'],
  'points.expiring': ['name', 'points', 'balance', 'expiresOn'],
  'tier.changed': ['name', 'tier'],
  'reward.unlocked': ['name', 'reward', 'store'],
  'coupon.issued': ['name', 'code'],
  'refill.due': ['name', 'product', 'runsOutOn'],
  'points.expired': ['name', 'points', 'balance'],
} as const satisfies Record<string, readonly string[]>;
export type NotifiableEvent = keyof typeof notifiableEvents;

/** A `{{name}}` in a template. */
export const TEMPLATE_VARIABLE = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;

/** Languages one event may have templates in (the document is stored whole, so every list is bounded). */
export const MAX_TEMPLATE_LOCALES = 20;

export type NotificationSettings = z.output<typeof notificationsSchema>;

type Templates = Record<NotifiableEvent, Record<string, { subject: string; text: string }>>;

/** Built-in templates in the languages of the seed chains; a program overrides any of them. */
export const defaultTemplates: Templates = {
  'receipt.committed': {
    en: { subject: 'Your points', text: '{{name}}, you earned {{points}} points at {{store}}. Balance: {{balance}}.' },
    hy: { subject: 'Ձեր միավորները', text: '{{name}}, դուք ստացաք {{points}} միավոր {{store}}-ում։ Մնացորդ՝ {{balance}}։' },
    uk: { subject: 'Ваші бали', text: '{{name}}, ви отримали {{points}} балів у {{store}}. Баланс: {{balance}}.' },
    hu: { subject: 'Pontjai', text: '{{name}}, {{points}} pontot kapott itt: {{store}}. Egyenleg: {{balance}}.' },
    fa: { subject: 'امتیازهای شما', text: '{{name}}، شما {{points}} امتیاز در {{store}} گرفتید. موجودی: {{balance}}.' },
  },
  'birthday.granted': {
    en: { subject: 'Happy birthday!', text: 'Happy birthday, {{name}}! {{points}} points are our gift. Balance: {{balance}}.' },
    hy: { subject: 'Շնորհավոր ծննդյան օրը', text: 'Շնորհավոր ծննդյան օրը, {{name}}։ {{points}} միավորը մեր նվերն է։ Մնացորդ՝ {{balance}}։' },
    uk: { subject: 'З днем народження!', text: 'З днем народження, {{name}}! {{points}} балів — наш подарунок. Баланс: {{balance}}.' },
    hu: { subject: 'Boldog születésnapot!', text: 'Boldog születésnapot, {{name}}! {{points}} pont az ajándékunk. Egyenleg: {{balance}}.' },
    fa: { subject: 'تولدت مبارک!', text: 'تولدت مبارک، {{name}}! {{points}} امتیاز هدیهٔ ماست. موجودی: {{balance}}.' },
  },
  'points.expiring': {
    en: { subject: 'Points expiring soon', text: '{{name}}, {{points}} of your points expire on {{expiresOn}}. Balance: {{balance}}.' },
    hy: { subject: 'Միավորները շուտով կսպառվեն', text: '{{name}}, ձեր {{points}} միավորը կսպառվի {{expiresOn}}։ Մնացորդ՝ {{balance}}։' },
    uk: { subject: 'Бали скоро згорять', text: '{{name}}, {{points}} ваших балів згорять {{expiresOn}}. Баланс: {{balance}}.' },
    hu: { subject: 'Hamarosan lejáró pontok', text: '{{name}}, {{points}} pontja lejár: {{expiresOn}}. Egyenleg: {{balance}}.' },
    fa: { subject: 'امتیازها به‌زودی منقضی می‌شوند', text: '{{name}}، {{points}} امتیاز شما در {{expiresOn}} منقضی می‌شود. موجودی: {{balance}}.' },
  },
  'tier.changed': {
    en: { subject: 'Your level', text: '{{name}}, your level is now {{tier}}.' },
    hy: { subject: 'Ձեր մակարդակը', text: '{{name}}, ձեր մակարդակն այժմ {{tier}} է։' },
    uk: { subject: 'Ваш рівень', text: '{{name}}, ваш рівень тепер {{tier}}.' },
    hu: { subject: 'Az Ön szintje', text: '{{name}}, az Ön szintje mostantól {{tier}}.' },
    fa: { subject: 'سطح شما', text: '{{name}}، سطح شما اکنون {{tier}} است.' },
  },
  'reward.unlocked': {
    en: { subject: 'A reward for you', text: '{{name}}, you unlocked {{reward}} at {{store}}. Use it on your next purchase.' },
    hy: { subject: 'Պարգև ձեզ համար', text: '{{name}}, դուք ստացաք {{reward}} {{store}}-ում։ Օգտագործեք հաջորդ գնումին։' },
    uk: { subject: 'Винагорода для вас', text: '{{name}}, ви отримали {{reward}} у {{store}}. Використайте її під час наступної покупки.' },
    hu: { subject: 'Jutalom Önnek', text: '{{name}}, feloldotta: {{reward}} ({{store}}). Használja a következő vásárláskor.' },
    fa: { subject: 'یک جایزه برای شما', text: '{{name}}، شما {{reward}} را در {{store}} باز کردید. در خرید بعدی از آن استفاده کنید.' },
  },
  'coupon.issued': {
    en: { subject: 'A coupon for you', text: '{{name}}, your coupon code: {{code}}.' },
    hy: { subject: 'Կտրոն ձեզ համար', text: '{{name}}, ձեր կտրոնի կոդը՝ {{code}}։' },
    uk: { subject: 'Купон для вас', text: '{{name}}, ваш код купона: {{code}}.' },
    hu: { subject: 'Kupon Önnek', text: '{{name}}, az Ön kuponkódja: {{code}}.' },
    fa: { subject: 'یک کوپن برای شما', text: '{{name}}، کد کوپن شما: {{code}}.' },
  },
  'points.expired': {
    en: { subject: 'Points expired', text: '{{name}}, {{points}} points expired today. Balance: {{balance}}.' },
    hy: { subject: 'Միավորները սպառվել են', text: '{{name}}, այսօր սպառվել է {{points}} միավոր։ Մնացորդ՝ {{balance}}։' },
    uk: { subject: 'Бали згоріли', text: '{{name}}, сьогодні згоріло {{points}} балів. Баланс: {{balance}}.' },
    hu: { subject: 'Lejárt pontok', text: '{{name}}, ma {{points}} pont lejárt. Egyenleg: {{balance}}.' },
    fa: { subject: 'امتیازها منقضی شدند', text: '{{name}}، امروز {{points}} امتیاز منقضی شد. موجودی: {{balance}}.' },
  },
  'refill.due': {
    en: { subject: 'Time to refill', text: '{{name}}, your {{product}} runs out on {{runsOutOn}}. Time to refill.' },
    hy: { subject: 'Ժամանակն է համալրելու', text: '{{name}}, ձեր {{product}}-ը կավարտվի {{runsOutOn}}։ Ժամանակն է համալրելու։' },
    uk: { subject: 'Час поповнити запас', text: '{{name}}, ваш {{product}} закінчиться {{runsOutOn}}. Час поповнити запас.' },
    hu: { subject: 'Ideje pótolni', text: '{{name}}, a(z) {{product}} {{runsOutOn}} napon elfogy. Ideje pótolni.' },
    fa: { subject: 'زمان تمدید', text: '{{name}}، {{product}} شما در {{runsOutOn}} تمام می‌شود. زمان تمدید است.' },
  },
};

/** Languages written right to left: the e-mail says so, and an SMS starts with a right-to-left mark. */
const RTL = new Set(['fa', 'ar', 'he', 'ur']);
export const isRightToLeft = (locale: string): boolean => RTL.has(locale.split('-')[0]!);

export type Variables = Partial<Record<'name' | 'points' | 'balance' | 'store' | 'expiresOn' | 'tier' | 'reward' | 'code' | 'product' | 'runsOutOn', string | number>>;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function format(value: string | number, locale: string): string {
  if (typeof value === 'number') return new Intl.NumberFormat(locale).format(value);
  // Dates ("2027-03-31") are shown the local way; everything else as given.
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${value}T00:00:00Z`));
  }
  return value;
}

/** Substitutes `{{variable}}`s; a variable without a value renders empty, never the raw braces. */
export function render(template: string, vars: Variables, locale: string, escape: (s: string) => string = (s) => s): string {
  return template.replace(TEMPLATE_VARIABLE, (_, name: string) => {
    // Own properties only: `{{constructor}}` must not reach Object.prototype.
    const v = Object.hasOwn(vars, name) ? vars[name as keyof Variables] : undefined;
    return v === undefined ? '' : escape(format(v, locale));
  });
}

export interface RenderedMessage {
  readonly locale: string;
  readonly subject: string;
  readonly text: string;
  /** For e-mail: the text, escaped, in a document that declares its language and direction. */
  readonly html: string;
}

/** `tenantLocale`: the tenant's default language, for a program that names none. */
export function renderMessage(settings: NotificationSettings, event: NotifiableEvent, preferredLocale: string | undefined, vars: Variables, tenantLocale = 'en'): RenderedMessage {
  const own = settings.templates[event] ?? {};
  const merged: Record<string, { subject?: string | undefined; text: string }> = { ...defaultTemplates[event], ...own };
  return renderTemplates(merged, defaultTemplates[event].en!.subject, preferredLocale, settings.defaultLocale ?? tenantLocale, vars);
}

/**
 * Renders the best template for the customer: their exact language tag, then its language, then
 * the program's default, then English, then any.
 */
export function renderTemplates(
  templates: Readonly<Record<string, { readonly subject?: string | undefined; readonly text: string }>>,
  fallbackSubject: string,
  preferredLocale: string | undefined,
  defaultLocale: string,
  vars: Variables,
): RenderedMessage {
  const lang = preferredLocale?.split('-')[0];
  const locale = [preferredLocale, lang, defaultLocale, 'en'].find((l): l is string => !!l && Object.hasOwn(templates, l)) ?? Object.keys(templates)[0]!;
  const t = templates[locale]!;
  const rtl = isRightToLeft(locale);
  const text = render(t.text, vars, locale);
  const subject = render(t.subject ?? fallbackSubject, vars, locale);
  const body = render(t.text, vars, locale, escapeHtml);
  return {
    locale,
    subject,
    text: rtl ? `\u200F${text}` : text,
    html: `<!doctype html><html lang="${escapeHtml(locale)}" dir="${rtl ? 'rtl' : 'ltr'}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body><p>${body}</p></body></html>`,
  };
}

export interface Reachability {
  readonly consents: Readonly<Record<Channel, boolean>>;
  readonly hasPhone: boolean;
  readonly hasEmail: boolean;
  readonly devices: number;
}

/** The first channel of the program's list that the customer agreed to and can be reached on. */
export function chooseChannel(preferred: readonly Channel[], who: Reachability): Channel | null {
  for (const c of preferred) {
    if (!who.consents[c]) continue;
    if (c === 'sms' && who.hasPhone) return c;
    if (c === 'email' && who.hasEmail) return c;
    if (c === 'push' && who.devices > 0) return c;
  }
  return null;
}

/**
 * When a message may go out: now, or at the end of the quiet hours (program time) if now is
 * inside them. Returned as an instant.
 */
export function sendAt(settings: NotificationSettings, now: Date, timeZone: string): Date {
  const q = settings.quietHours;
  if (!q) return now;
  const t = localTime(now, timeZone);
  const minutes = t.hour * 60 + t.minute;
  const [fh, fm] = q.from.split(':').map(Number) as [number, number];
  const [th, tm] = q.to.split(':').map(Number) as [number, number];
  const from = fh * 60 + fm;
  const to = th * 60 + tm;
  const quiet = from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
  if (!quiet) return now;
  // The quiet hours end today, or tomorrow if they span midnight and we are before it.
  const today = `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
  const endDay = from > to && minutes >= from ? addDays(today, 1) : today;
  return zonedInstant(endDay, th, tm, timeZone);
}

/** The instant a wall-clock time on a day has in `timeZone` (two passes settle DST offsets). */
export function zonedInstant(day: string, hour: number, minute: number, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const t = localTime(new Date(guess), timeZone);
    const seen = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
    guess += wall - seen;
  }
  return new Date(guess);
}
