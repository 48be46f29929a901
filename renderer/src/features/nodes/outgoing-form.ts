/**
 * "Sent to this node" without a DOM: the transfer syntax a node is sent in when it takes it
 * (`outgoing.preferred`) and the compressed syntaxes it gets as stored, never decompressed
 * (`outgoing.neverDecompress`): RemoteNode.outgoing of shared/config.ts, as
 * `priors nodes add --prefer/--never-decompress` writes it. UIDs from shared/dicom/uids.ts.
 */
import type { NodeInput } from '../../../../shared/api/contract.js';
import type { OutgoingSettings } from '../../../../shared/config.js';
import { TransferSyntaxUid as T } from '../../../../shared/dicom/uids.js';

/** The preferred syntax's choices ('' = as stored). */
export const PREFERRED_CHOICES: readonly { uid: string; label: string }[] = [
  { uid: '', label: 'As stored' },
  { uid: T.ImplicitVRLittleEndian, label: 'Implicit VR Little Endian' },
  { uid: T.ExplicitVRLittleEndian, label: 'Explicit VR Little Endian' },
  { uid: T.ExplicitVRBigEndian, label: 'Explicit VR Big Endian' },
];

/** The compressed syntaxes a node may be sent as stored (PS3.5 Annex A.4). */
export const COMPRESSED_CHOICES: readonly { uid: string; label: string }[] = [
  { uid: T.JPEGBaseline8Bit, label: 'JPEG Baseline' },
  { uid: T.JPEGExtended12Bit, label: 'JPEG Extended' },
  { uid: T.JPEGLossless, label: 'JPEG Lossless' },
  { uid: T.JPEGLosslessSV1, label: 'JPEG Lossless, first-order prediction' },
  { uid: T.JPEGLSLossless, label: 'JPEG-LS Lossless' },
  { uid: T.JPEGLSNearLossless, label: 'JPEG-LS Near-Lossless' },
  { uid: T.JPEG2000Lossless, label: 'JPEG 2000 Lossless' },
  { uid: T.JPEG2000, label: 'JPEG 2000' },
  { uid: T.HTJ2KLossless, label: 'HTJ2K Lossless' },
  { uid: T.HTJ2KLosslessRPCL, label: 'HTJ2K Lossless RPCL' },
  { uid: T.HTJ2K, label: 'HTJ2K' },
  { uid: T.RLELossless, label: 'RLE Lossless' },
];

/** The node with `outgoing` changed by `change`; an empty `outgoing` is left out, like the CLI does. */
export function withOutgoing(node: NodeInput, change: (o: OutgoingSettings) => OutgoingSettings): NodeInput {
  const { outgoing, ...rest } = node;
  const next = change({ ...outgoing });
  const out: OutgoingSettings = {
    ...(next.preferred ? { preferred: next.preferred } : {}),
    ...(next.neverDecompress?.length ? { neverDecompress: next.neverDecompress } : {}),
  };
  return Object.keys(out).length ? { ...rest, outgoing: out } : rest;
}

/** Sets the preferred syntax ('' = as stored). */
export function withPreferred(node: NodeInput, uid: string): NodeInput {
  return withOutgoing(node, (o) => ({ ...o, preferred: uid }));
}

/** Ticks or unticks one syntax of "never decompress"; syntaxes the form does not list are kept. */
export function withNeverDecompress(node: NodeInput, uid: string, on: boolean): NodeInput {
  return withOutgoing(node, (o) => {
    const list = (o.neverDecompress ?? []).filter((u) => u !== uid);
    return { ...o, neverDecompress: on ? [...list, uid] : list };
  });
}
