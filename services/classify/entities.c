//  SPDX-License-Identifier: MIT
//  entities - people and organisations (see entities.h)

#include "common.h"
#include "classify/strmap.h"
#include "classify/wordtrie.h"
#include "classify/lexicon.h"
#include "classify/entities.h"

#define ENT_MAX_WORDS   16      //  Longest name run, in words
#define ENT_MAX_FOUND   32      //  Entities kept per story and kind

typedef struct {
    char *name;                 //  Display name
    char *acronym;              //  Acronym or NULL
} s_org_t;

struct _entities_t {
    gazetteer_t *gazetteer;     //  Borrowed, may be NULL
    VEC (s_org_t) orgs;         //  Known organisations
    wordtrie_t *trie;           //  Folded words of names; node value: the organisation
    strmap_t *acronyms;         //  Acronym as written -> org index (value)
    strmap_t *words;            //  Folded word -> word class bits (value)
    tokenizer_t *english;       //  For English stop words
    void *memo;                 //  Lexicon word id -> what it is to the finder
    size_t memo_size;           //  Entries in memo
    uint64_t memo_epoch;        //  Lexicon epoch of memo
    lexicon_t *lexicon;         //  Own lexicon, for entities_find
    strmap_t *given;            //  Folded given names (cue-free people)
    strmap_t *not_people;       //  Folded "first last" runs that are no person
};

//  Word classes
#define W_SUFFIX    0x01        //  Ends an organisation name
#define W_HEAD      0x02        //  Starts "X of ..." organisation names
#define W_TITLE     0x04        //  Title before a person's name
#define W_ROLE      0x08        //  Lowercase role before/after a person's name
#define W_SAID      0x10        //  Speech verb after a person's name
#define W_NOTNAME   0x20        //  Never a word of a person's name
#define W_CONNECT   0x40        //  May join words inside a name (of, and, de)
#define W_ARTICLE   0x80        //  a, an, the (apposition)

static const char *s_suffixes [] = {
    "inc", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "llp", "lp",
    "plc", "ag", "sa", "se", "nv", "bv", "gmbh", "spa", "srl", "ab", "asa", "oyj", "kk",
    "group", "holdings", "holding", "bank", "bancorp", "bancshares", "department",
    "ministry", "agency", "authority", "commission", "council", "committee", "union",
    "association", "federation", "organization", "organisation", "institute",
    "university", "college", "party", "fund", "board", "court", "parliament",
    "assembly", "congress", "senate", "reserve", "exchange", "airlines", "airways",
    "motors", "systems", "technologies", "technology", "industries", "energy",
    "petroleum", "pharmaceuticals", "pharma", "foundation", "alliance", "coalition",
    "army", "navy", "police", "service", "services", "office", "bureau", "corps",
    "front", "movement", "network", "trust", "partners", "capital", "securities",
    "investments", "insurance", "telecom", "communications", "railways", "railway",
    "club", "league", "society", "church", "hospital", "school", "centre", "center",
    "laboratories", "labs", "mining", "resources", "steel", "chemicals", "foods",
    "brands", "stores", "entertainment", "media", "studios", "electric", "electronics",
    "software", "brigade", "brigades", "forces", "guard", "command", "secretariat",
    "cabinet", "government", "administration", "tribunal", "municipality", "bancorporation",
    "financial", "enterprises", "international", "worldwide", "limitada", "cie", "nv",
    "times", "post", "journal", "news", "press", "television", "radio", "broadcasting",
    "markets", "inns", "hotels", "lines", "products", "properties", "realty", "savings",
    "generale", "mij", "maatschappij", "engines", "pictures", "records", "mills", "works",
    "motor", "shipping", "logistics", "bancorp", "ventures", "solutions", "consulting",
    "partnership", "partnerships", "assets", "acquisition", "acquisitions",
    "video", "films", "cellars", "winery", "wineries", "vineyards", "brewery", "breweries",
    "airline", "magazine", "gazette", "herald", "tribune", "daily", "weekly",
    "cos", "hotel", "restaurant", "restaurants", "interiors", "studio",
    "gesellschaft", "handelsgesellschaft", "werke", "verlag", "kg", "kgaa",
    NULL
};
static const char *s_heads [] = {
    "ministry", "department", "bank", "university", "bureau", "office", "board",
    "institute", "organization", "organisation", "federation", "association",
    "council", "court", "league", "commission", "agency", "union", "church", "house",
    "chamber", "school", "college", "society", "academy", "museum", "federal",
    "national", "royal", "committee", "fund", "secretariat", "party", "army", NULL
};
static const char *s_titles [] = {
    "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "president",
    "vice", "prime", "minister", "secretary", "chancellor", "premier", "senator", "sen",
    "representative", "rep", "congressman", "congresswoman", "governor", "gov", "mayor",
    "king", "queen", "prince", "princess", "pope", "cardinal", "archbishop", "bishop",
    "rev", "reverend", "rabbi", "imam", "ayatollah", "sheikh", "emir", "sultan", "crown",
    "judge", "justice", "commissioner", "ambassador", "envoy", "spokesman",
    "spokeswoman", "spokesperson", "chairman", "chairwoman", "chief", "executive",
    "ceo", "cfo", "coo", "director", "general", "gen", "lt", "col", "colonel", "maj",
    "major", "capt", "captain", "sgt", "sergeant", "adm", "admiral", "cmdr", "commander",
    "marshal", "professor", "prof", "foreign", "finance", "defence", "defense",
    "interior", "trade", "economy", "economics", "health", "energy", "oil", "agriculture",
    "deputy", "state", "attorney", "speaker", "leader", "opposition", "supreme",
    "coach", "manager", "striker", "goalkeeper", "officer", "economic", "treasury",
    "industry", "labour", "labor", "transport", "education", "environment", "home",
    "first", "former", "acting", "interim", "senior", "lieutenant", "detective",
    "inspector", "superintendent", "constable", "officer", "counsel", "solicitor",
    "governor-general", "president-elect", "chair", NULL
};
static const char *s_roles [] = {
    "spokesman", "spokeswoman", "spokesperson", "analyst", "economist", "chairman",
    "chairwoman", "chair", "president", "director", "executive", "ceo", "minister",
    "official", "lawyer", "attorney", "professor", "author", "founder", "cofounder",
    "co-founder", "chief", "secretary", "ambassador", "envoy", "leader", "commander",
    "coach", "manager", "trader", "strategist", "dealer", "banker", "candidate",
    "senator", "governor", "mayor", "lawmaker", "legislator", "researcher",
    "scientist", "editor", "reporter", "correspondent", "historian", "adviser",
    "advisor", "aide", "negotiator", "diplomat", "judge", "prosecutor", "actor",
    "actress", "singer", "player", "striker", "driver", "rapper", "artist", "writer",
    "activist", "billionaire", "investor", "entrepreneur", "owner", "partner", "head",
    "deputy", "premier", "chancellor", "officer", "economist", "treasurer",
    "cfo", "coo", "cto", "president", "vice-president", "vice", "general", "colonel",
    "captain", "counsel", "director-general", "secretary-general", "chief executive",
    NULL
};
static const char *s_said [] = {
    "said", "says", "told", "added", "stated", "noted", "explained", "warned", "argued",
    "wrote", "announced", "asked", "replied", "declared", "insisted", "confirmed",
    "denied", "urged", "acknowledged", "testified", "tweeted", "posted", NULL
};
static const char *s_notname [] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "reuters", "reuter",
    "god", "christmas", "easter", "ramadan", "internet", "web", "covid", "covid-19",
    "north", "south", "east", "west", "northern", "southern", "eastern", "western",
    "central", "new", "old", "great", "greater", "upper", "lower", "street", "avenue",
    "road", "square", "river", "lake", "mount", "mountains", "island", "islands",
    "airport", "station", "bridge", "park", "hall", "tower", "building", "st",
    "i", "ii", "iii", "iv", "v", "ok", "tv", "ad", "bc", "am", "pm", "gmt", "utc",
    "earlier", "later", "meanwhile", "however", "analysts", "officials", "shares", "sources",
    "assets", "sales", "profits", "earnings", "revenues", "dividend", "dividends",
    "democrats", "democrat", "democratic", "socialists", "socialist", "republicans", "republican",
    "liberals", "conservatives", "greens", "christians", "catholics", "muslims",
    NULL
};
static const char *s_connect [] = {
    "of", "and", "for", "the", "de", "du", "des", "la", "le", "del", "della", "di",
    "da", "do", "dos", "das", "van", "von", "der", "den", "al", "bin", "ibn", "el",
    "y", "on", "&", NULL
};

