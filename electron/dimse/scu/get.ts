/**
 * Retrieve SCU by C-GET (PS3.4 C.4.3, PS3.7 §9.1.3, §9.3.3): the peer sends the instances as
 * C-STORE sub-operations on the same association, for which we take the SCP role of the
 * storage SOP classes (SCP/SCU Role Selection, PS3.7 D.3.3.4).
 */
import type { DataSet } from '../../../shared/dicom/dataset.js';
import type { QueryLevel, QueryModel } from '../../../shared/dicom/query.js';
import { SopClassUid, TransferSyntaxUid } from '../../../shared/dicom/uids.js';
import type { PresentationContextProposal, RoleSelection } from '../ul/association.js';
import { associationInfo } from '../channel.js';
import { CommandField, getRq } from '../command.js';
import type { StoreHandler } from '../handlers.js';
import { answerStore } from '../scp/store.js';
import {
  identifierAt,
  queryRetrieveSopClass,
  requireContext,
  UNCOMPRESSED_SYNTAXES,
  withAssociation,
  type AssociationPlan,
  type DicomNode,
  type ScuOptions,
} from './common.js';
import { awaitRetrieveOutcome, type RetrieveOutcome, type RetrieveProgress } from './retrieve.js';

/** A C-GET request. */
export interface GetRequest {
  model: QueryModel;
  /** Written into Query/Retrieve Level (0008,0052) of the identifier. */
  level: QueryLevel;
  identifier: DataSet;
}

/** Options of {@link get}. */
export interface GetOptions extends ScuOptions {
  /** Receives the C-STORE sub-operations (the same interface as the Storage SCP's). */
  store: StoreHandler;
  onProgress?: (p: RetrieveProgress) => void;
  /** Storage SOP classes to offer the SCP role for (default {@link DEFAULT_GET_STORAGE_SOP_CLASSES}); at most 127. */
  storageSopClasses?: string[];
  /** Transfer syntaxes to accept the instances in (default {@link DEFAULT_GET_TRANSFER_SYNTAXES}). */
  transferSyntaxes?: string[];
}

const S = SopClassUid;
/**
 * The storage SOP classes a C-GET offers by default: the 25 a radiology archive most often
 * holds, so that each gets 5 contexts within the 128 allowed (see {@link planGetContexts}).
 */
export const DEFAULT_GET_STORAGE_SOP_CLASSES: readonly string[] = [
  S.CTImageStorage,
  S.MRImageStorage,
  S.ComputedRadiographyImageStorage,
  S.DigitalXRayImageStorageForPresentation,
  S.DigitalMammographyXRayImageStorageForPresentation,
  S.BreastTomosynthesisImageStorage,
  S.UltrasoundImageStorage,
  S.UltrasoundMultiFrameImageStorage,
  S.SecondaryCaptureImageStorage,
  S.EnhancedCTImageStorage,
  S.EnhancedMRImageStorage,
  S.XRayAngiographicImageStorage,
  S.XRayRadiofluoroscopicImageStorage,
  S.NuclearMedicineImageStorage,
  S.PositronEmissionTomographyImageStorage,
  S.RTStructureSetStorage,
  S.RTDoseStorage,
  S.BasicTextSRStorage,
  S.EnhancedSRStorage,
  S.ComprehensiveSRStorage,
  S.KeyObjectSelectionDocumentStorage,
  S.GrayscaleSoftcopyPresentationStateStorage,
  S.EncapsulatedPDFStorage,
  S.SegmentationStorage,
  S.XRayRadiationDoseSRStorage,
];

const T = TransferSyntaxUid;
/** The transfer syntaxes a PACS is likely to hold, uncompressed first, then by how common they are. */
export const DEFAULT_GET_TRANSFER_SYNTAXES: readonly string[] = [
  T.ExplicitVRLittleEndian,
  T.ImplicitVRLittleEndian,
  T.JPEGBaseline8Bit,
  T.JPEGLosslessSV1,
  T.JPEG2000Lossless,
  T.JPEG2000,
  T.JPEGLSLossless,
  T.JPEGLSNearLossless,
  T.JPEGExtended12Bit,
  T.JPEGLossless,
  T.RLELossless,
  T.DeflatedExplicitVRLittleEndian,
];

/** PS3.8 §9.3.2.2: context ids are odd numbers 1..255, so at most 128 contexts. */
const MAX_CONTEXTS = 128;

/**
 * Splits the transfer syntaxes of each storage class over as many contexts as the budget of
 * 127 allows: one context per syntax, in the given order, the last one holding all that
 * remain. An acceptor picks one syntax per context (PS3.8 §9.3.3.2), so a peer that does not
 * transcode (ours never does) can send an instance only where a context carries its own syntax.
 */
export function planGetContexts(getSopClass: string, storageSopClasses: readonly string[], transferSyntaxes: readonly string[]): AssociationPlan {
  const classes = [...new Set(storageSopClasses)];
  const budget = MAX_CONTEXTS - 1;
  if (classes.length === 0) throw new Error('C-GET needs at least one storage SOP class to receive instances in');
  if (classes.length > budget)
    throw new Error(`C-GET can offer at most ${budget} storage SOP classes (PS3.8: 128 presentation contexts), not ${classes.length}`);
  const syntaxes = [...new Set(transferSyntaxes)];
  if (syntaxes.length === 0) throw new Error('C-GET needs at least one transfer syntax to receive instances in');
  const groups: string[][] = syntaxes.map((ts) => [ts]);
  const perClass = Math.max(1, Math.floor(budget / classes.length));
  if (groups.length > perClass) {
    const kept = groups.slice(0, perClass - 1);
    kept.push(groups.slice(perClass - 1).flat());
    groups.splice(0, groups.length, ...kept);
  }
  const contexts: Omit<PresentationContextProposal, 'id'>[] = [{ abstractSyntax: getSopClass, transferSyntaxes: [...UNCOMPRESSED_SYNTAXES] }];
  const roles: RoleSelection[] = [];
  for (const sopClass of classes) {
    for (const group of groups) contexts.push({ abstractSyntax: sopClass, transferSyntaxes: group });
    roles.push({ abstractSyntax: sopClass, scuRole: false, scpRole: true });
  }
  return { contexts, roles };
}

/**
 * Sends one C-GET-RQ, stores the instances the peer sends back through `options.store`
 * (answering each C-STORE-RQ), and waits for the final C-GET-RSP. Aborting `options.signal`
 * sends C-CANCEL (PS3.7 §9.3.3.3). Only association and transport failures throw.
 */
export async function get(node: DicomNode, request: GetRequest, options: GetOptions): Promise<RetrieveOutcome> {
  const sopClass = queryRetrieveSopClass(request.model, 'get');
  const plan = planGetContexts(
    sopClass,
    options.storageSopClasses ?? DEFAULT_GET_STORAGE_SOP_CLASSES,
    options.transferSyntaxes ?? DEFAULT_GET_TRANSFER_SYNTAXES,
  );
  return withAssociation(node, options, plan, async (channel) => {
    const contextId = requireContext(channel, sopClass, node);
    const messageId = channel.nextMessageId();
    const association = associationInfo(channel.association);
    await channel.sendWithDataSet(contextId, getRq({ messageId, affectedSopClassUid: sopClass }), identifierAt(request.identifier, request.level));
    return awaitRetrieveOutcome({
      channel,
      node,
      contextId,
      messageId,
      responseField: CommandField.C_GET_RSP,
      options,
      onRequest: async (msg) => {
        await answerStore({ channel, msg, handler: options.store, association, ...(options.log ? { log: options.log } : {}) });
      },
    });
  });
}
