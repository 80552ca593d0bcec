//  SPDX-License-Identifier: MIT
//  keywords - distinctive terms by tf-idf (see keywords.h)

#include "common.h"
#include "classify/keywords.h"

typedef struct {
    size_t term;                //  Index in the vectorizer's terms
    float score;
    uint32_t at;                //  Index in the candidates
    bool picked;                //  Taken already
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
        if (t->length < 3 || t->stem_len < 3)
            continue;
        int32_t index = t->unigram;
        float idf;
        if (index >= 0)
            idf = t->idf;
        else {
            if (t->tf < 2)
                continue;
            idf = idf_max;
        }
        candidates [n].term = i;
        candidates [n].at = (uint32_t) n;
        candidates [n].picked = false;
        candidates [n].score = vectorizer_log1 (vectorizer, t->tf) * idf;
        //  A word said once in passing is weaker than one repeated or
        //  in the headline
        if (t->tf < 2 && !t->in_headline)
            candidates [n].score *= 0.5f;
        n++;
    }
    bool loud_headline = s_shouting (headline), loud_body = s_shouting (body);
    int added = 0;
    //  Best first: the few we keep are picked by partial selection (the
    //  best max - added of those left), not by sorting them all; a word
    //  the story has already makes another round
    size_t left = n;
    while (left > 0 && added < max) {
        size_t want = (size_t) (max - added), got = 0;
        s_candidate_t best [64];
        if (want > 64)
            want = 64;
        for (size_t k = 0; k < n; k++) {
            if (candidates [k].picked
            ||  (got == want && !s_before (&candidates [k], &best [got - 1])))
                continue;
            size_t at = got < want ? got++ : got - 1;
            while (at > 0 && s_before (&candidates [k], &best [at - 1])) {
                best [at] = best [at - 1];
                at--;
            }
            best [at] = candidates [k];
        }
        for (size_t b = 0; b < got; b++)
            candidates [best [b].at].picked = true;
        left -= got;
        for (size_t b = 0; b < got && added < max; b++) {
            const vecterm_t *t = &terms->items [best [b].term];
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
    }
    if (candidates != stack)
        free (candidates);
    return added;
}
