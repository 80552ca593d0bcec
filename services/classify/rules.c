//  SPDX-License-Identifier: MIT
//  rules - boolean keyword rules (see rules.h)

#include "common.h"
#include "classify/strmap.h"
#include "classify/lexicon.h"
#include "classify/rules.h"

#define RULES_MAX_DEPTH 64      //  Parentheses and NOTs nested at most

typedef enum { N_WORD, N_PREFIX, N_PHRASE, N_AND, N_OR, N_NOT } s_op_t;

typedef struct {
    s_op_t op;
    int a, b;                   //  Children (AND, OR: both; NOT: a)
    strv_t words;               //  WORD/PREFIX: one folded word; PHRASE: several
    VEC (int32_t) ids;          //  WORD/PHRASE: word ids; PREFIX: prefix id
} s_node_t;

typedef struct {
    char *literal;
    char *name;
    int root;                   //  Node index
} s_rule_t;

//  A node as evaluation reads it: no pointers to chase
typedef struct {
    int32_t op;                 //  s_op_t
    int32_t a, b;               //  Children
    uint32_t ids;               //  First word or prefix id in the id pool
    uint32_t nids;              //  Ids
} s_flat_t;

typedef struct {
    int32_t position;           //  Word position in the document
    int32_t id;                 //  Rule word id
} s_hit_t;

typedef struct {
    uint32_t stamp;             //  Current document
    VEC (uint32_t) seen;        //  Word id -> stamp of the last document that had it
    VEC (uint32_t) prefixed;    //  Prefix id -> stamp likewise
    VEC (s_hit_t) hits;         //  Positions of rule words, in order
} s_doc_t;

struct _rules_t {
    VEC (s_node_t) nodes;
    VEC (s_rule_t) rules;
    strmap_t *words;            //  Every word of every term -> word id (value)
    strv_t prefixes;            //  Prefix terms, by prefix id
    s_doc_t doc;                //  Scratch: the document being matched
    void *memo;                 //  Word id -> what it is to the rules
    size_t memo_size;           //  Entries in memo
    uint64_t memo_epoch;        //  Lexicon epoch of memo
    uint8_t *states;            //  Word id -> 0 not known yet, 1 in no rule,
                                //  2 see memo
    size_t states_size;         //  Entries in states
    uint64_t states_epoch;      //  Lexicon epoch of states
    VEC (int32_t) pool;         //  Prefix ids of the memo's words
    lexicon_t *lexicon;         //  Own lexicon, for rules_match
    VEC (s_flat_t) flat;        //  The nodes, flat
    VEC (int32_t) ids;          //  Word and prefix ids of the flat nodes
};

//  --------------------------------------------------------------------------
//  Query parser

typedef enum { T_END, T_WORD, T_PHRASE, T_AND, T_OR, T_NOT, T_OPEN, T_CLOSE, T_BAD } s_tok_t;

typedef struct {
    rules_t *self;
    const char *p;              //  Next character
    s_tok_t tok;                //  Current token
    char *text;                 //  Its text (word or phrase)
    const char *error;          //  First error
    int depth;
} s_parser_t;

static void
s_next (s_parser_t *ps)
{
    free (ps->text);
    ps->text = NULL;
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
    char c = *ps->p;
    if (c == 0) {
        ps->tok = T_END;
        return;
    }
    if (c == '(' || c == ')') {
        ps->tok = c == '(' ? T_OPEN : T_CLOSE;
        ps->p++;
        return;
    }
    if (c == '"') {
        const char *end = strchr (ps->p + 1, '"');
        if (!end) {
            ps->tok = T_BAD;
            ps->error = "unterminated \"phrase\"";
            return;
        }
        ps->text = xstrndup (ps->p + 1, (size_t) (end - ps->p - 1));
        ps->p = end + 1;
        ps->tok = T_PHRASE;
        return;
    }
    const char *start = ps->p;
    while (*ps->p && *ps->p != ' ' && *ps->p != '\t' && *ps->p != '(' && *ps->p != ')'
       &&  *ps->p != '"')
        ps->p++;
    ps->text = xstrndup (start, (size_t) (ps->p - start));
    ps->tok = strcmp (ps->text, "AND") == 0 ? T_AND
            : strcmp (ps->text, "OR") == 0 ? T_OR
            : strcmp (ps->text, "NOT") == 0 ? T_NOT : T_WORD;
}

static int
s_collect (void *arg, const token_t *token)
{
    strv_push ((strv_t *) arg, token->word);
    return 0;
}

static int
s_node (rules_t *self, s_op_t op, int a, int b)
{
    s_node_t *node = vec_push (&self->nodes);
    node->op = op;
    node->a = a;
    node->b = b;
    return (int) self->nodes.len - 1;
}

