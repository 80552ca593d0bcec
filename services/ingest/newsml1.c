//  SPDX-License-Identifier: MIT
//  newsml1 - PLACEHOLDER: replaced by the real parser (must not survive)

#include "common.h"
#include "ingest/parsers.h"

int
newsml1_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    ingest_fail (ctx, "the newsml1 parser is not built yet");
    return -1;
}
