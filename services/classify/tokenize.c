//  SPDX-License-Identifier: MIT
//  tokenize - words, folding, stop words and stems (see tokenize.h)

#include "common.h"
#include "classify/strmap.h"
#include "classify/tokenize.h"
#include <utf8proc.h>
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

//  Abbreviations whose final '.' does not end a sentence (sorted: bsearch)
static const char *s_abbreviations [] = {
    "adm", "approx", "apr", "aug", "bros", "capt", "cie", "cmdr", "co", "col", "corp",
    "dec", "dept", "dr", "est", "feb", "fig", "ft", "gen", "gov", "inc", "jan", "jr",
    "jul", "jun", "lt", "ltd", "mar", "messrs", "mr", "mrs", "ms", "mt", "no", "nov",
    "oct", "plc", "prof", "rep", "rev", "sen", "sep", "sept", "sgt", "sr", "st", "vs"
};

static int
s_str_compare (const void *key, const void *item)
{
    return strcmp ((const char *) key, *(const char *const *) item);
}

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
//  Word splitting

typedef struct {
    int32_t cp;                 //  Code point, -1 if invalid
    int size;                   //  Bytes
    int kind;                   //  0 other, 1 letter, 2 mark, 3 digit
    bool upper;                 //  Upper- or title-case letter
} s_char_t;

static inline void
s_decode (const uint8_t *p, size_t avail, s_char_t *c)
{
    if (p [0] < 0x80) {
        int b = p [0];
        c->cp = b;
        c->size = 1;
        c->upper = b >= 'A' && b <= 'Z';
        c->kind = (c->upper || (b >= 'a' && b <= 'z')) ? 1 : (b >= '0' && b <= '9') ? 3 : 0;
        return;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate (p, (utf8proc_ssize_t) (avail > 4 ? 4 : avail), &cp);
    if (n <= 0) {
        c->cp = -1;
        c->size = 1;
        c->kind = 0;
        c->upper = false;
        return;
    }
    c->cp = cp;
    c->size = (int) n;
    utf8proc_category_t cat = utf8proc_category (cp);
    c->upper = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
    if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)
        c->kind = 1;
    else
    if (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME)
        c->kind = 2;
    else
    if (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO)
        c->kind = 3;
    else
        c->kind = 0;
}

static inline void
s_peek (const uint8_t *text, size_t len, size_t pos, s_char_t *c)
{
    if (pos >= len) {
        c->cp = 0;
        c->size = 0;
        c->kind = 0;
        c->upper = false;
    }
    else
        s_decode (text + pos, len - pos, c);
}

static bool
s_is_abbreviation (const char *word)
{
    return bsearch (word, s_abbreviations, sizeof s_abbreviations / sizeof s_abbreviations [0],
                    sizeof (char *), s_str_compare) != NULL;
}

//  --------------------------------------------------------------------------
//  Split text into words and report each folded word.

