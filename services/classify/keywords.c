//  SPDX-License-Identifier: MIT
//  keywords - distinctive terms by tf-idf (see keywords.h)

#include "common.h"
#include "classify/keywords.h"

typedef struct {
    size_t term;                //  Index in the vectorizer's terms
    float score;
} s_candidate_t;

//  Is candidate a before b (higher score, then earlier term)?
static inline bool
s_before (const s_candidate_t *a, const s_candidate_t *b)
{
    if (a->score != b->score)
        return a->score > b->score;
    return a->term < b->term;
}

//  Is a text mostly upper case (a 1980s headline)?
static bool
s_shouting (const lextext_t *text)
{
    return text && text->upper > 4 * text->lower;
}

int
keywords_pick (vectorizer_t *vectorizer, const model_t *model, const lextext_t *headline,
               const lextext_t *body, int max, strv_t *out)
{
    const vectermv_t *terms = vectorizer_terms (vectorizer);
    if (max <= 0 || terms->len == 0)
        return 0;
    float idf_max = (float) (log ((model->ndocs + 1.0) / 1.0) + 1.0);
    s_candidate_t stack [256];
    s_candidate_t *candidates = terms->len <= 256 ? stack
        : (s_candidate_t *) xmalloc (terms->len * sizeof (s_candidate_t));
    size_t n = 0;
    for (size_t i = 0; i < terms->len; i++) {
        const vecterm_t *t = &terms->items [i];
        if (t->length < 3)
            continue;
        size_t len;
        tokenizer_stem_text (t->tokenizer, t->stem, &len);
        if (len < 3)
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
        candidates [n].score = vectorizer_log1 (vectorizer, t->tf) * idf;
        //  A word said once in passing is weaker than one repeated or
        //  in the headline
        if (t->tf < 2 && !t->in_headline)
            candidates [n].score *= 0.5f;
        n++;
    }
    bool loud_headline = s_shouting (headline), loud_body = s_shouting (body);
    int added = 0;
    //  Best first: pick the best remaining candidate until enough are added
    //  (cheaper than sorting them all for the few we keep)
    while (n > 0 && added < max) {
        size_t best = 0;
        for (size_t k = 1; k < n; k++)
            if (s_before (&candidates [k], &candidates [best]))
                best = k;
        const vecterm_t *t = &terms->items [candidates [best].term];
        candidates [best] = candidates [--n];
        const lextext_t *where = t->in_headline ? headline : body;
        const char *text = where ? where->text : NULL;
        if (!text || (size_t) t->first + t->length > where->size)
            continue;
        char word [TOKEN_MAX * 4 + 8];
        char *copy = t->length < sizeof word ? word : (char *) xmalloc (t->length + 1u);
        memcpy (copy, text + t->first, t->length);
        copy [t->length] = 0;
        bool loud = t->in_headline ? loud_headline : loud_body;
        bool name = !loud && isupper ((unsigned char) copy [0]) && t->first > 0
                 && text [t->first - 1] == ' ' && t->first > 1 && text [t->first - 2] != '.';
        if (!name)
            for (char *p = copy; *p; p++)
                *p = (char) tolower ((unsigned char) *p);
        //  Trim a trailing period of an initialism
        size_t wl = strlen (copy);
        if (wl && copy [wl - 1] == '.')
            copy [wl - 1] = 0;
        if (strv_add_unique (out, copy))
            added++;
        if (copy != word)
            free (copy);
    }
    if (candidates != stack)
        free (candidates);
    return added;
}
