import type { MsisdnSealer } from '../../core/aliases/sealed-msisdn.js';
import type { Endpoint } from '../../core/merchants/accounts-types.js';
import type { MessageEnd, MessageReportPayload } from '../../core/outbox/catalogue.js';
import type { MerchantNotifier } from '../../core/notifications/ports.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { HERMES_KIND } from './endpoint.js';
import { fillUrlTemplate, type NetworkCodes } from '../shared/url-template.js';

/** How long a partner's DLR receiver may stay unreachable before its report is a dead letter (issue 12: at least 24 h). */
export const REPORT_RETRY_WINDOW_MS = 24 * 3_600_000;

/** %%status%% (infomedia-reference §14): an OpenDCB extension. */
const STATUS_WORDS: Record<MessageEnd, string> = { delivered: 'DELIVERED', failed: 'FAILED', expired: 'EXPIRED' };

export interface ReportDeps {
  /** A merchant's endpoints: the report's account and the partner its MX is sealed for are among them. */
  readonly endpoints: (merchantId: number) => Promise<readonly Endpoint[]>;
  readonly sealer: MsisdnSealer;
  /** The MCC and MNC of the network the number is on now. */
  readonly network: (msisdn: Msisdn) => Promise<NetworkCodes>;
  readonly notifier: MerchantNotifier;
}

/** What fills a template besides the report itself. */
export interface ReportFields {
  readonly mx: string;
  readonly mcc: string;
  readonly mnc: string;
  /** Only for an account allowed to see it (settings.reportMsisdn). */
  readonly msisdn: string | null;
}

/**
 * The delivery report of a Hermes message as the URL to call (§8.3, §14), or null when
 * none is due: only delivered messages are reported unless the template asks for
 * %%status%%. Placeholders match case-insensitively; each value is percent-encoded; one
 * the template does not name is left out, one it names and OpenDCB does not know is left as written.
 */
export function reportUrl(template: string, report: MessageReportPayload, fields: ReportFields): string | null {
  if (report.status !== 'delivered' && !/%%status%%/i.test(template)) return null;
  const values: Record<string, string> = {
    mx: fields.mx,
    mcc: fields.mcc,
    mnc: fields.mnc,
    usermsgid: report.submissionKey,
    campaignid: report.campaign ?? '',
    status: STATUS_WORDS[report.status],
    msisdn: fields.msisdn ?? '',
  };
  return fillUrlTemplate(template, values);
}

/**
 * Sends a Hermes message's delivery report to its account's dlrUrl (the outbox's
 * handler of message.reported; it retries a failure, and gives up after the window). The
 * merchant's endpoints are read once: the account must be among them (a Hermes account of
 * the merchant the event names), and so must the partner of its MX. An account without a
 * dlrUrl is told nothing.
 */
export function hermesReportHandler(deps: ReportDeps) {
  return async (report: MessageReportPayload): Promise<void> => {
    const endpoints = await deps.endpoints(report.merchantId);
    const account = endpoints.find((e) => e.endpointId === report.endpointId && e.kind === HERMES_KIND);
    if (!account) return;
    const settings = account.settings as { dlrUrl?: string; partnerId?: string; reportMsisdn?: boolean };
    if (settings.dlrUrl === undefined) return;
    const msisdn = report.msisdn as Msisdn;
    const url = reportUrl(settings.dlrUrl, report, {
      mx: mxFor(deps.sealer, endpoints, settings.partnerId, msisdn),
      ...(await deps.network(msisdn)),
      msisdn: settings.reportMsisdn === true ? msisdn.slice(1) : null,
    });
    if (url !== null) await deps.notifier.get(url);
  };
}

/**
 * The MX the account's Infomedia partner opens with DecryptMX (§8.3: "can be decrypted
 * using DecryptMX"): sealed for the merchant's own partner endpoint named by partnerId;
 * empty when the account names none.
 */
function mxFor(sealer: MsisdnSealer, endpoints: readonly Endpoint[], partnerId: string | undefined, msisdn: Msisdn): string {
  if (partnerId === undefined) return '';
  const partner = endpoints.find((e) => e.kind === 'infomedia-payments' && e.vendorIds.some((v) => v.name === 'infomedia-partner-id' && v.value === partnerId));
  return partner ? sealer.seal(partner.endpointId, msisdn) : '';
}
