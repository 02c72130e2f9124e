import { Type } from 'typebox';

/** Wire schemas of the Strex REST interface; PascalCase, unknown members ignored. */
const text = (maxLength: number) => Type.String({ maxLength });

export const PaymentDetails = Type.Object({
  Msisdn: text(32),
  Price: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  ServiceCode: text(10),
  ClientReference: Type.String({ minLength: 1, maxLength: 100 }),
  EndUserInvoiceText: Type.Optional(text(200)),
  Age: Type.Optional(Type.Integer()),
  Differentiator: Type.Optional(text(100)),
  InvoiceNode: Type.Optional(text(100)),
  BusinessModel: Type.Optional(text(64)),
  AuthorizationToken: Type.Optional(text(200)),
  SecurityLevel: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
  ConfirmationChannel: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 })),
  TeletorgSettings: Type.Optional(
    Type.Object({
      Bnumber: Type.Optional(text(32)),
      StartTime: Type.Optional(text(32)),
      StartPrice: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
      Duration: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
    }),
  ),
});

export const PaymentRequest = Type.Object({ PaymentDetails });

export const ServiceParams = Type.Object({ serviceId: text(20) });
export const PaymentParams = Type.Object({ serviceId: text(20), reference: text(200) });

export const DirectPaymentFault = Type.Object({ Code: Type.Integer(), Description: Type.String() });
export const faultResponses = {
  400: DirectPaymentFault,
  401: DirectPaymentFault,
  403: DirectPaymentFault,
  404: DirectPaymentFault,
  424: DirectPaymentFault,
  500: DirectPaymentFault,
};
export const PaymentResponse = Type.Object({ ClientReference: Type.String(), TransactionId: Type.Integer() });
export const ReversePaymentResponse = Type.Object({ TransactionId: Type.Integer() });
export const PaymentStatusResponse = Type.Object({
  ClientReference: Type.String(),
  PaymentStatus: Type.Integer(),
  TransactionId: Type.Optional(Type.Integer()),
});

export const MsisdnParams = Type.Object({ serviceId: text(20), msisdn: text(40) });
/** Query of userinfoV2 and userinfoSummary (the summary spells it Age; both are accepted). */
export const SaleQuery = Type.Object({
  amount: Type.Optional(text(20)),
  serviceCode: Type.Optional(text(20)),
  age: Type.Optional(text(5)),
  Age: Type.Optional(text(5)),
});

export const UserInfoV1 = Type.Object({ Msisdn: Type.String(), Validity: Type.Integer(), TerminalType: Type.String() });
export const UserInfoV3 = Type.Object({
  PreferredSourceOfFunds: Type.Integer(),
  SubscriptionType: Type.Integer(),
  MaxAmountPrTransaction: Type.Integer(),
  RemainingMonthlyAmount: Type.Integer(),
  RemainingYearlyAmount: Type.Integer(),
});
const orNull = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
export const UserInfoSummary = Type.Object({
  ResponseV1: orNull(UserInfoV1),
  ResponseV1Fault: orNull(DirectPaymentFault),
  ResponseV2: orNull(Type.Object({})),
  ResponseV2Fault: orNull(DirectPaymentFault),
  ResponseV3: orNull(UserInfoV3),
  ResponseV3Fault: orNull(DirectPaymentFault),
});

export const SendVerificationCodeRequest = Type.Object({
  Msisdn: text(32),
  ExpiryTime: Type.Optional(text(64)),
  Template: Type.Optional(text(2000)),
});
export const VerifyVerificationCodeRequest = Type.Object({ Msisdn: text(32), VerificationCode: text(20) });

export const PreAuthorizeParams = Type.Object({ serviceId: text(20), platform: text(20) });
export const PreAuthorizeRequest = Type.Object({
  Msisdn: text(32),
  TransactionId: Type.String({ minLength: 1, maxLength: 100 }),
  Platform: Type.Optional(Type.Union([Type.Integer(), text(20)])),
  SecurityLevel: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
  ConfirmationChannel: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 })),
  ShortNumber: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })),
  MessagePrefix: Type.Optional(text(100)),
  MessageSuffix: Type.Optional(text(100)),
  TokenDescription: Type.Optional(text(100)),
  Age: Type.Optional(Type.Union([Type.Integer(), text(3)])),
});
export const PreAuthorizeResponse = Type.Object({
  ExternalTransactionReference: Type.String(),
  Token: Type.String(),
  TransactionId: Type.String(),
});
