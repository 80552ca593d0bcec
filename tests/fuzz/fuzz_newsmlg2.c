//  SPDX-License-Identifier: MIT
//  Fuzz the newsml-g2 parser (see xmlfuzz.h for what is checked)
#include "xmlfuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    return xmlfuzz_run ("newsml-g2", data, size);
}
