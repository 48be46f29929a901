/** Writes docs/config.schema.json from the configuration's schema (npm run config-schema). */
import { writeFileSync } from 'node:fs';
import { generateConfigSchema } from './config-schema.js';

writeFileSync(new URL('../docs/config.schema.json', import.meta.url), generateConfigSchema());
console.log('docs/config.schema.json written');
