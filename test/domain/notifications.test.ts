import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { notificationsSchema } from '#domain/schemas/notifications.ts';
import { chooseChannel, defaultTemplates, render, renderMessage, sendAt, type Reachability } from '#domain/notifications.ts';
import { parseProgram } from '#domain/program.ts';

const settings = notificationsSchema.parse({
  quietHours: { from: '21:00', to: '09:00' },
  events: { 'receipt.committed': ['sms', 'email'], 'points.expiring': ['push', 'email'] },
});

describe('notification templates', () => {
  it('ship every notifiable event in en, hy, uk, hu and fa', () => {
    for (const byLocale of Object.values(defaultTemplates)) expect(Object.keys(byLocale).sort()).toEqual(['en', 'fa', 'hu', 'hy', 'uk']);
  });

  it('render in the customer language, falling back to the program default, with local numbers and dates', () => {
    const vars = { name: 'Олена', points: 1500, balance: 12345, store: 'Аптека №3' };
    const n = (x: number) => new Intl.NumberFormat('uk-UA').format(x);
    expect(renderMessage(settings, 'receipt.committed', 'uk-UA', vars).text).toBe(`Олена, ви отримали ${n(1500)} балів у Аптека №3. Баланс: ${n(12345)}.`);
    expect(renderMessage(settings, 'receipt.committed', 'de', vars).locale).toBe('en');
    // A language without a template falls back to the program's default, else the tenant's.
    expect(renderMessage(settings, 'receipt.committed', 'de', vars, 'hy').locale).toBe('hy');
    expect(renderMessage({ ...settings, defaultLocale: 'uk' }, 'receipt.committed', 'de', vars, 'hy').locale).toBe('uk');
    const fa = renderMessage(settings, 'points.expiring', 'fa', { name: 'سارا', points: 40, balance: 90, expiresOn: '2027-03-31' });
    // Right to left: a leading RLM in text, dir="rtl" in the e-mail, Persian digits.
    expect(fa.text.startsWith('\u200F')).toBe(true);
    expect(fa.html).toContain('dir="rtl"');
    expect(fa.text).toContain('۴۰');
    expect(renderMessage(settings, 'points.expiring', 'en', { name: 'Ann', points: 40, balance: 90, expiresOn: '2027-03-31' }).text).toContain('March 31, 2027');
  });

  it('never executes or leaks anything from a value: HTML is escaped in e-mail, braces and code stay text', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const m = renderMessage(settings, 'tier.changed', 'en', { name, tier: 'Gold' });
        const body = /<p>(.*)<\/p>/s.exec(m.html)![1]!;
        return !/[<>"']/.test(body.replace(/&(amp|lt|gt|quot|#39);/g, '')) && m.text.includes(name);
      }),
    );
    expect(render('{{name}} {{constructor}} {{__proto__}}', { name: '{{balance}} ${process.exit()}' }, 'en')).toBe('{{balance}} ${process.exit()}  {{__proto__}}');
  });

  it('are validated in the program: an unknown variable is refused with its path', () => {
    const r = parseProgram({
      name: 'X',
      currency: 'AMD',
      timeZone: 'Asia/Yerevan',
      earning: { base: { points: 1, per: 100 } },
      notifications: { templates: { 'receipt.committed': { hy: { text: 'Բարև {{nam}}' } } } },
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues[0]).toMatchObject({ path: 'notifications.templates.receipt.committed.hy.text', message: expect.stringContaining('{{nam}}') });
  });
});

describe('channel choice and quiet hours', () => {
  const who = (p: Partial<Reachability>): Reachability => ({ consents: { sms: false, email: false, push: false }, hasPhone: true, hasEmail: true, devices: 0, ...p });

  it('uses the first channel the customer consented to and can be reached on', () => {
    expect(chooseChannel(settings.events['receipt.committed']!, who({ consents: { sms: true, email: true, push: false } }))).toBe('sms');
    expect(chooseChannel(settings.events['receipt.committed']!, who({ consents: { sms: false, email: true, push: false } }))).toBe('email');
    expect(chooseChannel(settings.events['receipt.committed']!, who({ consents: { sms: true, email: false, push: false }, hasPhone: false }))).toBeNull();
    expect(chooseChannel(settings.events['points.expiring']!, who({ consents: { sms: true, email: false, push: true }, devices: 0 }))).toBeNull();
    expect(chooseChannel(settings.events['birthday.granted'] ?? [], who({ consents: { sms: true, email: true, push: true } }))).toBeNull();
  });

  it('defers messages in quiet hours to their end, program time, across midnight', () => {
    const tz = 'Asia/Yerevan';
    expect(sendAt(settings, new Date('2027-03-15T12:00:00+04:00'), tz).toISOString()).toBe('2027-03-15T08:00:00.000Z');
    expect(sendAt(settings, new Date('2027-03-15T22:30:00+04:00'), tz).toISOString()).toBe('2027-03-16T05:00:00.000Z');
    expect(sendAt(settings, new Date('2027-03-16T03:00:00+04:00'), tz).toISOString()).toBe('2027-03-16T05:00:00.000Z');
    expect(sendAt(notificationsSchema.parse({}), new Date('2027-03-16T03:00:00+04:00'), tz).toISOString()).toBe('2027-03-15T23:00:00.000Z');
    // Across a DST change (Kyiv, 28 March 2027): 09:00 local is 06:00 UTC after it.
    expect(sendAt(settings, new Date('2027-03-28T01:00:00+02:00'), 'Europe/Kyiv').toISOString()).toBe('2027-03-28T06:00:00.000Z');
  });
});
