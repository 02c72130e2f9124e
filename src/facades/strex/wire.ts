import { Type } from 'typebox';
import { contract, declared } from '../kit/operation.js';

export const TYPES_NS = 'http://directpay.intele.com/v1/types';
export const FAULTS_NS = 'http://directpay.intele.com/v1/faults';
export const SERVICE_NS = 'http://directpay.intele.com/v1';
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Wire schemas of the Strex operations; PascalCase, unknown members ignored. The named
 * contracts are the REST XML roots and the WSDL's complexTypes (members written there in
 * the order WCF writes them, alphabetical).
 */
const text = (maxLength: number) => Type.String({ maxLength });

export const TeletorgSettings = contract(
  'TeletorgSettings',
  Type.Object({
    Bnumber: Type.Optional(text(32)),
    StartTime: Type.Optional(text(32)),
    StartPrice: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
    Duration: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
  }),
);

export const PaymentDetails = contract('PaymentDetails', Type.Object({
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
  TeletorgSettings: Type.Optional(TeletorgSettings),
}));


export const ServiceParams = Type.Object({ serviceId: text(20) });
export const PaymentParams = Type.Object({ serviceId: text(20), reference: text(200) });

export const DirectPaymentFault = contract('DirectPaymentFault', Type.Object({ Code: Type.Integer(), Description: declared({ nillable: true }, Type.String()) }));
export const faultResponses = {
  400: DirectPaymentFault,
  401: DirectPaymentFault,
  403: DirectPaymentFault,
  404: DirectPaymentFault,
  424: DirectPaymentFault,
  500: DirectPaymentFault,
};
export const PaymentResponse = contract('PaymentResponse', Type.Object({ ClientReference: Type.String(), TransactionId: Type.Integer() }));
export const ReversePaymentResponse = contract('ReversePaymentResponse', Type.Object({ TransactionId: Type.Integer() }));
export const PaymentStatusResponse = contract(
  'PaymentStatusResponse',
  Type.Object({
    ClientReference: Type.String(),
    PaymentStatus: Type.Integer(),
    TransactionId: Type.Optional(Type.Integer()),
  }),
);

/** SOAP's ServiceCredentials (ServiceId an xsd:int); a missing member is wrong credentials (code 1), not a malformed request. */
export const ServiceCredentials = contract(
  'ServiceCredentials',
  Type.Object({
    ServiceId: Type.Optional(declared({ declaredRequired: true }, Type.Integer({ minimum: 0, maximum: 2_147_483_647 }))),
    Username: Type.Optional(declared({ declaredRequired: true }, Type.String({ maxLength: 256 }))),
    Password: Type.Optional(declared({ declaredRequired: true }, Type.String({ maxLength: 256 }))),
  }),
);

/** The operations' inputs: the members of their SOAP request elements (ServiceCredentials aside). */
export const PayInput = Type.Object({ PaymentDetails });
/** TransactionId is read as text and judged by the operation (its fault names it), declared xsd:int. */
export const ReversePaymentDetails = contract(
  'ReversePaymentDetails',
  Type.Object({ TransactionId: declared({ xsd: 'int' }, Type.String({ maxLength: 20 })) }),
);
export const ReversePaymentInput = Type.Object({ ReversePaymentDetails });
export const PaymentStatusInput = Type.Object({ ClientReference: Type.String({ maxLength: 200 }) });

export const MsisdnParams = Type.Object({ serviceId: text(20), msisdn: text(40) });
/** Query of userinfoV2 and userinfoSummary (the summary spells it Age; both are accepted). */
export const SaleQuery = Type.Object({
  amount: Type.Optional(text(20)),
  serviceCode: Type.Optional(text(20)),
  age: Type.Optional(text(5)),
  Age: Type.Optional(text(5)),
});

export const UserInfoV1 = contract('UserInformation', Type.Object({ Msisdn: Type.String(), Validity: Type.Integer(), TerminalType: Type.String() }));
export const UserInfoV3 = contract('UserInformationV3', Type.Object({
  PreferredSourceOfFunds: Type.Integer(),
  SubscriptionType: Type.Integer(),
  MaxAmountPrTransaction: Type.Integer(),
  RemainingMonthlyAmount: Type.Integer(),
  RemainingYearlyAmount: Type.Integer(),
}));
const orNull = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
export const UserInfoSummary = contract('UserInformationSummary', Type.Object({
  ResponseV1: orNull(UserInfoV1),
  ResponseV1Fault: orNull(DirectPaymentFault),
  ResponseV2: orNull(Type.Object({})),
  ResponseV2Fault: orNull(DirectPaymentFault),
  ResponseV3: orNull(UserInfoV3),
  ResponseV3Fault: orNull(DirectPaymentFault),
}));
/** The input of the user information operations: the MSISDN of the path, the sale of the query. */
export const MsisdnInput = Type.Object({ msisdn: text(40) });
export const SaleInput = Type.Object({ msisdn: text(40), ...SaleQuery.properties });

export const SendVerificationCodeRequest = Type.Object({
  Msisdn: text(32),
  ExpiryTime: Type.Optional(declared({ xsd: 'dateTime' }, text(64))),
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
export const PreAuthorizeResponse = contract('PreAuthorizeResponse', Type.Object({
  ExternalTransactionReference: Type.String(),
  Token: Type.String(),
  TransactionId: Type.String(),
}));
