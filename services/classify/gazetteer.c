//  SPDX-License-Identifier: MIT
//  gazetteer - place names to country codes (see gazetteer.h)

#include "common.h"
#include "classify/strmap.h"
#include "classify/wordtrie.h"
#include "classify/lexicon.h"
#include "classify/gazetteer.h"

#define GAZ_MAX_WORDS   12      //  Longest name, in words

typedef enum {
    KIND_COUNTRY, KIND_DEMONYM, KIND_CAPITAL, KIND_CITY, KIND_REGION, KIND_ABBREV, KIND_BLOCK
} s_kind_t;

#define FLAG_PERSON 0x01        //  Also a person's name
#define FLAG_WORD   0x02        //  Also a common word

typedef struct {
    int16_t code;               //  Country index, -1 for a block
    uint8_t kind;               //  s_kind_t
    uint8_t flags;              //  FLAG_*
    int32_t next;               //  Next sense of the same name, -1
} s_sense_t;

typedef struct {
    int32_t first;              //  First sense (file order)
    int32_t last;               //  Last sense
    uint16_t capmask;           //  Words that must be capitalised
    uint8_t words;              //  Words in the name
} s_name_t;

typedef struct {
    char code [4];              //  ISO code
    char *name;                 //  Display name (first country name)
    int16_t successor;          //  Index of today's code, or itself
} s_country_t;

//  What a word of the lexicon is to the gazetteer (a memo: zero until known)
typedef struct {
    int32_t word1;              //  Gazetteer word id + 1, 0 if in no name
    int32_t first1;             //  Node of the names it starts + 1, 0 if none
    uint8_t title;              //  A person title (when capitalised)
    uint8_t known;              //  1 once worked out
} s_memo_t;

//  One word of the story, as the place finder sees it
typedef struct {
    int32_t id;                 //  Lexicon word id
    uint16_t len;               //  Bytes in the folded word
    uint8_t text;               //  0 dateline, 1 headline, 2 body
    uint8_t flags;              //  LEX_CAPITAL, LEX_UPPER, LEX_SENTENCE, LEX_COMMA,
                                //  and G_TITLE, G_ALPHA
} s_word_t;

#define G_TITLE     0x40        //  Mr, Mrs, President... (person titles)
#define G_ALPHA     0x80        //  Starts with an ASCII letter
#define G_KEEP      (LEX_CAPITAL | LEX_UPPER | LEX_SENTENCE | LEX_COMMA)

//  The shape of a word
#define CAPITAL(w)  (((w)->flags & LEX_CAPITAL) != 0)
#define UPPER(w)    (((w)->flags & LEX_UPPER) != 0)
#define SENTENCE(w) (((w)->flags & LEX_SENTENCE) != 0)
#define COMMA(w)    (((w)->flags & LEX_COMMA) != 0)
#define TITLE(w)    (((w)->flags & G_TITLE) != 0)

typedef struct {
    size_t start, end;          //  Word range [start, end)
    int32_t def;                //  Name
    int16_t code;               //  Resolved country, -1 none
    uint8_t kind;               //  Kind of the resolved sense
    uint8_t flags;              //  Flags of the resolved sense
    bool forced;                //  Resolved by a qualifier
    bool block;                 //  A block name
    bool dropped;               //  Not a place after all
} s_match_t;

struct _gazetteer_t {
    strmap_t *names;            //  Folded words joined by ' ' -> name index
    wordtrie_t *trie;           //  Folded words of names; node value: the name (def)
    VEC (s_name_t) defs;        //  Names
    VEC (s_sense_t) senses;     //  Senses
    VEC (s_country_t) countries;
    strmap_t *codes;            //  Code -> country index (value)
    strmap_t *reuters;          //  Reuters code -> country index (value)
    bool lower_first;           //  Some name starts with a lower-case word
    void *memo;                 //  Lexicon word id -> what it is to the gazetteer
    size_t memo_size;           //  Entries in memo
    uint64_t memo_epoch;        //  Lexicon epoch of memo
    lexicon_t *lexicon;         //  Own lexicon, for gazetteer_places
    const lexicon_t *reading;   //  The lexicon of the story being read
    VEC (s_word_t) words_scratch;  //  Scratch: the story's words
    VEC (s_match_t) matches_scratch;   //  Scratch: names found
    VEC (uint8_t) in_match;     //  Scratch: word in a match
    float *evidence;            //  Scratch, per country
    float *score;               //  Scratch, per country
    int *mentions;              //  Scratch, per country
    uint8_t *where;             //  Scratch, per country
};

