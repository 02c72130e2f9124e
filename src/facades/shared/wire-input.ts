import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { err, ok, type Result } from '../../kernel/result.js';

/**
 * One input hygiene for every binding of every facade: a parsed JSON body, the strings of
 * an XML body or a SOAP envelope, path parameters and query strings all go through
 * readWireInput with the operation's TypeBox schema, so that a value accepted over one
 * binding is accepted over every other, and nothing a database or a vendor would choke
 * on gets past the edge:
 *
 * - no string, and no member name, holds a control character (C0 but TAB, LF and CR;
 *   DEL; C1), an unpaired UTF-16 surrogate (PostgreSQL can store neither) or the
 *   noncharacters U+FFFE and U+FFFF (not XML characters, so no XML answer could echo them);
 * - an integer is a JSON integer or a plain decimal string (`1000`, `-5`): never hex,
 *   an exponent, a sign `+`, whitespace or an array, which a coercing validator would
 *   all read as 1000; a number likewise is a JSON number or a plain decimal string;
 * - a string may be sent as a JSON integer (`"Msisdn": 4790000000`), as before;
 * - unknown members are ignored (vendors' WCF contracts ignore them) and left out of the
 *   result, but their text is held to the same rules;
 * - the schema's own constraints (maxLength, minimum, pattern …) are checked last, on
 *   the converted value, with TypeBox.
 *
 * The input must already be bounded in size (the bindings cap bodies at 64 KiB); its
 * nesting is bounded here, so the walk never recurses deeper than MAX_WIRE_DEPTH.
 */

export interface WireInputError {
  /** JSON Pointer of the offending value within the input ('' for the input itself). */
  readonly path: string;
  /** What is wrong, as a phrase after the path ("must be integer"). Never echoes the value. */
  readonly reason: string;
}

/** Deeper than any vendor request type (a Strex Pay is 3 levels); deeper input is refused. */
export const MAX_WIRE_DEPTH = 16;

// 16 digits hold every safe integer (2^53 has 16); the value is then checked to be safe.
const DECIMAL_INTEGER = /^-?[0-9]{1,16}$/;
const DECIMAL_NUMBER = /^-?[0-9]{1,16}(\.[0-9]{1,16})?$/;
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** U+FFFE and U+FFFF are no characters at all, and not XML characters: an echo of one would break an XML answer. */
const NONCHARACTER = /[\uFFFE\uFFFF]/;
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Path segments echoed in a fault are cut here: a member name can be as long as the body. */
const MAX_SEGMENT_CHARS = 64;

/** Reads an untrusted value along a schema: the typed value, or the first thing wrong with it. */
export function readWireInput<T extends TSchema>(schema: T, value: unknown): Result<Static<T>, WireInputError> {
  try {
    const converted = read(schema, value, '', 0);
    const error = firstSchemaError(schema, converted, '');
    return error ? err(error) : ok(converted as Static<T>);
  } catch (error) {
    if (error instanceof WireInputFailure) return err(error.detail);
    throw error;
  }
}

/** Why a text may not pass the edge, or null when it may. */
export function textFault(text: string): string | null {
  if (CONTROL_CHARACTER.test(text)) return 'must not contain control characters';
  if (UNPAIRED_SURROGATE.test(text)) return 'must not contain unpaired surrogates';
  if (NONCHARACTER.test(text)) return 'must not contain U+FFFE or U+FFFF';
  return null;
}

/** A plain decimal integer (optional '-', digits only) within the safe integers, else null. */
export function readDecimalInteger(text: string): number | null {
  if (!DECIMAL_INTEGER.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value + 0 : null; // + 0 turns -0 into 0
}

/** The JSON Schema keywords the walk follows; TypeBox's own kind markers may not survive a copy. */
interface WalkedSchema {
  type?: string;
  properties?: Record<string, TSchema>;
  required?: string[];
  items?: TSchema;
  anyOf?: TSchema[];
}

class WireInputFailure extends Error {
  constructor(readonly detail: WireInputError) {
    super(`${detail.path} ${detail.reason}`);
  }
}

function fail(path: string, reason: string): never {
  throw new WireInputFailure({ path, reason });
}

function read(schema: TSchema, value: unknown, path: string, depth: number): unknown {
  if (depth > MAX_WIRE_DEPTH) fail(path, 'is nested too deeply');
  if (typeof value === 'string') checkText(value, path);
  const walked = schema as WalkedSchema;
  if (walked.anyOf) return readUnion(walked.anyOf, value, path, depth);
  switch (walked.type) {
    case 'integer':
      return readInteger(value, path);
    case 'number':
      return readNumber(value, path);
    case 'boolean':
      return readBoolean(value, path);
    case 'string':
      return readString(value, path);
    case 'object':
      return readObject(walked, value, path, depth);
    case 'array':
      return readArray(walked, value, path, depth);
    default:
      // Literals, null, unknown: the text rules here, the schema check judges the rest.
      inspect(value, path, depth);
      return value;
  }
}

function readInteger(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value + 0;
  const parsed = typeof value === 'string' ? readDecimalInteger(value) : null;
  return parsed ?? fail(path, 'must be integer');
}

function readNumber(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && DECIMAL_NUMBER.test(value)) return Number(value);
  return fail(path, 'must be number');
}

function readBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return fail(path, 'must be boolean');
}

function readString(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return fail(path, 'must be string');
}

function readObject(schema: WalkedSchema, value: unknown, path: string, depth: number): Record<string, unknown> {
  if (!isRecord(value)) fail(path, 'must be object');
  for (const name of schema.required ?? []) {
    if (!Object.hasOwn(value, name)) fail(path, `must have required property '${name}'`);
  }
  const properties = schema.properties ?? {};
  const result: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    const memberPath = `${path}/${segment(checkMemberName(name, path))}`;
    const memberSchema = Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (memberSchema === undefined) inspect(member, memberPath, depth + 1);
    else if (member !== undefined) result[name] = read(memberSchema, member, memberPath, depth + 1);
  }
  return result;
}

function readArray(schema: WalkedSchema, value: unknown, path: string, depth: number): unknown[] {
  if (!Array.isArray(value)) fail(path, 'must be array');
  const items = schema.items;
  return value.map((item, index) => (items ? read(items, item, `${path}/${index}`, depth + 1) : inspect(item, `${path}/${index}`, depth + 1)));
}

/** The first variant the value reads as and passes; otherwise what was wrong for the first. */
function readUnion(variants: TSchema[], value: unknown, path: string, depth: number): unknown {
  let firstError: WireInputError | null = null;
  for (const variant of variants) {
    try {
      const converted = read(variant, value, path, depth);
      const error = firstSchemaError(variant, converted, path);
      if (!error) return converted;
      firstError ??= error;
    } catch (error) {
      if (!(error instanceof WireInputFailure)) throw error;
      firstError ??= error.detail;
    }
  }
  return fail(firstError?.path ?? path, firstError?.reason ?? 'matches no allowed form');
}

/** The text rules alone, for values no schema describes (unknown members). */
function inspect(value: unknown, path: string, depth: number): unknown {
  if (depth > MAX_WIRE_DEPTH) fail(path, 'is nested too deeply');
  if (typeof value === 'string') checkText(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => inspect(item, `${path}/${index}`, depth + 1));
  else if (isRecord(value)) {
    for (const [name, member] of Object.entries(value)) inspect(member, `${path}/${segment(checkMemberName(name, path))}`, depth + 1);
  }
  return value;
}

function checkText(text: string, path: string): void {
  const fault = textFault(text);
  if (fault) fail(path, fault);
}

/** A member name passes the text rules too; a bad one is reported at its object, never echoed. */
function checkMemberName(name: string, path: string): string {
  if (textFault(name)) fail(path, 'must not have member names with control characters or unpaired surrogates');
  return name;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON Pointer segment (RFC 6901 escapes), cut to a length a fault can echo. */
function segment(name: string): string {
  const escaped = name.replace(/~/g, '~0').replace(/\//g, '~1');
  return escaped.length > MAX_SEGMENT_CHARS ? `${escaped.slice(0, MAX_SEGMENT_CHARS)}…` : escaped;
}

const validators = new WeakMap<TSchema, Validator>();

/** The schema's own constraints, checked by a TypeBox validator compiled once per schema. */
function firstSchemaError(schema: TSchema, value: unknown, path: string): WireInputError | null {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema) as Validator;
    validators.set(schema, validator);
  }
  if (validator.Check(value)) return null;
  const first = validator.Errors(value)[0];
  return { path: `${path}${first?.instancePath ?? ''}`, reason: first?.message ?? 'is not valid' };
}
