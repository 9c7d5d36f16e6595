// orderby.js — Milvus 3.0's order_by_fields as the clients take it, turned into the one string
// every SDK sends on the wire ("price:desc,rating"): the core reads that string (src/orderby.h),
// so what the spec means, and every message about it, is the core's.

/**
 * The wire text of an order_by_fields argument as the Node SDK 3.0 (normalizeOrderByFields) and
 * pymilvus take it: a string as it is, or a list of strings and `{ field, order }` objects (order
 * asc when absent), joined by commas; undefined and null give undefined (no ordering). `fail(msg)`
 * makes the error a face throws for what is neither (the SDK's messages).
 */
export function orderByText(value, fail) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw fail('Invalid order_by_fields format');
  return value.map((item) => {
    if (typeof item === 'string') return item;
    if (!item || typeof item !== 'object')
      throw fail(`Invalid order_by_fields item format, expect string or object, got ${typeof item}`);
    if (!item.field) throw fail("Invalid order_by_fields item: 'field' key is required and cannot be empty");
    return `${item.field}:${item.order ?? 'asc'}`;
  }).join(',');
}
