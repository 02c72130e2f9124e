import { FAULTS_NS, TYPES_NS } from '../negotiation.js';

export const SERVICE_NS = 'http://directpay.intele.com/v1';
export const SOAP_ACTION_PREFIX = `${SERVICE_NS}/IDirectPaymentService/`;

/** The operations of the SOAP endpoint: request members and the type of the result. */
export const OPERATIONS = {
  Pay: { members: [['ServiceCredentials', 't:ServiceCredentials'], ['PaymentDetails', 't:PaymentDetails']], result: 't:PaymentResponse' },
  ReversePayment: {
    members: [['ServiceCredentials', 't:ServiceCredentials'], ['ReversePaymentDetails', 't:ReversePaymentDetails']],
    result: 't:ReversePaymentResponse',
  },
  GetPaymentStatus: { members: [['ServiceCredentials', 't:ServiceCredentials'], ['ClientReference', 'xsd:string']], result: 't:PaymentStatusResponse' },
  SendVerificationCode: {
    members: [['ServiceCredentials', 't:ServiceCredentials'], ['Msisdn', 'xsd:string'], ['ExpiryTime', 'xsd:dateTime?'], ['Template', 'xsd:string?']],
    result: null,
  },
  VerifyVerificationCode: {
    members: [['ServiceCredentials', 't:ServiceCredentials'], ['Msisdn', 'xsd:string'], ['VerificationCode', 'xsd:string']],
    result: null,
  },
} as const satisfies Record<string, { members: readonly (readonly [string, string])[]; result: string | null }>;

export type OperationName = keyof typeof OPERATIONS;

/** Data contracts, members in the order WCF writes them (alphabetical); '?' marks optional. */
const TYPES: Record<string, readonly (readonly [string, string])[]> = {
  ServiceCredentials: [['Password', 'xsd:string'], ['ServiceId', 'xsd:int'], ['Username', 'xsd:string']],
  PaymentDetails: [
    ['Age', 'xsd:int?'],
    ['AuthorizationToken', 'xsd:string?'],
    ['BusinessModel', 'xsd:string?'],
    ['ClientReference', 'xsd:string'],
    ['ConfirmationChannel', 'xsd:int?'],
    ['Differentiator', 'xsd:string?'],
    ['EndUserInvoiceText', 'xsd:string?'],
    ['InvoiceNode', 'xsd:string?'],
    ['Msisdn', 'xsd:string'],
    ['Price', 'xsd:int'],
    ['SecurityLevel', 'xsd:int?'],
    ['ServiceCode', 'xsd:string'],
    ['TeletorgSettings', 't:TeletorgSettings?'],
  ],
  TeletorgSettings: [['Bnumber', 'xsd:string?'], ['Duration', 'xsd:int?'], ['StartPrice', 'xsd:int?'], ['StartTime', 'xsd:string?']],
  PaymentResponse: [['ClientReference', 'xsd:string'], ['TransactionId', 'xsd:int']],
  ReversePaymentDetails: [['TransactionId', 'xsd:int']],
  ReversePaymentResponse: [['TransactionId', 'xsd:int']],
  PaymentStatusResponse: [['ClientReference', 'xsd:string'], ['PaymentStatus', 'xsd:int'], ['TransactionId', 'xsd:int?']],
};

function element([name, type]: readonly [string, string]): string {
  const optional = type.endsWith('?');
  return `<xsd:element name="${name}" type="${optional ? type.slice(0, -1) : type}"${optional ? ' minOccurs="0" nillable="true"' : ''}/>`;
}

const sequence = (members: readonly (readonly [string, string])[]) => `<xsd:sequence>${members.map(element).join('')}</xsd:sequence>`;

function operationXml(name: OperationName): Record<'elements' | 'messages' | 'port' | 'binding', string> {
  const { members, result } = OPERATIONS[name];
  const resultSequence = result ? sequence([[`${name}Result`, `${result}?`]]) : '<xsd:sequence/>';
  const fault = '<wsdl:fault name="DirectPaymentFault" message="tns:DirectPaymentFault"/>';
  return {
    elements:
      `<xsd:element name="${name}"><xsd:complexType>${sequence(members)}</xsd:complexType></xsd:element>` +
      `<xsd:element name="${name}Response"><xsd:complexType>${resultSequence}</xsd:complexType></xsd:element>`,
    messages:
      `<wsdl:message name="IDirectPaymentService_${name}_InputMessage"><wsdl:part name="parameters" element="tns:${name}"/></wsdl:message>` +
      `<wsdl:message name="IDirectPaymentService_${name}_OutputMessage"><wsdl:part name="parameters" element="tns:${name}Response"/></wsdl:message>`,
    port:
      `<wsdl:operation name="${name}"><wsdl:input message="tns:IDirectPaymentService_${name}_InputMessage"/>` +
      `<wsdl:output message="tns:IDirectPaymentService_${name}_OutputMessage"/>${fault}</wsdl:operation>`,
    binding:
      `<wsdl:operation name="${name}"><soap:operation soapAction="${SOAP_ACTION_PREFIX}${name}" style="document"/>` +
      '<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>' +
      '<wsdl:fault name="DirectPaymentFault"><soap:fault name="DirectPaymentFault" use="literal"/></wsdl:fault></wsdl:operation>',
  };
}

/** The single-file WSDL (served for ?wsdl and ?singleWsdl) with the endpoint at location. */
export function buildWsdl(location: string): string {
  const operations = (Object.keys(OPERATIONS) as OperationName[]).map(operationXml);
  const join = (part: 'elements' | 'messages' | 'port' | 'binding') => operations.map((o) => o[part]).join('');
  const types = Object.entries(TYPES)
    .map(([name, members]) => `<xsd:complexType name="${name}">${sequence(members)}</xsd:complexType>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<wsdl:definitions name="DirectPaymentService" targetNamespace="${SERVICE_NS}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"` +
    ` xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="${SERVICE_NS}"` +
    ` xmlns:t="${TYPES_NS}" xmlns:f="${FAULTS_NS}">` +
    '<wsdl:types>' +
    `<xsd:schema elementFormDefault="qualified" targetNamespace="${TYPES_NS}">${types}</xsd:schema>` +
    `<xsd:schema elementFormDefault="qualified" targetNamespace="${FAULTS_NS}"><xsd:complexType name="DirectPaymentFault">` +
    '<xsd:sequence><xsd:element name="Code" type="xsd:int"/><xsd:element name="Description" type="xsd:string" nillable="true"/></xsd:sequence>' +
    '</xsd:complexType><xsd:element name="DirectPaymentFault" type="f:DirectPaymentFault"/></xsd:schema>' +
    `<xsd:schema elementFormDefault="qualified" targetNamespace="${SERVICE_NS}"><xsd:import namespace="${TYPES_NS}"/>${join('elements')}</xsd:schema>` +
    '</wsdl:types>' +
    `${join('messages')}<wsdl:message name="DirectPaymentFault"><wsdl:part name="detail" element="f:DirectPaymentFault"/></wsdl:message>` +
    `<wsdl:portType name="IDirectPaymentService">${join('port')}</wsdl:portType>` +
    '<wsdl:binding name="BasicHttpBinding_IDirectPaymentService" type="tns:IDirectPaymentService">' +
    `<soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>${join('binding')}</wsdl:binding>` +
    '<wsdl:service name="DirectPaymentService"><wsdl:port name="BasicHttpBinding_IDirectPaymentService" binding="tns:BasicHttpBinding_IDirectPaymentService">' +
    `<soap:address location="${escapeAttribute(location)}"/></wsdl:port></wsdl:service></wsdl:definitions>`
  );
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
