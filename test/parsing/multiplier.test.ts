import { expect } from "chai";
import fc from "fast-check";
import { convertAmount, parseMultiplier } from "../../src/parsing/multiplier.js";

/** Reference: the multiplier as a reduced rational p/q read digit by digit, floor by repeated subtraction-free division. */
function referenceConvert(amount: bigint, integerPart: string, fractionPart: string): bigint {
  let p = 0n;
  for (const digit of integerPart + fractionPart) p = p * 10n + BigInt(digit.charCodeAt(0) - 48);
  let q = 1n;
  for (let i = 0; i < fractionPart.length; i += 1) q *= 10n;
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  const g = gcd(p, q);
  p /= g;
  q /= g;
  const product = amount * p;
  const quotient = product / q;
  // Check it is the floor: q·quotient ≤ product < q·(quotient + 1).
  if (!(quotient * q <= product && product < (quotient + 1n) * q)) throw new Error("reference is not a floor");
  return quotient;
}

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(..."0123456789".split("")), { minLength: min, maxLength: max }).map((list) => list.join(""));

describe("multiplier arithmetic", () => {
  it("converted = floor(amount × multiplier) exactly, for any decimal multiplier (property, 500 runs)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: BigInt(Number.MAX_SAFE_INTEGER) }),
        digits(1, 7),
        fc.option(digits(1, 12), { nil: undefined }),
        (amount, integerPart, fractionPart) => {
          const text = fractionPart === undefined ? integerPart : `${integerPart}.${fractionPart}`;
          const parsed = parseMultiplier(text);
          const isZero = /^0+$/.test(integerPart + (fractionPart ?? ""));
          if (isZero) {
            expect(parsed.ok).to.equal(false);
            return;
          }
          expect(parsed.ok, text).to.equal(true);
          if (!parsed.ok) return;
          const expected = referenceConvert(amount, integerPart, fractionPart ?? "");
          const result = convertAmount(amount, parsed.multiplier);
          if (expected === 0n || expected > BigInt(Number.MAX_SAFE_INTEGER)) {
            expect(result.ok, `${amount} × ${text}`).to.equal(false);
          } else {
            expect(result, `${amount} × ${text}`).to.deep.equal({ ok: true, converted: Number(expected) });
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("is exact where floating point is not", () => {
    const convert = (amount: bigint, multiplier: string) => {
      const parsed = parseMultiplier(multiplier);
      if (!parsed.ok) throw new Error(parsed.reason);
      return convertAmount(amount, parsed.multiplier);
    };
    // 0.29 × 100 is 28.999999999999996 in floats; floor would give 28.
    expect(Math.floor(0.29 * 100)).to.equal(28);
    expect(convert(100n, "0.29")).to.deep.equal({ ok: true, converted: 29 });
    expect(convert(30n, "0.1")).to.deep.equal({ ok: true, converted: 3 });
    expect(convert(3n, "1.1")).to.deep.equal({ ok: true, converted: 3 });
    expect(convert(3000n, "0.5")).to.deep.equal({ ok: true, converted: 1500 });
    expect(convert(7n, "0.5")).to.deep.equal({ ok: true, converted: 3 });
    expect(convert(14n, "1")).to.deep.equal({ ok: true, converted: 14 });
    expect(convert(BigInt(Number.MAX_SAFE_INTEGER), "1")).to.deep.equal({ ok: true, converted: Number.MAX_SAFE_INTEGER });
  });

  it("refuses zero, overflow and results that round to nothing, with the reason", () => {
    const half = parseMultiplier("0.5");
    const two = parseMultiplier("2");
    if (!half.ok || !two.ok) throw new Error("setup");
    expect(convertAmount(0n, half.multiplier)).to.deep.equal({ ok: false, reason: "amount must be positive (got 0)" });
    expect(convertAmount(1n, half.multiplier)).to.deep.equal({ ok: false, reason: "amount 1 × 0.5 rounds down to 0 coins" });
    expect(convertAmount(BigInt(Number.MAX_SAFE_INTEGER) + 1n, half.multiplier)).to.deep.equal({
      ok: false,
      reason: "amount 9007199254740992 is larger than 9007199254740991",
    });
    const overflow = convertAmount(BigInt(Number.MAX_SAFE_INTEGER), two.multiplier);
    expect(overflow.ok).to.equal(false);
    expect(overflow.ok === false && overflow.reason).to.match(/= 18014398509481982 is larger than 9007199254740991/);
  });

  it("reads only positive decimal strings", () => {
    for (const bad of ["", "0", "0.0", "000", "-1", "+1", "1e3", "1,5", "1.", ".5", " 1", "abc", "NaN", "Infinity", "1".repeat(33)]) {
      expect(parseMultiplier(bad).ok, JSON.stringify(bad)).to.equal(false);
    }
    expect(parseMultiplier("0.5")).to.deep.equal({ ok: true, multiplier: { text: "0.5", numerator: 5n, denominator: 10n } });
    expect(parseMultiplier("12.345")).to.deep.equal({ ok: true, multiplier: { text: "12.345", numerator: 12345n, denominator: 1000n } });
    expect(parseMultiplier("1")).to.deep.equal({ ok: true, multiplier: { text: "1", numerator: 1n, denominator: 1n } });
  });
});