//  --------------------------------------------------------------------------
//  Words of a name or a text

typedef struct {
    char *word;                 //  Folded word (owned by the token list)
    size_t offset;              //  Byte offset in its text
    size_t length;              //  Bytes in its text
    uint8_t text;               //  0 dateline, 1 headline, 2 body
    bool capital;               //  Starts with a capital
    bool upper;                 //  All capitals
    bool sentence;              //  Starts a sentence
    bool comma;                 //  A comma between the previous word and this one
    bool title;                 //  Mr, Mrs, President... (person titles)
} s_tok_t;
typedef VEC (s_tok_t) s_tokv_t;

typedef struct {
    s_tokv_t *list;
    const char *text;
    uint8_t which;
    size_t prev_end;            //  End of the previous word
    buf_t *arena;               //  Words, NUL-separated (offsets until fixed up)
} s_collect_t;

static const char *s_titles [] = {      //  Sorted: bsearch
    "actor", "actress", "chancellor", "coach", "dr", "forward", "gov", "governor", "guard",
    "judge", "justice", "king", "lady", "lord", "minister", "miss", "mr", "mrs", "ms",
    "player", "president", "prince", "princess", "prof", "professor", "queen", "rep",
    "rev", "saint", "sen", "senator", "singer", "sir", "star", "striker"
};

static int
s_title_compare (const void *key, const void *item)
{
    return strcmp ((const char *) key, *(const char *const *) item);
}

static int
s_collect (void *arg, const token_t *token)
{
    s_collect_t *ctx = (s_collect_t *) arg;
    s_tok_t *tok = vec_push (ctx->list);
    tok->word = (char *) (uintptr_t) ctx->arena->size;     //  An offset for now
    buf_append (ctx->arena, token->word, token->len + 1);
    tok->offset = token->offset;
    tok->length = token->length;
    tok->text = ctx->which;
    tok->capital = token->capital;
    tok->upper = token->upper;
    tok->sentence = token->sentence;
    for (size_t i = ctx->prev_end; i < token->offset; i++)
        if (ctx->text [i] == ',')
            tok->comma = true;
    if (token->capital && token->len <= 9)
        tok->title = bsearch (token->word, s_titles, sizeof s_titles / sizeof s_titles [0],
                              sizeof (char *), s_title_compare) != NULL;
    ctx->prev_end = token->offset + token->length;
    return 0;
}

//  Collect the words of text; their strings live in arena (call
//  s_tokens_fix once every text is in)
static void
s_tokens (s_tokv_t *list, const char *text, uint8_t which, buf_t *arena)
{
    if (!text)
        return;
    s_collect_t ctx = { list, text, which, 0, arena };
    tokenize (text, strlen (text), s_collect, &ctx);
}

//  Turn the arena offsets into pointers
static void
s_tokens_fix (s_tokv_t *list, buf_t *arena)
{
    for (size_t i = 0; i < list->len; i++)
        list->items [i].word = arena->data + (uintptr_t) list->items [i].word;
}

static void
s_tokens_free (s_tokv_t *list, buf_t *arena)
{
    free (list->items);
    memset (list, 0, sizeof *list);
    buf_free (arena);
}

//  --------------------------------------------------------------------------
//  Parsing the file

static int16_t
s_country (gazetteer_t *self, const char *code)
{
    int32_t index = strmap_get (self->codes, code, strlen (code));
    if (index >= 0)
        return (int16_t) index;
    assert (self->countries.len < INT16_MAX);
    s_country_t *country = vec_push (&self->countries);
    snprintf (country->code, sizeof country->code, "%s", code);
    country->successor = (int16_t) (self->countries.len - 1);
    int32_t key = strmap_intern (self->codes, code, strlen (code), NULL);
    *strmap_value (self->codes, key) = (int32_t) (self->countries.len - 1);
    return (int16_t) (self->countries.len - 1);
}

