import type { Static, TObject, TSchema } from 'typebox';
import { assert } from '../../kernel/assert.js';

/**
 * An operation of a vendor API, declared once: its name on the wire, the schema of its
 * input and of its output, and the handler that calls core. Bindings (REST, SOAP, ASMX
 * GET/POST/JSON) expose it; none of them knows what the operation does, and the handler
 * knows nothing of the binding it was called through. A handler takes the authenticated
 * principal the facade's auth hook set and the input already read by the shared wire-input
 * hygiene, and returns the output members, or throws; what it throws becomes a wire fault
 * by the facade's one fault policy.
 */
export interface Operation<P, In extends TObject, Out extends TObject | null> {
  /** The wire name: SOAP element and action, ASMX method (matched case-insensitively there). */
  readonly name: string;
  readonly input: In;
  /** The output members' schema, a named contract; null: the operation answers without a result. */
  readonly output: Out;
  // A method, not a function-typed property: a binding holds operations of any schemas as AnyOperation.
  handle(principal: P, input: Static<In>): Promise<OutputOf<Out>>;
}

export type OutputOf<Out extends TObject | null> = Out extends TObject ? Static<Out> : void;

/** Any operation of a facade whose principal is P, whatever its schemas. */
// The schemas vary per operation; a binding only reads them, so their static types do not matter to it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation<P> = Operation<P, any, any>;

/** Longer than any vendor's method name; bounds what a binding echoes and looks up. */
export const MAX_OPERATION_NAME_CHARS = 64;
const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

export function defineOperation<P, In extends TObject, Out extends TObject | null>(operation: Operation<P, In, Out>): Operation<P, In, Out> {
  assert(OPERATION_NAME.test(operation.name) && operation.name.length <= MAX_OPERATION_NAME_CHARS, `bad operation name ${operation.name}`);
  assert(operation.output === null || contractName(operation.output) !== undefined, `${operation.name}: the output must be a named contract`);
  return Object.freeze(operation);
}

/**
 * The wire annotations a schema may carry beside JSON Schema (TypeBox keeps unknown
 * keywords and its validators ignore them): what a WSDL or an XML body needs and a
 * JSON Schema does not say.
 */
export interface WireAnnotations {
  /** The data contract's name: the complexType of a WSDL, the root element of an XML body. */
  contract?: string;
  /** The XML Schema type a WSDL declares, where it is not the one the value reads as (a decimal string read as text, declared xsd:int). */
  xsd?: string;
  /** Declared required in a WSDL although read leniently (a missing credential is wrong credentials, not a malformed request). */
  declaredRequired?: boolean;
  /** Declared nillable in a WSDL although required. */
  nillable?: boolean;
  /** The __type an ASMX JSON answer gives this contract (MobilePaymentsLibrary.Bill). */
  jsonType?: string;
}

/** Names an object schema as a data contract (and, for ASMX JSON, gives its __type). */
export function contract<T extends TObject>(name: string, schema: T, jsonType?: string): T {
  assert(OPERATION_NAME.test(name), `bad contract name ${name}`);
  (schema as WireAnnotations).contract = name;
  if (jsonType !== undefined) (schema as WireAnnotations).jsonType = jsonType;
  return schema;
}

/** Annotates a member schema for the WSDL (see WireAnnotations). */
export function declared<T extends TSchema>(annotations: Omit<WireAnnotations, 'contract'>, schema: T): T {
  return Object.assign(schema, annotations);
}

export function contractName(schema: TSchema): string | undefined {
  return (schema as WireAnnotations).contract;
}

/** A facade's operations by name; names are unique, and unique case-insensitively (ASMX matches them so). */
export function operationTable<P>(operations: readonly AnyOperation<P>[]): ReadonlyMap<string, AnyOperation<P>> {
  const table = new Map<string, AnyOperation<P>>();
  for (const operation of operations) {
    const key = operation.name.toLowerCase();
    assert(!table.has(key), `operation declared twice: ${operation.name}`);
    table.set(key, operation);
  }
  return table;
}
