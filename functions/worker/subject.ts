import type { OutcomeDetail, OutcomeState } from '../events/publisher';
import type { WorkMessage } from '../queue/messages';
import type { SlotSubject } from '../quota/reservation';
import { effectiveInstanceType } from '../requests/schema';

export function slotSubjectOf(message: WorkMessage): SlotSubject {
  return {
    requestId: message.requestId,
    domainId: message.input.DomainId,
    appType: message.input.AppType,
    instanceType: effectiveInstanceType(message.input),
  };
}

/** Builds an outcome event's detail from the message, so recording an outcome needs no read. */
export function outcomeDetailOf(
  message: WorkMessage,
  state: OutcomeState,
  fields: { attempts: number; updatedAtEpochMs: number; createdAtEpochMs: number } & Partial<OutcomeDetail>,
): OutcomeDetail {
  return {
    requestId: message.requestId,
    state,
    domainId: message.input.DomainId,
    appType: message.input.AppType,
    appName: message.input.AppName,
    userProfileName: message.input.UserProfileName,
    spaceName: message.input.SpaceName,
    instanceType: effectiveInstanceType(message.input),
    ...fields,
  };
}
