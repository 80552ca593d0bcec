//  SPDX-License-Identifier: MIT
//  Fuzz format detection and the whole ingest dispatch: any bytes are
//  detected as a format or refused with a reason, and whatever parser is
//  chosen must parse or fail cleanly (textfuzz.h)
#include "textfuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char why [300] = "";
    const char *format = ingest_detect (data, size, why, sizeof why);
    if (format)
        assert (ingest_parser (format));
    else
        assert (why [0]);
    return textfuzz_run (NULL, data, size);
}
