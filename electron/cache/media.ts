/**
 * Reading a medium's DICOMDIR (PS3.10 §8, PS3.3 F.2): the files its directory records reference
 * (Referenced File ID, 0004,1500), found under the medium's root whatever the case of their names
 * — File IDs are upper case, but media written on Windows or mounted with some options show
 * lower-case names, and ISO 9660 copies may end a name with "." or ";1" (PS3.12 Annex F).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeDataSet, encodingOf } from '../../shared/dicom/codec.js';
import { type DataSet, getItems, getNumber, getStrings } from '../../shared/dicom/dataset.js';
import { decodeFileMeta, hasPreamble, PREAMBLE_LENGTH } from './file-meta.js';
import { DIRECTORY_RECORD_SEQUENCE, RECORD_IN_USE_FLAG, REFERENCED_FILE_ID } from '../../shared/dicom/tags.js';

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';

/** The DICOMDIR file at a medium's root (any case), or undefined. */
export async function findDicomdir(root: string): Promise<string | undefined> {
  const names = await readdir(root).catch(() => [] as string[]);
  const name = names.find((n) => n === 'DICOMDIR') ?? names.find((n) => n.toUpperCase().replace(/\.?(;1)?$/, '') === 'DICOMDIR');
  return name === undefined ? undefined : join(root, name);
}

/**
 * The File IDs the DICOMDIR references, in record order, each as its components; records marked
 * not in use (Record In-use Flag 0000, retired but still written) are passed over.
 * @throws Error with the reason when the file is not a DICOMDIR that can be read.
 */
export async function referencedFileIds(dicomdir: string): Promise<string[][]> {
  const bytes = await readFile(dicomdir);
  let offset = 0;
  let ts = EXPLICIT_LITTLE;
  if (hasPreamble(bytes)) {
    const meta = decodeFileMeta(bytes.subarray(PREAMBLE_LENGTH), true)!;
    offset = PREAMBLE_LENGTH + meta.length;
    ts = meta.meta.transferSyntaxUid ?? EXPLICIT_LITTLE;
    if (meta.meta.mediaStorageSopClassUid && meta.meta.mediaStorageSopClassUid !== '1.2.840.10008.1.3.10') {
      throw new Error(`it is not a DICOMDIR (its SOP Class is ${meta.meta.mediaStorageSopClassUid})`);
    }
  }
  const ds: DataSet = decodeDataSet(bytes.subarray(offset), encodingOf(ts)).dataSet;
  if (!ds.has(DIRECTORY_RECORD_SEQUENCE)) throw new Error('it has no Directory Record Sequence (0004,1220)');
  const out: string[][] = [];
  for (const record of getItems(ds, DIRECTORY_RECORD_SEQUENCE)) {
    if (getNumber(record, RECORD_IN_USE_FLAG) === 0) continue;
    const id = getStrings(record, REFERENCED_FILE_ID)
      .map((c) => c.trim())
      .filter((c) => c !== '');
    if (id.length) out.push(id);
  }
  return out;
}

/** Resolves File IDs under a root, one directory listing per folder, exact names first, then by case. */
export class MediaResolver {
  private readonly listings = new Map<string, Promise<string[]>>();

  constructor(private readonly root: string) {}

  private list(dir: string): Promise<string[]> {
    let l = this.listings.get(dir);
    if (!l) this.listings.set(dir, (l = readdir(dir).catch(() => [])));
    return l;
  }

  /** The path of a File ID on this medium, or undefined when it is not there. */
  async resolve(fileId: readonly string[]): Promise<string | undefined> {
    let dir = this.root;
    for (const component of fileId) {
      const names = await this.list(dir);
      const want = component.toUpperCase();
      const name = names.find((n) => n === component) ?? names.find((n) => n.toUpperCase().replace(/\.?(;\d+)?$/, '') === want);
      if (name === undefined) return undefined;
      dir = join(dir, name);
    }
    return dir;
  }
}