static void
s_word_class (entities_t *self, const char **words, int bits)
{
    for (int i = 0; words [i]; i++) {
        int32_t index = strmap_intern (self->words, words [i], strlen (words [i]), NULL);
        int32_t *value = strmap_value (self->words, index);
        *value = (*value < 0 ? 0 : *value) | bits;
    }
}

static int
s_class (entities_t *self, const char *word, size_t len)
{
    int32_t value = strmap_get (self->words, word, len);
    return value < 0 ? 0 : value;
}

//  --------------------------------------------------------------------------
//  Words of a text with their surroundings

typedef struct {
    char *word;                 //  Folded
    size_t offset, length;      //  In the text
    bool capital, upper, number, sentence;
} s_word_t;
typedef VEC (s_word_t) s_wordv_t;

static int
s_collect (void *arg, const token_t *token)
{
    s_wordv_t *list = (s_wordv_t *) arg;
    s_word_t *w = vec_push (list);
    w->word = xstrndup (token->word, token->len);
    w->offset = token->offset;
    w->length = token->length;
    w->capital = token->capital;
    w->upper = token->upper;
    w->number = token->number;
    w->sentence = token->sentence;
    return 0;
}

static void
s_words_free (s_wordv_t *list)
{
    for (size_t i = 0; i < list->len; i++)
        free (list->items [i].word);
    free (list->items);
    memset (list, 0, sizeof *list);
}

//  --------------------------------------------------------------------------
//  The organisation list: ACRONYM <TAB> Name|Alias|...  ("-": no acronym)

//  Add a name of organisation index to the trie; false if it has no
//  words or too many
static bool
s_add_name (entities_t *self, const char *name, int32_t index)
{
    s_wordv_t list = { 0 };
    tokenize (name, strlen (name), s_collect, &list);
    bool ok = list.len > 0 && list.len <= ENT_MAX_WORDS;
    int32_t node = 0;
    for (size_t i = 0; ok && i < list.len; i++) {
        const char *word = list.items [i].word;
        node = wordtrie_extend (self->trie, node, word, strlen (word));
    }
    if (ok)
        wordtrie_set (self->trie, node, index);
    s_words_free (&list);
    return ok;
}

