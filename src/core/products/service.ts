import type { Clock } from '../../kernel/clock.js';
import { isCurrency, MAX_AMOUNT_MINOR } from '../../kernel/money.js';
import { err, ok, type Result } from '../../kernel/result.js';
import { TtlCache } from '../../kernel/ttl-cache.js';
import { type AccountsError, MAX_LIST_ROWS, nameProblem } from '../merchants/accounts.js';
import type { ProductRepository } from './ports.js';
import { type Billing, FIRST_GENERATED_ID, MAX_PERIOD_COUNT, MAX_TRIAL_DAYS, type PricePlan, type Product } from './types.js';

export interface PlanRequest {
  readonly planId?: number | undefined;
  readonly productId: number;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly billing: Billing;
}

/**
 * How long a product read for a charge is answered from memory: a bill names its product on
 * every request, and products change rarely. A change made by this process (a plan added)
 * is seen at once; one made by another process (the operator CLI) within this bound.
 */
const PRODUCT_FRESH_MS = 10_000;
const PRODUCT_CACHE_ENTRIES = 10_000;

/** Products of merchants and their price plans (once-off or recurring). */
export class ProductService {
  readonly #recent: TtlCache<number, Product>;

  constructor(
    private readonly repository: ProductRepository,
    private readonly clock: Clock,
  ) {
    this.#recent = new TtlCache(PRODUCT_CACHE_ENTRIES, PRODUCT_FRESH_MS, () => clock.now().getTime());
  }

  async addProduct(request: { productId?: number | undefined; merchantId: number; name: string }): Promise<Result<Product, AccountsError>> {
    const invalid = nameProblem('name', request.name) ?? idProblem('product id', request.productId);
    if (invalid) return err(invalid);
    if (!(await this.repository.merchantExists(request.merchantId))) return err({ kind: 'unknown-merchant', merchantId: request.merchantId });
    const productId = await this.repository.createProduct({ productId: request.productId ?? null, merchantId: request.merchantId, name: request.name }, this.clock.now());
    if (productId === 'taken') return err({ kind: 'product-taken', productId: request.productId ?? 0 });
    return ok({ productId, merchantId: request.merchantId, name: request.name, plans: [] });
  }

  async addPlan(request: PlanRequest): Promise<Result<PricePlan, AccountsError>> {
    const invalid = idProblem('plan id', request.planId) ?? planProblem(request);
    if (invalid) return err(invalid);
    if (!(await this.repository.findProduct(request.productId))) return err({ kind: 'unknown-product', productId: request.productId });
    const plan = { ...request, currency: request.currency as PricePlan['currency'], planId: request.planId ?? null };
    const planId = await this.repository.createPlan(plan, this.clock.now());
    this.#recent.delete(request.productId);
    if (planId === 'taken') return err({ kind: 'plan-taken', planId: request.planId ?? 0 });
    return ok({ ...plan, planId });
  }

  /** A product as one merchant may sell it: null when there is no such product, 'foreign' when it is another merchant's. */
  async productOf(merchantId: number, productId: number): Promise<Product | 'foreign' | null> {
    if (!Number.isSafeInteger(productId) || productId < 1) return null;
    const product = await this.#recentProduct(productId);
    if (!product) return null;
    return product.merchantId === merchantId ? product : 'foreign';
  }

  async #recentProduct(productId: number): Promise<Product | null> {
    const known = this.#recent.get(productId);
    if (known) return known;
    const product = await this.repository.findProduct(productId);
    if (product) this.#recent.set(productId, product);
    return product;
  }

  async listProducts(merchantId: number): Promise<Result<Product[], AccountsError>> {
    if (!(await this.repository.merchantExists(merchantId))) return err({ kind: 'unknown-merchant', merchantId });
    return ok(await this.repository.listProducts(merchantId, MAX_LIST_ROWS));
  }
}

function idProblem(field: string, id: number | undefined): AccountsError | null {
  if (id === undefined || (Number.isSafeInteger(id) && id >= 1 && id < FIRST_GENERATED_ID)) return null;
  return { kind: 'invalid-field', field, reason: `must be 1-${FIRST_GENERATED_ID - 1} when given (larger ones are generated)` };
}

/** The bounds the price_plans table checks too, said in words. */
export function planProblem(request: PlanRequest): AccountsError | null {
  const invalid = (field: string, reason: string): AccountsError => ({ kind: 'invalid-field', field, reason });
  if (request.amountMinor <= 0n || request.amountMinor > MAX_AMOUNT_MINOR) return invalid('price', `must be 1-${MAX_AMOUNT_MINOR} minor units`);
  if (!isCurrency(request.currency)) return invalid('currency', `${request.currency} is not a currency the platform settles in`);
  if (request.billing.kind === 'once') return null;
  const { period, trialDays } = request.billing;
  const maxCount = MAX_PERIOD_COUNT[period.unit];
  if (!Number.isSafeInteger(period.count) || period.count < 1 || period.count > maxCount) return invalid('period', `a ${period.unit} count must be 1-${maxCount}`);
  if (!Number.isSafeInteger(trialDays) || trialDays < 0 || trialDays > MAX_TRIAL_DAYS) return invalid('trial', `must be 0-${MAX_TRIAL_DAYS} days`);
  return null;
}
