//  SPDX-License-Identifier: MIT
//  iptc7901 - PLACEHOLDER: replaced by the real parser (must not survive)

#include "common.h"
#include "ingest/parsers.h"

int
iptc7901_parse (ingest_t *ctx, const uint8_t *data, size_t size)
{
    ingest_fail (ctx, "the iptc7901 parser is not built yet");
    return -1;
}
