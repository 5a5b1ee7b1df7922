/**
 * Seeds the local runtime on first start: a demo tenant (through the same use case as the
 * operator's `npm run admin -- tenant create`), its program, a store with a POS key, a staff key
 * and a demo customer. The keys are kept in plain text only in the git-ignored
 * `.local/demo-keys.json` (the table holds their hashes) so restarts print the same keys.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deps } from '../lib/app/deps.ts';
import { enrol } from '../lib/app/customers.ts';
import { provisionTenant } from '../lib/app/tenants.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const defaultKeysFile = join(root, '.local', 'demo-keys.json');

export interface DemoSeed {
  tenantId: string;
  storeId: string;
  posKey: string;
  staffKey: string;
  demoCard: string;
  demoPhone: string;
  currency: string;
  created: boolean;
}

const TENANT = 'demo';
const STORE = 'S-01';
const DEMO_CARD = '2000000000000018';
const DEMO_PHONE = '+37491000001';

export async function seedDemo(opts: { persistKeys?: boolean; keysFile?: string } = {}): Promise<DemoSeed> {
  const keysFile = opts.keysFile ?? defaultKeysFile;
  const d = deps();
  const program = JSON.parse(readFileSync(join(root, 'local', 'demo-program.json'), 'utf8')) as { currency: string };
  const base = { tenantId: TENANT, storeId: STORE, demoCard: DEMO_CARD, demoPhone: DEMO_PHONE, currency: program.currency };

  if (existsSync(keysFile)) {
    const saved = JSON.parse(readFileSync(keysFile, 'utf8')) as { posKey: string; staffKey: string };
    // Keys in the file are only good if this table knows them (an in-memory run starts empty).
    if ((await d.apiKeys.resolve(saved.posKey)) && (await d.apiKeys.resolve(saved.staffKey))) {
      return { ...base, ...saved, created: false };
    }
  }
  const p = await provisionTenant(d, {
    tenantId: TENANT,
    name: 'Demo pharmacy',
    defaultLocale: 'hy',
    program,
    stores: [{ storeId: STORE, name: 'Demo store, Yerevan', address: '1 Republic Square, Yerevan', timeZone: 'Asia/Yerevan', tags: { region: 'yerevan', format: 'pharmacy' } }],
    staff: [{ name: 'demo-admin' }],
    // The demo keys are shared by everyone trying the curl lines and load scripts: generous.
    rateLimit: 200,
  });
  const posKey = p.posKeys[STORE]!;
  const staffKey = p.staffKeys['demo-admin']!;
  const staff = (await d.apiKeys.resolve(staffKey))!;
  if (!(await d.customers.findId(TENANT, 'card', DEMO_CARD))) {
    await enrol(d, staff, {
      card: DEMO_CARD,
      phone: DEMO_PHONE,
      name: 'Anahit Demo',
      locale: 'hy',
      // So that `npm run job -- birthday --date 2027-02-28` has someone to greet.
      birthDate: '1990-02-28',
      consents: { sms: true, email: false, push: false },
    });
  }
  if (opts.persistKeys ?? true) {
    mkdirSync(dirname(keysFile), { recursive: true });
    writeFileSync(keysFile, `${JSON.stringify({ posKey, staffKey }, null, 2)}\n`, { mode: 0o600 });
  }
  return { ...base, posKey, staffKey, created: true };
}
