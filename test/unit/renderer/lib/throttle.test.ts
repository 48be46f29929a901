import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { keyedThrottle } from '../../../../renderer/src/lib/throttle.js';

test('the first job of a key runs at once, one more waits out the pace, calls while one waits add nothing; keys apart', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let t = 10_000;
    const throttle = keyedThrottle(1000, () => t);
    const runs: string[] = [];
    throttle.schedule('a', () => runs.push(`a@${t}`));
    mock.timers.tick(0);
    assert.deepEqual(runs, ['a@10000']);
    t += 200;
    throttle.schedule('a', () => runs.push(`a@${t}`));
    throttle.schedule('a', () => runs.push('a twice'));
    throttle.schedule('b', () => runs.push(`b@${t}`));
    mock.timers.tick(0);
    assert.deepEqual(runs, ['a@10000', 'b@10200'], 'b has its own pace; a waits');
    t += 799;
    mock.timers.tick(799);
    assert.deepEqual(runs.length, 2);
    t += 1;
    mock.timers.tick(1);
    assert.deepEqual(runs, ['a@10000', 'b@10200', 'a@11000']);
    throttle.schedule('a', () => runs.push('cancelled'));
    throttle.cancel('a');
    throttle.schedule('b', () => runs.push('cleared'));
    throttle.clear();
    mock.timers.tick(5000);
    assert.equal(runs.length, 3);
  } finally {
    mock.timers.reset();
  }
});
