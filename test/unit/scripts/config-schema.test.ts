import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateConfigSchema } from '../../../scripts/config-schema.js';
import { defaultConfig, validateConfig } from '../../../shared/config.js';

test('docs/config.schema.json is what the configuration schema generates (run `npm run config-schema` after changing it)', () => {
  const committed = readFileSync(new URL('../../../docs/config.schema.json', import.meta.url), 'utf8');
  assert.equal(committed, generateConfigSchema());
});

test('the JSON Schema describes every setting of config.json, with its defaults, and refuses unknown ones', () => {
  const schema = JSON.parse(generateConfigSchema()) as {
    properties: Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }>;
    additionalProperties: boolean;
  };
  assert.equal(schema.additionalProperties, false);
  for (const key of Object.keys(defaultConfig())) assert.ok(schema.properties[key], key);
  assert.ok(schema.properties.$schema, 'a file may name its schema');
  assert.equal(schema.properties.local?.properties?.port?.default, defaultConfig().local.port);
  assert.equal(schema.properties.maxAssociations?.default, defaultConfig().maxAssociations);
});

test('a config file that names its schema validates as one that does not', () => {
  const r = validateConfig({ $schema: './config.schema.json', maxAssociations: 3 });
  assert.ok(r.ok);
  assert.deepEqual(r.value, { ...defaultConfig(), maxAssociations: 3 });
  assert.match((validateConfig({ $schema: 1 }) as { error: string }).error, /^\$schema must be/);
});
