/*
 * scan.c — the physical limit of an exact search on this machine: one pass of WebAssembly
 * SIMD128 over a row-major float32 matrix, computing each row's dot product with a query and
 * keeping the largest (no filtering, no heap, no result building). Built by CMake beside the
 * Emscripten artefacts (build/em/probe/), used only by `npm run bench`.
 */
#include <stddef.h>
#include <stdlib.h>
#include <wasm_simd128.h>
#include <emscripten.h>

EMSCRIPTEN_KEEPALIVE float *probe_alloc(size_t floats) { return malloc(floats * sizeof(float)); }

/* Returns the index of the row with the largest dot product with q. */
EMSCRIPTEN_KEEPALIVE int probe_scan(const float *m, size_t rows, size_t dim, const float *q) {
  int best = -1;
  float best_v = -3.4e38f;
  for (size_t r = 0; r < rows; r++) {
    const float *x = m + r * dim;
    v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 16 <= dim; i += 16) {
      s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(x + i), wasm_v128_load(q + i)));
      s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(x + i + 4), wasm_v128_load(q + i + 4)));
      s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_v128_load(x + i + 8), wasm_v128_load(q + i + 8)));
      s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(wasm_v128_load(x + i + 12), wasm_v128_load(q + i + 12)));
    }
    v128_t s = wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3));
    float v = wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) +
              wasm_f32x4_extract_lane(s, 3);
    for (; i < dim; i++) v += x[i] * q[i];
    if (v > best_v) {
      best_v = v;
      best = (int)r;
    }
  }
  return best;
}

/* Writes `bytes` bytes into memory that was just allocated (first touch) or reused. */
EMSCRIPTEN_KEEPALIVE void probe_fill(unsigned char *p, size_t bytes) {
  for (size_t i = 0; i < bytes; i += 4096) p[i] = (unsigned char)i;
}
