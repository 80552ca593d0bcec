//  SPDX-License-Identifier: MIT
//  newsmlg2 - PLACEHOLDER: replaced by the real parser (must not survive)

#include "common.h"
#include "ingest/parsers.h"

int
newsmlg2_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    ingest_fail (ctx, "the newsmlg2 parser is not built yet");
    return -1;
}
