/**
 * Importing files and folders into the cache (a CD, a download, another cache). Every file goes
 * through the same write path as a received instance (temp → fsync → rename → index):
 * Part-10 files are copied byte for byte; a bare data set gets file meta information built for
 * it (PS3.10 §7.1) in front of its bytes. Files that are not DICOM instances are skipped with
 * the reason. A folder with a DICOMDIR at its root (a CD, a USB medium), or a DICOMDIR itself, is
 * imported through it (PS3.10 §8): the files its records reference (media.ts), those missing
 * reported, the other files of the medium not imported (counted in the result); a DICOMDIR met
 * deeper in a walk is skipped.
 */
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ImportResult } from '../../shared/records.js';
import { isOutOfSpace } from './errors.js';
import type { FileStore } from './file-store.js';
import { readInstanceHeader } from './header.js';
import { findDicomdir, MediaResolver, referencedFileIds } from './media.js';

/** Options of {@link importPaths}. */
export interface ImportOptions {
  /** Stops the import between files; the result then says `aborted`. */
  signal?: AbortSignal;
  /** Called after each file. */
  onProgress?: (progress: { path: string; imported: number; duplicates: number; skipped: number }) => void;
  /** Recorded as the instances' source (e.g. 'IMPORT'). */
  sourceAeTitle?: string;
}

const MAX_DEPTH = 32;

/**
 * Walks the given files and folders (symbolic links followed once; loops avoided) and imports
 * every DICOM instance found.
 * @throws CacheError ENOSPC, EDQUOT or EQUOTA when the disk or the cache is full (the files
 *   imported so far stay imported).
 */
export async function importPaths(store: FileStore, paths: readonly string[], options: ImportOptions = {}): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, duplicates: 0, skipped: [] };
  const seen = new Set<string>();
  const studies = new Set<string>();

  const importFile = async (path: string): Promise<void> => {
    if (basename(path).toUpperCase() === 'DICOMDIR') {
      result.skipped.push({ path, reason: 'DICOMDIR (a directory of the media, not an instance)' });
      return;
    }
    let header;
    try {
      header = await readInstanceHeader(path);
    } catch (e) {
      result.skipped.push({ path, reason: (e as Error).message });
      return;
    }
    if (header.isDicomdir) {
      result.skipped.push({ path, reason: 'DICOMDIR (Media Storage Directory Storage)' });
      return;
    }
    const { instance } = header.fields;
    const writer = store.createTempWriter(
      header.part10
        ? {}
        : {
            meta: { sopClassUid: instance.SOPClassUID, sopInstanceUid: instance.SOPInstanceUID, transferSyntaxUid: header.transferSyntaxUid },
          },
    );
    try {
      await pipeline(createReadStream(path, { start: header.part10 ? 0 : header.dataSetOffset }), writer.stream);
      const r = await writer.commit({
        ...(header.part10 ? { header } : {}),
        ...(options.sourceAeTitle ? { sourceAeTitle: options.sourceAeTitle } : {}),
      });
      if (r.duplicate) result.duplicates++;
      else {
        result.imported++;
        studies.add(r.studyInstanceUid);
      }
    } catch (e) {
      await writer.discard();
      if (isOutOfSpace(e)) throw e;
      result.skipped.push({ path, reason: (e as Error).message });
    }
  };

  const visit = async (path: string, depth: number): Promise<void> => {
    if (options.signal?.aborted) return;
    let real: string;
    let info;
    try {
      real = await realpath(path);
      info = await stat(real);
    } catch (e) {
      result.skipped.push({ path, reason: `cannot be read: ${(e as Error).message}` });
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    if (info.isDirectory()) {
      if (depth >= MAX_DEPTH) {
        result.skipped.push({ path, reason: `folder nested deeper than ${MAX_DEPTH} levels` });
        return;
      }
      const names = (await readdir(real).catch(() => [] as string[])).sort();
      for (const name of names) await visit(join(path, name), depth + 1);
      return;
    }
    if (!info.isFile()) {
      result.skipped.push({ path, reason: 'not a regular file' });
      return;
    }
    await importFile(path);
    options.onProgress?.({ path, imported: result.imported, duplicates: result.duplicates, skipped: result.skipped.length });
  };

  /** The files under a folder (bounded like the walk), for the count of those a DICOMDIR leaves out. */
  const filesUnder = async (dir: string, depth = 0, out: string[] = []): Promise<string[]> => {
    if (depth >= MAX_DEPTH) return out;
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await filesUnder(path, depth + 1, out);
      else if (e.isFile()) out.push(path);
    }
    return out;
  };

  /** A medium through its DICOMDIR: the referenced files only (PS3.10 §8). */
  const importMedium = async (root: string, dicomdir: string): Promise<void> => {
    let ids: string[][];
    try {
      ids = await referencedFileIds(dicomdir);
    } catch (e) {
      result.skipped.push({ path: dicomdir, reason: `DICOMDIR that cannot be read (${(e as Error).message}), so nothing of ${root} was imported` });
      return;
    }
    const resolver = new MediaResolver(root);
    const missing: string[] = [];
    const referenced = new Set<string>();
    for (const id of ids) {
      if (options.signal?.aborted) return;
      const path = await resolver.resolve(id);
      if (!path) {
        missing.push(id.join('/'));
        result.skipped.push({ path: join(root, ...id), reason: 'referenced by the DICOMDIR but not on the medium' });
        continue;
      }
      if (referenced.has(path)) continue;
      referenced.add(path);
      seen.add(await realpath(path).catch(() => path));
      await importFile(path);
      options.onProgress?.({ path, imported: result.imported, duplicates: result.duplicates, skipped: result.skipped.length });
    }
    const others = (await filesUnder(root)).filter((f) => f !== dicomdir && !referenced.has(f));
    result.dicomdir = {
      path: dicomdir,
      referenced: ids.length,
      missing,
      notReferenced: others.length,
      ...(others.length ? { firstNotReferenced: relative(root, others[0]!) } : {}),
    };
  };

  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    const dicomdir = info?.isDirectory() ? await findDicomdir(p) : info?.isFile() && basename(p).toUpperCase() === 'DICOMDIR' ? p : undefined;
    if (dicomdir) await importMedium(info!.isDirectory() ? p : dirname(p), dicomdir);
    else await visit(p, 0);
  }
  if (options.signal?.aborted) result.aborted = true;
  if (studies.size) result.studies = [...studies];
  return result;
}
