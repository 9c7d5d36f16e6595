/*
 * search.h — exact vector search (search.c). The public entry points are in partita.h.
 */
#ifndef PT_SEARCH_H
#define PT_SEARCH_H

#include "filter.h"
#include "rows.h"
#include "sparse.h"
#include "vectors.h"

#endif /* PT_SEARCH_H */
