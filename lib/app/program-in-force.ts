/** The program in force, which most use cases start from. */
import type { Program } from '#domain/program.ts';
import type { Deps } from './deps.ts';
import { ConflictError } from './errors.ts';

export async function requireProgram(deps: Pick<Deps, 'programs'>, tenantId: string): Promise<{ version: number; program: Program }> {
  const p = await deps.programs.current(tenantId);
  if (!p) throw new ConflictError('program_not_configured', 'this tenant has no loyalty program published yet');
  return p;
}
