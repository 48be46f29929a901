/**
 * Where an export writes: a folder, or a ZIP archive streamed as it is written (yazl: deflated
 * entries with data descriptors, and ZIP64 records wherever a size or offset passes 4 GiB, so a
 * study of many GB needs neither a temporary tree nor the whole archive in memory). The archive
 * is written beside its final name (`.part`) and renamed once complete, so a failed or
 * interrupted export never leaves a ZIP that looks whole.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { InputError } from '../nodes/nodes.js';

/** A destination of exported files, addressed by relative path components. */
export interface ExportSink {
  /** The folder or the ZIP file, as the result names it. */
  readonly location: string;
  /** Whether a failure inside one file spoils the whole destination (a ZIP entry cannot be taken back). */
  readonly atomic: boolean;
  /** Writes one file from its bytes as they come; answers its size. */
  write(path: readonly string[], parts: AsyncIterable<Uint8Array>): Promise<number>;
  /** Finishes: the destination is complete. */
  close(): Promise<void>;
  /** Gives up: removes what cannot be used (a partial ZIP; a folder this export created and left empty). */
  abort(): Promise<void>;
}

async function* counted(parts: AsyncIterable<Uint8Array>, count: { bytes: number }): AsyncGenerator<Uint8Array> {
  for await (const p of parts) {
    count.bytes += p.byteLength;
    yield p;
  }
}

async function isEmptyOrAbsent(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
}

/** Files under a folder that must be new or empty (an export never mixes with other files). */
export async function openFolderSink(dir: string): Promise<ExportSink> {
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new InputError(`${dir} is a file, not a folder: choose a new or empty folder, or a path ending in .zip`);
  if (!(await isEmptyOrAbsent(dir))) throw new InputError(`${dir} is not empty: choose a new or empty folder, so the export does not mix with other files`);
  const created = !info;
  await mkdir(dir, { recursive: true });
  return {
    location: dir,
    atomic: false,
    async write(path, parts) {
      const file = join(dir, ...path);
      await mkdir(dirname(file), { recursive: true });
      const count = { bytes: 0 };
      try {
        await pipeline(Readable.from(counted(parts, count)), createWriteStream(file, { flags: 'wx' }));
      } catch (e) {
        await unlink(file).catch(() => undefined);
        throw e;
      }
      return count.bytes;
    },
    close: async () => undefined,
    async abort() {
      if (created && (await isEmptyOrAbsent(dir))) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A ZIP archive at `file` (which must not exist yet). */
export async function openZipSink(file: string, options: { mtime?: Date; compressionLevel?: number } = {}): Promise<ExportSink> {
  if (await stat(file).catch(() => undefined)) throw new InputError(`${file} already exists: choose another name, or remove it first`);
  await mkdir(dirname(file), { recursive: true });
  const part = `${file}.part`;
  const zip = new ZipFile();
  const output = createWriteStream(part, { flags: 'w' });
  const done = pipeline(zip.outputStream, output);
  let failure: Error | undefined;
  done.catch((e: Error) => {
    failure ??= e;
  });
  zip.on('error', (e: Error) => {
    failure ??= e;
  });
  const mtime = options.mtime ?? new Date();
  return {
    location: file,
    atomic: true,
    async write(path, parts) {
      if (failure) throw failure;
      const count = { bytes: 0 };
      const source = Readable.from(counted(parts, count));
      const consumed = new Promise<void>((resolve, reject) => {
        source.once('end', resolve);
        source.once('error', reject);
        done.catch(reject);
      });
      zip.addReadStreamLazy(path.join('/'), { mtime, compress: true, compressionLevel: options.compressionLevel ?? 6 }, (cb) => cb(null, source));
      await consumed;
      return count.bytes;
    },
    async close() {
      zip.end();
      await done;
      await rename(part, file);
    },
    async abort() {
      (zip.outputStream as unknown as Readable).destroy(new Error('export abandoned'));
      await done.catch(() => undefined);
      await rm(part, { force: true });
    },
  };
}
