import type { NewPricePlan, NewProduct, PricePlan, Product } from './types.js';

export interface ProductRepository {
  merchantExists(merchantId: number): Promise<boolean>;
  /** Answers the product id; 'taken' when a given id is already a product's. */
  createProduct(product: NewProduct, at: Date): Promise<number | 'taken'>;
  findProduct(productId: number): Promise<Product | null>;
  /** A merchant's products with their plans, by id. */
  listProducts(merchantId: number, limit: number): Promise<Product[]>;
  /** Answers the plan id; 'taken' when a given id is already a plan's. */
  createPlan(plan: NewPricePlan, at: Date): Promise<number | 'taken'>;
}
