/**
 * The JSON Schema of config.json (docs/config.schema.json), generated from the configuration's
 * schema in shared/config.ts so that editors complete and check the file as Priors reads it.
 */
import { z } from 'zod';
import { configFileSchema } from '../shared/config.js';

/** The schema as written to docs/config.schema.json. */
export function generateConfigSchema(): string {
  const { $schema, ...schema } = z.toJSONSchema(configFileSchema, {
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      // The converter leaves out the default of a value read leniently (digits as text).
      const def = zodSchema._zod.def;
      if (def.type === 'default' && jsonSchema.default === undefined) jsonSchema.default = (def as z.core.$ZodDefaultDef).defaultValue;
    },
  });
  const head = {
    $schema,
    title: 'Priors configuration (config.json)',
    description: 'The configuration of a Priors workstation: the local AE, the remote nodes, who may associate with us, and the limits and timers.',
  };
  return `${JSON.stringify({ ...head, ...schema }, null, 2)}\n`;
}
