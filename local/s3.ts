/**
 * A local stand-in for the import bucket (which locally also keeps the history files): the slice of
 * S3's REST protocol the import and history code use (PutObject, GetObject, ListObjectsV2, and the
 * multipart upload a large report takes), path-style on 127.0.0.1,
 * objects kept as files. Like the bucket's notification in AWS, a file that lands under `imports/`
 * is announced with S3's event shape to `onCreated` (the local import queue). Signatures are not
 * checked: upload links from POST /v1/imports work as they are.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, type Dirent } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';

export interface LocalS3 {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startLocalS3(opts: { dir: string; bucket: string; prefix: string; onCreated: (eventJson: string) => void }): Promise<LocalS3> {
  mkdirSync(opts.dir, { recursive: true });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const uploads = join(opts.dir, '.uploads');

  const fileOf = (key: string) => {
    const path = normalize(join(opts.dir, key));
    if (!path.startsWith(normalize(opts.dir) + '/') || key.startsWith('.')) throw new Error('bad key');
    return path;
  };
  const reply = (res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/xml', ...headers });
    res.end(body);
  };
  const error = (res: ServerResponse, status: number, code: string) => reply(res, status, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
  const created = (key: string, size: number) => {
    if (!key.startsWith(opts.prefix)) return;
    const at = new Date().toISOString();
    opts.onCreated(
      JSON.stringify({
        Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: at, eventName: 'ObjectCreated:Put', s3: { s3SchemaVersion: '1.0', bucket: { name: opts.bucket, arn: `arn:aws:s3:::${opts.bucket}` }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size } } }],
      }),
    );
  };

  /** ListObjectsV2 (the history reader's): keys under a prefix in key order, a page at a time, the token being the last key given. */
  const list = (res: ServerResponse, bucket: string, q: URLSearchParams) => {
    const prefix = q.get('prefix') ?? '';
    const max = Math.min(Number(q.get('max-keys') ?? 1000) || 1000, 1000);
    const after = q.get('continuation-token') ? Buffer.from(q.get('continuation-token')!, 'base64url').toString('utf8') : (q.get('start-after') ?? '');
    // Only the folder the prefix names is walked: a simulation's warm-up lists hundreds of days, each once per shard.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    if (folder && !existsSync(join(opts.dir, folder))) return reply(res, 200, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><KeyCount>0</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`);
    const all = (readdirSync(folder ? fileOf(folder) : opts.dir, { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((d) => d.isFile())
      .map((d) => relative(opts.dir, join(d.parentPath, d.name)).split(sep).join('/'))
      .filter((k) => !k.startsWith('.') && k.startsWith(prefix) && k > after)
      .sort();
    const page = all.slice(0, max);
    const truncated = all.length > page.length;
    const xml = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const contents = page.map((k) => { const st = statSync(fileOf(k)); return `<Contents><Key>${xml(k)}</Key><LastModified>${st.mtime.toISOString()}</LastModified><ETag>"${st.size}-${st.mtimeMs}"</ETag><Size>${st.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`; }).join('');
    const next = truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)!, 'utf8').toString('base64url')}</NextContinuationToken>` : '';
    reply(res, 200, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', endpoint);
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (bucket !== opts.bucket) return error(res, 404, 'NoSuchBucket');
    const q = url.searchParams;
    if (req.method === 'PUT' && q.has('partNumber') && q.has('uploadId')) {
      const part = join(uploads, q.get('uploadId')!, q.get('partNumber')!.padStart(5, '0'));
      mkdirSync(dirname(part), { recursive: true });
      await pipeline(req, createWriteStream(part));
      return reply(res, 200, '', { etag: `"${randomUUID()}"` });
    }
    if (req.method === 'PUT') {
      const path = fileOf(key);
      mkdirSync(dirname(path), { recursive: true });
      await pipeline(req, createWriteStream(path));
      reply(res, 200, '', { etag: `"${randomUUID()}"` });
      return created(key, statSync(path).size);
    }
    if (req.method === 'POST' && q.has('uploads')) {
      const id = randomUUID();
      mkdirSync(join(uploads, id), { recursive: true });
      return reply(res, 200, `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
    }
    if (req.method === 'POST' && q.has('uploadId')) {
      req.resume();
      const dir = join(uploads, q.get('uploadId')!);
      const path = fileOf(key);
      mkdirSync(dirname(path), { recursive: true });
      const out = createWriteStream(path);
      for (const part of readdirSync(dir).sort()) await pipeline(createReadStream(join(dir, part)), out, { end: false });
      out.end();
      await new Promise<void>((r) => out.once('close', () => r()));
      rmSync(dir, { recursive: true, force: true });
      reply(res, 200, `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>"${randomUUID()}"</ETag></CompleteMultipartUploadResult>`);
      return created(key, statSync(path).size);
    }
    if (req.method === 'DELETE' && q.has('uploadId')) {
      rmSync(join(uploads, q.get('uploadId')!), { recursive: true, force: true });
      return reply(res, 204);
    }
    if (req.method === 'GET' && key === '' && q.get('list-type') === '2') return list(res, bucket!, q);
    if (req.method === 'GET' || req.method === 'HEAD') {
      let size: number;
      try {
        size = statSync(fileOf(key)).size;
      } catch {
        return error(res, 404, 'NoSuchKey');
      }
      res.writeHead(200, { 'content-length': String(size), 'content-type': key.endsWith('.csv') ? 'text/csv' : 'application/octet-stream' });
      if (req.method === 'HEAD') return res.end();
      return void (await pipeline(createReadStream(fileOf(key)), res));
    }
    return error(res, 400, 'NotImplemented');
  };
  server.on('request', (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) error(res, 400, 'InvalidRequest');
      else res.destroy();
    });
  });
  return { endpoint, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
