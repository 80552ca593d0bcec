//  SPDX-License-Identifier: MIT
//  Fuzz the iptc7901 parser: any bytes under the "iptc7901" hint must parse or fail
//  with a reason, and every story must be clean UTF-8 (textfuzz.h)
#include "textfuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    return textfuzz_run ("iptc7901", data, size);
}
