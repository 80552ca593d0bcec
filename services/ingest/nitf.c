//  SPDX-License-Identifier: MIT
//  nitf - PLACEHOLDER: replaced by the real parser (must not survive)

#include "common.h"
#include "ingest/parsers.h"

int
nitf_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    ingest_fail (ctx, "the nitf parser is not built yet");
    return -1;
}
