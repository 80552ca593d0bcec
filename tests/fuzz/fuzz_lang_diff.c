//  SPDX-License-Identifier: MIT
//  Differential fuzz of language detection: for any bytes, every step of
//  lang_detect (the n-gram ranking with every profile's score, the script
//  census, the function-word counts) and its verdict are those of the
//  detector as it was (tests/unit/lang_oracle.h), which the faster one
//  must match exactly. The input is also compared from a few offsets and
//  cut at the n-gram and census limits.
#include "../unit/lang_oracle.h"

static lang_t *s_lang;
static oracle_t *s_oracle;

static void
s_check (const uint8_t *data, size_t size)
{
    char why [256];
    if (!oracle_same (s_lang, s_oracle, (const char *) data, size, why, sizeof why)) {
        fprintf (stderr, "fuzz_lang_diff: %zu bytes: %s\n", size, why);
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_lang) {
        s_lang = lang_new (NULL);
        s_oracle = oracle_new (NULL);
        //  Without profiles there is no ranking to compare
        assert (s_oracle->models > 0 && s_oracle->models <= LANG_TEST_MODELS);
    }
    if (size > 2048)
        size = 2048;            //  Both read 1,025 bytes at most
    //  As is, then with every NUL made 0x01: lang_detect reads strings, so
    //  that the whole input reaches the ranking and the verdict
    s_check (data, size);
    uint8_t *text = (uint8_t *) xmalloc (size + 1);
    for (size_t i = 0; i < size; i++)
        text [i] = data [i] ? data [i] : 1;
    s_check (text, size);
    //  The same bytes seen from further on, and cut at the limits
    size_t offsets [] = { 1, 3 };
    for (size_t k = 0; k < sizeof offsets / sizeof offsets [0]; k++)
        if (size > offsets [k])
            s_check (text + offsets [k], size - offsets [k]);
    size_t cuts [] = { 512, 513, 1025 };
    for (size_t k = 0; k < sizeof cuts / sizeof cuts [0]; k++)
        if (size > cuts [k])
            s_check (text, cuts [k]);
    free (text);
    return 0;
}
