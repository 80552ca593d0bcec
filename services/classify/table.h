//  SPDX-License-Identifier: MIT
//  table - memory for the classifier's big look-up tables
//
//  The lexicon's slots and the model's weights are megabytes read at
//  random, a few bytes at a time: with 4 KB pages nearly every read would
//  also miss the TLB. table_alloc gives zeroed memory, and for a table of
//  2 MB or more asks the kernel for huge pages (madvise; where it does not
//  give them, the memory is ordinary). Free it with free ().

#ifndef COPYDESK_TABLE_H
#define COPYDESK_TABLE_H

//  Zeroed memory of bytes (aborts when out of memory, as xmalloc does).
void *
    table_alloc (size_t bytes);

#endif
