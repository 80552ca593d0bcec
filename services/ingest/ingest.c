//  SPDX-License-Identifier: MIT
//  ingest - format dispatch and the per-document context (see ingest.h)

#include "common.h"
#include "ingest/parsers.h"

struct _ingest_t {
    const document_t *doc;      //  The document being parsed
    const char *format;         //  Format name in use
    const char *parser_name;    //  "copydesk/<format>"
    ingest_emit_fn *emit;       //  Where stories go
    ingest_dead_fn *dead;       //  Where dead letters go (may be NULL)
    void *arg;                  //  Argument of emit/dead
    ingest_result_t *result;    //  Counters and error
    strv_t warnings;            //  Document-level warnings
    char *charset;              //  Charset for every story, if set
    const void *item;           //  Raw bytes of the current item
    size_t item_size;
    int next_index;             //  Index of the next story/item
    char doc_sha256 [65];       //  sha256 of the whole document (lazy)
};

static const parser_t s_parsers [] = {
    { "nitf",         "NITF 3.x (namespaced or not)",                     nitf_parse },
    { "newsml-g2",    "NewsML-G2 newsItem / newsMessage",                 newsmlg2_parse },
    { "newsml-1",     "NewsML 1.x",                                       newsml1_parse },
    { "iptc7901",     "IPTC 7901 teletype",                               iptc7901_parse },
    { "anpa1312",     "ANPA-1312 teletype",                               anpa_parse },
    { "zczc",         "AAP ZCZC teletype",                                zczc_parse },
    { "ninjs",        "ninjs 1.x / 2.x / 3.x JSON (and dialects)",        ninjs_parse },
    { "jsonfeed",     "JSON Feed 1.0 / 1.1 (jsonfeed.org)",               jsonfeed_parse },
    { "rss",          "RSS 0.9x / 1.0 (RDF) / 2.0",                       rss_parse },
    { "atom",         "Atom 1.0 / 0.3",                                   atom_parse },
    { "reuters-sgml", "Reuters-21578 SGML",                               reuters_parse },
    { "plain-text",   "plain-text stories (headline, blank line, body)",  plaintext_parse },
    { NULL, NULL, NULL }
};

//  Other names users type for --format
static const struct { const char *alias; const char *name; } s_aliases [] = {
    { "newsml2", "newsml-g2" }, { "g2", "newsml-g2" }, { "newsml", "newsml-g2" },
    { "newsml1", "newsml-1" }, { "newsml-1.2", "newsml-1" }, { "newsml12", "newsml-1" },
    { "7901", "iptc7901" }, { "anpa", "anpa1312" }, { "anpa-1312", "anpa1312" },
    { "json", "ninjs" }, { "json-feed", "jsonfeed" }, { "jsonfeed1", "jsonfeed" }, { "rss2", "rss" }, { "rdf", "rss" }, { "rss1", "rss" },
    { "reuters", "reuters-sgml" }, { "sgml", "reuters-sgml" },
    { "text", "plain-text" }, { "plain", "plain-text" }, { "plaintext", "plain-text" },
    { "txt", "plain-text" },
};

const parser_t *
ingest_parsers (void)
{
    return s_parsers;
}

const parser_t *
ingest_parser (const char *format)
{
    if (str_empty (format))
        return NULL;
    for (size_t i = 0; i < sizeof s_aliases / sizeof s_aliases [0]; i++)
        if (str_ieq (format, s_aliases [i].alias))
            format = s_aliases [i].name;
    for (const parser_t *p = s_parsers; p->name; p++)
        if (str_ieq (format, p->name))
            return p;
    return NULL;
}

int
ingest_document (const document_t *doc, ingest_emit_fn *emit,
                 ingest_dead_fn *dead, void *arg, ingest_result_t *result)
{
    assert (doc && emit && result);
    memset (result, 0, sizeof *result);
    const char *origin = doc->origin ? doc->origin : "(document)";

    const parser_t *parser = NULL;
    if (!str_empty (doc->format)) {
        parser = ingest_parser (doc->format);
        if (!parser) {
            snprintf (result->error, sizeof result->error,
                      "%s: unknown format '%s' (see copydesk parse --help)", origin, doc->format);
            return -1;
        }
    }
    else {
        char why [300] = "";
        const char *format = ingest_detect (doc->data, doc->size, why, sizeof why);
        if (!format) {
            snprintf (result->error, sizeof result->error, "%s: %s", origin, why);
            return -1;
        }
        parser = ingest_parser (format);
        assert (parser);
    }
    result->format = parser->name;

    ingest_t ctx = { 0 };
    ctx.doc = doc;
    ctx.format = parser->name;
    ctx.emit = emit;
    ctx.dead = dead;
    ctx.arg = arg;
    ctx.result = result;
    char parser_name [64];
    snprintf (parser_name, sizeof parser_name, "copydesk/%s %s", parser->name, COPYDESK_VERSION);
    ctx.parser_name = parser_name;
    int rc = parser->parse (&ctx, doc->data, doc->size);
    if (rc == 0 && result->stories == 0 && result->skipped == 0 && result->bad_items == 0) {
        snprintf (result->error, sizeof result->error,
                  "%s: no stories found in this %s document", origin, parser->name);
        rc = -1;
    }
    if (rc != 0 && !result->error [0])
        snprintf (result->error, sizeof result->error, "%s: cannot parse as %s", origin, parser->name);
    strv_free (&ctx.warnings);
    free (ctx.charset);
    return rc;
}

