import type { TObject, TSchema } from 'typebox';
import { assert } from '../../kernel/assert.js';
import { type AnyOperation, contractName, type WireAnnotations } from './operation.js';

/**
 * The XML Schema view of TypeBox schemas that a WSDL generator writes: which data
 * contracts an operation uses, and for each member its XML Schema type, whether it may be
 * left out and whether it may be nil. Both WSDL styles (WCF, ASMX) render this view.
 */
export interface XsdMember {
  readonly name: string;
  /** A primitive ('int', 'string', …) or the name of a data contract. */
  readonly type: { kind: 'primitive'; name: string } | { kind: 'contract'; name: string };
  readonly optional: boolean;
  readonly nillable: boolean;
  /** An array of the type (ASMX writes it as ArrayOf{Type}). */
  readonly repeated: boolean;
}

interface WalkedSchema extends WireAnnotations {
  type?: string;
  properties?: Record<string, TSchema>;
  required?: string[];
  items?: TSchema;
  anyOf?: WalkedSchema[];
}

const PRIMITIVES: Record<string, string> = { integer: 'int', string: 'string', boolean: 'boolean', number: 'decimal' };

/** Members in declaration order (a request element's), or sorted (a WCF data contract's: DataContractSerializer orders them ordinally). */
export function xsdMembers(schema: TObject, order: 'declared' | 'ordinal'): XsdMember[] {
  const walked = schema as WalkedSchema;
  const required = new Set(walked.required ?? []);
  const names = Object.keys(walked.properties ?? {});
  if (order === 'ordinal') names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => memberOf(name, (walked.properties ?? {})[name] as WalkedSchema, required.has(name)));
}

function memberOf(name: string, given: WalkedSchema, required: boolean): XsdMember {
  // X or null (an answer's member that may be null) is declared as X, nillable.
  const variants = given.anyOf?.filter((variant) => variant.type !== 'null');
  const orNull = variants !== undefined && variants.length === 1 && given.anyOf?.length === 2;
  const schema = orNull ? (variants[0] as WalkedSchema) : given;
  const repeated = schema.type === 'array';
  const item = (repeated ? schema.items : schema) as WalkedSchema | undefined;
  assert(item !== undefined, `${name}: an array member needs an item schema`);
  const declaredRequired = required || schema.declaredRequired === true || given.declaredRequired === true;
  const nillable = !declaredRequired || orNull || schema.nillable === true || given.nillable === true;
  return { name, type: typeOf(name, item), optional: !declaredRequired, nillable, repeated };
}

function typeOf(name: string, schema: WalkedSchema): XsdMember['type'] {
  const contract = contractName(schema);
  if (contract !== undefined) return { kind: 'contract', name: contract };
  if (schema.xsd !== undefined) return { kind: 'primitive', name: schema.xsd };
  const primitive = PRIMITIVES[schema.type ?? ''];
  assert(primitive !== undefined, `${name}: no XML Schema type for a ${schema.type ?? 'union'} member (annotate it, or name the contract)`);
  return { kind: 'primitive', name: primitive };
}

/**
 * The data contracts the operations use, first seen first (the extra request members,
 * then each operation's input and output, a contract before those it holds), as the WCF
 * and ASMX generators list them.
 */
export function contractsOf(operations: readonly AnyOperation<unknown>[], extraMembers: Readonly<Record<string, TObject>> = {}): Map<string, TObject> {
  const found = new Map<string, TObject>();
  const visit = (schema: TSchema) => {
    const walked = schema as WalkedSchema;
    const target = (walked.type === 'array' ? walked.items : walked) as WalkedSchema | undefined;
    if (!target || target.type !== 'object') return;
    const name = contractName(target);
    if (name !== undefined) {
      if (found.has(name)) {
        assert(found.get(name) === target, `two contracts named ${name}`);
        return;
      }
      found.set(name, target as TObject);
    }
    for (const member of Object.values(target.properties ?? {})) visit(member);
  };
  for (const operation of operations) {
    for (const member of Object.values(extraMembers)) visit(member);
    for (const member of Object.values((operation.input as WalkedSchema).properties ?? {})) visit(member);
    if (operation.output) visit(operation.output);
  }
  return found;
}

/** Text for an XML attribute value. */
export function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
