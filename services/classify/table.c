//  SPDX-License-Identifier: MIT
//  table - memory for big look-up tables (see table.h)

#include "common.h"
#include "classify/table.h"
#include <sys/mman.h>

#define TABLE_HUGE  (2 * 1024 * 1024)   //  Size of a huge page

//  --------------------------------------------------------------------------
//  Zeroed memory; huge pages asked for a table of one huge page or more.

void *
table_alloc (size_t bytes)
{
    if (bytes < TABLE_HUGE)
        return xcalloc (1, bytes ? bytes : 1);
    //  Whole huge pages, aligned to one
    size_t rounded = (bytes + TABLE_HUGE - 1) & ~(size_t) (TABLE_HUGE - 1);
    void *table = NULL;
    if (posix_memalign (&table, TABLE_HUGE, rounded))
        return xcalloc (1, bytes);
#if defined (MADV_HUGEPAGE)
    madvise (table, rounded, MADV_HUGEPAGE);
#endif
    memset (table, 0, bytes);
    return table;
}
