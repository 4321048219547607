import { describe, expect, it } from 'vitest';
import { fullJitterBackoffSeconds, MAX_DELAY_SECONDS, toDelaySeconds } from '../../functions/queue/backoff';

const options = { baseSeconds: 5, capSeconds: 3600 };

describe('fullJitterBackoffSeconds', () => {
  it('scales the ceiling by two per attempt', () => {
    expect(fullJitterBackoffSeconds(0, options, () => 0.999999)).toBeCloseTo(5, 3);
    expect(fullJitterBackoffSeconds(3, options, () => 0.5)).toBe(20);
  });

  it('never exceeds the cap', () => {
    expect(fullJitterBackoffSeconds(40, options, () => 0.999999)).toBeLessThan(3600);
    expect(fullJitterBackoffSeconds(40, options, () => 0.999999)).toBeGreaterThan(3599);
  });

  it('returns zero for a zero random draw', () => {
    expect(fullJitterBackoffSeconds(7, options, () => 0)).toBe(0);
  });

  it('treats negative attempts as the first', () => {
    expect(fullJitterBackoffSeconds(-3, options, () => 0.5)).toBe(2.5);
  });
});

describe('toDelaySeconds', () => {
  it('rounds up to whole seconds', () => {
    expect(toDelaySeconds(1.2)).toBe(2);
  });

  it('clamps to the SQS maximum', () => {
    expect(toDelaySeconds(901)).toBe(MAX_DELAY_SECONDS);
  });

  it('maps non-positive and non-finite waits to zero', () => {
    expect(toDelaySeconds(-5)).toBe(0);
    expect(toDelaySeconds(Number.NaN)).toBe(0);
    expect(toDelaySeconds(Number.POSITIVE_INFINITY)).toBe(0);
  });

  it('gives an integer in 0..900 for every attempt 0..50 and random draw', () => {
    const draws = [0, 1e-9, 0.25, 0.5, 0.999999999];
    for (let attempt = 0; attempt <= 50; attempt += 1) {
      for (const draw of draws) {
        const delay = toDelaySeconds(fullJitterBackoffSeconds(attempt, { baseSeconds: 5, capSeconds: 86_400 }, () => draw));
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(900);
      }
    }
  });
});
