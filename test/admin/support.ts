/** Running the operator's command in-process, capturing what it prints. */
import { runAdmin } from '../../scripts/admin.ts';

export async function admin(...argv: string[]): Promise<{ code: number; out: string; err: string; json: () => any }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
}
