//  SPDX-License-Identifier: MIT
//  entities - people and organisations (see entities.h)

#include "common.h"
#include "classify/strmap.h"
#include "classify/tokenize.h"
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
    strmap_t *names;            //  Folded name -> org index (value)
    strmap_t *prefixes;         //  Proper prefixes of names
    strmap_t *acronyms;         //  Acronym as written -> org index (value)
    strmap_t *words;            //  Folded word -> word class bits (value)
    tokenizer_t *english;       //  For English stop words
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

static void
s_name_key (const char *name, buf_t *key, size_t *words)
{
    s_wordv_t list = { 0 };
    tokenize (name, strlen (name), s_collect, &list);
    buf_clear (key);
    for (size_t i = 0; i < list.len; i++) {
        if (i)
            buf_putc (key, ' ');
        buf_puts (key, list.items [i].word);
    }
    *words = list.len;
    s_words_free (&list);
}

entities_t *
entities_new_text (const char *orgs_text, gazetteer_t *gazetteer, char *err, size_t errsize)
{
    entities_t *self = (entities_t *) xcalloc (1, sizeof (entities_t));
    self->gazetteer = gazetteer;
    self->names = strmap_new ();
    self->prefixes = strmap_new ();
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
    buf_t key;
    buf_init (&key);
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
            buf_free (&key);
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
            size_t words;
            s_name_key (name, &key, &words);
            if (words == 0 || words > ENT_MAX_WORDS)
                continue;
            int32_t k = strmap_intern (self->names, key.data, key.size, NULL);
            *strmap_value (self->names, k) = index;
            //  Prefixes: every leading run of words
            for (size_t i = 0; i < key.size; i++)
                if (key.data [i] == ' ')
                    strmap_intern (self->prefixes, key.data, i, NULL);
        }
        if (!org->name)
            org->name = xstrdup (org->acronym ? org->acronym : "?");
        free (line);
    }
    buf_free (&key);
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
    strmap_destroy (&self->names);
    strmap_destroy (&self->prefixes);
    strmap_destroy (&self->acronyms);
    strmap_destroy (&self->words);
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

typedef struct {
    entities_t *self;
    const char *text;
    s_wordv_t words;
    entityv_t *out;
    strv_t surnames;            //  Folded surnames of people found (index = person)
    VEC (int) surname_entity;   //  Entity index of each surname
    int people, orgs;           //  Counts (for the caps)
    size_t skip;                //  Words before this one were read already
    strmap_t *lower;            //  Words seen in lower case in the text
    buf_t key;                  //  Scratch for name look-ups
} s_ctx_t;