entities_t *
entities_new_text (const char *orgs_text, gazetteer_t *gazetteer, char *err, size_t errsize)
{
    entities_t *self = (entities_t *) xcalloc (1, sizeof (entities_t));
    self->gazetteer = gazetteer;
    self->trie = wordtrie_new ();
    self->acronyms = strmap_new ();
    self->words = strmap_new ();
    self->english = tokenizer_new ("en");
    s_word_class (self, s_suffixes, W_SUFFIX);
    s_word_class (self, s_heads, W_HEAD);
    s_word_class (self, s_titles, W_TITLE);
    s_word_class (self, s_roles, W_ROLE);
    s_word_class (self, s_said, W_SAID);
    s_word_class (self, s_notname, W_NOTNAME);
    s_word_class (self, s_connect, W_CONNECT);
    static const char *articles [] = { "a", "an", "the", "its", "his", "her", "their", NULL };
    s_word_class (self, articles, W_ARTICLE);
    const char *p = orgs_text ? orgs_text : "";
    int line_no = 0;
    while (*p) {
        const char *nl = strchr (p, '\n');
        size_t len = nl ? (size_t) (nl - p) : strlen (p);
        char *line = xstrndup (p, len);
        p = nl ? nl + 1 : p + len;
        line_no++;
        while (len && (line [len - 1] == '\r' || line [len - 1] == ' '))
            line [--len] = 0;
        if (len == 0 || line [0] == '#') {
            free (line);
            continue;
        }
        char *tab = strchr (line, '\t');
        if (!tab || !tab [1]) {
            snprintf (err, errsize, "orgs line %d: want ACRONYM<TAB>Name|Alias...", line_no);
            free (line);
            entities_destroy (&self);
            return NULL;
        }
        *tab = 0;
        s_org_t *org = vec_push (&self->orgs);
        int32_t index = (int32_t) self->orgs.len - 1;
        if (strcmp (line, "-") != 0) {
            org->acronym = xstrdup (line);
            char *save = NULL;
            for (char *a = strtok_r (line, "|", &save); a; a = strtok_r (NULL, "|", &save)) {
                int32_t k = strmap_intern (self->acronyms, a, strlen (a), NULL);
                *strmap_value (self->acronyms, k) = index;
            }
            char *bar = strchr (org->acronym, '|');
            if (bar)
                *bar = 0;
        }
        char *save = NULL;
        for (char *name = strtok_r (tab + 1, "|", &save); name; name = strtok_r (NULL, "|", &save)) {
            if (!org->name)
                org->name = xstrdup (name);
            s_add_name (self, name, index);
        }
        if (!org->name)
            org->name = xstrdup (org->acronym ? org->acronym : "?");
        free (line);
    }
    return self;
}

entities_t *
entities_new (const char *orgs_path, gazetteer_t *gazetteer, char *err, size_t errsize)
{
    char *text = NULL;
    if (orgs_path) {
        uint8_t *data;
        size_t size;
        if (file_read (orgs_path, 16 * 1024 * 1024, &data, &size)) {
            snprintf (err, errsize, "cannot read %s: %s", orgs_path, strerror (errno));
            return NULL;
        }
        text = xstrndup ((const char *) data, size);   //  file_read does not terminate
        free (data);
    }
    char why [256] = "";
    entities_t *self = entities_new_text (text, gazetteer, why, sizeof why);
    if (!self)
        snprintf (err, errsize, "%s: %s", orgs_path ? orgs_path : "orgs", why);
    free (text);
    return self;
}

//  --------------------------------------------------------------------------
//  Given names: "Olaf", "Fumio", "!Dean Witter"

void
entities_set_given_text (entities_t *self, const char *text)
{
    assert (self);
    strmap_destroy (&self->given);
    strmap_destroy (&self->not_people);
    //  The memo says which words are given names: work it out again
    self->memo_epoch = UINT64_MAX;      //  No lexicon has this epoch
    if (!text)
        return;
    self->given = strmap_new ();
    self->not_people = strmap_new ();
    buf_t folded = { 0 };
    for (const char *p = text; *p; ) {
        const char *nl = strchr (p, '\n');
        size_t len = nl ? (size_t) (nl - p) : strlen (p);
        const char *hash = memchr (p, '#', len);
        if (hash)
            len = (size_t) (hash - p);
        while (len && isspace ((unsigned char) *p)) {
            p++;
            len--;
        }
        s_wordv_t list = { 0 };
        if (len && *p == '!') {
            //  A whole run that is no person: its folded words, spaced
            tokenize (p + 1, len - 1, s_collect, &list);
            buf_clear (&folded);
            for (size_t i = 0; i < list.len; i++) {
                if (i)
                    buf_putc (&folded, ' ');
                buf_puts (&folded, list.items [i].word);
            }
            if (list.len >= 2 && list.len <= ENT_MAX_WORDS)
                strmap_intern (self->not_people, folded.data, folded.size, NULL);
        }
        else
        if (len) {
            tokenize (p, len, s_collect, &list);
            for (size_t i = 0; i < list.len; i++)
                if (!list.items [i].number && list.items [i].word [0])
                    strmap_intern (self->given, list.items [i].word,
                                   strlen (list.items [i].word), NULL);
        }
        s_words_free (&list);
        if (!nl)
            break;
        p = nl + 1;
    }
    buf_free (&folded);
}

