// A C-STORE SCP on Priors' network layer whose handler reads each data set and drops it: what
// receiving costs without storing (compared with storescp by bench/ab.ts --drain).
//   node --import tsx bench/drain-scp.ts <port>
import { drain } from '../electron/dimse/channel.js';
import { DicomServer } from '../electron/dimse/scp/server.js';
import { Status } from '../shared/dicom/status.js';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: bench/drain-scp.ts <port>');
const server = new DicomServer({
  policy: { aeTitle: 'PRIORS', acceptCallingAeTitle: () => true, maxAssociations: 4 },
  host: '127.0.0.1',
  port,
  handlers: {
    store: {
      async store(request) {
        await drain(request.dataSet);
        return { status: Status.Success };
      },
    },
  },
});
await server.listen();
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