//  Add one name with its sense; -1 if the name has no words or too many
static int
s_add_name (gazetteer_t *self, const char *name, int16_t code, s_kind_t kind)
{
    uint8_t flags = 0;
    char *copy = xstrdup (name);
    char *marker = strchr (copy, '~');
    if (marker) {
        if (strcmp (marker, "~person") == 0)
            flags = FLAG_PERSON;
        else
        if (strcmp (marker, "~word") == 0)
            flags = FLAG_WORD;
        else {
            free (copy);
            return -1;
        }
        *marker = 0;
    }
    s_tokv_t words = { 0 };
    buf_t arena;
    buf_init (&arena);
    s_tokens (&words, copy, 2, &arena);
    s_tokens_fix (&words, &arena);
    free (copy);
    if (words.len == 0 || words.len > GAZ_MAX_WORDS) {
        s_tokens_free (&words, &arena);
        return -1;
    }
    buf_t key;
    buf_init (&key);
    uint16_t capmask = 0;
    int32_t node = 0;
    for (size_t i = 0; i < words.len; i++) {
        if (i)
            buf_putc (&key, ' ');
        buf_puts (&key, words.items [i].word);
        if (words.items [i].capital)
            capmask |= (uint16_t) (1u << i);
        //  The trie of names by words
        const char *word = words.items [i].word;
        node = wordtrie_extend (self->trie, node, word, strlen (word));
    }
    if (!(capmask & 1))
        self->lower_first = true;
    bool added;
    int32_t index = strmap_intern (self->names, key.data, key.size, &added);
    if (added) {
        s_name_t *def = vec_push (&self->defs);
        def->first = def->last = -1;
        def->words = (uint8_t) words.len;
        *strmap_value (self->names, index) = (int32_t) (self->defs.len - 1);
    }
    wordtrie_set (self->trie, node, *strmap_value (self->names, index));
    s_name_t *def = &self->defs.items [*strmap_value (self->names, index)];
    def->capmask |= capmask;
    s_sense_t *sense = vec_push (&self->senses);
    sense->code = code;
    sense->kind = (uint8_t) kind;
    sense->flags = flags;
    sense->next = -1;
    int32_t sense_index = (int32_t) (self->senses.len - 1);
    if (def->last >= 0)
        self->senses.items [def->last].next = sense_index;
    else
        def->first = sense_index;
    def->last = sense_index;
    buf_free (&key);
    s_tokens_free (&words, &arena);
    return 0;
}

gazetteer_t *
gazetteer_parse (const char *text, size_t len, const char *origin, char *err, size_t errsize)
{
    gazetteer_t *self = (gazetteer_t *) xcalloc (1, sizeof (gazetteer_t));
    self->names = strmap_new ();
    self->trie = wordtrie_new ();
    self->codes = strmap_new ();
    self->reuters = strmap_new ();
    static const char *kinds [] = {
        "country", "demonym", "capital", "city", "region", "abbrev", "block", NULL
    };
    const char *p = text, *end = text + len;
    int line_no = 0;
    VEC (struct { int16_t from; char to [4]; int line; }) successors = { 0 };
    while (p < end) {
        const char *nl = memchr (p, '\n', (size_t) (end - p));
        const char *line_end = nl ? nl : end;
        char *line = xstrndup (p, (size_t) (line_end - p));
        p = nl ? nl + 1 : end;
        line_no++;
        size_t n = strlen (line);
        while (n && (line [n - 1] == '\r' || line [n - 1] == ' '))
            line [--n] = 0;
        if (n == 0 || line [0] == '#') {
            free (line);
            continue;
        }
        char *fields [3] = { line, NULL, NULL };
        char *tab = strchr (line, '\t');
        if (tab) {
            *tab = 0;
            fields [1] = tab + 1;
            tab = strchr (fields [1], '\t');
            if (tab) {
                *tab = 0;
                fields [2] = tab + 1;
            }
        }
        const char *bad = NULL;
        int kind = -1;
        if (!fields [2] || !*fields [2])
            bad = "want CODE<TAB>KIND<TAB>NAMES";
        else {
            bool reuters = strcmp (fields [1], "reuters") == 0;
            bool successor = strcmp (fields [1], "successor") == 0;
            for (int k = 0; kinds [k]; k++)
                if (strcmp (fields [1], kinds [k]) == 0)
                    kind = k;
            size_t code_len = strlen (fields [0]);
            bool block = strcmp (fields [0], "-") == 0;
            if (kind < 0 && !reuters && !successor)
                bad = "unknown kind";
            else
            if (block != (kind == KIND_BLOCK))
                bad = "code \"-\" goes with kind block, and only with it";
            else
            if (!block && (code_len != 2 || !isupper ((unsigned char) fields [0][0])
                                         || !isupper ((unsigned char) fields [0][1])))
                bad = "code is not two capital letters";
            else {
                int16_t code = block ? -1 : s_country (self, fields [0]);
                char *save = NULL;
                for (char *name = strtok_r (fields [2], "|", &save); name && !bad;
                     name = strtok_r (NULL, "|", &save)) {
                    if (reuters) {
                        int32_t key = strmap_intern (self->reuters, name, strlen (name), NULL);
                        *strmap_value (self->reuters, key) = code;
                    }
                    else
                    if (successor) {
                        if (strlen (name) != 2)
                            bad = "successor is not a code";
                        else {
                            __typeof__ (successors.items) s = vec_push (&successors);
                            s->from = code;
                            snprintf (s->to, sizeof s->to, "%s", name);
                            s->line = line_no;
                        }
                    }
                    else {
                        if (kind == KIND_COUNTRY && !self->countries.items [code].name) {
                            char *display = xstrdup (name);
                            char *marker = strchr (display, '~');
                            if (marker)
                                *marker = 0;
                            self->countries.items [code].name = display;
                        }
                        if (s_add_name (self, name, code, (s_kind_t) kind))
                            bad = "bad name (no words, too many, or unknown ~marker)";
                    }
                }
            }
        }
        free (line);
        if (bad) {
            snprintf (err, errsize, "%s:%d: %s", origin, line_no, bad);
            free (successors.items);
            gazetteer_destroy (&self);
            return NULL;
        }
    }
    for (size_t i = 0; i < successors.len; i++) {
        int32_t to = strmap_get (self->codes, successors.items [i].to, 2);
        if (to < 0) {
            snprintf (err, errsize, "%s:%d: successor %s is not a code of the gazetteer",
                      origin, successors.items [i].line, successors.items [i].to);
            free (successors.items);
            gazetteer_destroy (&self);
            return NULL;
        }
        self->countries.items [successors.items [i].from].successor = (int16_t) to;
    }
    free (successors.items);
    for (size_t c = 0; c < self->countries.len; c++)
        if (!self->countries.items [c].name) {
            snprintf (err, errsize, "%s: code %s has no country line", origin,
                      self->countries.items [c].code);
            gazetteer_destroy (&self);
            return NULL;
        }
    if (self->defs.len == 0) {
        snprintf (err, errsize, "%s: no names", origin);
        gazetteer_destroy (&self);
        return NULL;
    }
    size_t ncountries = self->countries.len + 1;
    self->evidence = (float *) xcalloc (ncountries, sizeof (float));
    self->score = (float *) xcalloc (ncountries, sizeof (float));
    self->mentions = (int *) xcalloc (ncountries, sizeof (int));
    self->where = (uint8_t *) xcalloc (ncountries, 1);
    return self;
}