size_t
tokenize (const char *text, size_t len, token_fn *fn, void *arg)
{
    const uint8_t *p = (const uint8_t *) text;
    char raw [TOKEN_MAX * 2 + 8];
    size_t pos = 0, count = 0;
    bool sentence = true;
    int newlines = 0;
    s_char_t c, n, nn;
    while (pos < len) {
        s_decode (p + pos, len - pos, &c);
        if (c.kind == 0 || c.kind == 2) {
            if (c.cp == '.' || c.cp == '!' || c.cp == '?')
                sentence = true;
            if (c.cp == '\n' && ++newlines >= 2)
                sentence = true;
            else
            if (c.cp != '\n' && c.cp != ' ' && c.cp != '\r')
                newlines = 0;
            pos += c.size;
            continue;
        }
        newlines = 0;
        //  A word starts here
        size_t start = pos, rawlen = 0;
        bool letters = false, digits = false, upper = true, capital = c.upper;
        bool ascii = true, overflow = false, initialism = false;
        size_t segment = 0;             //  Characters since start or last '.'
        while (pos < len) {
            s_decode (p + pos, len - pos, &c);
            if (c.kind != 0) {
                if (c.kind == 1) {
                    letters = true;
                    if (!c.upper)
                        upper = false;
                }
                else
                if (c.kind == 3)
                    digits = true;
                if (c.cp >= 0x80)
                    ascii = false;
                if (rawlen + c.size < sizeof raw - 1)
                    memcpy (raw + rawlen, p + pos, c.size);
                else
                    overflow = true;
                rawlen += c.size;
                pos += c.size;
                segment++;
                continue;
            }
            //  A connector inside a word?
            s_peek (p, len, pos + c.size, &n);
            bool prev_digit = rawlen > 0 && isdigit ((unsigned char) raw [rawlen - 1]);
            bool prev_letter = rawlen > 0 && !prev_digit;
            if (c.cp == '.' && prev_digit && n.kind == 3) {
                if (rawlen < sizeof raw - 1)
                    raw [rawlen] = '.';
                rawlen++;
                pos += 1;
                segment = 0;
                continue;
            }
            if (c.cp == ',' && prev_digit && n.kind == 3) {
                pos += 1;           //  Thousands separator: dropped
                continue;
            }
            if (c.cp == '.' && prev_letter && segment == 1 && n.kind == 1) {
                s_peek (p, len, pos + 1 + n.size, &nn);
                if (nn.cp == '.' || nn.kind == 0) {
                    if (rawlen < sizeof raw - 1)
                        raw [rawlen] = '.';
                    rawlen++;
                    pos += 1;
                    segment = 0;
                    initialism = true;
                    continue;
                }
            }
            if ((c.cp == '\'' || c.cp == 0x2019) && prev_letter && n.kind == 1) {
                s_peek (p, len, pos + c.size + n.size, &nn);
                if ((n.cp == 's' || n.cp == 'S') && nn.kind == 0) {
                    pos += c.size + n.size;     //  Possessive 's: dropped
                    break;
                }
                if (rawlen < sizeof raw - 1)
                    raw [rawlen] = '\'';
                rawlen++;
                pos += c.size;
                continue;
            }
            if (c.cp == '&' && prev_letter && n.kind == 1 && segment <= 3) {
                if (rawlen < sizeof raw - 1)
                    raw [rawlen] = '&';
                rawlen++;
                pos += 1;
                continue;
            }
            break;
        }
        if (initialism && pos < len && p [pos] == '.')
            pos++;              //  "U.S." keeps its final period out of sentence ends
        if (overflow || rawlen > TOKEN_MAX)
            continue;
        raw [rawlen] = 0;
        token_t token = {
            .offset = start, .length = pos - start, .capital = capital,
            .upper = letters && upper, .number = digits && !letters,
            .sentence = sentence, .ascii = ascii
        };
        char folded [TOKEN_MAX * 4 + 8];
        if (ascii) {
            for (size_t i = 0; i < rawlen; i++)
                folded [i] = (char) tolower ((unsigned char) raw [i]);
            folded [rawlen] = 0;
            token.word = folded;
            token.len = rawlen;
        }
        else {
            utf8proc_uint8_t *mapped = NULL;
            utf8proc_ssize_t mlen = utf8proc_map ((const utf8proc_uint8_t *) raw,
                (utf8proc_ssize_t) rawlen, &mapped,
                UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE);
            if (mlen <= 0 || (size_t) mlen >= sizeof folded) {
                free (mapped);
                continue;
            }
            memcpy (folded, mapped, (size_t) mlen);
            folded [mlen] = 0;
            free (mapped);
            token.word = folded;
            token.len = (size_t) mlen;
        }
        sentence = false;
        count++;
        if (fn (arg, &token))
            break;
        //  "Mr." and "Inc." do not end a sentence
        if (pos < len && p [pos] == '.' && token.len <= 6 && s_is_abbreviation (folded))
            pos++;
    }
    return count;
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
    //  New surface word: decide whether it is a content term, then stem
    int32_t id = -1;
    size_t chars = 0;
    for (size_t i = 0; i < token->len; i++)
        if ((token->word [i] & 0xC0) != 0x80)
            chars++;
    bool content = !token->number
        && (chars >= 2 || !token->ascii)
        && !tokenizer_is_stopword (self, token->word, token->len);
    if (content) {
        char *stem = tokenizer_stem (self, token->word, token->len);
        bool fresh;
        id = strmap_intern (self->stems, stem, strlen (stem), &fresh);
        if (fresh)
            *strmap_value (self->stems, id) = INT32_MIN;
        free (stem);
    }
    //  The stems map may have grown, but the surface value pointer is ours
    *strmap_value (self->surface, index) = id;
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
    if (strmap_size (self->surface) <= max)
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
