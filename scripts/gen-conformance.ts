/** Writes docs/conformance.md from the code's tables (npm run conformance). */
import { writeFileSync } from 'node:fs';
import { generateConformance } from './conformance.js';

writeFileSync(new URL('../docs/conformance.md', import.meta.url), generateConformance());
console.log('docs/conformance.md written');
