/** The customer page's words in the languages the chains' customers speak (fa is right to left). */
export const languages = { en: 'English', hy: 'Հայերեն', uk: 'Українська', hu: 'Magyar', fa: 'فارسی' } as const;
export type Lang = keyof typeof languages;
export const rtl: ReadonlySet<Lang> = new Set(['fa']);

type Kind = 'earn' | 'burn' | 'earn_reversal' | 'burn_refund' | 'adjustment' | 'bonus' | 'expiry' | 'release' | 'migrated' | 'event';
export interface Words {
  title: string; language: string; points: string; pending: string; pendingHint: string; tier: string; noTier: string;
  expiring: string; nothingExpires: string; on: string; history: string; when: string; what: string; change: string; balance: string;
  more: string; referral: string; referralHint: string; noKey: string; signOut: string; loading: string;
  /** One-time links: asking for one by phone, and why one did not open the page. */
  askLink: string; phone: string; send: string; linkSent: string; linkUsed: string; linkExpired: string; linkInvalid: string;
  /** Coupons and stamp cards; `{n}` is a number already written in the language's digits. */
  coupons: string; noCoupons: string; code: string; gives: string; state: string; usable: string; used: string; notNow: string; until: string;
  percentOff: string; amountOff: string; pointsGift: string; stampCards: string; noStampCards: string; stampsOf: string; rewardsWaiting: string;
  kinds: Record<Kind, string>;
}

