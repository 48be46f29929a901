// The sentence a screen shows when a rendering fault stopped it (renderer/src/app/ScreenBoundary.tsx).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faultError, screenFaultSentence } from '../../../../renderer/src/app/screen-fault.js';

test('a stopped screen names itself and the fault, and says the others still work', () => {
  assert.equal(
    screenFaultSentence('Viewer', new TypeError("Cannot read properties of undefined (reading 'length')")),
    "The Viewer screen stopped because of a fault in Priors: Cannot read properties of undefined (reading 'length'). The other screens still work.",
  );
  // no doubled full stop; an empty message falls back to the error's name
  assert.equal(
    screenFaultSentence('Search', new Error('no rows.')),
    'The Search screen stopped because of a fault in Priors: no rows. The other screens still work.',
  );
  assert.equal(
    screenFaultSentence('Audit', new RangeError('')),
    'The Audit screen stopped because of a fault in Priors: RangeError. The other screens still work.',
  );
});

test('whatever was thrown becomes an Error with a message', () => {
  const e = new Error('x');
  assert.equal(faultError(e), e);
  assert.equal(faultError('plain text').message, 'plain text');
  assert.match(faultError({ code: 1 }).message, /not an error was thrown \(\[object Object\]\)/);
  assert.match(faultError(undefined).message, /\[object Undefined\]/);
});