//  Only spaces (and at most one '&' or '-') between words a and a+1?
static bool
s_joined (s_ctx_t *ctx, size_t a)
{
    s_word_t *w = &ctx->words.items [a], *n = &ctx->words.items [a + 1];
    const char *p = ctx->text + w->offset + w->length, *end = ctx->text + n->offset;
    //  "Kodak's Giles": a possessive ends a name
    if (w->length > 2 && (p [-2] == '\'' || (w->length > 4 && memcmp (p - 4, "\xe2\x80\x99", 3) == 0))
    &&  (p [-1] == 's' || p [-1] == 'S'))
        return false;
    int marks = 0;
    //  "J. Smith", "Inc. said": a period after an initial or abbreviation
    if (p < end && *p == '.' && (w->length == 1
        || (w->length <= 5 && (s_class (ctx->self, w->word, strlen (w->word)) & (W_SUFFIX | W_TITLE)))))
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

//  The text between words a and b (inclusive) as written. Caller frees.
static char *
s_span_text (s_ctx_t *ctx, size_t a, size_t b)
{
    s_word_t *first = &ctx->words.items [a], *last = &ctx->words.items [b];
    size_t end = last->offset + last->length;
    //  Without a possessive 's ("Reagan's")
    const char *t = ctx->text;
    if (end - first->offset > 2 && (t [end - 1] == 's' || t [end - 1] == 'S')) {
        if (t [end - 2] == '\'')
            end -= 2;
        else
        if (end - first->offset > 4 && memcmp (t + end - 4, "\xe2\x80\x99", 3) == 0)
            end -= 4;
    }
    return xstrndup (ctx->text + first->offset, end - first->offset);
}

//  What follows word b: the next non-space character
static char
s_after (s_ctx_t *ctx, size_t b)
{
    s_word_t *w = &ctx->words.items [b];
    const char *p = ctx->text + w->offset + w->length;
    while (*p == ' ')
        p++;
    return *p;
}

static entity_t *
s_add (s_ctx_t *ctx, const char *name, const char *acronym, bool organisation)
{
    for (size_t i = 0; i < ctx->out->len; i++) {
        entity_t *e = &ctx->out->items [i];
        if (e->organisation == organisation && strcmp (e->name, name) == 0) {
            e->mentions++;
            if (acronym && !e->acronym)
                e->acronym = xstrdup (acronym);
            return e;
        }
    }
    if ((organisation ? ctx->orgs : ctx->people) >= ENT_MAX_FOUND)
        return NULL;
    entity_t *e = vec_push (ctx->out);
    e->name = xstrdup (name);
    e->acronym = xstrdup (acronym);
    e->organisation = organisation;
    e->mentions = 1;
    if (organisation)
        ctx->orgs++;
    else
        ctx->people++;
    return e;
}

//  Does the folded word appear in lower case elsewhere in the text?
static bool
s_lower_elsewhere (s_ctx_t *ctx, size_t k)
{
    const char *word = ctx->words.items [k].word;
    return strmap_find (ctx->lower, word, strlen (word)) >= 0;
}

//  A known organisation name starting at word a: its end (exclusive) or 0
static size_t
s_known_org (s_ctx_t *ctx, size_t a, size_t limit, int32_t *org)
{
    buf_t *key = &ctx->key;
    buf_clear (key);
    size_t found = 0;
    //  Known names start with a capital
    if (!ctx->words.items [a].capital)
        return 0;
    for (size_t j = a; j < limit && j - a < ENT_MAX_WORDS; j++) {
        if (j > a) {
            if (!s_joined (ctx, j - 1))
                break;
            buf_putc (key, ' ');
        }
        buf_puts (key, ctx->words.items [j].word);
        int32_t index = strmap_get (ctx->self->names, key->data, key->size);
        if (index >= 0) {
            *org = index;
            found = j + 1;
        }
        if (strmap_find (ctx->self->prefixes, key->data, key->size) < 0)
            break;
    }
    return found;
}

//  Is the run [a, b] a place name of the gazetteer?
static bool
s_is_place (s_ctx_t *ctx, size_t a, size_t b)
{
    if (!ctx->self->gazetteer)
        return false;
    char *name = s_span_text (ctx, a, b);
    bool place = gazetteer_lookup (ctx->self->gazetteer, name) != NULL;
    free (name);
    return place;
}

//  Read one run of capitalised words [a, b]
static void
s_run (s_ctx_t *ctx, size_t a, size_t b)
{
    entities_t *self = ctx->self;
    s_word_t *w = ctx->words.items;
    //  Drop a sentence-initial common word ("The", "Shares", "But")
    while (a <= b && w [a].sentence && !w [a].upper
       && (tokenizer_is_stopword (self->english, w [a].word, strlen (w [a].word)) || s_lower_elsewhere (ctx, a)
           || (s_class (self, w [a].word, strlen (w [a].word)) & (W_CONNECT | W_ARTICLE))))
        a++;
    //  Drop connectors at the ends
    while (a <= b && (s_class (self, w [a].word, strlen (w [a].word)) & (W_CONNECT | W_ARTICLE)))
        a++;
    while (b >= a && b > 0 && (s_class (self, w [b].word, strlen (w [b].word)) & W_CONNECT))
        b--;
    if (a > b)
        return;

    //  Known organisations inside the run (longest first)
    for (size_t i = a; i <= b; i++) {
        int32_t org;
        size_t end = s_known_org (ctx, i, b + 1, &org);
        if (end) {
            s_org_t *o = &self->orgs.items [org];
            s_add (ctx, o->name, o->acronym, true);
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
    char *acro = a == b ? s_span_text (ctx, a, a) : NULL;
    int32_t known = acro ? strmap_get (self->acronyms, acro, strlen (acro)) : -1;
    if (known >= 0) {
        s_add (ctx, self->orgs.items [known].name, self->orgs.items [known].acronym, true);
        free (acro);
        return;
    }
    if (a == b && w [a].upper && w [a].length >= 2) {
        {
            //  Defined earlier in this text ("... Countries (OPEC)")?
            for (size_t i = 0; i < ctx->out->len; i++)
                if (ctx->out->items [i].acronym && strcmp (ctx->out->items [i].acronym, acro) == 0) {
                    ctx->out->items [i].mentions++;
                    break;
                }
        }
        free (acro);
        return;
    }
    free (acro);
    //  Title words in front: a person follows
    size_t start = a;
    bool titled = false;
    //  "German Chancellor", "U.S. Secretary of State": places before titles
    size_t lead = a;
    while (lead < b && self->gazetteer && !(s_class (self, w [lead].word, strlen (w [lead].word)) & W_TITLE)
       &&  s_is_place (ctx, lead, lead))
        lead++;
    if (lead > a && lead < b && (s_class (self, w [lead].word, strlen (w [lead].word)) & W_TITLE))
        start = lead;
    while (start < b && ((s_class (self, w [start].word, strlen (w [start].word)) & W_TITLE)
                      || (start > a && strcmp (w [start].word, "of") == 0)))
        start++;
    //  "Renault President Raymond Levy": a title inside the run; the words
    //  before it name the employer
    if (start == a && b >= a + 3)
        for (size_t k = b - 1; k > a + 1; k--)
            if ((s_class (self, w [k - 1].word, strlen (w [k - 1].word)) & W_TITLE)
            &&  !(s_class (self, w [b].word, strlen (w [b].word)) & W_SUFFIX)) {
                start = k;
                break;
            }
    if (start > a) {
        //  "President" alone before a name; but "Federal Reserve Board" is no title
        titled = true;
    }
    //  "Acme Inc and Brightline AG": two organisations
    for (size_t k = a + 1; k < b; k++)
        if (strcmp (w [k].word, "and") == 0
        &&  (s_class (self, w [k - 1].word, strlen (w [k - 1].word)) & W_SUFFIX)) {
            s_run (ctx, a, k - 1);
            s_run (ctx, k + 1, b);
            return;
        }
    //  "United States and Soviet Union": places joined by "and"
    for (size_t k = a + 1; k < b; k++)
        if (strcmp (w [k].word, "and") == 0 && s_is_place (ctx, a, k - 1)) {
            s_run (ctx, k + 1, b);
            return;
        }
    //  "Denys Shmyhal and Polish Agriculture Minister Anna Kowalska": a run
    //  with "and" that is no organisation as a whole is two runs
    if (!(s_class (self, w [b].word, strlen (w [b].word)) & W_SUFFIX)
    &&  !(s_class (self, w [a].word, strlen (w [a].word)) & W_HEAD))
        for (size_t k = a + 1; k < b; k++)
            if (strcmp (w [k].word, "and") == 0) {
                s_run (ctx, a, k - 1);
                s_run (ctx, k + 1, b);
                return;
            }
    //  Organisations by shape
    int last_class = s_class (self, w [b].word, strlen (w [b].word));
    int first_class = s_class (self, w [a].word, strlen (w [a].word));
    bool has_of = false, has_amp = false;
    for (size_t i = a; i < b; i++) {
        if (strcmp (w [i + 1].word, "of") == 0 || strcmp (w [i + 1].word, "for") == 0)
            has_of = true;
        const char *p = ctx->text + w [i].offset + w [i].length;
        if (*p == ' ' && p [1] == '&')
            has_amp = true;
    }
    bool org = ((last_class & W_SUFFIX) && b > a)
            || ((first_class & W_HEAD) && has_of)
            || (has_amp && b > a);
    if (org && !(titled && !(last_class & W_SUFFIX) && !has_of)) {
        char *name = s_span_text (ctx, a, b);
        //  "... Countries (OPEC)": an acronym defined in the text
        char *acronym = NULL;
        const char *p = ctx->text + w [b].offset + w [b].length;
        while (*p == ' ')
            p++;
        if (*p == '(' && b + 1 < ctx->words.len && w [b + 1].upper
        &&  ctx->text [w [b + 1].offset + w [b + 1].length] == ')')
        {
            acronym = s_span_text (ctx, b + 1, b + 1);
            ctx->skip = b + 2;          //  The "(OPEC)" is this mention
        }
        s_add (ctx, name, acronym, true);
        free (acronym);
        free (name);
        return;
    }
    //  People: the words after the titles
    if (start > b)
        return;
    size_t n = b - start + 1;
    if (n > 4)
        return;
    for (size_t i = start; i <= b; i++) {
        size_t wl = strlen (w [i].word);
        int cls = s_class (self, w [i].word, wl);
        if ((cls & (W_NOTNAME | W_SUFFIX)) || w [i].number
        ||  (w [i].upper && w [i].length > 1) || !w [i].capital)
            return;
        //  "Statistics Canada", "Dutch Net National Income": no person
        if (self->gazetteer && wl > 1 && gazetteer_place_word (self->gazetteer, w [i].word, wl))
            return;
        //  "Finance Ministers": a plural title is no name
        if (n == 1 && wl > 3 && w [i].word [wl - 1] == 's'
        &&  (s_class (self, w [i].word, wl - 1) & (W_TITLE | W_ROLE)))
            return;
        if (n == 1 && (cls & (W_TITLE | W_ROLE)))
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
    &&  (s_class (self, w [start - 1].word, strlen (w [start - 1].word)) & W_ROLE)
    &&  !w [start - 1].capital)
        cue = true;
    if (!cue && b + 1 < ctx->words.len) {
        int next = s_class (self, w [b + 1].word, strlen (w [b + 1].word));
        char after = s_after (ctx, b);
        if ((next & W_SAID) && after != ',' && after != '.')
            cue = true;
        if (after == ',' && b + 2 < ctx->words.len) {
            int n1 = s_class (self, w [b + 1].word, strlen (w [b + 1].word));
            int n2 = s_class (self, w [b + 2].word, strlen (w [b + 2].word));
            if (n1 & W_ARTICLE)
                for (size_t k = b + 2; k < ctx->words.len && k <= b + 5; k++) {
                    if (s_class (self, w [k].word, strlen (w [k].word)) & W_ROLE) {
                        cue = true;
                        break;
                    }
                    if (w [k].capital || !s_joined (ctx, k - 1))
                        break;
                }
            (void) n2;
            if ((n1 & W_ROLE) || (n1 & W_SAID))
                cue = true;
        }
    }
    if (!cue && start >= 1 && (s_class (self, w [start - 1].word, strlen (w [start - 1].word)) & W_SAID))
        cue = true;
    //  A surname seen before with a full name is the same person
    const char *surname = w [b].word;
    for (size_t i = 0; i < ctx->surnames.len; i++)
        if (strcmp (ctx->surnames.items [i], surname) == 0) {
            entity_t *e = &ctx->out->items [ctx->surname_entity.items [i]];
            if (n == 1) {
                e->mentions++;
                return;
            }
        }
    if (!cue || (n == 1 && !titled))
        return;
    char *name = s_span_text (ctx, start, b);
    entity_t *e = s_add (ctx, name, NULL, false);
    free (name);
    if (e && n >= 2 && e->mentions == 1) {
        strv_push (&ctx->surnames, surname);
        *vec_push (&ctx->surname_entity) = (int) (e - ctx->out->items);
    }
}

int
entities_find (entities_t *self, const char *text, entityv_t *out)
{
    if (!text)
        return 0;
    s_ctx_t ctx = { self, text, { 0 }, out, { 0 }, { 0 }, 0, 0, 0, NULL, { 0 } };
    size_t before = out->len;
    tokenize (text, strlen (text), s_collect, &ctx.words);
    //  All-capital text says nothing about names
    size_t letters = 0, upper = 0;
    for (size_t i = 0; i < ctx.words.len; i++)
        if (!ctx.words.items [i].number) {
            letters++;
            upper += ctx.words.items [i].upper;
        }
    if (letters == 0 || upper * 10 >= letters * 8) {
        s_words_free (&ctx.words);
        return 0;
    }
    s_word_t *w = ctx.words.items;
    ctx.lower = strmap_new ();
    for (size_t i = 0; i < ctx.words.len; i++)
        if (!w [i].capital)
            strmap_intern (ctx.lower, w [i].word, strlen (w [i].word), NULL);
    for (size_t i = 0; i < ctx.words.len; ) {
        if (!w [i].capital || w [i].number) {
            i++;
            continue;
        }
        //  The run: capitalised words, with connectors between them
        size_t j = i;
        while (j + 1 < ctx.words.len && j - i < ENT_MAX_WORDS && s_joined (&ctx, j)) {
            s_word_t *n = &w [j + 1];
            if (n->capital && !n->number) {
                j++;
                continue;
            }
            int cls = s_class (self, n->word, strlen (n->word));
            if ((cls & W_CONNECT) && j + 2 < ctx.words.len && w [j + 2].capital
            &&  s_joined (&ctx, j + 1)) {
                j += 2;
                continue;
            }
            break;
        }
        s_run (&ctx, i, j);
        i = j + 1 > ctx.skip ? j + 1 : ctx.skip;
    }
    strmap_destroy (&ctx.lower);
    buf_free (&ctx.key);
    strv_free (&ctx.surnames);
    free (ctx.surname_entity.items);
    s_words_free (&ctx.words);
    return (int) (out->len - before);
}
