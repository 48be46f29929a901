/**
 * Access to the cache of a data directory from a command: the cache itself when this process
 * can own it, or a read-only view when a running `priors serve` owns it (the cache allows one
 * writing process per data directory; WAL lets others read committed data).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../../shared/config.js';
import type { QueryLevel, QueryModel } from '../../../shared/dicom/query.js';
import { Cache, CacheError, type CacheOptions, type FindKey, type FindOptions, type InstanceSourceRow } from '../../cache/index.js';
import { openDatabase, type Db } from '../../cache/db.js';
import { Listing } from '../../cache/listing.js';
import { find, registerQueryFunctions } from '../../cache/query.js';

/** What reading commands need from a cache. */
export interface CacheView {
  find(level: QueryLevel, model: QueryModel, keys: readonly FindKey[], options?: FindOptions): IterableIterator<Record<string, unknown>>;
  instancesFor(level: QueryLevel, uids: readonly string[]): InstanceSourceRow[];
  countArrivedFor(what: readonly string[] | { studyUid: string; since: number }): number;
  close(): Promise<void>;
}

/** Thrown when the cache is owned by another live process (or missing); `advice` says what to do. */
export class CacheBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly advice: string,
    readonly pid?: number,
  ) {
    super(`The cache in ${dataDir} is in use by another process: ${advice}`);
    this.name = 'CacheBusyError';
  }
}

function ownerPid(e: CacheError): number | undefined {
  const m = /\(pid (\d+)\)/.exec(e.message);
  return m ? Number(m[1]) : undefined;
}

/** Opens the cache to write; a cache held by another process becomes a {@link CacheBusyError} saying `advice`. */
/** The cache options a configuration asks for (quota, durability). */
export function cacheOptionsFrom(config: Config): CacheOptions {
  return {
    ...(config.quotaBytes !== undefined ? { maxBytes: config.quotaBytes } : {}),
    ...(config.minFreeBytes ? { minFreeBytes: config.minFreeBytes } : {}),
    ...(config.durability ? { durability: config.durability } : {}),
  };
}

export async function openCacheForWriting(dataDir: string, advice: string, options: CacheOptions = {}): Promise<Cache> {
  try {
    return await Cache.open(dataDir, options);
  } catch (e) {
    if (e instanceof CacheError && e.code === 'ELOCKED') throw new CacheBusyError(dataDir, advice, ownerPid(e));
    throw e;
  }
}

/** A read-only view of a cache another process owns (its index, on a query-only connection). */
export function openCacheReader(dataDir: string): CacheView {
  const path = join(dataDir, 'index.sqlite');
  if (!existsSync(path)) throw new CacheError('ENOTFOUND', `There is no cache in ${dataDir} yet`);
  const db: Db = openDatabase(path, { queryOnly: true });
  registerQueryFunctions(db);
  const listing = new Listing(db, dataDir);
  return {
    find: (level, model, keys, options = {}) => find(db, level, model, keys, options),
    instancesFor: (level, uids) => listing.instancesFor(level, uids),
    countArrivedFor: (what) => listing.countArrivedFor(what),
    close: async () => {
      db.close();
    },
  };
}

/** The cache to read: owned when possible, else the read-only view of the owner's index. */
export async function openCacheForReading(dataDir: string, options: CacheOptions = {}): Promise<CacheView> {
  try {
    return await Cache.open(dataDir, options);
  } catch (e) {
    if (e instanceof CacheError && e.code === 'ELOCKED') return openCacheReader(dataDir);
    throw e;
  }
}
