/**
 * What the C-MOVE and C-GET SCPs share (PS3.4 C.4.2.3, C.4.3.3): checking the request,
 * locating the instances, running the C-STORE sub-operations with paced Pending responses,
 * and the final response with its counts and Failed SOP Instance UID List (0008,0058).
 */
import type { DataSet } from '../../../shared/dicom/dataset.js';
import { queryModelForSopClass, validateIdentifier } from '../../../shared/dicom/query.js';
import { DIMSE_SERVICE_NAMES, describeStatus, formatStatus, Status, statusCategory } from '../../../shared/dicom/status.js';
import { CommandField, getRsp, moveRsp, type SuboperationCounts } from '../command.js';
import type { DimseMessage } from '../channel.js';
import type { InstanceSource } from '../handlers.js';
import type { ScpSession } from './session.js';
import { statusOfError } from './store.js';
import type { SendOutcome } from '../scu/send.js';
import { FAILED_SOP_INSTANCE_UID_LIST } from '../scu/retrieve.js';

/** One C-MOVE or C-GET being served. */
export class RetrieveOperation {
  readonly verb: 'move' | 'get';
  /** The service's name for the log lines. */
  readonly service: 'C-MOVE' | 'C-GET';
  readonly messageId: number;
  readonly sopClassUid: string;
  completed = 0;
  failed = 0;
  warning = 0;
  readonly failedUids: string[] = [];
  /** The first reason a sub-operation failed, for the Error Comment. */
  firstFailure: string | undefined;
  private lastPendingAt = 0;

  constructor(
    readonly session: ScpSession,
    readonly msg: DimseMessage,
    readonly signal: AbortSignal,
  ) {
    this.verb = msg.cmd.commandField === CommandField.C_MOVE_RQ ? 'move' : 'get';
    this.service = DIMSE_SERVICE_NAMES[this.verb];
    this.messageId = msg.cmd.messageId ?? 0;
    this.sopClassUid = msg.abstractSyntax;
  }

  /** Checks the context and identifier and asks the handler for the instances; undefined after a final failure response was sent. */
  async locate(identifier: DataSet): Promise<InstanceSource[] | undefined> {
    const model = queryModelForSopClass(this.sopClassUid);
    const handler = this.session.settings.handlers.retrieve;
    if (!model || model.service !== this.verb || !handler) {
      await this.fail(Status.SOPClassNotSupported, `${this.service} is not offered on this presentation context`);
      return undefined;
    }
    // Extra keys are tolerated: many SCUs send more than the unique keys (PS3.4 C.4.2.2.1 asks SCPs to cope).
    const check = validateIdentifier(identifier, model.model, this.verb, { allowExtraKeys: true });
    if (check.error) {
      await this.fail(Status.IdentifierDoesNotMatchSOPClass, check.error);
      return undefined;
    }
    try {
      return await handler.locate({ association: this.session.info, sopClassUid: this.sopClassUid, identifier, signal: this.signal });
    } catch (err) {
      if (!this.session.association.isOpen) throw err;
      const { status, errorComment } = statusOfError(err, Status.UnableToProcess);
      await this.fail(status, errorComment ?? 'the instances could not be located');
      return undefined;
    }
  }

  /** Sends a response with the current counts (and the Failed SOP Instance UID List when final and any failed). */
  async respond(status: number, counts: SuboperationCounts, errorComment?: string): Promise<void> {
    const final = statusCategory(status) !== 'pending';
    const withList = final && this.failedUids.length > 0;
    const fields = {
      messageIdBeingRespondedTo: this.messageId,
      affectedSopClassUid: this.sopClassUid,
      status,
      ...counts,
      hasDataSet: withList,
      ...(errorComment ? { errorComment } : {}),
    };
    const command = this.service === 'C-MOVE' ? moveRsp(fields) : getRsp(fields);
    const channel = this.session.channel;
    if (!withList) return channel.send(this.msg.contextId, command);
    const ds: DataSet = new Map([[FAILED_SOP_INSTANCE_UID_LIST, { vr: 'UI', value: this.failedUids }]]);
    return channel.sendWithDataSet(this.msg.contextId, command, ds);
  }

  /** Sends a final failure with zero counts and logs it. */
  async fail(status: number, comment: string, counts: SuboperationCounts = { completed: 0, failed: 0, warning: 0 }): Promise<void> {
    this.logFinal(status, comment);
    await this.respond(status, counts, comment);
  }

  private logFinal(status: number, comment: string, extra = ''): void {
    this.session.stats.failures += 1;
    const d = describeStatus(this.verb, status);
    const { callingAeTitle, calledAeTitle } = this.session.info;
    this.session.log(
      'error',
      `${this.service} from ${callingAeTitle} to ${calledAeTitle}${extra}: status ${formatStatus(status)} (${d.name}) - ${comment}; what to do: ${retrieveAdvice(status, this.service)}`,
    );
  }