int
entities_load_given (entities_t *self, const char *path, char *err, size_t errsize)
{
    assert (self);
    uint8_t *data;
    size_t size;
    if (file_read (path, 16 * 1024 * 1024, &data, &size)) {
        snprintf (err, errsize, "cannot read %s: %s", path, strerror (errno));
        return -1;
    }
    if (memchr (data, 0, size)) {
        snprintf (err, errsize, "%s: not a text file (NUL byte)", path);
        free (data);
        return -1;
    }
    char *text = xstrndup ((const char *) data, size);   //  file_read does not terminate
    free (data);
    entities_set_given_text (self, text);
    free (text);
    return 0;
}

size_t
entities_given_count (entities_t *self)
{
    return self && self->given ? strmap_size (self->given) : 0;
}

void
entities_destroy (entities_t **self_p)
{
    assert (self_p);
    entities_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->orgs.len; i++) {
        free (self->orgs.items [i].name);
        free (self->orgs.items [i].acronym);
    }
    free (self->orgs.items);
    wordtrie_destroy (&self->trie);
    free (self->memo);
    lexicon_destroy (&self->lexicon);
    strmap_destroy (&self->acronyms);
    strmap_destroy (&self->words);
    strmap_destroy (&self->given);
    strmap_destroy (&self->not_people);
    tokenizer_destroy (&self->english);
    free (self);
    *self_p = NULL;
}

void
entities_free (entityv_t *list)
{
    for (size_t i = 0; i < list->len; i++) {
        free (list->items [i].name);
        free (list->items [i].acronym);
    }
    free (list->items);
    memset (list, 0, sizeof *list);
}

//  --------------------------------------------------------------------------
//  Finding names

//  What a word of the lexicon is to the finder (a memo: zero until known)
typedef struct {
    int32_t word1;              //  Organisation-name word id + 1, 0 if in no name
    int32_t first1;             //  Trie node of the names it starts + 1, 0 if none
    uint8_t cls;                //  W_* classes
    uint8_t is;                 //  IS_* (a few words the rules name)
    uint8_t stop;               //  An English stop word
    uint8_t place;              //  On its own a place name (gazetteer_place_word)
    uint8_t plural;             //  A plural title or role ("Ministers")
    uint8_t given;              //  A common given name (cue-free people)
    uint8_t known;              //  1 once worked out
} s_memo_t;

#define IS_OF       0x01        //  "of"
#define IS_FOR      0x02        //  "for"
#define IS_AND      0x04        //  "and"
#define IS_PARTICLE 0x08        //  A particle inside a person's name ("von der Leyen")

//  Particles: lower-case words that may stand inside a person's name
static const char *s_particles [] = {
    "von", "van", "der", "den", "de", "da", "dos", "das", "del", "della", "di", "du",
    "la", "le", "bin", "ibn", "al", "el", NULL
};

static bool
s_is_particle (const char *word)
{
    for (int i = 0; s_particles [i]; i++)
        if (strcmp (word, s_particles [i]) == 0)
            return true;
    return false;
}

typedef struct {
    entities_t *self;
    const lexicon_t *lexicon;   //  Where the words are
    const char *text;           //  The text (NUL-terminated)
    const lexword_t *w;         //  Its words
    size_t count;               //  Words
    s_memo_t *memos;            //  Word id -> memo (see s_memo_at)
    entityv_t *out;
    VEC (int32_t) surnames;     //  Word ids of surnames of people found
    VEC (int) surname_entity;   //  Entity index of each surname
    int people, orgs;           //  Counts (for the caps)
    size_t skip;                //  Words before this one were read already
    uint64_t lower [16];        //  Filter of the ids of lower-case words
    bool lower_ready;           //  lower is filled
    int title_case;             //  Title case (no cue-free people): 1, 0, -1 unknown
} s_ctx_t;

//  The memo of word k (worked out when first needed: most words are never
//  looked at, and reading the memo of a rare word is a cache miss)
#define M(k)        s_memo_at (ctx, k)
#define CAPITAL(k)  ((ctx->w [k].flags & LEX_CAPITAL) != 0)
#define UPPER(k)    ((ctx->w [k].flags & LEX_UPPER) != 0)
#define NUMBER(k)   ((ctx->w [k].flags & LEX_NUMBER) != 0)
#define SENTENCE(k) ((ctx->w [k].flags & LEX_SENTENCE) != 0)

//  Work out what a word of lexicon is to the finder
static void
s_memo_fill (entities_t *self, const lexicon_t *lexicon, int32_t id, s_memo_t *memo)
{
    size_t len;
    const char *word = lexicon_word (lexicon, id, &len);
    int32_t ew = wordtrie_word (self->trie, word, len);
    memo->word1 = ew + 1;
    memo->first1 = wordtrie_next (self->trie, 0, ew) + 1;
    memo->cls = (uint8_t) s_class (self, word, len);
    memo->is = (strcmp (word, "of") == 0 ? IS_OF : 0) | (strcmp (word, "for") == 0 ? IS_FOR : 0)
             | (strcmp (word, "and") == 0 ? IS_AND : 0)
             | (s_is_particle (word) ? IS_PARTICLE : 0);
    memo->stop = tokenizer_is_stopword (self->english, word, len);
    memo->place = self->gazetteer && len > 1 && gazetteer_place_word (self->gazetteer, word, len);
    memo->plural = len > 3 && word [len - 1] == 's'
                && (s_class (self, word, len - 1) & (W_TITLE | W_ROLE));
    memo->given = self->given && strmap_find (self->given, word, len) >= 0;
    memo->known = 1;
}

