//  SPDX-License-Identifier: MIT
//  Fuzz the reuters-sgml parser: any bytes under the "reuters-sgml" hint must parse or fail
//  with a reason, and every story must be clean UTF-8 (textfuzz.h)
#include "textfuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    return textfuzz_run ("reuters-sgml", data, size);
}