gazetteer_t *
gazetteer_load (const char *path, char *err, size_t errsize)
{
    uint8_t *data;
    size_t size;
    if (file_read (path, 64 * 1024 * 1024, &data, &size)) {
        snprintf (err, errsize, "cannot read %s: %s", path, strerror (errno));
        return NULL;
    }
    gazetteer_t *self = gazetteer_parse ((const char *) data, size, path, err, errsize);
    free (data);
    return self;
}

void
gazetteer_destroy (gazetteer_t **self_p)
{
    assert (self_p);
    gazetteer_t *self = *self_p;
    if (!self)
        return;
    strmap_destroy (&self->names);
    wordtrie_destroy (&self->trie);
    free (self->memo);
    lexicon_destroy (&self->lexicon);
    free (self->words_scratch.items);
    free (self->matches_scratch.items);
    free (self->in_match.items);
    free (self->evidence);
    free (self->score);
    free (self->mentions);
    free (self->where);
    strmap_destroy (&self->codes);
    strmap_destroy (&self->reuters);
    for (size_t c = 0; c < self->countries.len; c++)
        free (self->countries.items [c].name);
    free (self->countries.items);
    free (self->defs.items);
    free (self->senses.items);
    free (self);
    *self_p = NULL;
}

size_t
gazetteer_size (gazetteer_t *self)
{
    return self->defs.len;
}

const char *
gazetteer_name (gazetteer_t *self, const char *code)
{
    int32_t index = code ? strmap_get (self->codes, code, strlen (code)) : -1;
    return index >= 0 ? self->countries.items [index].name : NULL;
}

const char *
gazetteer_reuters (gazetteer_t *self, const char *reuters)
{
    int32_t index = reuters ? strmap_get (self->reuters, reuters, strlen (reuters)) : -1;
    return index >= 0 ? self->countries.items [index].code : NULL;
}

const char *
gazetteer_successor (gazetteer_t *self, const char *code)
{
    int32_t index = code ? strmap_get (self->codes, code, strlen (code)) : -1;
    if (index < 0)
        return NULL;
    return self->countries.items [self->countries.items [index].successor].code;
}

