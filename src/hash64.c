/*
 * hash64.c — pt_hash64: the 64-bit check of log records and snapshot sections.
 *
 * WHY NOT CRC-32 THERE. A reopen reads every byte of the store once and checks it once. CRC-32's
 * step waits for the one before it, and WebAssembly has no carry-less multiply to fold it, so it
 * runs at ~0.7-2 GB/s there: about as long as reading the bytes. This hash has eight independent
 * 64-bit lanes fed by 32 x 32 -> 64-bit multiplies, which SIMD128 does two at a time
 * (i64x2.extmul_low_i32x4_u), so it runs near memory speed; natively the same arithmetic in
 * scalar code gives the same value (tests/unit/test_hash64.c holds the values both must give).
 *
 * HOW IT IS MADE (the structure of XXH3's long-input loop; our keys, tail and finish)
 *   state     eight 64-bit accumulators, started from fixed keys mixed with the seed
 *   stripe    64 bytes = eight little-endian 64-bit words d[0..7]; with that stripe's key k:
 *               x = d[l] ^ k[l];  acc[l] += lo32(x) * hi32(x);  acc[l ^ 1] += d[l]
 *   block     16 stripes (each with its own key); then each accumulator is scrambled:
 *               acc = (acc ^ acc >> 47 ^ s[l]) * 0x9E3779B1
 *   tail      the last len % 64 bytes, zero-padded to a stripe, as one more stripe
 *   finish    h from the seed and the length; for each lane h = rotl(h ^ mix(acc[l] ^ f[l]), 29)
 *             * P, then mix(h) (mix: MurmurHash3's 64-bit finaliser, a bijection)
 *
 * WHAT IT DETECTS. Every data word is added, as it is, into an accumulator (acc[l ^ 1] += d[l]),
 * so a change confined to one stripe always changes the state: the additions it feeds differ
 * by a non-zero amount and the products cannot undo that in the other lane. Scrambling is a
 * bijection (xorshift, xor, multiplication by an odd number), and later stripes add the same
 * values either way, so a difference in the state is never lost before the finish. The finish
 * reduces 512 bits to 64 through bijective mixes, so a changed state gives the same check with
 * probability about 2^-64 (CRC-32: 2^-32 for changes longer than 32 bits). The length enters
 * the finish, so a zero-padded tail and a truncation differ from the whole. A forger can make
 * any check match: the readers check structures and values after it, as they did after CRC-32.
 */
#include "hash64.h"

#include <stdbool.h>
#include <string.h>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "hash64.c reads words as little-endian: it assumes a little-endian host (wasm32, x86, ARM)"
#endif

#define STRIPE 64u
#define LANES 8u
#define STRIPES_PER_BLOCK 16u
#define SCRAMBLE_MUL 0x9E3779B1u
#define P_FINISH 0x9E3779B185EBCA87ull

/* keys: per stripe of a block, scramble, start and finish; made once from splitmix64 */
static _Alignas(16) uint64_t stripe_keys[STRIPES_PER_BLOCK][LANES];
static _Alignas(16) uint64_t scramble_keys[LANES];
static uint64_t start_keys[LANES], finish_keys[LANES];
static bool keys_ready;