static inline s_memo_t *
s_memo_at (s_ctx_t *ctx, size_t k)
{
    s_memo_t *memo = &ctx->memos [ctx->w [k].id];
    if (!memo->known)
        s_memo_fill (ctx->self, ctx->lexicon, ctx->w [k].id, memo);
    return memo;
}

//  Only spaces (and at most one '&' or '-') between words a and a+1?
static bool
s_joined (s_ctx_t *ctx, size_t a)
{
    const lexword_t *w = &ctx->w [a], *n = &ctx->w [a + 1];
    const char *p = ctx->text + w->offset + w->length, *end = ctx->text + n->offset;
    //  "Kodak's Giles": a possessive ends a name
    if (w->length > 2 && (p [-2] == '\'' || (w->length > 4 && memcmp (p - 4, "\xe2\x80\x99", 3) == 0))
    &&  (p [-1] == 's' || p [-1] == 'S'))
        return false;
    int marks = 0;
    //  "J. Smith", "Inc. said": a period after an initial or abbreviation
    if (p < end && *p == '.' && (w->length == 1
        || (w->length <= 5 && (M (a)->cls & (W_SUFFIX | W_TITLE)))))
        p++;
    for (; p < end; p++) {
        if (*p == ' ')
            continue;
        if ((*p == '&' || *p == '-') && marks == 0) {
            marks++;
            continue;
        }
        return false;
    }
    return true;
}

//  The text between words a and b (inclusive) as written, without a
//  possessive 's ("Reagan's"): a pointer into the text, and its length
static const char *
s_span (s_ctx_t *ctx, size_t a, size_t b, size_t *len)
{
    const lexword_t *first = &ctx->w [a], *last = &ctx->w [b];
    size_t end = (size_t) last->offset + last->length;
    const char *t = ctx->text;
    if (end - first->offset > 2 && (t [end - 1] == 's' || t [end - 1] == 'S')) {
        if (t [end - 2] == '\'')
            end -= 2;
        else
        if (end - first->offset > 4 && memcmp (t + end - 4, "\xe2\x80\x99", 3) == 0)
            end -= 4;
    }
    *len = end - first->offset;
    return t + first->offset;
}

//  What follows word b: the next non-space character
static char
s_after (s_ctx_t *ctx, size_t b)
{
    const lexword_t *w = &ctx->w [b];
    const char *p = ctx->text + w->offset + w->length;
    while (*p == ' ')
        p++;
    return *p;
}

//  Is the string s equal to len bytes at p?
static inline bool
s_same (const char *s, const char *p, size_t len)
{
    return strncmp (s, p, len) == 0 && s [len] == 0;
}

//  Add a mention of a name (len bytes; acronym: acronym_len bytes or NULL)
static entity_t *
s_add (s_ctx_t *ctx, const char *name, size_t len, const char *acronym, size_t acronym_len,
       bool organisation)
{
    for (size_t i = 0; i < ctx->out->len; i++) {
        entity_t *e = &ctx->out->items [i];
        if (e->organisation == organisation && s_same (e->name, name, len)) {
            e->mentions++;
            if (acronym && !e->acronym)
                e->acronym = xstrndup (acronym, acronym_len);
            return e;
        }
    }
    if ((organisation ? ctx->orgs : ctx->people) >= ENT_MAX_FOUND)
        return NULL;
    entity_t *e = vec_push (ctx->out);
    e->name = xstrndup (name, len);
    e->acronym = acronym ? xstrndup (acronym, acronym_len) : NULL;
    e->organisation = organisation;
    e->mentions = 1;
    if (organisation)
        ctx->orgs++;
    else
        ctx->people++;
    return e;
}

//  An organisation of the list (by its index)
static void
s_add_org (s_ctx_t *ctx, int32_t index)
{
    s_org_t *org = &ctx->self->orgs.items [index];
    s_add (ctx, org->name, strlen (org->name), org->acronym,
           org->acronym ? strlen (org->acronym) : 0, true);
}

//  Does the folded word appear in lower case elsewhere in the text? (Asked
//  of a few sentence-initial words: a scan costs less than marking every
//  lower-case word of every story.)
static bool
s_lower_elsewhere (s_ctx_t *ctx, size_t k)
{
    if (!ctx->lower_ready) {
        //  A 1024-bit filter of the lower-case words' ids: most words
        //  asked about are names, which it rules out at once
        for (size_t i = 0; i < ctx->count; i++)
            if (!(ctx->w [i].flags & LEX_CAPITAL))
                ctx->lower [(ctx->w [i].id >> 6) & 15] |= 1ULL << (ctx->w [i].id & 63);
        ctx->lower_ready = true;
    }
    int32_t id = ctx->w [k].id;
    if (!(ctx->lower [(id >> 6) & 15] & (1ULL << (id & 63))))
        return false;
    for (size_t i = 0; i < ctx->count; i++)
        if (ctx->w [i].id == id && !(ctx->w [i].flags & LEX_CAPITAL))
            return true;
    return false;
}

