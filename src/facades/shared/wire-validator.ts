import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { readWireInput } from './wire-input.js';

/**
 * The validator compiler of a facade plugin: each request part a route gives a schema
 * (params, querystring, body) is read by readWireInput instead of Fastify's Ajv, which
 * coerces types ("0x3E8", "1e3", " 1000 " and [1000] all pass as the integer 1000). The
 * value read replaces the part, so handlers see the converted, typed value. A failure
 * reaches the plugin's error handler as Fastify's validation error, with a message in
 * Fastify's shape: "body/PaymentDetails/Price must be integer".
 */
export const wireInputValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema }) => (data: unknown) => {
  const result = readWireInput(schema, data);
  if (result.ok) return { value: result.value };
  const { path, reason } = result.error;
  return { error: [{ keyword: 'wireInput', instancePath: path, schemaPath: '#', params: {}, message: reason }] };
};
