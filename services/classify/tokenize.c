//  SPDX-License-Identifier: MIT
//  tokenize - words, folding, stop words and stems (see tokenize.h)

#include "common.h"
#include "classify/strmap.h"
#include "classify/tokenize.h"
#include "classify/split.h"
#include <libstemmer.h>

struct _tokenizer_t {
    char language [16];         //  Primary language subtag
    const char *algorithm;      //  Snowball algorithm name
    struct sb_stemmer *stemmer; //  libstemmer, NULL if none
    strmap_t *stopwords;        //  Folded stop words
    strmap_t *surface;          //  Folded word -> stem id (-1: no content term)
    strmap_t *stems;            //  Stem text -> owner's tag
};

//  --------------------------------------------------------------------------
//  Stop words. English is the Snowball list plus a few news function words;
//  the others are the most frequent function words of each language.

static const char *s_stop_en [] = {
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your",
    "yours", "yourself", "yourselves", "he", "him", "his", "himself", "she",
    "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
    "theirs", "themselves", "what", "which", "who", "whom", "this", "that",
    "these", "those", "am", "is", "are", "was", "were", "be", "been", "being",
    "have", "has", "had", "having", "do", "does", "did", "doing", "would",
    "should", "could", "ought", "i'm", "you're", "he's", "she's", "it's",
    "we're", "they're", "i've", "you've", "we've", "they've", "i'd", "you'd",
    "he'd", "she'd", "we'd", "they'd", "i'll", "you'll", "he'll", "she'll",
    "we'll", "they'll", "isn't", "aren't", "wasn't", "weren't", "hasn't",
    "haven't", "hadn't", "doesn't", "don't", "didn't", "won't", "wouldn't",
    "shan't", "shouldn't", "can't", "cannot", "couldn't", "mustn't", "let's",
    "that's", "who's", "what's", "here's", "there's", "when's", "where's",
    "why's", "how's", "a", "an", "the", "and", "but", "if", "or", "because",
    "as", "until", "while", "of", "at", "by", "for", "with", "about",
    "against", "between", "into", "through", "during", "before", "after",
    "above", "below", "to", "from", "up", "down", "in", "out", "on", "off",
    "over", "under", "again", "further", "then", "once", "here", "there",
    "when", "where", "why", "how", "all", "any", "both", "each", "few",
    "more", "most", "other", "some", "such", "no", "nor", "not", "only",
    "own", "same", "so", "than", "too", "very", "can", "will", "just", "also",
    "may", "might", "must", "shall", "yet", "s", "t", NULL
};
static const char *s_stop_de [] = {
    "der", "die", "das", "und", "in", "zu", "den", "von", "mit", "sich", "des",
    "auf", "für", "ist", "im", "dem", "nicht", "ein", "eine", "als", "auch",
    "es", "an", "werden", "aus", "er", "hat", "dass", "daß", "sie", "nach",
    "wird", "bei", "einer", "um", "am", "sind", "noch", "wie", "einem", "über",
    "einen", "so", "zum", "war", "haben", "nur", "oder", "aber", "vor", "zur",
    "bis", "mehr", "durch", "man", "sein", "wurde", "sei", "ich", "wir",
    "ihr", "ihre", "seine", "kann", "gegen", "vom", "schon", "wenn", "habe",
    "seiner", "keine", "unter", "diese", "dieser", "dieses", NULL
};
static const char *s_stop_fr [] = {
    "le", "la", "les", "de", "des", "du", "un", "une", "et", "à", "en", "est",
    "que", "qui", "dans", "pour", "par", "sur", "au", "aux", "avec", "ce",
    "ces", "il", "elle", "ils", "elles", "ne", "pas", "plus", "se", "sa",
    "son", "ses", "leur", "leurs", "qu", "d", "l", "n", "s", "c", "j", "on",
    "nous", "vous", "ou", "mais", "été", "être", "a", "ont", "sont", "était",
    "cette", "cet", "y", "lui", "même", "sans", "sous", "entre", NULL
};
static const char *s_stop_es [] = {
    "el", "la", "los", "las", "de", "del", "y", "en", "que", "a", "un", "una",
    "unos", "unas", "por", "con", "para", "es", "se", "no", "al", "lo", "su",
    "sus", "como", "más", "pero", "o", "le", "les", "ha", "han", "fue", "ser",
    "está", "este", "esta", "esto", "sobre", "entre", "sin", "también", "ya",
    "muy", "hay", "son", "era", "donde", "desde", "hasta", NULL
};
static const char *s_stop_it [] = {
    "il", "lo", "la", "i", "gli", "le", "di", "del", "della", "dei", "delle",
    "e", "in", "che", "a", "un", "una", "uno", "per", "con", "non", "è", "da",
    "al", "alla", "ai", "dal", "nel", "nella", "si", "sono", "ha", "hanno",
    "come", "ma", "più", "anche", "questo", "questa", "su", "sul", "tra",
    "fra", "o", NULL
};
static const char *s_stop_pt [] = {
    "o", "a", "os", "as", "de", "do", "da", "dos", "das", "e", "em", "no",
    "na", "nos", "nas", "que", "um", "uma", "por", "para", "com", "não",
    "se", "é", "ao", "aos", "mais", "mas", "como", "foi", "ser", "seu", "sua",
    "ou", "pelo", "pela", "também", "já", "está", "são", "entre", NULL
};
static const char *s_stop_nl [] = {
    "de", "het", "een", "en", "van", "in", "is", "op", "te", "dat", "die",
    "voor", "met", "zijn", "niet", "aan", "er", "om", "ook", "als", "bij",
    "of", "door", "over", "maar", "naar", "uit", "dan", "nog", "wordt",
    "werd", "heeft", "hebben", "tot", "ze", "zij", "hij", "wel", NULL
};

