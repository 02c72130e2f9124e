import Fastify, { type FastifyError, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { asmxBinding } from '../../src/facades/kit/asmx.js';
import { BindingError, type FaultPolicy } from '../../src/facades/kit/errors.js';
import { contract, defineOperation } from '../../src/facades/kit/operation.js';
import { FrameworkErrorRoutes } from '../../src/facades/shared/framework-errors.js';

/**
 * A test-only ASMX facade on the kit, shaped like Infomedia's Mobile Payments API: U and P
 * parameters, every answer carrying Status and Description (HTTP 200 also for errors), a
 * bare XML root and a JSON __type per method, one SOAP-only method taking an array.
 */
export const GREETER_NS = 'http://localhost/KitTest/Greeter';
export const MAX_BODY_BYTES = 4 * 1024;

interface GreeterFault {
  readonly status: number;
  readonly code: string;
  readonly text: string;
}

class GreeterError extends Error {
  constructor(readonly fault: GreeterFault) {
    super(fault.text);
  }
}

const Detail = contract('GreetingDetail', Type.Object({ Length: Type.String(), Note: Type.Union([Type.String(), Type.Null()]) }), 'KitTest.Detail');
const Greeting = contract(
  'Greeting',
  Type.Object({ Status: Type.String(), Description: Type.String(), Text: Type.String(), Detail: Type.Optional(Detail) }),
  'KitTest.Greet',
);
const Pair = contract('Pair', Type.Object({ Key: Type.String({ maxLength: 20 }), Value: Type.String({ maxLength: 100 }) }));
const Counted = contract('Counted', Type.Object({ Status: Type.String(), Description: Type.String(), Count: Type.String() }), 'KitTest.Counted');

interface Partner {
  readonly name: string;
}

const greet = defineOperation({
  name: 'Greet',
  input: Type.Object({ Name: Type.String({ minLength: 1, maxLength: 40 }), Times: Type.Integer({ minimum: 1, maximum: 3 }) }),
  output: Greeting,
  async handle(partner: Partner, { Name, Times }) {
    const text = Array.from({ length: Times }, () => `Hello ${Name} from ${partner.name}`).join(' ');
    return { Status: 'Success', Description: '00 - OK', Text: text, Detail: { Length: String(text.length), Note: null } };
  },
});

const count = defineOperation({
  name: 'CountPairs',
  input: Type.Object({ Items: Type.Array(Pair, { maxItems: 10 }) }),
  output: Counted,
  handle: async (_partner: Partner, { Items }) => ({ Status: 'Success', Description: '00 - OK', Count: String(Items.length) }),
});

const Credentials = Type.Object({ U: Type.Optional(Type.String({ maxLength: 64 })), P: Type.Optional(Type.String({ maxLength: 64 })) });

const PROBLEM_TEXT: Record<BindingError['problem']['kind'], string> = {
  malformed_xml: 'Malformed XML',
  not_an_envelope: 'Not a SOAP envelope',
  not_one_operation: 'Not one operation',
  unknown_operation: 'Unknown method',
  action_mismatch: 'SOAPAction does not match',
  invalid_input: 'Invalid parameter',
  no_route: 'Unknown method',
};

const faults: FaultPolicy<GreeterFault> = (error, _request, logUnexpected) => {
  if (error instanceof GreeterError) return error.fault;
  if (error instanceof BindingError) {
    const kind = error.problem.kind;
    const detail = kind === 'invalid_input' ? `: ${error.problem.path} ${error.problem.reason}` : '';
    return { status: kind === 'unknown_operation' ? 404 : 200, code: '02', text: `${PROBLEM_TEXT[kind]}${detail}` };
  }
  const statusCode = (error as FastifyError).statusCode ?? 500;
  // A body that cannot be read at all (not JSON, too large, of an unknown type) keeps its HTTP status.
  if (statusCode >= 400 && statusCode < 500) return { status: statusCode, code: '02', text: 'Unreadable request' };
  logUnexpected(error);
  return { status: 500, code: '99', text: 'Internal error' };
};

export const greeterPlugin: FastifyPluginAsync<{ frameworkErrors: FrameworkErrorRoutes }> = async (app, options) => {
  await asmxBinding<Partner, GreeterFault>(app, {
    serviceNamespace: GREETER_NS,
    serviceName: 'Greeter',
    maxBodyBytes: MAX_BODY_BYTES,
    methods: [
      { operation: greet, protocols: { httpGet: true, httpPost: true, json: true } },
      { operation: count, protocols: { httpGet: false, httpPost: false, json: false } },
    ],
    credentials: Credentials,
    faults,
    frameworkFault: () => ({ status: 400, code: '02', text: 'Bad URL' }),
    faultAnswer: (fault, operation) => ({
      status: fault.status,
      root: operation === count ? 'Counted' : 'Greeting',
      jsonType: operation === count ? 'KitTest.Counted' : 'KitTest.Greet',
      members: { Status: 'Error', Description: `${fault.code} - ${fault.text}` },
    }),
    soapFaultContent: (fault) => ({ faultcode: fault.status >= 500 ? 'soap:Server' : 'soap:Client', faultstring: fault.text, detail: '' }),
    authenticate: async (_request, { U, P }) => {
      if (U !== 'kit' || P !== 'secret') throw new GreeterError({ status: 200, code: '01', text: 'Invalid Login' });
      return { name: 'kit' };
    },
    frameworkErrors: options.frameworkErrors,
    logLabel: 'greeter request failed',
  });
};

/** A server with the greeter at /V/1/Greeter.asmx, routed case-insensitively as the app routes. */
export async function greeterServer(): Promise<FastifyInstance> {
  const frameworkErrors = new FrameworkErrorRoutes();
  const app = Fastify({ routerOptions: { caseSensitive: false, ignoreTrailingSlash: true }, frameworkErrors: frameworkErrors.handle });
  await app.register(greeterPlugin, { prefix: '/V/1/Greeter.asmx', frameworkErrors });
  await app.ready();
  return app;
}
