//  SPDX-License-Identifier: MIT
//  Fuzz the date reader: never crash; whatever parses formats as RFC 3339
//  UTC and reads back to the same instant
#include "common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size > 512)
        return 0;
    char *text = xstrndup ((const char *) data, size);
    static const char *zones [] = { NULL, "Europe/Helsinki", "Australia/Sydney", "../x", NULL };
    for (int z = 0; z < 4; z++) {
        strv_t warnings = { NULL, 0, 0 };
        char *iso = date_normalize (text, zones [z], 1500000000, &warnings);
        if (iso) {
            size_t len = strlen (iso);
            assert ((len == 20 || len == 24) && iso [len - 1] == 'Z');
            date_t first, second;
            assert (date_parse (text, zones [z], 1500000000, &first) == 0);
            assert (date_parse (iso, NULL, 1500000000, &second) == 0);
            assert (first.epoch == second.epoch && first.millis == second.millis);
            free (iso);
        }
        strv_free (&warnings);
    }
    free (text);
    return 0;
}