typedef struct {
    const char *language;       //  Primary subtag
    const char **words;         //  Its stop words
} s_stoplist_t;

static s_stoplist_t s_stoplists [] = {
    { "en", s_stop_en }, { "de", s_stop_de }, { "fr", s_stop_fr },
    { "es", s_stop_es }, { "it", s_stop_it }, { "pt", s_stop_pt },
    { "nl", s_stop_nl }, { NULL, NULL }
};

char *
tokenizer_language_primary (const char *language, char *out, size_t size)
{
    assert (size > 0);
    size_t i = 0;
    if (language)
        for (; language [i] && language [i] != '-' && language [i] != '_' && i + 1 < size; i++)
            out [i] = (char) tolower ((unsigned char) language [i]);
    out [i] = 0;
    return out;
}

//  --------------------------------------------------------------------------
//  Word splitting (split.h)

uint64_t
tokenize_hash (const char *word, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy (&v, word + i, 8);
        h = split_hash_step (h, v);
    }
    if (i < len) {
        uint64_t v = 0;
        memcpy (&v, word + i, len - i);
        h = split_hash_step (h, v);
    }
    return split_hash_final (h);
}

size_t
tokenize (const char *text, size_t len, token_fn *fn, void *arg)
{
    return split_text (text, len, fn, arg, NULL);
}

size_t
tokenize_counted (const char *text, size_t len, token_fn *fn, void *arg, tokenize_stats_t *stats)
{
    return split_text (text, len, fn, arg, stats);
}

//  --------------------------------------------------------------------------
//  Create a tokenizer for a language.

tokenizer_t *
tokenizer_new (const char *language)
{
    tokenizer_t *self = (tokenizer_t *) xcalloc (1, sizeof (tokenizer_t));
    tokenizer_language_primary (language, self->language, sizeof self->language);
    if (self->language [0])
        self->stemmer = sb_stemmer_new (self->language, "UTF_8");
    if (self->stemmer) {
        //  Find the canonical name for display
        static const char *names [][2] = {
            { "en", "english" }, { "de", "german" }, { "fr", "french" },
            { "es", "spanish" }, { "it", "italian" }, { "pt", "portuguese" },
            { "nl", "dutch" }, { "sv", "swedish" }, { "no", "norwegian" },
            { "da", "danish" }, { "fi", "finnish" }, { "ru", "russian" },
            { "hu", "hungarian" }, { "ro", "romanian" }, { "tr", "turkish" },
            { NULL, NULL }
        };
        self->algorithm = self->language;
        for (int i = 0; names [i][0]; i++)
            if (strcmp (names [i][0], self->language) == 0)
                self->algorithm = names [i][1];
    }
    else {
        self->stemmer = sb_stemmer_new ("english", "UTF_8");
        self->algorithm = "english";
        strcpy (self->language, "en");
    }
    assert (self->stemmer);
    self->stopwords = strmap_new ();
    for (int i = 0; s_stoplists [i].language; i++)
        if (strcmp (s_stoplists [i].language, self->language) == 0)
            for (int j = 0; s_stoplists [i].words [j]; j++) {
                const char *word = s_stoplists [i].words [j];
                int32_t index = strmap_intern (self->stopwords, word, strlen (word), NULL);
                *strmap_value (self->stopwords, index) = 1;
            }
    self->surface = strmap_new ();
    self->stems = strmap_new ();
    return self;
}

