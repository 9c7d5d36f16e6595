/*
 * half.h — IEEE binary16 (FLOAT16_VECTOR) and bfloat16 (BFLOAT16_VECTOR) conversions, rounding
 * to nearest even, as numpy and ml_dtypes do.
 */
#ifndef PT_HALF_H
#define PT_HALF_H

#include <stdint.h>
#include <string.h>

static inline uint32_t pt_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float pt_bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

static inline uint16_t pt_f32_to_f16(float f) {
  uint32_t x = pt_f32_bits(f);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t abs = x & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u) /* Inf or NaN */
    return (uint16_t)(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u : 0));
  if (abs >= 0x477FF000u) return (uint16_t)(sign | 0x7C00u); /* rounds to >= 65520: Inf */
  if (abs < 0x38800000u) { /* subnormal half (or zero) */
    if (abs < 0x33000000u) return (uint16_t)sign; /* below half the smallest subnormal */
    uint32_t mant = (abs & 0x007FFFFFu) | 0x00800000u;
    uint32_t shift = 126u - (abs >> 23); /* value = mant * 2^(exp - 150) = r * 2^-24 */
    uint32_t r = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1u), halfway = 1u << (shift - 1u);
    if (rem > halfway || (rem == halfway && (r & 1u))) r++;
    return (uint16_t)(sign | r);
  }
  uint32_t h = ((abs - 0x38000000u) >> 13); /* rebias exponent 127 -> 15 */
  uint32_t rem = abs & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
  return (uint16_t)(sign | h);
}

static inline float pt_f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1Fu, mant = h & 0x3FFu;
  if (exp == 0x1Fu) return pt_bits_f32(sign | 0x7F800000u | (mant << 13));
  if (exp == 0) {
    if (!mant) return pt_bits_f32(sign);
    /* subnormal: value = mant * 2^-24 */
    float v = (float)mant * (1.0f / 16777216.0f);
    return sign ? -v : v;
  }
  return pt_bits_f32(sign | ((exp + 112u) << 23) | (mant << 13));
}

static inline uint16_t pt_f32_to_bf16(float f) {
  uint32_t x = pt_f32_bits(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((x >> 16) | 0x40u); /* quiet NaN */
  uint32_t rounding = 0x7FFFu + ((x >> 16) & 1u);
  return (uint16_t)((x + rounding) >> 16);
}

static inline float pt_bf16_to_f32(uint16_t b) { return pt_bits_f32((uint32_t)b << 16); }

#endif /* PT_HALF_H */