  /** Records the outcome of one sub-operation. */
  record(instance: InstanceSource, outcome: SendOutcome): void {
    const category = statusCategory(outcome.status);
    if (category === 'success') this.completed += 1;
    else if (category === 'warning') this.warning += 1;
    else {
      this.failed += 1;
      this.failedUids.push(instance.sopInstanceUid);
      const why =
        outcome.reason ??
        `status ${formatStatus(outcome.status)} (${describeStatus('store', outcome.status).name})${outcome.errorComment ? `: ${outcome.errorComment}` : ''}`;
      this.firstFailure ??= why;
      this.session.log('warn', `${this.service} sub-operation for ${instance.sopInstanceUid} failed: ${why}`);
    }
  }

  /** Counts instances as failed for one shared reason, logged once. */
  markFailed(instances: readonly InstanceSource[], reason: string): void {
    this.failed += instances.length;
    for (const i of instances) this.failedUids.push(i.sopInstanceUid);
    this.firstFailure ??= reason;
    if (instances.length) this.session.log('warn', `${this.service}: ${instances.length} sub-operations not performed: ${reason}`);
  }

  /**
   * Runs `sendOne` for each instance, with a Pending response after a sub-operation at most
   * every `pendingIntervalMs`, then the final response. A throw from `sendOne` (its association
   * broke) counts that instance and all the rest as failed with the error as reason.
   */
  async run(instances: InstanceSource[], sendOne: (i: InstanceSource, next: InstanceSource | undefined) => Promise<SendOutcome>, extraLog = ''): Promise<void> {
    let index = 0;
    let broken: string | undefined;
    for (; index < instances.length && !this.signal.aborted; index++) {
      const instance = instances[index] as InstanceSource;
      let outcome: SendOutcome;
      try {
        outcome = await sendOne(instance, instances[index + 1]);
      } catch (err) {
        if (!this.session.association.isOpen) throw err;
        broken = err instanceof Error ? err.message : String(err);
        this.markFailed(instances.slice(index), broken);
        index = instances.length;
        break;
      }
      this.record(instance, outcome);
      const now = Date.now();
      if (index + 1 < instances.length && now - this.lastPendingAt >= this.session.settings.pendingIntervalMs && !this.signal.aborted) {
        this.lastPendingAt = now;
        await this.respond(Status.Pending, this.counts(instances.length - index - 1));
      }
    }
    const remaining = instances.length - index;
    if (this.signal.aborted && remaining > 0) {
      this.session.log('info', `${this.service} from ${this.session.info.callingAeTitle} cancelled: ${this.completed} done, ${remaining} not sent`);
      return this.respond(Status.Cancel, this.counts(remaining));
    }
    const total = instances.length;
    if (this.failed === 0 && this.warning === 0) {
      this.session.log('debug', `${this.service} from ${this.session.info.callingAeTitle}${extraLog}: ${total} sent`);
      return this.respond(Status.Success, this.counts());
    }
    const comment =
      this.failed === total
        ? `All ${total} sub-operations failed: ${this.firstFailure ?? 'unknown reason'}`
        : `${this.failed} of ${total} failed, ${this.warning} with warnings${this.firstFailure ? `: ${this.firstFailure}` : ''}`;
    // All failed → A702 (unable to perform sub-operations); some failed or warned → B000 (PS3.4 C.4.2.1.5, C.4.3.1.4).
    const status = this.failed === total ? Status.OutOfResourcesUnableToPerformSubOperations : Status.SubOperationsCompleteWithFailures;
    if (this.failed > 0) this.logFinal(status, comment, extraLog);
    return this.respond(status, this.counts(), comment);
  }

  /** The counts to report; `remaining` only for Pending and Cancel responses (PS3.7 Table 9.3-6). */
  counts(remaining?: number): SuboperationCounts {
    const c: SuboperationCounts = { completed: this.completed, failed: this.failed, warning: this.warning };
    if (remaining !== undefined) c.remaining = remaining;
    return c;
  }
}

/** What to do about a failed retrieve, for log lines. */
export function retrieveAdvice(status: number, service: 'C-MOVE' | 'C-GET'): string {
  if (status === Status.MoveDestinationUnknown) return 'add the destination AE title (with host and port) to the configured nodes';
  if (status === Status.IdentifierDoesNotMatchSOPClass) return 'the requesting application sent a malformed retrieve request; check its settings';
  if (status === Status.OutOfResourcesUnableToPerformSubOperations) {
    return service === 'C-MOVE'
      ? 'check that the destination is running, reachable at its configured host/port, and accepts our AE title and these SOP classes'
      : 'the requestor must offer storage contexts with the SCP role for these SOP classes and transfer syntaxes';
  }
  if (status === Status.SubOperationsCompleteWithFailures) return 'see the per-instance lines above; retry the failed instances';
  return 'see the error comment';
}
