#!/usr/bin/env python3
"""An independent Philox4x32-10 (written from Salmon et al., SC'11), used to cross-check Cairn's Java one.

Prints Random123's three philox4x32-10 known answers (which backend-api's PhiloxTest asserts) and the first
three blocks of Cairn's stream layout for seed 0x0123456789abcdef from counter 2^64 - 2 (across the 64-bit
wrap): counter words (lo, hi, 0, 0), key (lo(seed), hi(seed)). PhiloxTest commits these words.
"""
M0, M1, W0, W1 = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85


def philox(c, k):
    c = list(c)
    k = list(k)
    for _ in range(10):
        p0 = M0 * c[0]
        p1 = M1 * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k[0]) & 0xffffffff, p1 & 0xffffffff,
             ((p0 >> 32) ^ c[3] ^ k[1]) & 0xffffffff, p0 & 0xffffffff]
        k = [(k[0] + W0) & 0xffffffff, (k[1] + W1) & 0xffffffff]
    return c


for c, k in [([0] * 4, [0] * 2), ([0xffffffff] * 4, [0xffffffff] * 2),
             ([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])]:
    print(' '.join('%08x' % x for x in philox(c, k)))
seed = 0x0123456789abcdef
for j in range(3):
    ctr = (0xfffffffffffffffe + j) & 0xffffffffffffffff
    w = philox([ctr & 0xffffffff, ctr >> 32, 0, 0], [seed & 0xffffffff, seed >> 32])
    print('block', j, ' '.join('0x%08x' % x for x in w))
