/**
 * moto_server on 127.0.0.1 and a free port, the protocol peer for the SQS, SNS, EventBridge,
 * Scheduler and SES adapters (installed on these machines; `pip install "moto[server]"`
 * elsewhere). A missing moto fails the test loudly rather than skipping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../local/dynamo-local.ts';

export interface Moto {
  readonly endpoint: string;
  readonly config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.env.MOTO_SERVER ?? 'moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const spawnError = new Promise<never>((_, reject) => child.on('error', (e) => reject(new Error(`moto_server could not start (${e.message}); install it with pip install "moto[server]"`))));
  const endpoint = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 200; i++) {
      try {
        const r = await fetch(`${endpoint}/moto-api/`);
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr.slice(-500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('moto_server did not start in 10 s');
  })();
  await Promise.race([ready, spawnError]);
  return {
    endpoint,
    config: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
