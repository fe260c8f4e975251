import { describe, expect, it } from 'vitest';
import { compileRoutes, routeBuckets, TokenBucket } from '../../local/gateway.ts';
import { throttleClasses } from '../../shared/topology.ts';

describe('local gateway throttling (API Gateway token bucket model)', () => {
  it('allows a burst, then the steady rate, and refuses the rest', () => {
    const bucket = new TokenBucket(10, 20, 0);
    let allowed = 0;
    for (let i = 0; i < 100; i += 1) if (bucket.take(0)) allowed += 1;
    expect(allowed).toBe(20);
    expect(bucket.take(50)).toBe(false); // half a token
    expect(bucket.take(100)).toBe(true); // one token after 100 ms at 10/s
    expect(bucket.take(100)).toBe(false);
    // Never more than the burst, however long it rested.
    let after = 0;
    for (let i = 0; i < 100; i += 1) if (bucket.take(3_600_000)) after += 1;
    expect(after).toBe(20);
    // A clock that steps back refills nothing.
    expect(bucket.take(1_000)).toBe(false);
  });

  it('one bucket per manifest route, sized by its class: emptying the pay page leaves the webhooks untouched', () => {
    const buckets = routeBuckets(compileRoutes(), 0);
    const pay = buckets.get('GET /pay/{invoiceId}')!;
    const stripe = buckets.get('POST /webhooks/stripe')!;
    expect(pay.burstLimit).toBe(throttleClasses.public.burstLimit);
    expect(stripe.burstLimit).toBe(throttleClasses.webhook.burstLimit);
    while (pay.take(0));
    expect(pay.take(0)).toBe(false);
    expect(stripe.take(0)).toBe(true);
    expect(buckets.get('POST /webhooks/bank')!.take(0)).toBe(true);
    expect(buckets.get('GET /preferences/{customerId}')!.take(0)).toBe(true);
  });
});