//  A known organisation name starting at word a: its end (exclusive) or 0
static size_t
s_known_org (s_ctx_t *ctx, size_t a, size_t limit, int32_t *org)
{
    entities_t *self = ctx->self;
    //  Known names start with a capital
    if (!CAPITAL (a))
        return 0;
    int32_t node = M (a)->first1 - 1;
    size_t found = 0;
    for (size_t j = a; node >= 0;) {
        //  node is where words a..j lead
        if (wordtrie_value (self->trie, node) >= 0) {
            *org = wordtrie_value (self->trie, node);
            found = j + 1;
        }
        if (!wordtrie_more (self->trie, node))
            break;
        j++;
        if (j >= limit || j - a >= ENT_MAX_WORDS || !s_joined (ctx, j - 1) || !M (j)->word1)
            break;
        node = wordtrie_next (self->trie, node, M (j)->word1 - 1);
    }
    return found;
}

//  Is the run [a, b] a place name of the gazetteer?
static bool
s_is_place (s_ctx_t *ctx, size_t a, size_t b)
{
    if (!ctx->self->gazetteer)
        return false;
    return gazetteer_lookup_words (ctx->self->gazetteer, ctx->lexicon, ctx->w + a, b - a + 1) != NULL;
}

//  Is the text in title case ("Oil Prices Fall As John Smith Speaks"),
//  where capitals say little? Asked only when a cue-free name is seen:
//  nearly every word that is no stop word is capitalised
static bool
s_title_case (s_ctx_t *ctx)
{
    if (ctx->title_case < 0) {
        size_t capital = 0, lower = 0;
        for (size_t i = 0; i < ctx->count; i++) {
            if (NUMBER (i))
                continue;
            if (CAPITAL (i))
                capital++;
            else
            if (!M (i)->stop && (ctx->w [i].flags & LEX_ALPHA))
                lower++;
        }
        ctx->title_case = lower * 4 < capital;
    }
    return ctx->title_case == 1;
}

//  Is the run [a, b], which starts with a given name, no person after all:
//  listed as such ("!Dean Witter"), or the start of the name of an
//  organisation found earlier in the text ("Dean Witter" after "Dean
//  Witter Reynolds Inc")?
static bool
s_not_person (s_ctx_t *ctx, size_t a, size_t b)
{
    entities_t *self = ctx->self;
    //  "John L. burns": a name ends with no initial
    if (ctx->w [b].length == 1)
        return true;
    //  "Marine Midland Banks": a plural corporate word ends it
    size_t last_len;
    const char *last = lexicon_word (ctx->lexicon, ctx->w [b].id, &last_len);
    if (last_len > 3 && last [last_len - 1] == 's' && (s_class (self, last, last_len - 1) & W_SUFFIX))
        return true;
    if (self->not_people && strmap_size (self->not_people)) {
        char folded [256];
        size_t used = 0;
        for (size_t i = a; i <= b; i++) {
            size_t len;
            const char *word = lexicon_word (ctx->lexicon, ctx->w [i].id, &len);
            if (used + len + 2 > sizeof folded)
                return false;
            if (i > a)
                folded [used++] = ' ';
            memcpy (folded + used, word, len);
            used += len;
        }
        if (strmap_find (self->not_people, folded, used) >= 0)
            return true;
    }
    size_t len;
    const char *name = s_span (ctx, a, b, &len);
    for (size_t i = 0; i < ctx->out->len; i++) {
        const entity_t *e = &ctx->out->items [i];
        if (e->organisation && strncmp (e->name, name, len) == 0 && e->name [len] == ' ')
            return true;
    }
    return false;
}

