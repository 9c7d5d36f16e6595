/*
 * cjson_numbers.h — force-included into cJSON.c (cmake/cjson.cmake) so that cJSON reads and
 * writes numbers through partita's own routines (src/text.c) instead of libc's.
 *
 * WebAssembly libcs parse and print doubles through long double, which is emulated in software
 * there: each number costs over a microsecond, and the first one costs milliseconds more while
 * the engine compiles printf, scanf and the soft-float routines they pull in (measured: 5-9 ms of
 * the first schema description after init()). cJSON uses strtod to read numbers and
 * sprintf("%1.15g") + sscanf("%lg") + sprintf("%1.17g") to print them; pt_format_f64 writes the
 * shortest text that reads back, so the first attempt always round-trips.
 *
 * stdio.h and stdlib.h are included first, so the macros below rename only cJSON's calls.
 */
#ifndef PT_CJSON_NUMBERS_H
#define PT_CJSON_NUMBERS_H

#include <stdio.h>
#include <stdlib.h>

#include "text.h" /* pt_strtod, pt_cjson_sprintf, pt_cjson_sscanf */

#define strtod pt_strtod
#define sprintf pt_cjson_sprintf
#define sscanf pt_cjson_sscanf

#endif
