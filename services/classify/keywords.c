//  SPDX-License-Identifier: MIT
//  keywords - distinctive terms by tf-idf (see keywords.h)

#include "common.h"
#include "classify/keywords.h"

typedef struct {
    size_t term;                //  Index in the vectorizer's terms
    float score;
} s_candidate_t;

static int
s_compare (const void *a, const void *b)
{
    const s_candidate_t *x = (const s_candidate_t *) a, *y = (const s_candidate_t *) b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

//  Is text mostly upper case (a 1980s headline)?
static bool
s_shouting (const char *text)
{
    size_t upper = 0, lower = 0;
    for (const char *p = text; p && *p; p++)
        if (isupper ((unsigned char) *p))
            upper++;
        else
        if (islower ((unsigned char) *p))
            lower++;
    return upper > 4 * lower;
}

int
keywords_pick (vectorizer_t *vectorizer, const model_t *model, const char *headline,
               const char *body, int max, strv_t *out)
{
    const vectermv_t *terms = vectorizer_terms (vectorizer);
    if (max <= 0 || terms->len == 0)
        return 0;
    float idf_max = (float) (log ((model->ndocs + 1.0) / 1.0) + 1.0);
    s_candidate_t *candidates = (s_candidate_t *) xmalloc (terms->len * sizeof (s_candidate_t));
    size_t n = 0;
    for (size_t i = 0; i < terms->len; i++) {
        const vecterm_t *t = &terms->items [i];
        size_t len;
        tokenizer_stem_text (t->tokenizer, t->stem, &len);
        if (len < 3 || t->length < 3)
            continue;
        int32_t index = t->uid >= 0 ? vocab_unigram (model->vocab, t->uid) : -1;
        float idf;
        if (index >= 0)
            idf = vocab_idf (model->vocab, index);
        else {
            if (t->tf < 2)
                continue;
            idf = idf_max;
        }
        candidates [n].term = i;
        candidates [n].score = (1.0f + logf (t->tf)) * idf;
        //  A word said once in passing is weaker than one repeated or
        //  in the headline
        if (t->tf < 2 && !t->in_headline)
            candidates [n].score *= 0.5f;
        n++;
    }
    qsort (candidates, n, sizeof *candidates, s_compare);
    bool loud_headline = s_shouting (headline), loud_body = s_shouting (body);
    int added = 0;
    for (size_t k = 0; k < n && added < max; k++) {
        const vecterm_t *t = &terms->items [candidates [k].term];
        const char *text = t->in_headline ? headline : body;
        if (!text || t->first + t->length > strlen (text))
            continue;
        char *word = xstrndup (text + t->first, t->length);
        bool loud = t->in_headline ? loud_headline : loud_body;
        bool name = !loud && isupper ((unsigned char) word [0]) && t->first > 0
                 && text [t->first - 1] == ' ' && t->first > 1 && text [t->first - 2] != '.';
        if (!name)
            for (char *p = word; *p; p++)
                *p = (char) tolower ((unsigned char) *p);
        //  Trim a trailing period of an initialism
        size_t wl = strlen (word);
        if (wl && word [wl - 1] == '.')
            word [wl - 1] = 0;
        if (strv_add_unique (out, word))
            added++;
        free (word);
    }
    free (candidates);
    return added;
}