//  Read one run of capitalised words [a, b]
static void
s_run (s_ctx_t *ctx, size_t a, size_t b)
{
    entities_t *self = ctx->self;
    const lexword_t *w = ctx->w;
    //  Drop a sentence-initial common word ("The", "Shares", "But")
    while (a <= b && SENTENCE (a) && !UPPER (a)
       && (M (a)->stop || s_lower_elsewhere (ctx, a) || (M (a)->cls & (W_CONNECT | W_ARTICLE))))
        a++;
    //  Drop connectors at the ends
    while (a <= b && (M (a)->cls & (W_CONNECT | W_ARTICLE)))
        a++;
    while (b >= a && b > 0 && (M (b)->cls & W_CONNECT))
        b--;
    if (a > b)
        return;

    //  Known organisations inside the run (longest first)
    for (size_t i = a; i <= b; i++) {
        int32_t org;
        size_t end = s_known_org (ctx, i, b + 1, &org);
        if (end) {
            s_add_org (ctx, org);
            //  What precedes it is read on its own
            if (i > a)
                s_run (ctx, a, i - 1);
            if (end <= b)
                s_run (ctx, end, b);
            return;
        }
    }
    //  Acronyms: a single word written as in the list ("NATO", "Fed"), or
    //  an all-capital word defined earlier in the text
    if (a == b) {
        size_t len;
        const char *acro = s_span (ctx, a, a, &len);
        int32_t known = strmap_get (self->acronyms, acro, len);
        if (known >= 0) {
            s_add_org (ctx, known);
            return;
        }
        if (UPPER (a) && w [a].length >= 2) {
            //  Defined earlier in this text ("... Countries (OPEC)")?
            for (size_t i = 0; i < ctx->out->len; i++)
                if (ctx->out->items [i].acronym && s_same (ctx->out->items [i].acronym, acro, len)) {
                    ctx->out->items [i].mentions++;
                    break;
                }
            return;
        }
    }
    //  Title words in front: a person follows
    size_t start = a;
    bool titled = false;
    //  "German Chancellor", "U.S. Secretary of State": places before titles
    size_t lead = a;
    while (lead < b && self->gazetteer && !(M (lead)->cls & W_TITLE) && s_is_place (ctx, lead, lead))
        lead++;
    if (lead > a && lead < b && (M (lead)->cls & W_TITLE))
        start = lead;
    while (start < b && ((M (start)->cls & W_TITLE) || (start > a && (M (start)->is & IS_OF))))
        start++;
    //  "Renault President Raymond Levy": a title inside the run; the words
    //  before it name the employer
    if (start == a && b >= a + 3)
        for (size_t k = b - 1; k > a + 1; k--)
            if ((M (k - 1)->cls & W_TITLE) && !(M (b)->cls & W_SUFFIX)) {
                start = k;
                break;
            }
    if (start > a) {
        //  "President" alone before a name; but "Federal Reserve Board" is no title
        titled = true;
    }
    //  "Acme Inc and Brightline AG": two organisations
    for (size_t k = a + 1; k < b; k++)
        if ((M (k)->is & IS_AND) && (M (k - 1)->cls & W_SUFFIX)) {
            s_run (ctx, a, k - 1);
            s_run (ctx, k + 1, b);
            return;
        }
    //  "United States and Soviet Union": places joined by "and"
    for (size_t k = a + 1; k < b; k++)
        if ((M (k)->is & IS_AND) && s_is_place (ctx, a, k - 1)) {
            s_run (ctx, k + 1, b);
            return;
        }
    //  "Denys Shmyhal and Polish Agriculture Minister Anna Kowalska": a run
    //  with "and" that is no organisation as a whole is two runs
    if (!(M (b)->cls & W_SUFFIX) && !(M (a)->cls & W_HEAD))
        for (size_t k = a + 1; k < b; k++)
            if (M (k)->is & IS_AND) {
                s_run (ctx, a, k - 1);
                s_run (ctx, k + 1, b);
                return;
            }
    //  Organisations by shape
    int last_class = M (b)->cls;
    int first_class = M (a)->cls;
    bool has_of = false, has_amp = false;
    for (size_t i = a; i < b; i++) {
        if (M (i + 1)->is & (IS_OF | IS_FOR))
            has_of = true;
        const char *p = ctx->text + w [i].offset + w [i].length;
        if (*p == ' ' && p [1] == '&')
            has_amp = true;
    }
    bool org = ((last_class & W_SUFFIX) && b > a)
            || ((first_class & W_HEAD) && has_of)
            || (has_amp && b > a);
    if (org && !(titled && !(last_class & W_SUFFIX) && !has_of)) {
        size_t len, acronym_len = 0;
        const char *name = s_span (ctx, a, b, &len);
        //  "... Countries (OPEC)": an acronym defined in the text
        const char *acronym = NULL;
        const char *p = ctx->text + w [b].offset + w [b].length;
        while (*p == ' ')
            p++;
        if (*p == '(' && b + 1 < ctx->count && UPPER (b + 1)
        &&  ctx->text [w [b + 1].offset + w [b + 1].length] == ')')
        {
            acronym = s_span (ctx, b + 1, b + 1, &acronym_len);
            ctx->skip = b + 2;          //  The "(OPEC)" is this mention
        }
        s_add (ctx, name, len, acronym, acronym_len, true);
        return;
    }
    //  People: the words after the titles
    if (start > b)
        return;
    size_t n = b - start + 1;
    if (n > 4)
        return;
    size_t particles = 0;
    for (size_t i = start; i <= b; i++) {
        const s_memo_t *memo = M (i);
        //  "Ursula von der Leyen", "Mohammed bin Salman"
        if (!CAPITAL (i) && i > start && i < b && (memo->is & IS_PARTICLE)) {
            particles++;
            continue;
        }
        if ((memo->cls & (W_NOTNAME | W_SUFFIX)) || NUMBER (i)
        ||  (UPPER (i) && w [i].length > 1) || !CAPITAL (i))
            return;
        //  "Statistics Canada", "Dutch Net National Income": no person
        if (memo->place)
            return;
        //  "Finance Ministers": a plural title is no name
        if (n == 1 && memo->plural)
            return;
        if (n == 1 && (memo->cls & (W_TITLE | W_ROLE)))
            return;
    }
    if (s_is_place (ctx, start, b))
        return;
    //  Cues
    bool cue = titled;
    bool initial = false;
    for (size_t i = start + 1; i < b; i++)
        if (w [i].length == 1)
            initial = true;
    if (initial && n >= 3)
        cue = true;
    if (!cue && start > 0 && w [start - 1].offset + w [start - 1].length <= w [start].offset
    &&  (M (start - 1)->cls & W_ROLE) && !CAPITAL (start - 1))
        cue = true;
    if (!cue && b + 1 < ctx->count) {
        int next = M (b + 1)->cls;
        char after = s_after (ctx, b);
        if ((next & W_SAID) && after != ',' && after != '.')
            cue = true;
        if (after == ',' && b + 2 < ctx->count) {
            int n1 = M (b + 1)->cls;
            if (n1 & W_ARTICLE)
                for (size_t k = b + 2; k < ctx->count && k <= b + 5; k++) {
                    if (M (k)->cls & W_ROLE) {
                        cue = true;
                        break;
                    }
                    if (CAPITAL (k) || !s_joined (ctx, k - 1))
                        break;
                }
            if ((n1 & W_ROLE) || (n1 & W_SAID))
                cue = true;
        }
    }
    if (!cue && start >= 1 && (M (start - 1)->cls & W_SAID))
        cue = true;
    //  No cue, but a common given name first: "Olaf Scholz met ..."
    if (!cue && n - particles >= 2 && n - particles <= 3 && M (start)->given && !s_title_case (ctx) && !s_not_person (ctx, start, b))
        cue = true;
    //  A surname seen before with a full name is the same person
    int32_t surname = w [b].id;
    for (size_t i = 0; i < ctx->surnames.len; i++)
        if (ctx->surnames.items [i] == surname) {
            entity_t *e = &ctx->out->items [ctx->surname_entity.items [i]];
            if (n == 1) {
                e->mentions++;
                return;
            }
        }
    if (!cue || (n == 1 && !titled))
        return;
    size_t len;
    const char *name = s_span (ctx, start, b, &len);
    //  "Lee Jae-myung", "Ban Ki-moon": a short lower-case syllable after a
    //  short one and a hyphen (but "Icahn-controlled" is no name)
    if (b > start && b + 1 < ctx->count && w [b].length <= 4 && w [b + 1].length <= 6
    &&  !M (b + 1)->stop && w [b].offset + w [b].length + 1 == w [b + 1].offset
    &&  name + len == ctx->text + w [b].offset + w [b].length
    &&  ctx->text [w [b + 1].offset - 1] == '-' && !CAPITAL (b + 1) && !NUMBER (b + 1)
    &&  (w [b + 1].flags & LEX_ALPHA))
        len = w [b + 1].offset + w [b + 1].length - w [start].offset;
    entity_t *e = s_add (ctx, name, len, NULL, 0, false);
    if (e && n >= 2 && e->mentions == 1) {
        *vec_push (&ctx->surnames) = surname;
        *vec_push (&ctx->surname_entity) = (int) (e - ctx->out->items);
    }
}