story_t *
ingest_story_new (ingest_t *ctx)
{
    story_t *story = story_new ();
    const document_t *doc = ctx->doc;
    str_set (&story->type, "text");
    str_set (&story->ingest.format, ctx->format);
    str_set (&story->ingest.parser, ctx->parser_name);
    str_set (&story->ingest.provider, doc->source);
    str_set (&story->ingest.channel, doc->channel);
    str_set (&story->ingest.received, doc->received);
    str_set (&story->ingest.origin, doc->origin);
    story->ingest.index = ctx->next_index++;
    return story;
}

void
ingest_emit (ingest_t *ctx, story_t **story_p)
{
    story_t *story = *story_p;
    assert (story);
    for (size_t i = 0; i < ctx->warnings.len; i++)
        strv_add_unique (&story->ingest.warnings, ctx->warnings.items [i]);
    if (ctx->charset && !story->ingest.charset)
        str_set (&story->ingest.charset, ctx->charset);
    if (!story->ingest.sha256) {
        char hex [65];
        if (ctx->item) {
            sha256_hex (ctx->item, ctx->item_size, hex);
            str_set (&story->ingest.sha256, hex);
        }
        else {
            if (!ctx->doc_sha256 [0])
                sha256_hex (ctx->doc->data, ctx->doc->size, ctx->doc_sha256);
            str_set (&story->ingest.sha256, ctx->doc_sha256);
        }
    }
    ctx->item = NULL;
    ctx->item_size = 0;
    ctx->result->stories++;
    ctx->emit (ctx->arg, story_p);
    *story_p = NULL;
}

void
ingest_set_item (ingest_t *ctx, const void *data, size_t size)
{
    ctx->item = data;
    ctx->item_size = size;
}

char *
ingest_utf8_text (ingest_t *ctx, const uint8_t *data, size_t size,
                  const char **text, size_t *text_size)
{
    size_t bom;
    const char *bom_name = charset_bom (data, size, &bom);
    if ((bom_name && strcmp (bom_name, "UTF-8") != 0)
    ||  !charset_utf8_valid (data + bom, size - bom)) {
        charset_result_t result;
        char *decoded = charset_decode (data, size, ctx->doc->charset, NULL, text_size,
                                        &result, &ctx->warnings);
        ingest_set_charset (ctx, result.used);
        *text = decoded;
        return decoded;
    }
    *text = (const char *) data + bom;
    *text_size = size - bom;
    ingest_set_charset (ctx, "utf-8");
    return NULL;
}

void
ingest_skip (ingest_t *ctx, const char *what)
{
    ctx->result->skipped++;
    ctx->next_index++;
    if (getenv ("COPYDESK_VERBOSE"))
        zsys_info ("ingest: skipped %s origin=%s index=%d", what,
                   ctx->doc->origin ? ctx->doc->origin : "-", ctx->next_index - 1);
}

//  Dead-letter an item at index with its raw bytes (NULL: the document's)
static void
s_dead_item (ingest_t *ctx, int index, const void *raw, size_t size, const char *reason);

void
ingest_bad_item (ingest_t *ctx, const void *raw, size_t size, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char reason [512];
    vsnprintf (reason, sizeof reason, format, args);
    va_end (args);
    s_dead_item (ctx, ctx->next_index++, raw, size, reason);
}

void
ingest_bad_story (ingest_t *ctx, story_t **story_p, const void *raw, size_t size,
                  const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char reason [512];
    vsnprintf (reason, sizeof reason, format, args);
    va_end (args);
    int index = (*story_p)->ingest.index;
    story_destroy (story_p);
    ctx->item = NULL;
    ctx->item_size = 0;
    s_dead_item (ctx, index, raw, size, reason);
}

static void
s_dead_item (ingest_t *ctx, int index, const void *raw, size_t size, const char *reason)
{
    ctx->result->bad_items++;
    if (!ctx->dead)
        return;
    if (!raw) {
        raw = ctx->doc->data;
        size = ctx->doc->size;
    }
    deadletter_t *dead = deadletter_new (STAGE_INGEST, reason, raw, size);
    dead->origin = xasprintf ("%s#%d", ctx->doc->origin ? ctx->doc->origin : "-", index);
    ctx->dead (ctx->arg, &dead);
    deadletter_destroy (&dead);
}

void
ingest_fail (ingest_t *ctx, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char reason [400];
    vsnprintf (reason, sizeof reason, format, args);
    va_end (args);
    snprintf (ctx->result->error, sizeof ctx->result->error, "%s: %s",
              ctx->doc->origin ? ctx->doc->origin : "(document)", reason);
}

void
ingest_warn (ingest_t *ctx, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *warning = NULL;
    if (vasprintf (&warning, format, args) < 0)
        warning = NULL;
    va_end (args);
    if (warning)
        strv_add_unique (&ctx->warnings, warning);
    free (warning);
}

const document_t *
ingest_doc (ingest_t *ctx)
{
    return ctx->doc;
}

strv_t *
ingest_warnings (ingest_t *ctx)
{
    return &ctx->warnings;
}

void
ingest_set_charset (ingest_t *ctx, const char *charset)
{
    str_set (&ctx->charset, charset);
}

const char *
ingest_format (ingest_t *ctx)
{
    return ctx->format;
}
