import type { TObject } from 'typebox';
import { assert } from '../../kernel/assert.js';
import { type AnyOperation, contractName } from './operation.js';
import { contractsOf, escapeAttribute, type XsdMember, xsdMembers } from './xsd.js';

/** What a WCF basicHttpBinding service's single-file WSDL declares, besides its operations' schemas. */
export interface WcfDescription {
  /** The service (DirectPaymentService); its contract is I{name} unless named. */
  readonly serviceName: string;
  readonly contractName: string;
  readonly serviceNamespace: string;
  /** Where the data contracts live (prefix t:). */
  readonly typesNamespace: string;
  /** The one fault contract every operation declares (prefix f:). */
  readonly fault: { readonly namespace: string; readonly schema: TObject };
  /** Members every request element begins with (Strex: ServiceCredentials), in order. */
  readonly requestHeader: Readonly<Record<string, TObject>>;
  readonly operations: readonly AnyOperation<unknown>[];
}

const LOCATION = '\u0000location\u0000';

/**
 * The WSDL of a WCF service, generated from the operations' schemas once: the function
 * returned only puts the endpoint's location in. Document/literal wrapped: one element per
 * operation holding its members in declared order, a {Name}Response element holding an
 * optional {Name}Result; data contracts with their members in ordinal order, as
 * DataContractSerializer writes them; SOAPAction {serviceNamespace}/{contract}/{Name}.
 */
export function wcfWsdl(description: WcfDescription): (location: string) => string {
  const { serviceNamespace, typesNamespace, operations } = description;
  const faultName = contractName(description.fault.schema);
  assert(faultName !== undefined, 'the fault schema is a named contract');
  const contract = description.contractName;
  const types = [...contractsOf(operations, description.requestHeader)]
    .map(([name, schema]) => `<xsd:complexType name="${name}">${sequence(xsdMembers(schema, 'ordinal'))}</xsd:complexType>`)
    .join('');
  const header = Object.entries(description.requestHeader).map(([name, schema]): XsdMember => ({
    name,
    type: { kind: 'contract', name: contractName(schema) ?? name },
    optional: false,
    nillable: false,
    repeated: false,
  }));
  const parts = operations.map((operation) => operationParts(operation, contract, serviceNamespace, faultName, header));
  const join = (part: keyof OperationParts) => parts.map((p) => p[part]).join('');
  const binding = `BasicHttpBinding_${contract}`;
  const document =
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<wsdl:definitions name="${description.serviceName}" targetNamespace="${serviceNamespace}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"` +
    ` xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="${serviceNamespace}"` +
    ` xmlns:t="${typesNamespace}" xmlns:f="${description.fault.namespace}">` +
    '<wsdl:types>' +
    `<xsd:schema elementFormDefault="qualified" targetNamespace="${typesNamespace}">${types}</xsd:schema>` +
    `<xsd:schema elementFormDefault="qualified" targetNamespace="${description.fault.namespace}"><xsd:complexType name="${faultName}">` +
    `${sequence(xsdMembers(description.fault.schema, 'ordinal'))}</xsd:complexType><xsd:element name="${faultName}" type="f:${faultName}"/></xsd:schema>` +
    `<xsd:schema elementFormDefault="qualified" targetNamespace="${serviceNamespace}"><xsd:import namespace="${typesNamespace}"/>${join('elements')}</xsd:schema>` +
    '</wsdl:types>' +
    `${join('messages')}<wsdl:message name="${faultName}"><wsdl:part name="detail" element="f:${faultName}"/></wsdl:message>` +
    `<wsdl:portType name="${contract}">${join('port')}</wsdl:portType>` +
    `<wsdl:binding name="${binding}" type="tns:${contract}">` +
    `<soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>${join('binding')}</wsdl:binding>` +
    `<wsdl:service name="${description.serviceName}"><wsdl:port name="${binding}" binding="tns:${binding}">` +
    `<soap:address location="${LOCATION}"/></wsdl:port></wsdl:service></wsdl:definitions>`;
  const [before, after] = document.split(LOCATION) as [string, string];
  return (location) => `${before}${escapeAttribute(location)}${after}`;
}

/** The SOAPAction of an operation of a WCF contract. */
export function wcfSoapAction(serviceNamespace: string, contract: string, operation: string): string {
  return `${serviceNamespace}/${contract}/${operation}`;
}

type OperationParts = Record<'elements' | 'messages' | 'port' | 'binding', string>;

function operationParts(operation: AnyOperation<unknown>, contract: string, serviceNamespace: string, faultName: string, header: XsdMember[]): OperationParts {
  const { name } = operation;
  const output = operation.output as TObject | null;
  const result: XsdMember[] = output
    ? [{ name: `${name}Result`, type: { kind: 'contract', name: contractName(output) ?? name }, optional: true, nillable: true, repeated: false }]
    : [];
  const fault = `<wsdl:fault name="${faultName}" message="tns:${faultName}"/>`;
  const message = (direction: 'Input' | 'Output') => `${contract}_${name}_${direction}Message`;
  return {
    elements:
      `<xsd:element name="${name}"><xsd:complexType>${sequence([...header, ...xsdMembers(operation.input, 'declared')])}</xsd:complexType></xsd:element>` +
      `<xsd:element name="${name}Response"><xsd:complexType>${sequence(result)}</xsd:complexType></xsd:element>`,
    messages:
      `<wsdl:message name="${message('Input')}"><wsdl:part name="parameters" element="tns:${name}"/></wsdl:message>` +
      `<wsdl:message name="${message('Output')}"><wsdl:part name="parameters" element="tns:${name}Response"/></wsdl:message>`,
    port: `<wsdl:operation name="${name}"><wsdl:input message="tns:${message('Input')}"/><wsdl:output message="tns:${message('Output')}"/>${fault}</wsdl:operation>`,
    binding:
      `<wsdl:operation name="${name}"><soap:operation soapAction="${wcfSoapAction(serviceNamespace, contract, name)}" style="document"/>` +
      '<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>' +
      `<wsdl:fault name="${faultName}"><soap:fault name="${faultName}" use="literal"/></wsdl:fault></wsdl:operation>`,
  };
}

function sequence(members: readonly XsdMember[]): string {
  if (members.length === 0) return '<xsd:sequence/>';
  return `<xsd:sequence>${members.map(element).join('')}</xsd:sequence>`;
}

function element(member: XsdMember): string {
  assert(!member.repeated, `${member.name}: WCF-style arrays are not generated`);
  const type = member.type.kind === 'contract' ? `t:${member.type.name}` : `xsd:${member.type.name}`;
  return `<xsd:element name="${member.name}" type="${type}"${member.optional ? ' minOccurs="0"' : ''}${member.nillable ? ' nillable="true"' : ''}/>`;
}