int
entities_find_words (entities_t *self, const lexicon_t *lexicon, const lextext_t *text,
                     entityv_t *out)
{
    if (!text || !text->text || text->words.len == 0)
        return 0;
    const lexword_t *w = text->words.items;
    size_t count = text->words.len;
    //  All-capital text says nothing about names
    size_t letters = 0, upper = 0;
    for (size_t i = 0; i < count; i++)
        if (!(w [i].flags & LEX_NUMBER)) {
            letters++;
            upper += (w [i].flags & LEX_UPPER) != 0;
        }
    if (letters == 0 || upper * 10 >= letters * 8)
        return 0;
    lexicon_memo (lexicon, &self->memo, &self->memo_size, sizeof (s_memo_t), &self->memo_epoch);
    s_memo_t *memos = (s_memo_t *) self->memo;
    s_ctx_t ctx = { self, lexicon, text->text, w, count, memos, out };
    ctx.title_case = -1;
    size_t before = out->len;
    for (size_t i = 0; i < count; ) {
        if (!(w [i].flags & LEX_CAPITAL) || (w [i].flags & LEX_NUMBER)) {
            i++;
            continue;
        }
        //  The run: capitalised words, with connectors between them
        size_t j = i;
        while (j + 1 < count && j - i < ENT_MAX_WORDS && s_joined (&ctx, j)) {
            const lexword_t *n = &w [j + 1];
            if ((n->flags & LEX_CAPITAL) && !(n->flags & LEX_NUMBER)) {
                j++;
                continue;
            }
            if ((s_memo_at (&ctx, j + 1)->cls & W_CONNECT) && j + 2 < count
            &&  (w [j + 2].flags & LEX_CAPITAL) && s_joined (&ctx, j + 1)) {
                j += 2;
                continue;
            }
            //  Two particles: "Ursula von der Leyen", "Juan de la Cruz"
            if ((s_memo_at (&ctx, j + 1)->is & IS_PARTICLE) && j + 3 < count
            &&  !(w [j + 2].flags & LEX_CAPITAL) && (s_memo_at (&ctx, j + 2)->is & IS_PARTICLE)
            &&  (w [j + 3].flags & LEX_CAPITAL) && s_joined (&ctx, j + 1) && s_joined (&ctx, j + 2)) {
                j += 3;
                continue;
            }
            break;
        }
        s_run (&ctx, i, j);
        i = j + 1 > ctx.skip ? j + 1 : ctx.skip;
    }
    free (ctx.surnames.items);
    free (ctx.surname_entity.items);
    return (int) (out->len - before);
}

int
entities_find (entities_t *self, const char *text, entityv_t *out)
{
    if (!text)
        return 0;
    if (!self->lexicon)
        self->lexicon = lexicon_new ();
    lexicon_trim (self->lexicon, 100000);
    lextext_t words = { 0 };
    lexicon_read (self->lexicon, text, strlen (text), &words);
    int found = entities_find_words (self, self->lexicon, &words, out);
    lextext_free (&words);
    return found;
}
