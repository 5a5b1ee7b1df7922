/** `notifications` in the program document (notifications.ts renders and schedules them). */
import * as z from 'zod';
import { channels, MAX_TEMPLATE_LOCALES, notifiableEvents, TEMPLATE_VARIABLE, type NotifiableEvent } from '../notifications.ts';

const templateText = z.string().min(1).max(2000);
const templateSchema = z.strictObject({ subject: z.string().min(1).max(200).optional(), text: templateText });

/** `notifications` in the program document. */
export const notificationsSchema = z
  .strictObject({
    /** Hours (program time) when nothing is sent; messages wait until the end. `from` > `to` spans midnight. */
    quietHours: z.strictObject({ from: z.iso.time({ precision: -1 }), to: z.iso.time({ precision: -1 }) }).optional(),
    /** Used when the customer's language has no template; the tenant's default language (GET /v1/tenant) when left out. */
    defaultLocale: z.string().min(2).max(10).optional(),
    /** Per event: the channels to try, in order; the first one the customer consented to and can receive is used. */
    events: z.partialRecord(z.enum(Object.keys(notifiableEvents) as [NotifiableEvent, ...NotifiableEvent[]]), z.array(z.enum(channels)).min(1).max(3)).default({}),
    /** Templates that replace the built-in ones: `templates[event][locale]`, at most MAX_TEMPLATE_LOCALES languages per event. */
    templates: z
      .partialRecord(
        z.enum(Object.keys(notifiableEvents) as [NotifiableEvent, ...NotifiableEvent[]]),
        z
          .record(z.string().min(2).max(10), templateSchema)
          .refine((byLocale) => Object.keys(byLocale).length <= MAX_TEMPLATE_LOCALES, `may have templates in at most ${MAX_TEMPLATE_LOCALES} languages`)
          .meta({ maxProperties: MAX_TEMPLATE_LOCALES }),
      )
      .default({}),
  })
  .superRefine((n, ctx) => {
    for (const [event, byLocale] of Object.entries(n.templates)) {
      const allowed: readonly string[] = notifiableEvents[event as NotifiableEvent];
      for (const [locale, t] of Object.entries(byLocale ?? {})) {
        for (const part of ['subject', 'text'] as const) {
          for (const m of (t[part] ?? '').matchAll(TEMPLATE_VARIABLE)) {
            if (!allowed.includes(m[1]!)) {
              ctx.addIssue({ code: 'custom', message: `unknown variable {{${m[1]}}}; ${event} templates may use ${allowed.join(', ')}`, path: ['templates', event, locale, part] });
            }
          }
        }
      }
    }
  });
