/**
 * Our DICOMweb service on an address beyond this machine (config.json local.dicomweb): an HTTP
 * listener that answers /dicom-web/ and /wado only (electron/web/dicomweb.ts, the same session
 * token), never the API or the UI, which stay on the loopback web host. Who may use which service
 * is then decided per caller address by the DICOMweb server's gate (callingAePolicy.services).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DicomwebServer } from '../services/dicomweb/server.js';
import { isWadoPath, serveDicomweb } from './dicomweb.js';
import { plain, SECURITY_HEADERS } from './static-files.js';

/** A running listener. */
export interface DicomwebListener {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the listener; rejects when the address cannot be bound. */
export async function startDicomwebListener(o: {
  host: string;
  port: number;
  dicomweb: DicomwebServer;
  authorized: (given: string | undefined) => boolean;
}): Promise<DicomwebListener> {
  const server: Server = createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!isWadoPath(url.pathname)) {
      req.resume();
      plain(res, 404, 'This address answers DICOMweb only, under /dicom-web/.');
      return;
    }
    serveDicomweb(req, res, url, o.dicomweb, o.authorized).catch(() => {
      if (!res.headersSent) plain(res, 500, 'The DICOMweb service failed.');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.host, port: o.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    host: o.host,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
