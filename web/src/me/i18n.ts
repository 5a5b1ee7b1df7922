/** The customer page's words in the languages the chains' customers speak (fa is right to left). */
export const languages = { en: 'English', hy: 'Հայերեն', uk: 'Українська', hu: 'Magyar', fa: 'فارسی' } as const;
export type Lang = keyof typeof languages;
export const rtl: ReadonlySet<Lang> = new Set(['fa']);

type Kind = 'earn' | 'burn' | 'earn_reversal' | 'burn_refund' | 'adjustment' | 'bonus' | 'expiry' | 'release' | 'migrated' | 'event';
export interface Words {
  title: string; language: string; points: string; pending: string; pendingHint: string; tier: string; noTier: string;
  expiring: string; nothingExpires: string; on: string; history: string; when: string; what: string; change: string; balance: string;
  more: string; referral: string; referralHint: string; noKey: string; signOut: string; loading: string;
  kinds: Record<Kind, string>;
}

export const words: Record<Lang, Words> = {
  en: {
    title: 'My points', language: 'Language', points: 'Points you can use', pending: 'Pending points', pendingHint: 'usable a few days after the purchase', tier: 'Level', noTier: 'no level yet',
    expiring: 'Points that expire', nothingExpires: 'None of your points expire soon.', on: 'On', history: 'History', when: 'When', what: 'What', change: 'Points', balance: 'Balance',
    more: 'Show older', referral: 'Your referral code', referralHint: 'Friends who join with it get a welcome gift.', noKey: 'Open this page from the link your store sent you.', signOut: 'Forget me on this device', loading: 'Loading…',
    kinds: { earn: 'Purchase', burn: 'Paid with points', earn_reversal: 'Return', burn_refund: 'Points back from a return', adjustment: 'Correction', bonus: 'Bonus', expiry: 'Expired', release: 'Now usable', migrated: 'Moved from the old program', event: 'Bonus for an activity' },
  },
  hy: {
    title: 'Իմ միավորները', language: 'Լեզու', points: 'Օգտագործելի միավորներ', pending: 'Սպասվող միավորներ', pendingHint: 'հասանելի կլինեն գնումից մի քանի օր անց', tier: 'Մակարդակ', noTier: 'դեռ մակարդակ չկա',
    expiring: 'Սպառվող միավորներ', nothingExpires: 'Ձեր միավորներից ոչ մեկը շուտով չի սպառվում։', on: 'Ամսաթիվ', history: 'Պատմություն', when: 'Երբ', what: 'Ինչ', change: 'Միավորներ', balance: 'Մնացորդ',
    more: 'Ցույց տալ ավելի հինը', referral: 'Ձեր հրավերի կոդը', referralHint: 'Այն օգտագործող ընկերները նվեր են ստանում։', noKey: 'Բացեք այս էջը խանութի ուղարկած հղումով։', signOut: 'Մոռանալ ինձ այս սարքում', loading: 'Բեռնվում է…',
    kinds: { earn: 'Գնում', burn: 'Վճարված միավորներով', earn_reversal: 'Վերադարձ', burn_refund: 'Վերադարձված միավորներ', adjustment: 'Ուղղում', bonus: 'Բոնուս', expiry: 'Սպառված', release: 'Հասանելի է', migrated: 'Տեղափոխված հին ծրագրից', event: 'Բոնուս գործողության համար' },
  },
  uk: {
    title: 'Мої бали', language: 'Мова', points: 'Бали, які можна використати', pending: 'Бали в очікуванні', pendingHint: 'стануть доступні за кілька днів після покупки', tier: 'Рівень', noTier: 'рівня ще немає',
    expiring: 'Бали, що згорають', nothingExpires: 'Найближчим часом ваші бали не згорають.', on: 'Дата', history: 'Історія', when: 'Коли', what: 'Що', change: 'Бали', balance: 'Баланс',
    more: 'Показати старіші', referral: 'Ваш код запрошення', referralHint: 'Друзі, які приєднаються з ним, отримають подарунок.', noKey: 'Відкрийте цю сторінку за посиланням від магазину.', signOut: 'Забути мене на цьому пристрої', loading: 'Завантаження…',
    kinds: { earn: 'Покупка', burn: 'Оплата балами', earn_reversal: 'Повернення', burn_refund: 'Бали повернуто', adjustment: 'Коригування', bonus: 'Бонус', expiry: 'Згоріли', release: 'Стали доступні', migrated: 'Перенесено зі старої програми', event: 'Бонус за дію' },
  },
  hu: {
    title: 'Pontjaim', language: 'Nyelv', points: 'Felhasználható pontok', pending: 'Függő pontok', pendingHint: 'a vásárlás után néhány nappal használhatók', tier: 'Szint', noTier: 'még nincs szint',
    expiring: 'Lejáró pontok', nothingExpires: 'Pontjai közül egy sem jár le hamarosan.', on: 'Dátum', history: 'Előzmények', when: 'Mikor', what: 'Mi', change: 'Pont', balance: 'Egyenleg',
    more: 'Régebbiek', referral: 'Az ajánlói kódja', referralHint: 'Akik ezzel csatlakoznak, ajándékot kapnak.', noKey: 'Nyissa meg az oldalt az üzlettől kapott linkkel.', signOut: 'Felejtsen el ezen az eszközön', loading: 'Betöltés…',
    kinds: { earn: 'Vásárlás', burn: 'Pontokkal fizetve', earn_reversal: 'Visszáru', burn_refund: 'Visszakapott pontok', adjustment: 'Korrekció', bonus: 'Bónusz', expiry: 'Lejárt', release: 'Felhasználható lett', migrated: 'Áthozva a régi programból', event: 'Bónusz egy tevékenységért' },
  },
  fa: {
    title: 'امتیازهای من', language: 'زبان', points: 'امتیاز قابل استفاده', pending: 'امتیاز در انتظار', pendingHint: 'چند روز پس از خرید قابل استفاده می‌شود', tier: 'سطح', noTier: 'هنوز سطحی ندارید',
    expiring: 'امتیازهایی که منقضی می‌شوند', nothingExpires: 'هیچ‌یک از امتیازهای شما به‌زودی منقضی نمی‌شود.', on: 'تاریخ', history: 'تاریخچه', when: 'زمان', what: 'شرح', change: 'امتیاز', balance: 'مانده',
    more: 'موارد قدیمی‌تر', referral: 'کد معرفی شما', referralHint: 'دوستانی که با آن عضو شوند هدیه می‌گیرند.', noKey: 'این صفحه را از پیوندی که فروشگاه برایتان فرستاده باز کنید.', signOut: 'مرا در این دستگاه فراموش کن', loading: 'در حال بارگذاری…',
    kinds: { earn: 'خرید', burn: 'پرداخت با امتیاز', earn_reversal: 'مرجوعی', burn_refund: 'بازگشت امتیاز', adjustment: 'اصلاح', bonus: 'پاداش', expiry: 'منقضی شد', release: 'قابل استفاده شد', migrated: 'انتقال از برنامه قدیم', event: 'پاداش یک فعالیت' },
  },
};

export function pickLanguage(...candidates: Array<string | null | undefined>): Lang {
  for (const c of candidates) {
    const base = c?.toLowerCase().split(/[-_]/)[0];
    if (base && base in words) return base as Lang;
  }
  return 'en';
}