static int s_parse_or (s_parser_t *ps);

static int
s_parse_primary (s_parser_t *ps)
{
    if (ps->tok == T_OPEN) {
        if (++ps->depth > RULES_MAX_DEPTH) {
            ps->error = "nested too deep";
            return -1;
        }
        s_next (ps);
        int node = s_parse_or (ps);
        if (node < 0)
            return -1;
        if (ps->tok != T_CLOSE) {
            ps->error = "missing )";
            return -1;
        }
        ps->depth--;
        s_next (ps);
        return node;
    }
    if (ps->tok == T_WORD || ps->tok == T_PHRASE) {
        bool prefix = false;
        size_t len = strlen (ps->text);
        if (ps->tok == T_WORD && len > 1 && ps->text [len - 1] == '*') {
            prefix = true;
            ps->text [len - 1] = 0;
        }
        strv_t words = { 0 };
        tokenize (ps->text, strlen (ps->text), s_collect, &words);
        if (words.len == 0) {
            ps->error = "a term with no letters or digits";
            strv_free (&words);
            return -1;
        }
        if (prefix && words.len > 1) {
            ps->error = "a prefix* term must be one word";
            strv_free (&words);
            return -1;
        }
        int node = s_node (ps->self, prefix ? N_PREFIX : words.len > 1 ? N_PHRASE : N_WORD, -1, -1);
        s_node_t *n = &ps->self->nodes.items [node];
        n->words = words;
        if (prefix) {
            *vec_push (&n->ids) = (int32_t) ps->self->prefixes.len;
            strv_push (&ps->self->prefixes, words.items [0]);
        }
        else
            for (size_t k = 0; k < words.len; k++) {
                bool added;
                int32_t id = strmap_intern (ps->self->words, words.items [k],
                                            strlen (words.items [k]), &added);
                *vec_push (&n->ids) = id;
            }
        s_next (ps);
        return node;
    }
    ps->error = ps->tok == T_END ? "query ends too soon"
              : ps->tok == T_CLOSE ? "unexpected )"
              : ps->tok == T_BAD ? ps->error : "operator without a term";
    return -1;
}

static int
s_parse_not (s_parser_t *ps)
{
    if (ps->tok == T_NOT) {
        if (++ps->depth > RULES_MAX_DEPTH) {
            ps->error = "nested too deep";
            return -1;
        }
        s_next (ps);
        int a = s_parse_not (ps);
        ps->depth--;
        return a < 0 ? -1 : s_node (ps->self, N_NOT, a, -1);
    }
    return s_parse_primary (ps);
}

static int
s_parse_and (s_parser_t *ps)
{
    int node = s_parse_not (ps);
    while (node >= 0) {
        if (ps->tok == T_AND)
            s_next (ps);
        else
        if (ps->tok != T_WORD && ps->tok != T_PHRASE && ps->tok != T_OPEN && ps->tok != T_NOT)
            break;
        int b = s_parse_not (ps);
        if (b < 0)
            return -1;
        node = s_node (ps->self, N_AND, node, b);
    }
    return node;
}

static int
s_parse_or (s_parser_t *ps)
{
    int node = s_parse_and (ps);
    while (node >= 0 && ps->tok == T_OR) {
        s_next (ps);
        int b = s_parse_and (ps);
        if (b < 0)
            return -1;
        node = s_node (ps->self, N_OR, node, b);
    }
    return node;
}