export const words: Record<Lang, Words> = {
  en: {
    title: 'My points', language: 'Language', points: 'Points you can use', pending: 'Pending points', pendingHint: 'usable a few days after the purchase', tier: 'Level', noTier: 'no level yet',
    expiring: 'Points that expire', nothingExpires: 'None of your points expire soon.', on: 'On', history: 'History', when: 'When', what: 'What', change: 'Points', balance: 'Balance',
    more: 'Show older', referral: 'Your referral code', referralHint: 'Friends who join with it get a welcome gift.', noKey: 'Open this page from the link your store sent you.', signOut: 'Forget me on this device', loading: 'Loading…',
    askLink: 'Get a link to this page by SMS', phone: 'Your phone number', send: 'Send me the link', linkSent: 'If you are a member, the link is on its way.', linkUsed: 'This link was already used. Ask for a new one.', linkExpired: 'This link has expired. Ask for a new one.', linkInvalid: 'This link is not valid.',
    coupons: 'My coupons', noCoupons: 'No coupons yet.', code: 'Code', gives: 'Gives', state: 'State', usable: 'Ready to use', used: 'Used', notNow: 'Not valid now', until: 'until', percentOff: '{n} % off', amountOff: '{n} off', pointsGift: '+{n} points', stampCards: 'Stamp cards', noStampCards: 'No stamp cards in this program.', stampsOf: '{n} of {m}', rewardsWaiting: 'Rewards waiting for your next purchase',
    kinds: { earn: 'Purchase', burn: 'Paid with points', earn_reversal: 'Return', burn_refund: 'Points back from a return', adjustment: 'Correction', bonus: 'Bonus', expiry: 'Expired', release: 'Now usable', migrated: 'Moved from the old program', event: 'Bonus for an activity' },
  },
  hy: {
    title: 'Իմ միավորները', language: 'Լեզու', points: 'Օգտագործելի միավորներ', pending: 'Սպասվող միավորներ', pendingHint: 'հասանելի կլինեն գնումից մի քանի օր անց', tier: 'Մակարդակ', noTier: 'դեռ մակարդակ չկա',
    expiring: 'Սպառվող միավորներ', nothingExpires: 'Ձեր միավորներից ոչ մեկը շուտով չի սպառվում։', on: 'Ամսաթիվ', history: 'Պատմություն', when: 'Երբ', what: 'Ինչ', change: 'Միավորներ', balance: 'Մնացորդ',
    more: 'Ցույց տալ ավելի հինը', referral: 'Ձեր հրավերի կոդը', referralHint: 'Այն օգտագործող ընկերները նվեր են ստանում։', noKey: 'Բացեք այս էջը խանութի ուղարկած հղումով։', signOut: 'Մոռանալ ինձ այս սարքում', loading: 'Բեռնվում է…',
    askLink: 'Ստացեք այս էջի հղումը SMS-ով', phone: 'Ձեր հեռախոսահամարը', send: 'Ուղարկել հղումը', linkSent: 'Եթե անդամ եք, հղումը ճանապարհին է։', linkUsed: 'Այս հղումն արդեն օգտագործվել է։ Խնդրեք նորը։', linkExpired: 'Այս հղման ժամկետն անցել է։ Խնդրեք նորը։', linkInvalid: 'Այս հղումը վավեր չէ։',
    coupons: 'Իմ կտրոնները', noCoupons: 'Դեռ կտրոններ չկան։', code: 'Կոդ', gives: 'Տալիս է', state: 'Վիճակ', usable: 'Պատրաստ է օգտագործման', used: 'Օգտագործված', notNow: 'Այժմ չի գործում', until: 'մինչև', percentOff: '{n} % զեղչ', amountOff: '{n} զեղչ', pointsGift: '+{n} միավոր', stampCards: 'Դրոշմաքարտեր', noStampCards: 'Այս ծրագրում դրոշմաքարտեր չկան։', stampsOf: '{n}՝ {m}-ից', rewardsWaiting: 'Ձեր հաջորդ գնմանը սպասող պարգևներ',
    kinds: { earn: 'Գնում', burn: 'Վճարված միավորներով', earn_reversal: 'Վերադարձ', burn_refund: 'Վերադարձված միավորներ', adjustment: 'Ուղղում', bonus: 'Բոնուս', expiry: 'Սպառված', release: 'Հասանելի է', migrated: 'Տեղափոխված հին ծրագրից', event: 'Բոնուս գործողության համար' },
  },
  uk: {
    title: 'Мої бали', language: 'Мова', points: 'Бали, які можна використати', pending: 'Бали в очікуванні', pendingHint: 'стануть доступні за кілька днів після покупки', tier: 'Рівень', noTier: 'рівня ще немає',
    expiring: 'Бали, що згорають', nothingExpires: 'Найближчим часом ваші бали не згорають.', on: 'Дата', history: 'Історія', when: 'Коли', what: 'Що', change: 'Бали', balance: 'Баланс',
    more: 'Показати старіші', referral: 'Ваш код запрошення', referralHint: 'Друзі, які приєднаються з ним, отримають подарунок.', noKey: 'Відкрийте цю сторінку за посиланням від магазину.', signOut: 'Забути мене на цьому пристрої', loading: 'Завантаження…',
    askLink: 'Отримати посилання на цю сторінку в SMS', phone: 'Ваш номер телефону', send: 'Надіслати посилання', linkSent: 'Якщо ви учасник програми, посилання вже в дорозі.', linkUsed: 'Це посилання вже використано. Попросіть нове.', linkExpired: 'Термін дії посилання минув. Попросіть нове.', linkInvalid: 'Це посилання недійсне.',
    coupons: 'Мої купони', noCoupons: 'Купонів поки немає.', code: 'Код', gives: 'Дає', state: 'Стан', usable: 'Можна використати', used: 'Використано', notNow: 'Зараз не діє', until: 'до', percentOff: 'знижка {n} %', amountOff: 'знижка {n}', pointsGift: '+{n} балів', stampCards: 'Картки зі штампами', noStampCards: 'У цій програмі немає карток зі штампами.', stampsOf: '{n} з {m}', rewardsWaiting: 'Нагороди, що чекають на наступну покупку',
    kinds: { earn: 'Покупка', burn: 'Оплата балами', earn_reversal: 'Повернення', burn_refund: 'Бали повернуто', adjustment: 'Коригування', bonus: 'Бонус', expiry: 'Згоріли', release: 'Стали доступні', migrated: 'Перенесено зі старої програми', event: 'Бонус за дію' },
  },
  hu: {
    title: 'Pontjaim', language: 'Nyelv', points: 'Felhasználható pontok', pending: 'Függő pontok', pendingHint: 'a vásárlás után néhány nappal használhatók', tier: 'Szint', noTier: 'még nincs szint',
    expiring: 'Lejáró pontok', nothingExpires: 'Pontjai közül egy sem jár le hamarosan.', on: 'Dátum', history: 'Előzmények', when: 'Mikor', what: 'Mi', change: 'Pont', balance: 'Egyenleg',
    more: 'Régebbiek', referral: 'Az ajánlói kódja', referralHint: 'Akik ezzel csatlakoznak, ajándékot kapnak.', noKey: 'Nyissa meg az oldalt az üzlettől kapott linkkel.', signOut: 'Felejtsen el ezen az eszközön', loading: 'Betöltés…',
    askLink: 'Kérjen linket ehhez az oldalhoz SMS-ben', phone: 'Telefonszáma', send: 'Küldjék el a linket', linkSent: 'Ha tag, a link úton van.', linkUsed: 'Ezt a linket már felhasználták. Kérjen újat.', linkExpired: 'Ez a link lejárt. Kérjen újat.', linkInvalid: 'Ez a link nem érvényes.',
    coupons: 'Kuponjaim', noCoupons: 'Még nincs kuponja.', code: 'Kód', gives: 'Mit ad', state: 'Állapot', usable: 'Felhasználható', used: 'Felhasználva', notNow: 'Most nem érvényes', until: 'eddig:', percentOff: '{n} % kedvezmény', amountOff: '{n} kedvezmény', pointsGift: '+{n} pont', stampCards: 'Pecsétkártyák', noStampCards: 'Ebben a programban nincs pecsétkártya.', stampsOf: '{n} / {m}', rewardsWaiting: 'A következő vásárlásnál váró jutalmak',
    kinds: { earn: 'Vásárlás', burn: 'Pontokkal fizetve', earn_reversal: 'Visszáru', burn_refund: 'Visszakapott pontok', adjustment: 'Korrekció', bonus: 'Bónusz', expiry: 'Lejárt', release: 'Felhasználható lett', migrated: 'Áthozva a régi programból', event: 'Bónusz egy tevékenységért' },
  },
  fa: {
    title: 'امتیازهای من', language: 'زبان', points: 'امتیاز قابل استفاده', pending: 'امتیاز در انتظار', pendingHint: 'چند روز پس از خرید قابل استفاده می‌شود', tier: 'سطح', noTier: 'هنوز سطحی ندارید',
    expiring: 'امتیازهایی که منقضی می‌شوند', nothingExpires: 'هیچ‌یک از امتیازهای شما به‌زودی منقضی نمی‌شود.', on: 'تاریخ', history: 'تاریخچه', when: 'زمان', what: 'شرح', change: 'امتیاز', balance: 'مانده',
    more: 'موارد قدیمی‌تر', referral: 'کد معرفی شما', referralHint: 'دوستانی که با آن عضو شوند هدیه می‌گیرند.', noKey: 'این صفحه را از پیوندی که فروشگاه برایتان فرستاده باز کنید.', signOut: 'مرا در این دستگاه فراموش کن', loading: 'در حال بارگذاری…',
    askLink: 'پیوند این صفحه را با پیامک بگیرید', phone: 'شماره تلفن شما', send: 'پیوند را بفرست', linkSent: 'اگر عضو باشید، پیوند در راه است.', linkUsed: 'این پیوند قبلاً استفاده شده است. پیوند تازه بخواهید.', linkExpired: 'این پیوند منقضی شده است. پیوند تازه بخواهید.', linkInvalid: 'این پیوند معتبر نیست.',
    coupons: 'کوپن‌های من', noCoupons: 'هنوز کوپنی ندارید.', code: 'کد', gives: 'مزیت', state: 'وضعیت', usable: 'آمادهٔ استفاده', used: 'استفاده شده', notNow: 'اکنون معتبر نیست', until: 'تا', percentOff: '{n}٪ تخفیف', amountOff: '{n} تخفیف', pointsGift: '+{n} امتیاز', stampCards: 'کارت‌های مهر', noStampCards: 'این برنامه کارت مهر ندارد.', stampsOf: '{n} از {m}', rewardsWaiting: 'پاداش‌هایی که در خرید بعدی شما اعمال می‌شوند',
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
