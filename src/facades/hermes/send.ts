import { type Static, Type } from 'typebox';
import type { MessagingService } from '../../core/messaging/service.js';
import { type Msisdn, parseMsisdn } from '../../kernel/msisdn.js';
import { defineOperation } from '../kit/operation.js';
import type { HermesAccount } from './account.js';
import { fail, messagingFault, STATUS } from './faults.js';
import { SendMessageMembers, SendResult, sendResult, SUCCESS, type MsisdnDetails } from './wire.js';

export interface SendDeps {
  readonly messaging: Pick<MessagingService, 'queue'>;
}

const SendMessageInput = Type.Object(SendMessageMembers);
const SendMessageWithCampaignInput = Type.Object({ ...SendMessageMembers, CampaignID: Type.Optional(Type.String({ maxLength: 32 })) });

/** SendMessage (§12): SendMessageWithCampaign without a campaign. */
export const sendMessage = (deps: SendDeps) =>
  defineOperation({
    name: 'SendMessage',
    input: SendMessageInput,
    output: SendResult,
    handle: (account: HermesAccount, input) => send(deps, account, input, undefined),
  });

/** SendMessageWithCampaign (§7): one text to up to 10,000 recipients, now or at ScheduleFor, under UserMsgID once. */
export const sendMessageWithCampaign = (deps: SendDeps) =>
  defineOperation({
    name: 'SendMessageWithCampaign',
    input: SendMessageWithCampaignInput,
    output: SendResult,
    handle: (account: HermesAccount, input) => send(deps, account, input, campaignOf(account, input.CampaignID)),
  });

/**
 * Where one request has several faults, the first found answers: the campaign (98, read
 * with the method's members), the schedule (94), then the recipients, the text and the
 * UserMsgID, which the core checks before it stores anything; a UserMsgID used before (93)
 * sends nothing again.
 */
async function send(deps: SendDeps, account: HermesAccount, input: Static<typeof SendMessageInput>, campaign: string | undefined) {
  const sendAt = scheduleOf(input.ScheduleFor);
  const queued = await deps.messaging.queue({
    merchantId: account.endpoint.merchantId,
    endpointId: account.endpoint.endpointId,
    submissionKey: input.UserMsgID ?? '',
    recipients: recipientsOf(input.MSISDNList ?? []),
    from: account.sender,
    text: input.SMSMessage ?? '',
    campaign,
    sendAt,
  });
  if (!queued.ok) throw messagingFault(queued.error);
  return sendResult(SUCCESS, '');
}

const NOW = '00000000000000';
const SCHEDULE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** yyyyMMddHHmmss in UTC (§14), or 14 zeros for now (undefined); anything else, a date that does not exist included, is 94. */
export function scheduleOf(text: string | undefined): Date | undefined {
  if (text === NOW) return undefined;
  const parts = SCHEDULE.exec(text ?? '')?.slice(1).map(Number);
  if (!parts) throw fail(STATUS.InvalidSchedule);
  const [year, month, day, hour, minute, second] = parts as [number, number, number, number, number, number];
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 31 February over into March and maps years below 100 to 19xx: both fail the round trip.
  const roundTrip = [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()];
  if (year < 1000 || roundTrip.some((value, i) => value !== parts[i])) throw fail(STATUS.InvalidSchedule);
  return at;
}

/** Every recipient an international number (with or without + or 00); MCC and MNC are not needed to route and are not judged (the sample swaps them, §7). */
function recipientsOf(list: readonly Static<typeof MsisdnDetails>[]): Msisdn[] {
  return list.map((details, i) => {
    const msisdn = parseMsisdn(details.MSISDN ?? '');
    if (!msisdn) throw fail(STATUS.InvalidRecipients, `: MSISDNDetails ${i + 1} has no valid international mobile number`);
    return msisdn;
  });
}

function campaignOf(account: HermesAccount, campaignId: string | undefined): string {
  const id = campaignId ?? '';
  if (id === '' || (account.campaignIds !== null && !account.campaignIds.has(id))) throw fail(STATUS.InvalidCampaign);
  return id;
}
