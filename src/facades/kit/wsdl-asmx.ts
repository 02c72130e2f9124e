import type { TObject } from 'typebox';
import { type AnyOperation, contractName } from './operation.js';
import { contractsOf, escapeAttribute, type XsdMember, xsdMembers } from './xsd.js';

export interface AsmxDescription {
  /** The web service's class name: the WSDL's service, {name}Soap its portType and binding. */
  readonly serviceName: string;
  /** The service namespace ([WebService(Namespace = …)]); everything is qualified in it. */
  readonly namespace: string;
  /** Members every request element ends with (Infomedia: U, P). */
  readonly credentials: TObject;
  readonly operations: readonly AnyOperation<unknown>[];
}

/** XML Schema value types: XmlSerializer declares them minOccurs 1, reference types minOccurs 0. */
const VALUE_TYPES = new Set(['int', 'long', 'decimal', 'double', 'boolean', 'dateTime']);
const LOCATION = '\u0000location\u0000';

/** The SOAPAction of an ASMX method: the namespace and the method name, joined by one '/'. */
export function asmxSoapAction(namespace: string, operation: string): string {
  return namespace.endsWith('/') ? `${namespace}${operation}` : `${namespace}/${operation}`;
}

/**
 * The WSDL of an ASMX web service's SOAP 1.1 binding, as ASP.NET generates it
 * (document/literal, elementFormDefault qualified, everything in the service namespace):
 * generated once; the function returned puts the endpoint's location in.
 */
export function asmxWsdl(description: AsmxDescription): (location: string) => string {
  const { namespace, serviceName, operations } = description;
  const contracts = contractsOf(operations, { credentials: description.credentials });
  const credentials = xsdMembers(description.credentials, 'declared');
  const arrays = new Set<string>();
  const sequence = (members: readonly XsdMember[]) => {
    if (members.length === 0) return '<s:sequence/>';
    return `<s:sequence>${members.map((member) => element(member, arrays)).join('')}</s:sequence>`;
  };
  const elements = operations
    .map((operation) => {
      const output = operation.output as TObject | null;
      const response = output
        ? `<s:complexType><s:sequence><s:element minOccurs="0" maxOccurs="1" name="${operation.name}Result" type="tns:${contractName(output) ?? operation.name}"/></s:sequence></s:complexType>`
        : '<s:complexType/>';
      return (
        `<s:element name="${operation.name}"><s:complexType>${sequence(requestMembers(operation.input, credentials))}</s:complexType></s:element>` +
        `<s:element name="${operation.name}Response">${response}</s:element>`
      );
    })
    .join('');
  const types = [...contracts]
    .filter(([, schema]) => schema !== description.credentials)
    .map(([name, schema]) => `<s:complexType name="${name}">${sequence(xsdMembers(schema, 'declared'))}</s:complexType>`)
    .join('');
  const arrayTypes = [...arrays]
    .map((item) => {
      const type = item.startsWith('s:') ? item : `tns:${item}`;
      const name = item.startsWith('s:') ? item.slice(2) : item;
      return `<s:complexType name="ArrayOf${upperFirst(name)}"><s:sequence><s:element minOccurs="0" maxOccurs="unbounded" name="${name}" nillable="true" type="${type}"/></s:sequence></s:complexType>`;
    })
    .join('');
  const port = `${serviceName}Soap`;
  const each = (write: (name: string) => string) => operations.map((operation) => write(operation.name)).join('');
  const document =
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="${namespace}"` +
    ` targetNamespace="${namespace}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">` +
    `<wsdl:types><s:schema elementFormDefault="qualified" targetNamespace="${namespace}">${elements}${types}${arrayTypes}</s:schema></wsdl:types>` +
    each(
      (name) =>
        `<wsdl:message name="${name}SoapIn"><wsdl:part name="parameters" element="tns:${name}"/></wsdl:message>` +
        `<wsdl:message name="${name}SoapOut"><wsdl:part name="parameters" element="tns:${name}Response"/></wsdl:message>`,
    ) +
    `<wsdl:portType name="${port}">` +
    each((name) => `<wsdl:operation name="${name}"><wsdl:input message="tns:${name}SoapIn"/><wsdl:output message="tns:${name}SoapOut"/></wsdl:operation>`) +
    `</wsdl:portType><wsdl:binding name="${port}" type="tns:${port}"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>` +
    each(
      (name) =>
        `<wsdl:operation name="${name}"><soap:operation soapAction="${asmxSoapAction(namespace, name)}" style="document"/>` +
        '<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>',
    ) +
    `</wsdl:binding><wsdl:service name="${serviceName}"><wsdl:port name="${port}" binding="tns:${port}"><soap:address location="${LOCATION}"/></wsdl:port></wsdl:service>` +
    '</wsdl:definitions>';
  const [before, after] = document.split(LOCATION) as [string, string];
  return (location) => `${before}${escapeAttribute(location)}${after}`;
}

/**
 * A request element's members: the method's own, then the credentials, unless the method
 * declares a credential among its own to give its place (Infomedia's SendBillWithPin takes
 * U and P before PIN).
 */
function requestMembers(input: TObject, credentials: readonly XsdMember[]): XsdMember[] {
  const own = xsdMembers(input, 'declared');
  const placed = new Set(own.map((member) => member.name));
  return [...own, ...credentials.filter((member) => !placed.has(member.name))];
}

/** An element as XmlSerializer declares it; an array member is an ArrayOf{Item}, noted in arrays to be declared. */
function element(member: XsdMember, arrays: Set<string>): string {
  const item = member.type.kind === 'contract' ? member.type.name : `s:${member.type.name}`;
  if (member.repeated) {
    arrays.add(item);
    const itemName = item.startsWith('s:') ? item.slice(2) : item;
    return `<s:element minOccurs="0" maxOccurs="1" name="${member.name}" type="tns:ArrayOf${upperFirst(itemName)}"/>`;
  }
  const valueType = member.type.kind === 'primitive' && VALUE_TYPES.has(member.type.name);
  const type = member.type.kind === 'contract' ? `tns:${member.type.name}` : item;
  return `<s:element minOccurs="${valueType && !member.optional ? 1 : 0}" maxOccurs="1" name="${member.name}" type="${type}"/>`;
}

function upperFirst(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}
