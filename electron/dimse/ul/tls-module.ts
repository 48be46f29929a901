/**
 * node:tls, loaded on the first DICOM TLS connection or listener. Most associations are plain
 * TCP, and loading the module (with OpenSSL's certificate store) costs a command several
 * milliseconds of start-up before its first association.
 */
import { createRequire } from 'node:module';
import type * as Tls from 'node:tls';

const requireBuiltin = createRequire(import.meta.url);
let tls: typeof Tls | undefined;

export function tlsModule(): typeof Tls {
  return (tls ??= requireBuiltin('node:tls') as typeof Tls);
}
