//  SPDX-License-Identifier: MIT
//  Fuzz the JSON Feed parser: any bytes under the "jsonfeed" hint must parse
//  or fail with a reason, and every story must be clean UTF-8 (textfuzz.h)
#include "textfuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    return textfuzz_run ("jsonfeed", data, size);
}
