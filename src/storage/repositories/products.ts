import { type Kysely, sql } from 'kysely';
import type { ProductRepository } from '../../core/products/ports.js';
import type { Billing, NewPricePlan, NewProduct, PeriodUnit, PricePlan, Product } from '../../core/products/types.js';
import type { Currency } from '../../kernel/money.js';
import type { Schema } from '../schema.js';
import { uniqueOr } from './accounts.js';

export class SqlProductRepository implements ProductRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async merchantExists(merchantId: number): Promise<boolean> {
    return (await this.db.selectFrom('merchants').select('id').where('id', '=', merchantId).executeTakeFirst()) !== undefined;
  }

  createProduct(product: NewProduct, at: Date): Promise<number | 'taken'> {
    return uniqueOr('taken', async () => {
      const row = await this.db
        .insertInto('products')
        .values({ id: product.productId ?? sql<string>`nextval('product_ids')`, merchant_id: product.merchantId, name: product.name, created_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    });
  }

  async findProduct(productId: number): Promise<Product | null> {
    const row = await this.db.selectFrom('products').select(['id', 'merchant_id', 'name']).where('id', '=', productId).executeTakeFirst();
    if (!row) return null;
    const [product] = await this.#withPlans([row]);
    return product ?? null;
  }

  async listProducts(merchantId: number, limit: number): Promise<Product[]> {
    const rows = await this.db.selectFrom('products').select(['id', 'merchant_id', 'name']).where('merchant_id', '=', merchantId).orderBy('id').limit(limit).execute();
    return this.#withPlans(rows);
  }

  async #withPlans(rows: { id: string | number | bigint; merchant_id: string | number | bigint; name: string }[]): Promise<Product[]> {
    if (rows.length === 0) return [];
    const plans = await this.db
      .selectFrom('price_plans')
      .select(['id', 'product_id', 'billing', 'amount_minor', 'currency', 'period_unit', 'period_count', 'trial_days'])
      .where('product_id', 'in', rows.map((r) => Number(r.id)))
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      productId: Number(r.id),
      merchantId: Number(r.merchant_id),
      name: r.name,
      plans: plans.filter((p) => Number(p.product_id) === Number(r.id)).map(planOf),
    }));
  }

  createPlan(plan: NewPricePlan, at: Date): Promise<number | 'taken'> {
    const recurring = plan.billing.kind === 'recurring' ? plan.billing : null;
    return uniqueOr('taken', async () => {
      const row = await this.db
        .insertInto('price_plans')
        .values({
          id: plan.planId ?? sql<string>`nextval('price_plan_ids')`,
          product_id: plan.productId,
          billing: plan.billing.kind,
          amount_minor: plan.amountMinor.toString(),
          currency: plan.currency,
          period_unit: recurring?.period.unit ?? null,
          period_count: recurring?.period.count ?? null,
          trial_days: recurring?.trialDays ?? 0,
          created_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    });
  }
}

function planOf(p: {
  id: string | number | bigint;
  product_id: string | number | bigint;
  billing: string;
  amount_minor: string | number | bigint;
  currency: string;
  period_unit: string | null;
  period_count: number | null;
  trial_days: number;
}): PricePlan {
  const billing: Billing =
    p.billing === 'once'
      ? { kind: 'once' }
      : { kind: 'recurring', period: { unit: p.period_unit as PeriodUnit, count: Number(p.period_count) }, trialDays: Number(p.trial_days) };
  return { planId: Number(p.id), productId: Number(p.product_id), amountMinor: BigInt(p.amount_minor), currency: p.currency.trim() as Currency, billing };
}
