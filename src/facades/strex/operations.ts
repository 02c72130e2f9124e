import type { PaymentService } from '../../core/payments/service.js';
import type { ServiceContext } from '../../core/merchants/types.js';
import type { VerificationService } from '../../core/verification/service.js';
import { type Msisdn, parseMsisdn } from '../../kernel/msisdn.js';
import { parseWireDateTime } from '../../kernel/wcf-date.js';
import { defineOperation } from '../kit/operation.js';
import { VERIFICATION_SENDER } from './catalogue.js';
import { chargeFault, FAULT, reverseFault, StrexFault, verificationFault } from './faults.js';
import { toChargeCommand, toWireStatus } from './mapping.js';
import {
  PayInput,
  PaymentResponse,
  PaymentStatusInput,
  PaymentStatusResponse,
  ReversePaymentInput,
  ReversePaymentResponse,
  SendVerificationCodeRequest,
  VerifyVerificationCodeRequest,
} from './wire.js';

/** The Strex payment operations, declared once for the REST and SOAP bindings: wire values in, wire values out. */
export function paymentOperations(payments: PaymentService) {
  return {
    pay: defineOperation({
      name: 'Pay',
      input: PayInput,
      output: PaymentResponse,
      async handle(service: ServiceContext, { PaymentDetails }) {
        const result = await payments.charge(service, toChargeCommand(service, PaymentDetails));
        if (!result.ok) throw chargeFault(result.error);
        return { ClientReference: result.value.idempotencyKey, TransactionId: result.value.paymentId };
      },
    }),
    reversePayment: defineOperation({
      name: 'ReversePayment',
      input: ReversePaymentInput,
      output: ReversePaymentResponse,
      async handle(service: ServiceContext, { ReversePaymentDetails: { TransactionId: transactionId } }) {
        if (!/^[0-9]{1,10}$/.test(transactionId)) throw new StrexFault(FAULT.Validation, `Invalid transaction id ${transactionId}`);
        const result = await payments.reverse(service, Number(transactionId));
        if (!result.ok) throw reverseFault(result.error);
        return { TransactionId: result.value.paymentId };
      },
    }),
    getPaymentStatus: defineOperation({
      name: 'GetPaymentStatus',
      input: PaymentStatusInput,
      output: PaymentStatusResponse,
      async handle(service: ServiceContext, { ClientReference: clientReference }) {
        const payment = await payments.status(service, clientReference);
        if (!payment) throw new StrexFault(FAULT.NotFound, `No payment with ClientReference ${clientReference}`);
        return { ClientReference: payment.clientReference, PaymentStatus: toWireStatus(payment.status), TransactionId: payment.paymentId };
      },
    }),
  };
}

/** SendVerificationCode and VerifyVerificationCode; both answer without a result. */
export function verificationOperations(verification: VerificationService) {
  return {
    sendVerificationCode: defineOperation({
      name: 'SendVerificationCode',
      input: SendVerificationCodeRequest,
      output: null,
      async handle(service: ServiceContext, request) {
        const msisdn = msisdnOf(request.Msisdn);
        const expiry = request.ExpiryTime === undefined || request.ExpiryTime === '' ? undefined : parseWireDateTime(request.ExpiryTime);
        if (expiry === null) throw new StrexFault(FAULT.Validation, 'Invalid ExpiryTime');
        const result = await verification.send(service, { msisdn, verificationExpiresAt: expiry, template: request.Template, sender: VERIFICATION_SENDER });
        if (!result.ok) throw verificationFault(result.error);
      },
    }),
    verifyVerificationCode: defineOperation({
      name: 'VerifyVerificationCode',
      input: VerifyVerificationCodeRequest,
      output: null,
      async handle(service: ServiceContext, request) {
        const result = await verification.verify(service, msisdnOf(request.Msisdn), request.VerificationCode);
        if (!result.ok) throw verificationFault(result.error);
      },
    }),
  };
}

/** An MSISDN in any documented form, or fault 13. */
export function msisdnOf(text: string): Msisdn {
  const msisdn = parseMsisdn(text);
  if (!msisdn) throw new StrexFault(FAULT.InvalidMsisdn, 'Invalid msisdn');
  return msisdn;
}
