//  SPDX-License-Identifier: MIT
//  Fuzz the newsml-1 parser (see xmlfuzz.h for what is checked)
#include "xmlfuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    return xmlfuzz_run ("newsml-1", data, size);
}