static uint64_t splitmix(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static void keys_init(void) {
  uint64_t st = 0x70617274697461ull; /* "partita" */
  for (unsigned s = 0; s < STRIPES_PER_BLOCK; s++)
    for (unsigned l = 0; l < LANES; l++) stripe_keys[s][l] = splitmix(&st);
  for (unsigned l = 0; l < LANES; l++) scramble_keys[l] = splitmix(&st);
  for (unsigned l = 0; l < LANES; l++) start_keys[l] = splitmix(&st);
  for (unsigned l = 0; l < LANES; l++) finish_keys[l] = splitmix(&st);
  keys_ready = true;
}

static inline uint64_t mix(uint64_t z) {
  z ^= z >> 33;
  z *= 0xFF51AFD7ED558CCDull;
  z ^= z >> 33;
  z *= 0xC4CEB9FE1A85EC53ull;
  return z ^ (z >> 33);
}

static inline uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static void start(uint64_t acc[LANES], uint64_t seed) {
  if (!keys_ready) keys_init();
  for (unsigned l = 0; l < LANES; l++) acc[l] = start_keys[l] ^ mix(seed + l);
}

static uint64_t finish(const uint64_t acc[LANES], uint64_t seed, size_t len) {
  uint64_t h = mix(seed ^ ((uint64_t)len * P_FINISH));
  for (unsigned l = 0; l < LANES; l++) {
    h ^= mix(acc[l] ^ finish_keys[l]);
    h = ((h << 29) | (h >> 35)) * P_FINISH;
  }
  return mix(h ^ (uint64_t)len);
}

/* ---- the portable path ---- */

static inline void stripe_portable(uint64_t acc[LANES], const uint8_t *p, const uint64_t *key) {
  for (unsigned l = 0; l < LANES; l++) {
    uint64_t d = load64(p + 8 * l), x = d ^ key[l];
    acc[l] += (x & 0xFFFFFFFFu) * (x >> 32);
    acc[l ^ 1] += d;
  }
}

static void scramble_portable(uint64_t acc[LANES]) {
  for (unsigned l = 0; l < LANES; l++) acc[l] = (acc[l] ^ (acc[l] >> 47) ^ scramble_keys[l]) * SCRAMBLE_MUL;
}

/* Full stripes of p[0, n) (n a multiple of STRIPE), the first at stripe index *at of its block. */
static void stripes_portable(uint64_t acc[LANES], const uint8_t *p, size_t n, unsigned *at) {
  for (; n; p += STRIPE, n -= STRIPE) {
    stripe_portable(acc, p, stripe_keys[*at]);
    if (++*at == STRIPES_PER_BLOCK) {
      scramble_portable(acc);
      *at = 0;
    }
  }
}

/* ---- SIMD128: the same arithmetic, two lanes to a vector ---- */

#if defined(__wasm_simd128__)
static void stripes_simd(uint64_t acc_out[LANES], const uint8_t *p, size_t n, unsigned *at) {
  v128_t a0 = wasm_v128_load(acc_out), a1 = wasm_v128_load(acc_out + 2), a2 = wasm_v128_load(acc_out + 4),
         a3 = wasm_v128_load(acc_out + 6);
#define PT_LANE_PAIR(acc, off)                                                                   \
  do {                                                                                           \
    v128_t d = wasm_v128_load(p + (off)), x = wasm_v128_xor(d, wasm_v128_load(k + (off) / 8));  \
    v128_t prod = wasm_u64x2_extmul_low_u32x4(wasm_i32x4_shuffle(x, x, 0, 2, 0, 2),              \
                                              wasm_i32x4_shuffle(x, x, 1, 3, 1, 3));             \
    acc = wasm_i64x2_add(acc, wasm_i64x2_add(prod, wasm_i64x2_shuffle(d, d, 1, 0)));             \
  } while (0)
  unsigned s = *at;
  for (; n; p += STRIPE, n -= STRIPE) {
    const uint64_t *k = stripe_keys[s];
    PT_LANE_PAIR(a0, 0);
    PT_LANE_PAIR(a1, 16);
    PT_LANE_PAIR(a2, 32);
    PT_LANE_PAIR(a3, 48);
    if (++s == STRIPES_PER_BLOCK) {
      const v128_t m = wasm_i64x2_splat(SCRAMBLE_MUL);
#define PT_SCRAMBLE(acc, l)                                                                              \
  acc = wasm_i64x2_mul(wasm_v128_xor(wasm_v128_xor(acc, wasm_u64x2_shr(acc, 47)), wasm_v128_load(scramble_keys + (l))), m)
      PT_SCRAMBLE(a0, 0);
      PT_SCRAMBLE(a1, 2);
      PT_SCRAMBLE(a2, 4);
      PT_SCRAMBLE(a3, 6);
#undef PT_SCRAMBLE
      s = 0;
    }
  }
#undef PT_LANE_PAIR
  *at = s;
  wasm_v128_store(acc_out, a0);
  wasm_v128_store(acc_out + 2, a1);
  wasm_v128_store(acc_out + 4, a2);
  wasm_v128_store(acc_out + 6, a3);
}
#endif

static uint64_t hash(uint64_t seed, const uint8_t *p, size_t len, bool simd) {
  _Alignas(16) uint64_t acc[LANES];
  start(acc, seed);
  unsigned at = 0;
  size_t whole = len - len % STRIPE;
#if defined(__wasm_simd128__)
  if (simd)
    stripes_simd(acc, p, whole, &at);
  else
#endif
    stripes_portable(acc, p, whole, &at);
  (void)simd;
  if (len % STRIPE) {
    uint8_t last[STRIPE] = {0};
    memcpy(last, p + whole, len % STRIPE);
    stripes_portable(acc, last, STRIPE, &at);
  }
  return finish(acc, seed, len);
}

uint64_t pt_hash64(uint64_t seed, const void *data, size_t len) { return hash(seed, data, len, true); }
uint64_t pt_hash64_portable(uint64_t seed, const void *data, size_t len) { return hash(seed, data, len, false); }
