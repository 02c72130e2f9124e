import type { Product } from '../../core/products/types.js';
import type { ProductService } from '../../core/products/service.js';
import { type Code, CODE, fail } from './faults.js';
import type { Partner } from './partner.js';

/** A SID/BPID of the partner: not a product id at all → the method's own code (15, 03); another merchant's → 02 - Unuathorised. */
export async function productOf(products: ProductService, partner: Partner, idText: string | undefined, invalid: Code): Promise<Product> {
  const text = (idText ?? '').trim();
  if (!/^[0-9]{1,12}$/.test(text)) throw fail(invalid);
  const product = await products.productOf(partner.endpoint.merchantId, Number(text));
  if (product === null) throw fail(invalid);
  if (product === 'foreign') throw fail(CODE.Unauthorised);
  return product;
}
