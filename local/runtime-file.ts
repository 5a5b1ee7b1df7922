/** Where a running local runtime says where it is (its API URL, pid and table), for tools: npm run job, npm run admin. */
import { join } from 'node:path';

export const runtimeFile = (stateDir: string) => join(stateDir, 'runtime.json');

export interface RuntimeInfo {
  readonly url: string;
  readonly pid: number;
  readonly dynamodb?: { readonly endpoint: string; readonly table: string };
}

/** The local runtime's table name. */
export const LOCAL_TABLE = 'tally-local';
