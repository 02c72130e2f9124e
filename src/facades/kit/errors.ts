import type { FastifyRequest } from 'fastify';

/**
 * What a binding itself finds wrong with a request, before any operation runs: one kind
 * per cause, with its parameters. A facade's fault policy writes each as its own wire
 * fault, as it does the core's errors; the kit writes no wire text.
 */
export type BindingProblem =
  | { kind: 'malformed_xml'; detail: string }
  | { kind: 'not_an_envelope' }
  | { kind: 'not_one_operation' }
  | { kind: 'unknown_operation'; name: string }
  | { kind: 'action_mismatch'; action: string; operation: string }
  | { kind: 'invalid_input'; path: string; reason: string }
  | { kind: 'no_route' };

export class BindingError extends Error {
  constructor(readonly problem: BindingProblem) {
    super(problem.kind);
  }
}

/**
 * A facade's one fault policy: any error met while answering (a binding problem, a
 * validation error from Fastify, a fault the handler threw, anything unexpected) → the
 * facade's wire fault. `logUnexpected` is called for what no client caused, so the
 * binding logs it under its own label.
 */
export type FaultPolicy<F> = (error: unknown, request: FastifyRequest, logUnexpected: (error: unknown) => void) => F;

/**
 * The member an invalid_input problem is about (a facade answers each member by its own
 * code): the required property named, or the path's first segment after the operation's name.
 */
export function inputMember(problem: { path: string; reason: string }): string {
  const required = /required property '([^']{1,64})'/.exec(problem.reason);
  if (required?.[1]) return required[1];
  return problem.path.split('/')[1] ?? '';
}
