import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { CheckedEndpointInput } from '../../core/merchants/accounts-ports.js';
import type { CredentialKind, VendorId } from '../../core/merchants/accounts-types.js';
import { err, ok, type Result } from '../../kernel/result.js';

/** A vendor id of an endpoint kind: what the operator calls it, how it is stored, what it looks like. */
export interface VendorIdSpec {
  /** The short name the operator gives (`--vendor-id service-id=1000`). */
  readonly name: string;
  /** The stored, platform-wide name (namespaced by the facade). */
  readonly storedAs: string;
  readonly valid: (value: string) => boolean;
  /** Readable form of what is valid, for the refusal. */
  readonly looksLike: string;
  readonly required: boolean;
  /** This vendor id is also the endpoint's id (a positive integer). */
  readonly isEndpointId?: boolean;
}

/** An API kind an endpoint can have, declared by the facade that serves it. */
export interface EndpointKind {
  readonly kind: string;
  readonly description: string;
  readonly settings: TSchema;
  readonly vendorIds: readonly VendorIdSpec[];
  readonly credentialKinds: readonly CredentialKind[];
}

const MAX_REASONS = 10;
const INT32_MAX = 2_147_483_647;

/** A decimal integer 1 … 2^31-1 with no sign, spaces or leading zeros (an Int32 id on the wire). */
export function isInt32Id(value: string): boolean {
  return /^[1-9]\d{0,9}$/.test(value) && Number(value) <= INT32_MAX;
}

/** Checks an operator's settings and vendor ids against the kind; reasons say what to change. */
export function checkEndpointInput(
  kind: EndpointKind,
  settings: unknown,
  vendorIds: Readonly<Record<string, string>>,
): Result<CheckedEndpointInput, readonly string[]> {
  const reasons: string[] = [];
  const withDefaults = Value.Default(kind.settings, structuredClone(settings ?? {}));
  if (!Value.Check(kind.settings, withDefaults)) reasons.push(...settingsReasons(kind.settings, withDefaults));
  const known = new Set(kind.vendorIds.map((spec) => spec.name));
  for (const name of Object.keys(vendorIds)) {
    if (!known.has(name)) reasons.push(`vendor id ${name} is not one of ${kind.kind}'s (${[...known].join(', ') || 'it has none'})`);
  }
  const stored: VendorId[] = [];
  let endpointId: number | null = null;
  for (const spec of kind.vendorIds) {
    const value = vendorIds[spec.name];
    if (value === undefined) {
      if (spec.required) reasons.push(`vendor id ${spec.name} is required (${spec.looksLike})`);
      continue;
    }
    if (!spec.valid(value)) {
      reasons.push(`vendor id ${spec.name} must be ${spec.looksLike}`);
      continue;
    }
    stored.push({ name: spec.storedAs, value });
    if (spec.isEndpointId) endpointId = Number(value);
  }
  if (reasons.length > 0) return err(reasons.slice(0, MAX_REASONS));
  return ok({ settings: withDefaults as Record<string, unknown>, vendorIds: stored, endpointId });
}

function settingsReasons(schema: TSchema, value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['settings must be a JSON object'];
  const reasons: string[] = [];
  for (const error of Value.Errors(schema, value)) {
    const at = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const params = error.params as { additionalProperties?: string[]; requiredProperties?: string[]; allowedValues?: unknown[] };
    if (error.keyword === 'boolean') continue;
    if (error.keyword === 'additionalProperties') reasons.push(`unknown setting ${params.additionalProperties?.join(', ')}`);
    else if (error.keyword === 'required') reasons.push(`missing setting ${params.requiredProperties?.join(', ')}`);
    else if (error.keyword === 'enum') reasons.push(`setting ${at} must be one of ${params.allowedValues?.join(', ')}`);
    else if (error.keyword === 'pattern') reasons.push(`setting ${at} must be ${describedAt(schema, error.schemaPath) ?? 'of the documented form'}`);
    else reasons.push(`setting ${at} ${error.message}`);
  }
  return reasons;
}

/** The description of the subschema a JSON Pointer (#/properties/x/items) names, when it has one. */
function describedAt(schema: TSchema, pointer: string): string | undefined {
  let node: unknown = schema;
  for (const part of pointer.split('/').slice(1)) node = (node as Record<string, unknown> | undefined)?.[part];
  const description = (node as { description?: unknown } | undefined)?.description;
  return typeof description === 'string' ? description : undefined;
}