void
tokenizer_destroy (tokenizer_t **self_p)
{
    assert (self_p);
    tokenizer_t *self = *self_p;
    if (!self)
        return;
    sb_stemmer_delete (self->stemmer);
    strmap_destroy (&self->stopwords);
    strmap_destroy (&self->surface);
    strmap_destroy (&self->stems);
    free (self);
    *self_p = NULL;
}

const char *
tokenizer_algorithm (tokenizer_t *self)
{
    return self->algorithm;
}

bool
tokenizer_is_stopword (tokenizer_t *self, const char *word, size_t len)
{
    return strmap_get (self->stopwords, word, len) != -1;
}

char *
tokenizer_stem (tokenizer_t *self, const char *word, size_t len)
{
    //  Initialisms, numbers and "at&t" are kept as they are
    bool plain = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char) word [i];
        if (ch == '.' || ch == '&' || (ch >= '0' && ch <= '9'))
            plain = false;
    }
    if (!plain || len < 3)
        return xstrndup (word, len);
    const sb_symbol *stem = sb_stemmer_stem (self->stemmer, (const sb_symbol *) word, (int) len);
    if (!stem)
        return xstrndup (word, len);
    return xstrndup ((const char *) stem, (size_t) sb_stemmer_length (self->stemmer));
}

//  --------------------------------------------------------------------------
//  Stem id of a token, through the surface cache.

int32_t
tokenizer_stem_id (tokenizer_t *self, const token_t *token)
{
    bool added;
    int32_t index = strmap_intern (self->surface, token->word, token->len, &added);
    int32_t *value = strmap_value (self->surface, index);
    if (!added)
        return *value;
    int32_t id = tokenizer_stem_word (self, token->word, token->len, token->number, token->ascii);
    //  The stems map may have grown, but the surface value pointer is ours
    *strmap_value (self->surface, index) = id;
    return id;
}

//  --------------------------------------------------------------------------
//  Decide whether a word is a content term, then stem and intern it.

int32_t
tokenizer_stem_word (tokenizer_t *self, const char *word, size_t len, bool number, bool ascii)
{
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        if ((word [i] & 0xC0) != 0x80)
            chars++;
    bool content = !number && (chars >= 2 || !ascii) && !tokenizer_is_stopword (self, word, len);
    if (!content)
        return -1;
    char *stem = tokenizer_stem (self, word, len);
    bool fresh;
    int32_t id = strmap_intern (self->stems, stem, strlen (stem), &fresh);
    if (fresh)
        *strmap_value (self->stems, id) = INT32_MIN;
    free (stem);
    return id;
}

const char *
tokenizer_stem_text (tokenizer_t *self, int32_t stem_id, size_t *len)
{
    return strmap_key (self->stems, stem_id, len);
}

int32_t *
tokenizer_stem_tag (tokenizer_t *self, int32_t stem_id)
{
    return strmap_value (self->stems, stem_id);
}

size_t
tokenizer_stem_count (tokenizer_t *self)
{
    return strmap_size (self->stems);
}

bool
tokenizer_trim (tokenizer_t *self, size_t max)
{
    if (strmap_size (self->surface) <= max && strmap_size (self->stems) <= max)
        return false;
    strmap_clear (self->surface);
    strmap_clear (self->stems);
    return true;
}

//  --------------------------------------------------------------------------
//  Stem ids of a text, with -1 at phrase breaks.

typedef struct {
    tokenizer_t *self;
    stemv_t *out;
} s_stems_ctx_t;

static int
s_stems_word (void *arg, const token_t *token)
{
    s_stems_ctx_t *ctx = (s_stems_ctx_t *) arg;
    if (token->sentence && ctx->out->len && ctx->out->items [ctx->out->len - 1] != -1)
        *vec_push (ctx->out) = -1;
    int32_t id = tokenizer_stem_id (ctx->self, token);
    if (id >= 0 || (ctx->out->len && ctx->out->items [ctx->out->len - 1] != -1))
        *vec_push (ctx->out) = id;
    return 0;
}

size_t
tokenizer_stems (tokenizer_t *self, const char *text, size_t len, stemv_t *out)
{
    s_stems_ctx_t ctx = { self, out };
    size_t words = tokenize (text, len, s_stems_word, &ctx);
    if (out->len && out->items [out->len - 1] != -1)
        *vec_push (out) = -1;
    return words;
}
