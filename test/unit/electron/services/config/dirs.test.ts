/**
 * Where Priors keeps its configuration, cache and logs on each platform, the same for the CLI and
 * the desktop app, and the one-time move of a cache an earlier version kept beside config.json.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirsFromArgv, moveLegacyCache, platformDirs, resolveDirs } from '../../../../../electron/services/config/dirs.js';

describe('platform directories', () => {
  test('Linux follows XDG: configuration, data and state apart; relative variables ignored', () => {
    assert.deepEqual(platformDirs({}, 'linux', '/home/u'), {
      config: '/home/u/.config/priors',
      data: '/home/u/.local/share/priors',
      logs: '/home/u/.local/state/priors/logs',
    });
    assert.deepEqual(platformDirs({ XDG_CONFIG_HOME: '/c', XDG_DATA_HOME: '/d', XDG_STATE_HOME: 'rel' }, 'linux', '/home/u'), {
      config: '/c/priors',
      data: '/d/priors',
      logs: '/home/u/.local/state/priors/logs',
    });
  });

  test('macOS keeps both in Application Support and logs in ~/Library/Logs', () => {
    assert.deepEqual(platformDirs({}, 'darwin', '/Users/u'), {
      config: '/Users/u/Library/Application Support/Priors',
      data: '/Users/u/Library/Application Support/Priors',
      logs: '/Users/u/Library/Logs/Priors',
    });
  });

  test('Windows: configuration roams, the cache and logs stay on the machine', () => {
    const d = platformDirs({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u');
    assert.deepEqual(d, {
      config: 'C:\\Users\\u\\AppData\\Roaming\\Priors',
      data: 'C:\\Users\\u\\AppData\\Local\\Priors',
      logs: 'C:\\Users\\u\\AppData\\Local\\Priors\\Logs',
    });
    // without the variables, from the profile
    assert.equal(platformDirs({}, 'win32', 'C:\\Users\\u').data, 'C:\\Users\\u\\AppData\\Local\\Priors');
  });

  test('--data (or PRIORS_DATA) holds all three; PRIORS_CONFIG moves the configuration alone', () => {
    assert.deepEqual(resolveDirs('/a/b', { PRIORS_DATA: '/c' }), { config: '/a/b', data: '/a/b', logs: '/a/b/logs' });
    assert.deepEqual(resolveDirs(undefined, { PRIORS_DATA: '/c' }), { config: '/c', data: '/c', logs: '/c/logs' });
    assert.deepEqual(resolveDirs(undefined, { PRIORS_DATA: '/c', PRIORS_CONFIG: '/etc/priors' }), { config: '/etc/priors', data: '/c', logs: '/c/logs' });
  });

  test('the desktop app reads the same places from its command line as the CLI from its flags', () => {
    const env = { XDG_CONFIG_HOME: '/c', XDG_DATA_HOME: '/d' };
    assert.deepEqual(dirsFromArgv(['electron', '.', '--data', '/x'], env), resolveDirs('/x', env));
    assert.deepEqual(dirsFromArgv(['electron', '.'], env), resolveDirs(undefined, env));
  });
});

describe('moving a cache from beside config.json', () => {
  const setup = () => {
    const root = mkdtempSync(join(tmpdir(), 'priors-dirs-'));
    const legacy = join(root, 'config');
    const dirs = { config: legacy, data: join(root, 'data'), logs: join(root, 'data', 'logs') };
    mkdirSync(join(legacy, 'files', 'a'), { recursive: true });
    writeFileSync(join(legacy, 'files', 'a', 'x.dcm'), 'dicom');
    writeFileSync(join(legacy, 'index.sqlite'), 'index');
    writeFileSync(join(legacy, 'index.sqlite-wal'), 'wal');
    writeFileSync(join(legacy, 'history.sqlite'), 'history');
    writeFileSync(join(legacy, 'config.json'), '{}');
    return { root, legacy, dirs };
  };

  test('moves the index, history and files once, leaves config.json where it is', () => {
    const { root, legacy, dirs } = setup();
    try {
      assert.match(moveLegacyCache(dirs, legacy) ?? '', /^Moved the image cache from .*config to .*data/);
      assert.equal(readFileSync(join(dirs.data, 'files', 'a', 'x.dcm'), 'utf8'), 'dicom');
      assert.equal(readFileSync(join(dirs.data, 'index.sqlite-wal'), 'utf8'), 'wal');
      assert.equal(existsSync(join(dirs.data, 'history.sqlite')), true);
      assert.equal(existsSync(join(legacy, 'index.sqlite')), false);
      assert.equal(existsSync(join(legacy, 'config.json')), true);
      assert.equal(existsSync(join(dirs.data, 'config.json')), false);
      assert.equal(moveLegacyCache(dirs, legacy), undefined, 'nothing left to move');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('never moves over a cache already in the data directory, nor one a live Priors serves', () => {
    const { root, legacy, dirs } = setup();
    try {
      mkdirSync(dirs.data, { recursive: true });
      writeFileSync(join(dirs.data, 'index.sqlite'), 'newer');
      assert.match(moveLegacyCache(dirs, legacy) ?? '', /still in .* beside the one in .*: delete the old one/);
      assert.equal(readFileSync(join(dirs.data, 'index.sqlite'), 'utf8'), 'newer');
      rmSync(join(dirs.data, 'index.sqlite'));
      writeFileSync(join(legacy, 'serve.json'), JSON.stringify({ pid: process.pid }));
      assert.match(moveLegacyCache(dirs, legacy) ?? '', new RegExp(`in use by Priors \\(pid ${process.pid}\\)`));
      assert.equal(existsSync(join(legacy, 'index.sqlite')), true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