rules_t *
rules_parse (const char *text, const char *origin, char *err, size_t errsize)
{
    rules_t *self = (rules_t *) xcalloc (1, sizeof (rules_t));
    self->words = strmap_new ();
    const char *p = text ? text : "";
    int line_no = 0;
    while (*p) {
        const char *nl = strchr (p, '\n');
        size_t len = nl ? (size_t) (nl - p) : strlen (p);
        char *line = xstrndup (p, len);
        p = nl ? nl + 1 : p + len;
        line_no++;
        char *hash = strchr (line, '#');
        //  '#' starts a comment unless inside a "phrase"
        if (hash) {
            bool quoted = false;
            for (char *q = line; q < hash; q++)
                if (*q == '"')
                    quoted = !quoted;
            if (!quoted)
                *hash = 0;
        }
        char *s = line;
        while (isspace ((unsigned char) *s))
            s++;
        size_t n = strlen (s);
        while (n && isspace ((unsigned char) s [n - 1]))
            s [--n] = 0;
        if (n == 0) {
            free (line);
            continue;
        }
        const char *error = NULL;
        char *eq = strchr (s, '=');
        if (!eq)
            error = "want LITERAL [| Name] = QUERY";
        else {
            *eq = 0;
            char *head = s, *name = strchr (head, '|');
            if (name)
                *name++ = 0;
            char *literal = head;
            while (*literal == ' ')
                literal++;
            size_t ll = strlen (literal);
            while (ll && literal [ll - 1] == ' ')
                literal [--ll] = 0;
            if (name) {
                while (*name == ' ')
                    name++;
                size_t nl2 = strlen (name);
                while (nl2 && name [nl2 - 1] == ' ')
                    name [--nl2] = 0;
            }
            if (ll == 0 || strchr (literal, ' '))
                error = "the literal must be one word, like scheme:code";
            else {
                s_parser_t ps = { self, eq + 1, T_END, NULL, NULL, 0 };
                s_next (&ps);
                int root = s_parse_or (&ps);
                if (root >= 0 && ps.tok != T_END)
                    ps.error = ps.tok == T_CLOSE ? "unexpected )" : "junk after the query";
                if (root < 0 || ps.error)
                    error = ps.error ? ps.error : "bad query";
                else {
                    s_rule_t *rule = vec_push (&self->rules);
                    rule->literal = xstrdup (literal);
                    rule->name = name && *name ? xstrdup (name) : NULL;
                    rule->root = root;
                }
                free (ps.text);
            }
        }
        free (line);
        if (error) {
            snprintf (err, errsize, "%s:%d: %s", origin ? origin : "rules", line_no, error);
            rules_destroy (&self);
            return NULL;
        }
    }
    for (size_t i = 0; i < self->nodes.len; i++) {
        s_node_t *node = &self->nodes.items [i];
        s_flat_t *flat = vec_push (&self->flat);
        flat->op = (int32_t) node->op;
        flat->a = node->a;
        flat->b = node->b;
        flat->ids = (uint32_t) self->ids.len;
        flat->nids = (uint32_t) node->ids.len;
        for (size_t k = 0; k < node->ids.len; k++)
            *vec_push (&self->ids) = node->ids.items [k];
    }
    return self;
}

rules_t *
rules_load (const char *path, char *err, size_t errsize)
{
    uint8_t *data;
    size_t size;
    if (file_read (path, 16 * 1024 * 1024, &data, &size)) {
        snprintf (err, errsize, "cannot read %s: %s", path, strerror (errno));
        return NULL;
    }
    char *text = xstrndup ((const char *) data, size);     //  file_read does not terminate
    rules_t *self = rules_parse (text, path, err, errsize);
    free (text);
    free (data);
    return self;
}

void
rules_destroy (rules_t **self_p)
{
    assert (self_p);
    rules_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->nodes.len; i++) {
        strv_free (&self->nodes.items [i].words);
        free (self->nodes.items [i].ids.items);
    }
    strmap_destroy (&self->words);
    strv_free (&self->prefixes);
    for (size_t i = 0; i < self->rules.len; i++) {
        free (self->rules.items [i].literal);
        free (self->rules.items [i].name);
    }
    free (self->nodes.items);
    free (self->rules.items);
    free (self->doc.seen.items);
    free (self->doc.prefixed.items);
    free (self->doc.hits.items);
    free (self->memo);
    free (self->states);
    free (self->pool.items);
    free (self->flat.items);
    free (self->ids.items);
    lexicon_destroy (&self->lexicon);
    free (self);
    *self_p = NULL;
}

size_t
rules_size (rules_t *self)
{
    return self->rules.len;
}

const char *
rules_literal (rules_t *self, size_t i)
{
    return i < self->rules.len ? self->rules.items [i].literal : NULL;
}

const char *
rules_name (rules_t *self, size_t i)
{
    return i < self->rules.len ? self->rules.items [i].name : NULL;
}

//  --------------------------------------------------------------------------
//  Evaluation

//  What a word of the lexicon is to the rules (a memo: zero until known)
typedef struct {
    int32_t word1;              //  Rule word id + 1, 0 if none
    uint32_t prefixes;          //  First of its prefix ids in the pool
    uint16_t nprefixes;         //  Prefix terms it matches
    uint16_t known;             //  1 once worked out
} s_memo_t;

//  Work out what word id of lexicon is to the rules
static void
s_memo_fill (rules_t *self, const lexicon_t *lexicon, int32_t id, s_memo_t *memo)
{
    size_t len;
    const char *word = lexicon_word (lexicon, id, &len);
    memo->word1 = strmap_find (self->words, word, len) + 1;
    memo->prefixes = (uint32_t) self->pool.len;
    for (size_t k = 0; k < self->prefixes.len && memo->nprefixes < UINT16_MAX; k++) {
        const char *prefix = self->prefixes.items [k];
        if (prefix [0] == word [0] && str_starts (word, prefix)) {
            *vec_push (&self->pool) = (int32_t) k;
            memo->nprefixes++;
        }
    }
    memo->known = 1;
}

