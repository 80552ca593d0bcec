//  SPDX-License-Identifier: MIT
//  Fuzz the nitf parser (see xmlfuzz.h for what is checked)
#include "xmlfuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    return xmlfuzz_run ("nitf", data, size);
}
