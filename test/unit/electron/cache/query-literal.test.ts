// C-FIND values match literally in the cache (issue 6 item 6): quotes, `%`, `_`, `[`, SQL
// keywords and comment markers are bound parameters and ordinary characters; only `*` and `?`
// are wild cards (PS3.4 C.2.2.2.4); a backslash separates values (PS3.5 §6.2). The SQL text of a
// query never contains a value, and after the "DROP TABLE" queries every table is still there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Cache } from '../../../../electron/cache/index.js';
import { compileFind } from '../../../../electron/cache/query.js';
import { CASES, PATIENTS, storeLiteralPatients } from '../../../helpers/literal-cases.js';
import { tempDir } from '../../../helpers/tmp.js';

let cache: Cache;

before(async () => {
  cache = await Cache.open(join(tempDir('query-literal'), 'data'));
  await storeLiteralPatients(cache);
});
after(async () => {
  await cache?.close();
});

describe('query values match literally (bound parameters)', () => {
  for (const c of CASES) {
    test(`${c.keyword} = ${JSON.stringify(c.value)} → ${c.expected.length} match(es)`, () => {
      // a row holds every attribute of the study and patient levels, PatientID included
      const got = [...cache.find('STUDY', 'study', [{ keyword: c.keyword, value: [c.value] }])].map((r) => String(r.PatientID));
      assert.deepEqual(got.sort(), [...c.expected].sort());
    });
  }

  test('no value ever appears in the SQL text', () => {
    for (const c of CASES) {
      const q = compileFind('STUDY', 'study', [{ keyword: c.keyword, value: [c.value] }]);
      for (const v of c.value.split('\\')) {
        const literal = v.replace(/[*?]/g, '');
        if (literal.length >= 2) assert.ok(!q.sql.includes(literal), `${JSON.stringify(literal)} is not in ${q.sql}`);
      }
      assert.ok(Object.keys(q.params).length > 0, 'the value is a parameter');
    }
  });

  test('the tables are all still there, with every row', () => {
    assert.equal(cache.stats().instances, PATIENTS.length);
    assert.equal(cache.stats().patients, PATIENTS.length);
    assert.equal([...cache.find('IMAGE', 'study', [{ keyword: 'SOPInstanceUID', value: [] }])].length, PATIENTS.length, 'every instance row');
    assert.equal([...cache.find('STUDY', 'study', [])].length, PATIENTS.length, 'a universal query finds every study');
  });
});
