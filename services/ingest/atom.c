//  SPDX-License-Identifier: MIT
//  atom - PLACEHOLDER: replaced by the real parser (must not survive)

#include "common.h"
#include "ingest/parsers.h"

int
atom_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    ingest_fail (ctx, "the atom parser is not built yet");
    return -1;
}
