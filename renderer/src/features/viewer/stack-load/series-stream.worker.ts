/**
 * Fetches one series as a WADO-RS multipart answer off the page's thread and hands each instance
 * on as a transferred ArrayBuffer: the page receives 300 files as 300 messages that cost it no
 * copy, instead of 300 requests whose bodies it assembles itself.
 */
import { MultipartSplitter, boundaryOf, sopInstanceUidOf } from './multipart-split.js';
import type { StreamMessage, StreamRequest } from './series-stream.js';

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<StreamRequest>) => void) | null;
  postMessage(message: StreamMessage, transfer?: Transferable[]): void;
};

const ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';

async function stream(url: string): Promise<void> {
  const res = await fetch(url, { headers: { Accept: ACCEPT }, credentials: 'same-origin' });
  if (!res.ok || !res.body) throw new Error(`the series request answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const boundary = boundaryOf(res.headers.get('content-type'));
  if (!boundary) throw new Error(`the series request answered ${res.headers.get('content-type') ?? 'no Content-Type'}, not multipart/related`);
  const split = new MultipartSplitter(boundary);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const part of split.push(value)) {
      const sop = sopInstanceUidOf(part.body);
      if (!sop) continue;
      // a body over the whole of its buffer transfers as is; another is copied once to stand alone
      const whole = part.body.byteOffset === 0 && part.body.byteLength === part.body.buffer.byteLength;
      const buffer = (whole ? part.body.buffer : part.body.slice().buffer) as ArrayBuffer;
      scope.postMessage({ kind: 'part', sop, buffer }, [buffer]);
    }
  }
  split.end();
}

scope.onmessage = (e) => {
  stream(e.data.url).then(
    () => scope.postMessage({ kind: 'end' }),
    (err: unknown) => scope.postMessage({ kind: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
};