const char *
gazetteer_lookup (gazetteer_t *self, const char *name)
{
    s_tokv_t words = { 0 };
    buf_t arena;
    buf_init (&arena);
    s_tokens (&words, name, 2, &arena);
    s_tokens_fix (&words, &arena);
    buf_t key;
    buf_init (&key);
    for (size_t i = 0; i < words.len; i++) {
        if (i)
            buf_putc (&key, ' ');
        buf_puts (&key, words.items [i].word);
    }
    const char *code = NULL;
    int32_t index = key.size ? strmap_get (self->names, key.data, key.size) : -1;
    if (index >= 0) {
        s_sense_t *sense = &self->senses.items [self->defs.items [index].first];
        if (sense->code >= 0)
            code = self->countries.items [sense->code].code;
    }
    buf_free (&key);
    s_tokens_free (&words, &arena);
    return code;
}

bool
gazetteer_place_word (gazetteer_t *self, const char *word, size_t len)
{
    int32_t def = strmap_get (self->names, word, len);
    if (def < 0)
        return false;
    bool place = false;
    for (int32_t s = self->defs.items [def].first; s >= 0; s = self->senses.items [s].next) {
        s_sense_t *sense = &self->senses.items [s];
        if (sense->flags & FLAG_PERSON)
            return false;
        if (sense->kind != KIND_BLOCK && sense->kind != KIND_ABBREV)
            place = true;
    }
    return place;
}

//  --------------------------------------------------------------------------
//  Finding places

//  Work out what a word of lexicon is to the gazetteer
static void
s_memo_fill (gazetteer_t *self, const lexicon_t *lexicon, int32_t id, s_memo_t *memo)
{
    size_t len;
    const char *word = lexicon_word (lexicon, id, &len);
    int32_t gw = wordtrie_word (self->trie, word, len);
    memo->word1 = gw + 1;
    memo->first1 = wordtrie_next (self->trie, 0, gw) + 1;
    memo->title = len <= 9 && bsearch (word, s_titles, sizeof s_titles / sizeof s_titles [0],
                                       sizeof (char *), s_title_compare) != NULL;
    memo->known = 1;
}

//  The memo for a lexicon, covering its every word
static s_memo_t *
s_memo (gazetteer_t *self, const lexicon_t *lexicon)
{
    lexicon_memo (lexicon, &self->memo, &self->memo_size, sizeof (s_memo_t), &self->memo_epoch);
    return (s_memo_t *) self->memo;
}

//  Append the words of a text from byte offset from on (which = 0
//  dateline, 1 headline, 2 body)
static void
s_add_words (gazetteer_t *self, const lexicon_t *lexicon, s_memo_t *memos,
             const lextext_t *text, uint8_t which, size_t from)
{
    if (!text || !text->text)
        return;
    size_t first = 0;
    while (first < text->words.len && text->words.items [first].offset < from)
        first++;
    size_t need = self->words_scratch.len + text->words.len - first;
    if (need > self->words_scratch.cap) {
        self->words_scratch.cap = need + 256;
        self->words_scratch.items = (s_word_t *) xrealloc (self->words_scratch.items,
            self->words_scratch.cap * sizeof (s_word_t));
    }
    for (size_t i = first; i < text->words.len; i++) {
        const lexword_t *lw = &text->words.items [i];
        s_word_t *word = &self->words_scratch.items [self->words_scratch.len++];
        word->id = lw->id;
        word->len = lw->len;
        word->text = which;
        uint8_t flags = lw->flags & G_KEEP;
        if (lw->flags & LEX_ALPHA)
            flags |= G_ALPHA;
        if (flags & LEX_CAPITAL) {
            //  Only a capitalised word can be a title: the memo of the
            //  others is not read (each read of a rare word's is a miss)
            s_memo_t *memo = &memos [lw->id];
            if (!memo->known)
                s_memo_fill (self, lexicon, lw->id, memo);
            if (memo->title)
                flags |= G_TITLE;
        }
        word->flags = flags;
        if (i == first && from > 0) {
            //  A comma counts from where this text starts
            word->flags &= (uint8_t) ~LEX_COMMA;
            for (size_t k = from; k < lw->offset; k++)
                if (text->text [k] == ',')
                    word->flags |= LEX_COMMA;
        }
    }
}

//  The memo of a word of the story being read
static inline s_memo_t *
s_memo_of (gazetteer_t *self, const s_word_t *word)
{
    s_memo_t *memo = &((s_memo_t *) self->memo) [word->id];
    if (!memo->known)
        s_memo_fill (self, self->reading, word->id, memo);
    return memo;
}