//  Note the rule words and prefixes of one text's words, from position on
static int32_t
s_doc_text (rules_t *self, const lexicon_t *lexicon, const lextext_t *text, int32_t position)
{
    s_doc_t *doc = &self->doc;
    s_memo_t *memos = (s_memo_t *) self->memo;
    uint8_t *states = self->states;
    for (size_t i = 0; i < text->words.len; i++, position++) {
        int32_t id = text->words.items [i].id;
        //  One byte a word says whether the rules care (most words are in
        //  no rule: their memos are not read)
        if (states [id] == 1)
            continue;
        s_memo_t *memo = &memos [id];
        if (!states [id]) {
            s_memo_fill (self, lexicon, id, memo);
            states [id] = memo->word1 || memo->nprefixes ? 2 : 1;
            if (states [id] == 1)
                continue;
        }
        if (memo->word1) {
            doc->seen.items [memo->word1 - 1] = doc->stamp;
            s_hit_t *hit = vec_push (&doc->hits);
            hit->position = position;
            hit->id = memo->word1 - 1;
        }
        for (uint32_t k = 0; k < memo->nprefixes; k++)
            doc->prefixed.items [self->pool.items [memo->prefixes + k]] = doc->stamp;
    }
    return position;
}

static bool
s_eval (rules_t *self, int index, s_doc_t *doc)
{
    const s_flat_t *node = &self->flat.items [index];
    const int32_t *ids = self->ids.items + node->ids;
    switch ((s_op_t) node->op) {
        case N_WORD:
            return doc->seen.items [ids [0]] == doc->stamp;
        case N_PREFIX:
            return doc->prefixed.items [ids [0]] == doc->stamp;
        case N_PHRASE: {
            for (size_t k = 0; k < node->nids; k++)
                if (doc->seen.items [ids [k]] != doc->stamp)
                    return false;
            //  Consecutive positions among the hits
            size_t n = node->nids;
            for (size_t i = 0; i + n <= doc->hits.len; i++) {
                size_t k = 0;
                while (k < n && doc->hits.items [i + k].id == ids [k]
                   &&  doc->hits.items [i + k].position == doc->hits.items [i].position + (int32_t) k)
                    k++;
                if (k == n)
                    return true;
            }
            return false;
        }
        case N_AND:
            return s_eval (self, node->a, doc) && s_eval (self, node->b, doc);
        case N_OR:
            return s_eval (self, node->a, doc) || s_eval (self, node->b, doc);
        case N_NOT:
            return !s_eval (self, node->a, doc);
    }
    return false;
}

int
rules_words (rules_t *self, const lexicon_t *lexicon, const lextext_t *headline,
             const lextext_t *body, rulehitv_t *out)
{
    if (self->rules.len == 0)
        return 0;
    s_doc_t *doc = &self->doc;
    size_t nwords = strmap_size (self->words);
    while (doc->seen.len < nwords)
        *vec_push (&doc->seen) = 0;
    while (doc->prefixed.len < self->prefixes.len)
        *vec_push (&doc->prefixed) = 0;
    if (++doc->stamp == 0) {
        memset (doc->seen.items, 0, doc->seen.len * sizeof (uint32_t));
        memset (doc->prefixed.items, 0, doc->prefixed.len * sizeof (uint32_t));
        doc->stamp = 1;
    }
    doc->hits.len = 0;
    uint64_t epoch = self->memo_epoch;
    lexicon_memo (lexicon, &self->memo, &self->memo_size, sizeof (s_memo_t), &self->memo_epoch);
    lexicon_memo (lexicon, (void **) &self->states, &self->states_size, 1, &self->states_epoch);
    if (epoch != self->memo_epoch)
        self->pool.len = 0;
    int32_t position = 0;
    if (headline)
        position = s_doc_text (self, lexicon, headline, position);
    position++;                     //  A break: no phrase spans it
    if (body)
        s_doc_text (self, lexicon, body, position);
    int matched = 0;
    for (size_t r = 0; r < self->rules.len; r++)
        if (s_eval (self, self->rules.items [r].root, doc)) {
            *vec_push (out) = r;
            matched++;
        }
    return matched;
}

int
rules_match (rules_t *self, const char *headline, const char *body, rulehitv_t *out)
{
    if (self->rules.len == 0)
        return 0;
    if (!self->lexicon)
        self->lexicon = lexicon_new ();
    lexicon_trim (self->lexicon, 100000);
    lextext_t h = { 0 }, b = { 0 };
    lexicon_read (self->lexicon, headline, headline ? strlen (headline) : 0, &h);
    lexicon_read (self->lexicon, body, body ? strlen (body) : 0, &b);
    int matched = rules_words (self, self->lexicon, &h, &b, out);
    lextext_free (&h);
    lextext_free (&b);
    return matched;
}
