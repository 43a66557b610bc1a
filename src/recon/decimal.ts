import BigJs from 'big.js';

/**
 * One configured decimal type for all money math. Big.js is exact for addition and subtraction; divisions
 * (quote → base at a price) keep 20 decimal places before the value leaves as a JSON number.
 */
export const Big = BigJs();
Big.DP = 20;
Big.RM = Big.roundHalfEven;
// Never exponent notation: a baseline of 3e-8 DOGE must be saved as "0.00000003", a plain decimal string.
Big.NE = -1e6;
Big.PE = 1e6;
export type Decimal = BigJs.Big;

/** Exactly the plain decimals big.js reads as they are: a leading '+' or surrounding space makes it throw. */
const DECIMAL_STRING = /^-?(\d+\.?\d*|\.\d+)$/;

export function isDecimalString(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 64 && DECIMAL_STRING.test(v);
}



/** Base-asset equivalent of a base amount and a quote amount at `price` (quote per base). */
export function baseEquivalent(base: string | Decimal, quote: string | Decimal, price: number): Decimal {
  return new Big(base).plus(new Big(quote).div(price));
}

export function toNumber(v: string | Decimal): number {
  return Number(typeof v === 'string' ? v : v.toString());
}