//  Longest name starting at word i; fills *m and returns true if found
static bool
s_match_at (gazetteer_t *self, size_t i, const bool *caps, s_match_t *m)
{
    const s_word_t *words = self->words_scratch.items;
    size_t count = self->words_scratch.len;
    int32_t node = s_memo_of (self, &words [i])->first1 - 1;
    if (node < 0)
        return false;
    int32_t found = -1;
    size_t found_end = 0;
    for (size_t j = i;;) {
        //  node is where words i..j lead
        int32_t def = wordtrie_value (self->trie, node);
        if (def >= 0) {
            //  Capitalisation as in the gazetteer (all-capital texts pass)
            s_name_t *name = &self->defs.items [def];
            bool ok = true;
            for (size_t k = i; k <= j && ok; k++)
                if ((name->capmask & (1u << (k - i))) && !CAPITAL (&words [k])
                &&  !caps [words [k].text])
                    ok = false;
            if (ok) {
                found = def;
                found_end = j + 1;
            }
        }
        if (!wordtrie_more (self->trie, node))
            break;
        j++;
        //  A name never spans texts or a comma
        if (j >= count || j - i >= GAZ_MAX_WORDS || words [j].text != words [i].text
        ||  COMMA (&words [j]))
            break;
        int32_t word1 = s_memo_of (self, &words [j])->word1;
        if (!word1)
            break;
        node = wordtrie_next (self->trie, node, word1 - 1);
        if (node < 0)
            break;
    }
    if (found < 0)
        return false;
    memset (m, 0, sizeof *m);
    m->start = i;
    m->end = found_end;
    m->def = found;
    m->code = -1;
    return true;
}

static const float s_text_weight [3] = { 3.0f, 2.0f, 1.0f };

//  Is word k a capitalised name word that is not a place and not a small word?
static bool
s_name_word (const s_word_t *words, size_t k, const uint8_t *in_match)
{
    const s_word_t *word = &words [k];
    return CAPITAL (word) && !UPPER (word) && !in_match [k] && !TITLE (word) && word->len > 1;
}

const char *
gazetteer_lookup_words (gazetteer_t *self, const lexicon_t *lexicon, const lexword_t *words,
                        size_t count)
{
    if (count == 0 || count > GAZ_MAX_WORDS)
        return NULL;
    s_memo_t *memos = s_memo (self, lexicon);
    int32_t node = 0;
    for (size_t i = 0; i < count && node >= 0; i++) {
        s_memo_t *memo = &memos [words [i].id];
        if (!memo->known)
            s_memo_fill (self, lexicon, words [i].id, memo);
        if (!memo->word1)
            return NULL;
        node = i == 0 ? memo->first1 - 1
             : wordtrie_next (self->trie, node, memo->word1 - 1);
    }
    if (node < 0 || wordtrie_value (self->trie, node) < 0)
        return NULL;
    s_sense_t *sense = &self->senses.items [self->defs.items [wordtrie_value (self->trie, node)].first];
    return sense->code >= 0 ? self->countries.items [sense->code].code : NULL;
}

