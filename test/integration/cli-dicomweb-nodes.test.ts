// `priors nodes add <name> http(s)://host:port/path --dicomweb [--user U --password P | --bearer
// TOKEN] [--tls-ca F]`: each mistake is one sentence saying what to write instead; a secret given
// through a file or an environment variable is stored (config.json, owner-only) and never printed.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cliJson, runPriors } from '../helpers/priors-cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('priors nodes add --dicomweb', () => {
  const dataDir = tempDir('cli-dicomweb-nodes');

  test('mistakes are refused with what to write', async () => {
    const refused = async (args: string[], sentence: RegExp) => {
      const r = await runPriors(['nodes', 'add', ...args], { dataDir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr.trim(), sentence);
    };
    await refused(
      ['vna', 'http://vna:8080/dicom-web'],
      /is a URL: add --dicomweb to configure a DICOMweb node \("priors nodes add <name> http:\/\/vna:8080\/dicom-web --dicomweb"\)/,
    );
    await refused(['vna', 'ftp://vna/dicom-web', '--dicomweb'], /The URL ftp:\/\/vna\/dicom-web must start with http:\/\/ or https:\/\//);
    await refused(['vna', 'http://vna/dw', '--dicomweb', '--user', 'alice'], /--user needs a password: --password P, --password-file F or --password-env VAR/);
    await refused(
      ['vna', 'http://vna/dw', '--dicomweb', '--user', 'alice', '--password', 'x', '--bearer', 'tok'],
      /Give either --user and --password \(Basic\) or --bearer \(a token\), not both/,
    );
    await refused(['vna', 'http://vna/dw', '--dicomweb', '--tls-ca', '/ca.pem'], /--tls-ca applies to an https:\/\/ URL: http:\/\/vna\/dw is plain HTTP/);
    await refused(['vna', 'PACS@pacs:104', '--bearer', 'tok'], /--bearer applies to a DICOMweb node: add --dicomweb/);
    await refused(['vna', 'http://vna/dw', '--dicomweb', '--method', 'move'], /"move" needs a DIMSE address/);
  });

  test('secrets from a file or the environment are stored, owner-only, and never printed', async () => {
    const secretFile = join(dataDir, 'pw.txt');
    writeFileSync(secretFile, 'file-secret\nsecond line ignored\n');
    const basic = await runPriors(
      [
        'nodes',
        'add',
        'vna',
        'https://vna.example/dicom-web/',
        '--dicomweb',
        '--user',
        'alice',
        '--password-file',
        secretFile,
        '--tls-ca',
        '/etc/ssl/vna-ca.pem',
      ],
      { dataDir },
    );
    assert.equal(basic.code, 0, basic.stderr);
    assert.equal(basic.stdout.trim(), 'Added node vna: https://vna.example/dicom-web (DICOMweb, wado, user alice).');
    const bearer = await runPriors(['nodes', 'add', 'cloud', 'https://cloud.example/v1/dicomWeb', '--dicomweb', '--bearer-env', 'CLOUD_TOKEN'], {
      dataDir,
      env: { CLOUD_TOKEN: 'tok.en-123' },
    });
    assert.equal(bearer.code, 0, bearer.stderr);
    const both = await runPriors(['nodes', 'add', 'pacs', 'PACS@127.0.0.1:104', '--dicomweb-url', 'http://127.0.0.1:8042/dicom-web'], { dataDir });
    assert.equal(both.stdout.trim(), 'Added node pacs: PACS@127.0.0.1:104 and http://127.0.0.1:8042/dicom-web (study root, move).');
    const config = join(dataDir, 'config.json');
    assert.equal(statSync(config).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(config, 'utf8')) as { nodes: { name: string; dicomweb?: unknown }[] };
    assert.deepEqual(stored.nodes.find((n) => n.name === 'vna')!.dicomweb, {
      url: 'https://vna.example/dicom-web',
      auth: { kind: 'basic', user: 'alice', password: 'file-secret' },
      caFile: '/etc/ssl/vna-ca.pem',
    });
    assert.deepEqual(stored.nodes.find((n) => n.name === 'cloud')!.dicomweb, {
      url: 'https://cloud.example/v1/dicomWeb',
      auth: { kind: 'bearer', token: 'tok.en-123' },
    });
    const ls = await runPriors(['nodes', 'ls'], { dataDir, json: true });
    const listed = cliJson<{ nodes: { name: string; dicomweb?: { auth?: unknown } }[] }>(ls);
    assert.deepEqual(listed.nodes.find((n) => n.name === 'cloud')!.dicomweb!.auth, { kind: 'bearer', secretSet: true });
    const table = await runPriors(['nodes', 'ls'], { dataDir });
    for (const out of [ls.stdout, table.stdout, basic.stdout, bearer.stdout]) assert.doesNotMatch(out, /file-secret|tok\.en-123/);
  });
});