int
gazetteer_places_words (gazetteer_t *self, const lexicon_t *lexicon, const lextext_t *dateline,
                        const lextext_t *headline, const lextext_t *body, size_t body_from,
                        float threshold, placev_t *out)
{
    out->len = 0;
    s_memo_t *memos = s_memo (self, lexicon);
    self->reading = lexicon;
    self->words_scratch.len = 0;
    s_add_words (self, lexicon, memos, dateline, 0, 0);
    s_add_words (self, lexicon, memos, headline, 1, 0);
    s_add_words (self, lexicon, memos, body, 2, body_from);
    const s_word_t *words = self->words_scratch.items;
    size_t count = self->words_scratch.len;
    //  Texts written in capitals (datelines, 1980s headlines)
    bool caps [3];
    size_t letters [3] = { 0 }, upper [3] = { 0 };
    for (size_t i = 0; i < count; i++) {
        const s_word_t *word = &words [i];
        if (word->flags & (LEX_CAPITAL | LEX_UPPER | G_ALPHA)) {
            letters [word->text]++;
            upper [word->text] += UPPER (word);
        }
    }
    for (int t = 0; t < 3; t++)
        caps [t] = letters [t] > 0 && upper [t] * 10 >= letters [t] * 8;

    //  A: longest matches, left to right
    VEC (s_match_t) matches = { 0 };
    matches.items = self->matches_scratch.items;
    matches.cap = self->matches_scratch.cap;
    if (self->in_match.cap < count + 1) {
        self->in_match.cap = count + 256;
        self->in_match.items = (uint8_t *) xrealloc (self->in_match.items, self->in_match.cap);
    }
    uint8_t *in_match = self->in_match.items;
    memset (in_match, 0, count + 1);
    for (size_t i = 0; i < count; ) {
        s_match_t m;
        //  Names start with a capital: a lower-case word starts none
        if (!CAPITAL (&words [i]) && !caps [words [i].text] && !self->lower_first) {
            i++;
            continue;
        }
        if (s_match_at (self, i, caps, &m)) {
            *vec_push (&matches) = m;
            for (size_t k = m.start; k < m.end; k++)
                in_match [k] = 1;
            i = m.end;
        }
        else
            i++;
    }

    //  B: blocks, and abbreviations only after "City, "
    for (size_t n = 0; n < matches.len; n++) {
        s_match_t *m = &matches.items [n];
        const s_word_t *first = &words [m->start];
        bool abbrev_ok = COMMA (first) && (first->text == 0
                      || (n > 0 && matches.items [n - 1].end == m->start));
        bool any = false;
        for (int32_t s = self->defs.items [m->def].first; s >= 0; s = self->senses.items [s].next) {
            s_sense_t *sense = &self->senses.items [s];
            if (sense->kind == KIND_BLOCK)
                m->block = true;
            if (sense->kind != KIND_ABBREV || abbrev_ok)
                any = true;
        }
        if (m->block || !any)
            m->dropped = true;
    }
    //  C: qualifiers: "Paris, Texas", "SAN JOSE, Calif."
    for (size_t n = 0; n + 1 < matches.len; n++) {
        s_match_t *m = &matches.items [n], *q = &matches.items [n + 1];
        if (q->dropped || m->block || q->start != m->end || !COMMA (&words [q->start]))
            continue;
        s_sense_t *qs = &self->senses.items [self->defs.items [q->def].first];
        for (int32_t s = self->defs.items [q->def].first; s >= 0; s = self->senses.items [s].next)
            if (self->senses.items [s].kind == KIND_ABBREV
            ||  self->senses.items [s].kind == KIND_REGION
            ||  self->senses.items [s].kind == KIND_COUNTRY) {
                qs = &self->senses.items [s];
                break;
            }
        if (qs->kind != KIND_ABBREV && qs->kind != KIND_REGION && qs->kind != KIND_COUNTRY)
            continue;
        m->code = qs->code;
        m->kind = KIND_CITY;
        m->forced = true;
        m->dropped = false;
        q->code = qs->code;
        q->kind = qs->kind;
        q->forced = true;
    }
    //  D: evidence from unambiguous, unflagged names
    size_t ncountries = self->countries.len;
    float *evidence = self->evidence;
    float *score = self->score;
    int *mentions = self->mentions;
    uint8_t *where = self->where;
    //  evidence, score, mentions and where are all zero here: each call
    //  zeroes what it wrote before it returns (a few entries, not four
    //  arrays of every country)
    (void) ncountries;
    for (size_t n = 0; n < matches.len; n++) {
        s_match_t *m = &matches.items [n];
        if (m->dropped || m->forced)
            continue;
        int16_t code = -2;
        uint8_t flags = 0;
        for (int32_t s = self->defs.items [m->def].first; s >= 0; s = self->senses.items [s].next) {
            s_sense_t *sense = &self->senses.items [s];
            flags |= sense->flags;
            code = code == -2 || code == sense->code ? sense->code : -3;
        }
        if (code >= 0 && !flags)
            evidence [code] += 1;
    }
    for (size_t n = 0; n < matches.len; n++) {
        s_match_t *m = &matches.items [n];
        if (m->forced && m->code >= 0)
            evidence [m->code] += 1;
    }
    //  E: resolve the rest; check ~person and ~word names
    for (size_t n = 0; n < matches.len; n++) {
        s_match_t *m = &matches.items [n];
        if (m->dropped || m->forced)
            continue;
        s_sense_t *best = NULL;
        for (int32_t s = self->defs.items [m->def].first; s >= 0; s = self->senses.items [s].next) {
            s_sense_t *sense = &self->senses.items [s];
            if (sense->kind == KIND_ABBREV && !COMMA (&words [m->start]))
                continue;
            if (!best || evidence [sense->code] > evidence [best->code])
                best = sense;
        }
        if (!best) {
            m->dropped = true;
            continue;
        }
        m->code = best->code;
        m->kind = best->kind;
        m->flags = best->flags;
        const s_word_t *first = &words [m->start];
        bool capitals = caps [first->text];
        bool supported = evidence [m->code] > 0;
        if (m->flags & FLAG_PERSON) {
            bool person = false;
            if (m->start > 0 && words [m->start - 1].text == first->text) {
                const s_word_t *prev = &words [m->start - 1];
                if (TITLE (prev))
                    person = true;
                else
                if (!capitals && !SENTENCE (first) && !COMMA (first)
                &&  s_name_word (words, m->start - 1, in_match))
                    person = true;
            }
            if (!capitals && m->end < count && words [m->end].text == first->text
            &&  !COMMA (&words [m->end]) && s_name_word (words, m->end, in_match))
                person = true;
            if (person || (capitals && !supported))
                m->dropped = true;
        }
        if ((m->flags & FLAG_WORD) && capitals && !supported)
            m->dropped = true;
    }
    //  Scores per country
    for (size_t n = 0; n < matches.len; n++) {
        s_match_t *m = &matches.items [n];
        if (m->dropped || m->code < 0)
            continue;
        uint8_t text = words [m->start].text;
        float weight = m->kind == KIND_DEMONYM ? 0.6f : 1.0f;
        score [m->code] += weight * s_text_weight [text];
        mentions [m->code]++;
        where [m->code] |= (uint8_t) (1u << text);
    }
    int kept = 0;
    for (size_t n = 0; n < matches.len; n++) {
        int16_t c = matches.items [n].code;
        if (matches.items [n].dropped || c < 0 || mentions [c] == 0)
            continue;
        if (!(threshold > 0 && score [c] < threshold)) {
            place_t *place = vec_push (out);
            //  The code as snprintf "%s" would put it (at most 3 bytes)
            const char *code = self->countries.items [c].code;
            size_t code_len = strnlen (code, sizeof place->code - 1);
            memcpy (place->code, code, code_len);
            place->code [code_len] = 0;
            place->name = self->countries.items [c].name;
            place->score = score [c];
            place->mentions = mentions [c];
            place->dateline = where [c] & 1;
            place->headline = (where [c] >> 1) & 1;
            kept++;
        }
        mentions [c] = 0;           //  Once per country
    }
    //  Zero what this call wrote: the entries of every match's code and of
    //  every sense of its name
    for (size_t n = 0; n < matches.len; n++) {
        s_match_t *m = &matches.items [n];
        if (m->code >= 0) {
            evidence [m->code] = 0;
            score [m->code] = 0;
            mentions [m->code] = 0;
            where [m->code] = 0;
        }
        for (int32_t s = self->defs.items [m->def].first; s >= 0; s = self->senses.items [s].next)
            if (self->senses.items [s].code >= 0)
                evidence [self->senses.items [s].code] = 0;
    }
    //  Best first (ties by code: the same order whatever the matches' order)
    for (size_t i = 1; i < out->len; i++)
        for (size_t j = i; j > 0 && (out->items [j].score > out->items [j - 1].score
                || (out->items [j].score == out->items [j - 1].score
                    && strcmp (out->items [j].code, out->items [j - 1].code) < 0)); j--) {
            place_t t = out->items [j];
            out->items [j] = out->items [j - 1];
            out->items [j - 1] = t;
        }
    self->matches_scratch.items = matches.items;
    self->matches_scratch.cap = matches.cap;
    return kept;
}

int
gazetteer_places (gazetteer_t *self, const story_t *story, float threshold, placev_t *out)
{
    if (!self->lexicon)
        self->lexicon = lexicon_new ();
    lexicon_trim (self->lexicon, 100000);
    const char *dateline = story->dateline.place ? story->dateline.place
                         : story->located ? story->located : story->dateline.text;
    const char *headline = story_headline (story);
    const char *body = story_body (story);
    if (!body && story->bodies.len)
        body = story->bodies.items [0].value;
    lextext_t texts [3] = { { 0 } };
    lexicon_read (self->lexicon, dateline, dateline ? strlen (dateline) : 0, &texts [0]);
    lexicon_read (self->lexicon, headline, headline ? strlen (headline) : 0, &texts [1]);
    lexicon_read (self->lexicon, body, body ? strlen (body) : 0, &texts [2]);
    int kept = gazetteer_places_words (self, self->lexicon, &texts [0], &texts [1], &texts [2],
                                       0, threshold, out);
    for (int t = 0; t < 3; t++)
        lextext_free (&texts [t]);
    return kept;
}
