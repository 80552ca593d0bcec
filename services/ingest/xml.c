//  SPDX-License-Identifier: MIT
//  xml - safe XML parsing and local-name navigation (see xml.h)

#include "common.h"
#include "ingest/xml.h"
#include <libxml/HTMLparser.h>
#include <libxml/xmlsave.h>

//  Never load anything from outside the document
static xmlParserInputPtr
s_refuse_external (const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    return NULL;
}

static void
s_silent (void *ctx, const char *msg, ...)
{
}

static void
s_structured_silent (void *ctx, xmlErrorPtr error)
{
}

//  The first error of a parse: the cause, where libxml2's last error is
//  often only a consequence ("Premature end of data")
typedef struct {
    bool set;                   //  An error was recorded
    int line;                   //  Its line
    char message [256];         //  Its message, one line
} first_error_t;

static void
s_first_error (void *data, xmlErrorPtr error)
{
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr) data;
    first_error_t *first = ctxt ? (first_error_t *) ctxt->_private : NULL;
    if (!first || first->set || !error || error->level < XML_ERR_ERROR)
        return;
    first->set = true;
    first->line = error->line;
    snprintf (first->message, sizeof first->message, "%s",
              error->message ? error->message : "not well-formed");
    size_t len = strlen (first->message);
    while (len && (first->message [len - 1] == '\n' || first->message [len - 1] == ' '))
        first->message [--len] = 0;
}

void
xml_init (void)
{
    static bool initialised = false;
    if (initialised)
        return;
    initialised = true;
    xmlInitParser ();
    xmlSetExternalEntityLoader (s_refuse_external);
    xmlSetGenericErrorFunc (NULL, s_silent);
    xmlSetStructuredErrorFunc (NULL, s_structured_silent);
}

//  One parser context per thread, reused so that its dictionary of names
//  stays warm; replaced after XML_CTXT_USES documents or when its
//  dictionary grows large, so hostile names cannot grow it without bound
#define XML_CTXT_USES       1000
#define XML_CTXT_MAX_NAMES  20000
static __thread xmlParserCtxtPtr s_ctxt = NULL;
static __thread int s_ctxt_uses = 0;

static xmlParserCtxtPtr
s_ctxt_take (void)
{
    xmlParserCtxtPtr ctxt = s_ctxt;
    s_ctxt = NULL;              //  Taken: a nested parse gets its own
    if (ctxt && (s_ctxt_uses >= XML_CTXT_USES
             ||  (ctxt->dict && xmlDictSize (ctxt->dict) > XML_CTXT_MAX_NAMES))) {
        xmlFreeParserCtxt (ctxt);
        ctxt = NULL;
    }
    if (!ctxt) {
        ctxt = xmlNewParserCtxt ();
        s_ctxt_uses = 0;
    }
    s_ctxt_uses++;
    return ctxt;
}

static void
s_ctxt_give (xmlParserCtxtPtr ctxt)
{
    ctxt->_private = NULL;
    if (!s_ctxt)
        s_ctxt = ctxt;
    else
        xmlFreeParserCtxt (ctxt);
}

//  The first "<!..." declaration opener (needle starts with "<!") in
//  [doc, doc + size): '!' is rare in documents, so memchr finds the
//  candidates faster than memmem does
static const char *
s_find_decl (const char *doc, size_t size, const char *needle, size_t len)
{
    assert (len >= 2 && needle [0] == '<' && needle [1] == '!');
    const char *end = doc + size;
    const char *p = doc + 1;
    while (p < end && (p = memchr (p, '!', (size_t) (end - p))) != NULL) {
        if (p [-1] == '<' && (size_t) (end - p) >= len - 1 && memcmp (p - 1, needle, len) == 0)
            return p - 1;
        p++;
    }
    return NULL;
}

//  Entities declared in the internal subset, by a cheap scan
static bool
s_declared_entity (const char *doc, size_t size, const char *name, size_t len)
{
    const char *p = doc;
    const char *end = doc + size;
    while ((p = s_find_decl (p, (size_t) (end - p), "<!ENTITY", 8)) != NULL) {
        p += 8;
        while (p < end && isspace ((unsigned char) *p))
            p++;
        if (p < end && *p == '%')
            continue;
        if ((size_t) (end - p) > len && memcmp (p, name, len) == 0
        &&  isspace ((unsigned char) p [len]))
            return true;
    }
    return false;
}

//  Does the internal subset declare an external entity (SYSTEM/PUBLIC)?
//  Such entities are never loaded (XXE); the document says so in a warning.
static bool
s_declares_external_entity (const char *doc, size_t size)
{
    size_t window = size < 65536 ? size : 65536;
    const char *p = doc;
    const char *end = doc + window;
    while ((p = s_find_decl (p, (size_t) (end - p), "<!ENTITY", 8)) != NULL) {
        p += 8;
        const char *close = memchr (p, '>', (size_t) (end - p));
        size_t len = close ? (size_t) (close - p) : (size_t) (end - p);
        if (memmem (p, len, "SYSTEM", 6) || memmem (p, len, "PUBLIC", 6))
            return true;
    }
    return false;
}

//  --------------------------------------------------------------------------
//  Entity bombs: the expansion a document asks for, computed from its
//  internal subset before libxml2 expands anything. libxml2 stops billion
//  laughs itself, but a quadratic blow-up (one large entity referenced
//  thousands of times) costs it seconds and hundreds of MB first.

#define XML_MAX_ENTITIES    512                 //  Declarations looked at
#define XML_MAX_EXPANSION   (4 * 1024 * 1024)   //  Bytes, plus 4x the document
#define XML_SATURATED       ((uint64_t) 1 << 50)

typedef struct {
    const char *name;           //  Entity name (not terminated)
    size_t name_len;
    const char *value;          //  Replacement text as declared
    size_t value_len;
    uint64_t expansion;         //  Expanded size, once known
    int state;                  //  0 new, 1 in progress, 2 done
} entity_t;

static bool
s_name_char (char c)
{
    return isalnum ((unsigned char) c) || c == '_' || c == '-' || c == '.' || c == ':'
        || (unsigned char) c >= 0x80;
}

//  Entities by name: open addressing over XML_ENTITY_SLOTS slots holding
//  index + 1 (0 = empty), so hostile documents with many references cost
//  one probe each
#define XML_ENTITY_SLOTS    (XML_MAX_ENTITIES * 4)
static __thread uint16_t s_entity_slots [XML_ENTITY_SLOTS];

static size_t
s_entity_hash (const char *name, size_t len)
{
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ (uint8_t) name [i]) * 16777619u;
    return hash % XML_ENTITY_SLOTS;
}

static entity_t *
s_entity_find (entity_t *entities, size_t count, const char *name, size_t len)
{
    size_t slot = s_entity_hash (name, len);
    for (size_t probe = 0; probe < XML_ENTITY_SLOTS && s_entity_slots [slot]; probe++) {
        entity_t *entity = &entities [s_entity_slots [slot] - 1];
        if (entity->name_len == len && memcmp (entity->name, name, len) == 0)
            return entity;
        slot = (slot + 1) % XML_ENTITY_SLOTS;
    }
    return NULL;
}

static void
s_entity_index (entity_t *entities, size_t index)
{
    size_t slot = s_entity_hash (entities [index].name, entities [index].name_len);
    while (s_entity_slots [slot])
        slot = (slot + 1) % XML_ENTITY_SLOTS;
    s_entity_slots [slot] = (uint16_t) (index + 1);
}

static uint64_t
s_saturate (uint64_t a, uint64_t b)
{
    return a + b > XML_SATURATED || a + b < a ? XML_SATURATED : a + b;
}

//  Expanded size of an entity's text (references to other entities
//  counted at their own expanded size; a loop counts as saturated)
static uint64_t
s_expansion (entity_t *entities, size_t count, entity_t *entity, int depth)
{
    if (entity->state == 2)
        return entity->expansion;
    if (entity->state == 1 || depth > 64)
        return XML_SATURATED;
    entity->state = 1;
    uint64_t total = 0;
    const char *p = entity->value, *end = entity->value + entity->value_len;
    while (p < end) {
        const char *amp = memchr (p, '&', (size_t) (end - p));
        if (!amp) {
            total = s_saturate (total, (uint64_t) (end - p));
            break;
        }
        total = s_saturate (total, (uint64_t) (amp - p));
        const char *name = amp + 1, *q = name;
        while (q < end && s_name_char (*q))
            q++;
        entity_t *ref = q < end && *q == ';' ? s_entity_find (entities, count, name, (size_t) (q - name)) : NULL;
        if (ref) {
            total = s_saturate (total, s_expansion (entities, count, ref, depth + 1));
            p = q + 1;
        }
        else {
            total = s_saturate (total, 1);
            p = amp + 1;
        }
    }
    entity->expansion = total;
    entity->state = 2;
    return total;
}

//  0, or -1 with a reason when the document's entity references would
//  expand to more than the limit
static int
s_entity_guard (const char *doc, size_t size, char *err, size_t errsize)
{
    const char *doctype = s_find_decl (doc, size < 65536 ? size : 65536, "<!DOCTYPE", 9);
    if (!doctype)
        return 0;
    const char *end = doc + size;
    const char *open = memchr (doctype, '[', (size_t) (end - doctype));
    const char *close_tag = memchr (doctype, '>', (size_t) (end - doctype));
    if (!open || (close_tag && close_tag < open))
        return 0;               //  No internal subset
    entity_t *entities = xcalloc (XML_MAX_ENTITIES, sizeof (entity_t));
    size_t count = 0;
    memset (s_entity_slots, 0, sizeof s_entity_slots);
    //  Walk the internal subset: declarations, quoted literals, comments
    const char *p = open + 1;
    const char *subset_end = NULL;
    while (p < end) {
        if (*p == ']') {
            subset_end = p;
            break;
        }
        if (end - p >= 4 && memcmp (p, "<!--", 4) == 0) {
            const char *stop = memmem (p + 4, (size_t) (end - p - 4), "-->", 3);
            p = stop ? stop + 3 : end;
            continue;
        }
        if (*p == '<') {
            bool entity = end - p >= 8 && memcmp (p, "<!ENTITY", 8) == 0;
            const char *q = p + (entity ? 8 : 1);
            while (q < end && isspace ((unsigned char) *q))
                q++;
            bool parameter = q < end && *q == '%';
            const char *name = q, *value = NULL;
            size_t name_len = 0, value_len = 0;
            if (entity && !parameter) {
                while (q < end && s_name_char (*q))
                    q++;
                name_len = (size_t) (q - name);
            }
            //  To the end of the declaration, minding quotes
            while (q < end && *q != '>') {
                if (*q == '"' || *q == '\'') {
                    char quote = *q;
                    const char *stop = memchr (q + 1, quote, (size_t) (end - q - 1));
                    if (!stop) {
                        q = end;
                        break;
                    }
                    if (!value) {
                        value = q + 1;
                        value_len = (size_t) (stop - q - 1);
                    }
                    q = stop + 1;
                }
                else
                if (*q == 'S' || *q == 'P') {
                    //  SYSTEM/PUBLIC: external, never loaded, expands to nothing
                    if (end - q >= 6 && (memcmp (q, "SYSTEM", 6) == 0 || memcmp (q, "PUBLIC", 6) == 0))
                        value = q, value_len = 0;
                    q++;
                }
                else
                    q++;
            }
            if (entity && !parameter && name_len && value && count < XML_MAX_ENTITIES
            &&  !s_entity_find (entities, count, name, name_len)) {
                entities [count].name = name;
                entities [count].name_len = name_len;
                entities [count].value = value;
                entities [count].value_len = value_len;
                s_entity_index (entities, count);
                count++;
            }
            p = q < end ? q + 1 : end;
            continue;
        }
        p++;
    }
    int rc = 0;
    if (count && subset_end) {
        //  References in the document after the subset
        uint64_t total = 0;
        uint64_t limit = XML_MAX_EXPANSION + 4 * (uint64_t) size;
        const char *worst = NULL;
        p = subset_end;
        while (p < end && total <= limit) {
            const char *amp = memchr (p, '&', (size_t) (end - p));
            if (!amp)
                break;
            const char *name = amp + 1, *q = name;
            while (q < end && s_name_char (*q))
                q++;
            entity_t *ref = q < end && *q == ';' ? s_entity_find (entities, count, name, (size_t) (q - name)) : NULL;
            if (ref) {
                total = s_saturate (total, s_expansion (entities, count, ref, 0));
                if (!worst || total > limit)
                    worst = amp;
            }
            p = amp + 1;
        }
        if (total > limit) {
            long line = 1;
            for (const char *c = doc; c < worst; c++)
                if (*c == '\n')
                    line++;
            if (total >= XML_SATURATED)
                snprintf (err, errsize, "XML entity bomb refused at line %ld: entity references expand"
                          " without bound", line);
            else
                snprintf (err, errsize, "XML entity bomb refused at line %ld: entity references expand"
                          " to %" PRIu64 " bytes (limit %" PRIu64 ")", line, total, limit);
            rc = -1;
        }
    }
    free (entities);
    return rc;
}

//  --------------------------------------------------------------------------
//  Elements with thousands of attributes: libxml2 2.9 checks them for
//  duplicates pair by pair (40k attributes cost it 9 s). News XML has
//  dozens at most.

#define XML_MAX_ATTRIBUTES  1000

//  0, or -1 with a reason when a start tag holds too many attributes
static int
s_attribute_guard (const char *doc, size_t size, char *err, size_t errsize)
{
    const char *p = doc, *end = doc + size;
    //  A tag ends at the first '>' after its '<', so it is shorter than
    //  the stretch since the '>' before: when no stretch between two '>'
    //  is long enough for the limit, no tag is (one memchr a tag)
    const char *last = doc;
    const char *from = doc;
    bool long_stretch = false;
    while (true) {
        const char *gt = from < end ? memchr (from, '>', (size_t) (end - from)) : NULL;
        const char *stop = gt ? gt : end;
        if ((size_t) (stop - last) > XML_MAX_ATTRIBUTES * 3) {
            long_stretch = true;
            break;
        }
        if (!gt)
            break;
        last = gt;
        from = gt + 1;
    }
    if (!long_stretch)
        return 0;
    while ((p = memchr (p, '<', (size_t) (end - p))) != NULL) {
        const char *close = memchr (p, '>', (size_t) (end - p));
        if (!close)
            close = end;
        //  A tag shorter than the limit's worth of name="" cannot exceed it
        if ((size_t) (close - p) > XML_MAX_ATTRIBUTES * 3) {
            size_t count = 0;
            for (const char *q = p; q < close; q++) {
                q = memchr (q, '=', (size_t) (close - q));
                if (!q)
                    break;
                if (q + 1 < close && (q [1] == '"' || q [1] == '\'') && ++count > XML_MAX_ATTRIBUTES) {
                    long line = 1;
                    for (const char *c = doc; c < p; c++)
                        if (*c == '\n')
                            line++;
                    snprintf (err, errsize, "XML element at line %ld has more than %d attributes",
                              line, XML_MAX_ATTRIBUTES);
                    return -1;
                }
            }
        }
        p = close;
    }
    return 0;
}

//  Rewrite &name; for HTML entities the document does not declare as &#N;
//  The rewritten document, or NULL when nothing needed rewriting (the
//  bytes are copied only from the first change on).
static char *
s_fix_html_entities (const char *doc, size_t size, size_t *out_size, bool *changed)
{
    buf_t out;
    buf_init (&out);
    bool has_subset = s_find_decl (doc, size < 65536 ? size : 65536, "<!ENTITY", 8) != NULL;
    const char *p = doc;
    const char *end = doc + size;
    const char *copied = doc;   //  Bytes before this are in out
    *changed = false;
    while (p < end) {
        const char *amp = memchr (p, '&', (size_t) (end - p));
        if (!amp)
            break;
        //  CDATA sections and comments are kept as they are: a bare '&'
        //  is legal there ("R&B" in CDATA must stay "R&B")
        const char *open = memmem (p, (size_t) (amp - p), "<!", 2);
        if (open && ((size_t) (end - open) >= 9 && memcmp (open, "<![CDATA[", 9) == 0)) {
            const char *close = memmem (open + 9, (size_t) (end - open - 9), "]]>", 3);
            p = close ? close + 3 : end;
            continue;
        }
        if (open && ((size_t) (end - open) >= 4 && memcmp (open, "<!--", 4) == 0)) {
            const char *close = memmem (open + 4, (size_t) (end - open - 4), "-->", 3);
            p = close ? close + 3 : end;
            continue;
        }
        const char *name = amp + 1;
        const char *q = name;
        while (q < end && q - name < 32 && isalnum ((unsigned char) *q))
            q++;
        size_t len = (size_t) (q - name);
        if (q < end && *q == ';' && len > 0 && isalpha ((unsigned char) *name)) {
            char entity [40];
            memcpy (entity, name, len);
            entity [len] = 0;
            bool predefined = strcmp (entity, "amp") == 0 || strcmp (entity, "lt") == 0
                           || strcmp (entity, "gt") == 0 || strcmp (entity, "quot") == 0
                           || strcmp (entity, "apos") == 0;
            if (!predefined && !(has_subset && s_declared_entity (doc, size, entity, len))) {
                if (!*changed)
                    buf_reserve (&out, size + 64);
                buf_append (&out, copied, (size_t) (amp - copied));
                const htmlEntityDesc *desc = htmlEntityLookup ((const xmlChar *) entity);
                if (desc)
                    buf_printf (&out, "&#%u;", desc->value);
                else
                    //  Unknown entity: keep its text visible
                    buf_printf (&out, "&amp;%s;", entity);
                *changed = true;
                p = copied = q + 1;
                continue;
            }
        }
        else
        if (!(q < end && *q == ';') && !(amp + 1 < end && amp [1] == '#')) {
            //  A bare '&' (AT&T): escape it
            if (!*changed)
                buf_reserve (&out, size + 64);
            buf_append (&out, copied, (size_t) (amp - copied));
            buf_puts (&out, "&amp;");
            *changed = true;
            p = copied = amp + 1;
            continue;
        }
        p = amp + 1;
    }
    if (!*changed) {
        *out_size = size;
        return NULL;
    }
    buf_append (&out, copied, (size_t) (end - copied));
    *out_size = out.size;
    return buf_detach (&out);
}

xmlDocPtr
xml_parse (const uint8_t *data, size_t size, const xml_options_t *options,
           strv_t *warnings, char *charset_used, size_t charset_size,
           char *err, size_t errsize)
{
    xml_init ();
    xml_options_t defaults = { 0 };
    if (!options)
        options = &defaults;
    if (size > XML_MAX_SIZE) {
        snprintf (err, errsize, "XML document too large (%zu bytes, limit %d)", size, XML_MAX_SIZE);
        return NULL;
    }
    //  Decode to UTF-8 first, with the declared charset as evidence
    char declared [64];
    const char *decl = charset_xml_declared (data, size, declared, sizeof declared);
    if (!decl)
        decl = options->charset;
    size_t text_size;
    char *text = NULL;          //  Decoded copy, when one was needed
    const char *in;             //  UTF-8 to parse
    char canonical [48] = "";
    size_t bom;
    if (!str_empty (decl))
        charset_canonical (decl, canonical, sizeof canonical);
    if (size > 0 && (!canonical [0] || strcmp (canonical, "utf-8") == 0)
    &&  !charset_bom (data, size, &bom)
    &&  !memchr (data, 0, size) && charset_utf8_valid (data, size)) {
        //  UTF-8 as it came (what charset_decode would copy unchanged)
        in = (const char *) data;
        text_size = size;
        if (charset_used)
            snprintf (charset_used, charset_size, "%s", "utf-8");
    }
    else {
        charset_result_t charset;
        text = charset_decode (data, size, decl, options->fallback,
                               &text_size, &charset, warnings);
        in = text;
        if (charset_used)
            snprintf (charset_used, charset_size, "%s", charset.used);
    }

    //  Anything before the first '<' that is not whitespace makes the
    //  document ill-formed; a comment before the declaration too
    const char *start = in;
    while (start < in + text_size && isspace ((unsigned char) *start))
        start++;
    size_t start_size = text_size - (size_t) (start - in);

    char *fixed = NULL;
    if (options->html_entities) {
        bool changed = false;
        size_t fixed_size;
        fixed = s_fix_html_entities (start, start_size, &fixed_size, &changed);
        if (changed) {
            start = fixed;
            start_size = fixed_size;
            if (warnings)
                strv_add_unique (warnings, "xml-html-entities");
        }
    }
    if (warnings && s_declares_external_entity (start, start_size))
        strv_add_unique (warnings, "xml-external-entity-refused");
    if (s_entity_guard (start, start_size, err, errsize) != 0
    ||  s_attribute_guard (start, start_size, err, errsize) != 0) {
        free (fixed);
        free (text);
        return NULL;
    }
    int flags = XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_NOCDATA
              | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT;
    xmlParserCtxtPtr ctxt = s_ctxt_take ();
    if (!ctxt) {
        free (fixed);
        free (text);
        snprintf (err, errsize, "out of memory");
        return NULL;
    }
    first_error_t first = { 0 };
    ctxt->_private = &first;
    if (ctxt->sax) {
        ctxt->sax->serror = s_first_error;
        ctxt->userData = ctxt;
    }
    //  Telling libxml2 the input is UTF-8 sends it through a converter
    //  that copies it; input that came as UTF-8 and says so (or says
    //  nothing) needs none
    const char *encoding = "UTF-8";
    if (in == (const char *) data && !fixed
    &&  (!decl || strcasecmp (decl, "UTF-8") == 0))
        encoding = NULL;
    xmlDocPtr doc = xmlCtxtReadMemory (ctxt, start, (int) start_size, NULL, encoding, flags);
    if (!doc || !ctxt->wellFormed) {
        xmlErrorPtr error = xmlCtxtGetLastError (ctxt);
        char reason [256] = "not well-formed";
        int line = error ? error->line : 0;
        if (first.set) {
            snprintf (reason, sizeof reason, "%s", first.message);
            line = first.line;
        }
        else
        if (error && error->message) {
            snprintf (reason, sizeof reason, "%s", error->message);
            size_t len = strlen (reason);
            while (len && (reason [len - 1] == '\n' || reason [len - 1] == ' '))
                reason [--len] = 0;
        }
        if (doc && options->recover && xmlDocGetRootElement (doc)) {
            //  libxml2 built a tree anyway; keep it when allowed
            if (warnings)
                strv_addf (warnings, "xml-recovered:line %d: %s", line, reason);
        }
        else {
            xmlFreeDoc (doc);
            doc = NULL;
            if (options->recover) {
                //  Retry in recover mode
                xmlCtxtReset (ctxt);
                doc = xmlCtxtReadMemory (ctxt, start, (int) start_size, NULL, encoding,
                                         flags | XML_PARSE_RECOVER);
                if (doc && xmlDocGetRootElement (doc)) {
                    if (warnings)
                        strv_addf (warnings, "xml-recovered:line %d: %s", line, reason);
                }
                else {
                    xmlFreeDoc (doc);
                    doc = NULL;
                }
            }
            if (!doc)
                snprintf (err, errsize, "XML not well-formed at line %d: %s", line, reason);
        }
    }
    if (doc && !xmlDocGetRootElement (doc)) {
        xmlFreeDoc (doc);
        doc = NULL;
        snprintf (err, errsize, "XML document has no root element");
    }
    s_ctxt_give (ctxt);
    free (fixed);
    free (text);
    return doc;
}

bool
xml_is (xmlNodePtr node, const char *local_name)
{
    return node && node->type == XML_ELEMENT_NODE && node->name
        && strcmp ((const char *) node->name, local_name) == 0;
}

xmlNodePtr
xml_first_element (xmlNodePtr node)
{
    if (!node)
        return NULL;
    for (xmlNodePtr child = node->children; child; child = child->next)
        if (child->type == XML_ELEMENT_NODE)
            return child;
    return NULL;
}

xmlNodePtr
xml_child (xmlNodePtr node, const char *local_name)
{
    if (!node)
        return NULL;
    for (xmlNodePtr child = node->children; child; child = child->next)
        if (xml_is (child, local_name))
            return child;
    return NULL;
}

xmlNodePtr
xml_next (xmlNodePtr node, const char *local_name)
{
    if (!node)
        return NULL;
    for (xmlNodePtr sibling = node->next; sibling; sibling = sibling->next)
        if (xml_is (sibling, local_name))
            return sibling;
    return NULL;
}

xmlNodePtr
xml_path (xmlNodePtr node, const char *path)
{
    char name [128];
    const char *p = path;
    while (node && *p) {
        const char *slash = strchr (p, '/');
        size_t len = slash ? (size_t) (slash - p) : strlen (p);
        if (len >= sizeof name)
            return NULL;
        memcpy (name, p, len);
        name [len] = 0;
        node = xml_child (node, name);
        p += len + (slash ? 1 : 0);
    }
    return node;
}

xmlNodePtr
xml_find (xmlNodePtr node, const char *local_name)
{
    if (!node)
        return NULL;
    //  Iterative depth-first walk (no recursion on hostile depth)
    xmlNodePtr current = node->children;
    while (current) {
        if (xml_is (current, local_name))
            return current;
        if (current->children && current->type == XML_ELEMENT_NODE)
            current = current->children;
        else {
            while (current && !current->next) {
                current = current->parent;
                if (current == node)
                    return NULL;
            }
            if (current)
                current = current->next;
        }
    }
    return NULL;
}

static char *
s_trimmed (const char *text)
{
    if (!text)
        return NULL;
    //  One pass into a buffer of the input's size (the output is never longer)
    size_t size = strlen (text);
    char *out = xmalloc (size + 1);
    size_t len = 0;
    bool space = false;
    for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
        if (*p == ' ' || (*p >= '\t' && *p <= '\r')) {
            space = len > 0;
            continue;
        }
        if (space)
            out [len++] = ' ';
        space = false;
        out [len++] = (char) *p;
    }
    if (len == 0) {
        free (out);
        return NULL;
    }
    out [len] = 0;
    return out;
}

char *
xml_attr (xmlNodePtr node, const char *local_name)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return NULL;
    for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
        if (attr->name && strcmp ((const char *) attr->name, local_name) == 0) {
            xmlNodePtr only = attr->children;
            if (only && !only->next && only->type == XML_TEXT_NODE)
                //  One text node (nearly always): its text is the value
                return s_trimmed ((const char *) only->content);
            xmlChar *value = xmlNodeListGetString (node->doc, attr->children, 1);
            char *result = s_trimmed ((const char *) value);
            xmlFree (value);
            return result;
        }
    }
    return NULL;
}

char *
xml_text (xmlNodePtr node)
{
    if (!node)
        return NULL;
    xmlNodePtr only = node->children;
    if (node->type == XML_ELEMENT_NODE && only && !only->next
    &&  (only->type == XML_TEXT_NODE || only->type == XML_CDATA_SECTION_NODE))
        //  An element holding one run of text (nearly always): that text
        return s_trimmed ((const char *) only->content);
    xmlChar *content = xmlNodeGetContent (node);
    char *result = s_trimmed ((const char *) content);
    xmlFree (content);
    return result;
}

char *
xml_path_text (xmlNodePtr node, const char *path)
{
    return xml_text (xml_path (node, path));
}

char *
xml_inner_markup (xmlNodePtr node)
{
    if (!node)
        return NULL;
    xmlBufferPtr buffer = xmlBufferCreate ();
    if (!buffer)
        return NULL;
    for (xmlNodePtr child = node->children; child; child = child->next)
        xmlNodeDump (buffer, node->doc, child, 0, 0);
    char *result = NULL;
    const xmlChar *content = xmlBufferContent (buffer);
    if (content && *content)
        result = xstrdup ((const char *) content);
    xmlBufferFree (buffer);
    return result;
}

const char *
xml_ns (xmlNodePtr node)
{
    return node && node->ns && node->ns->href ? (const char *) node->ns->href : "";
}

long
xml_line (xmlNodePtr node)
{
    return node ? xmlGetLineNo (node) : 0;
}

char *
xml_outer_markup (xmlNodePtr node, size_t *size)
{
    if (size)
        *size = 0;
    if (!node)
        return NULL;
    xmlBufferPtr buffer = xmlBufferCreate ();
    if (!buffer)
        return NULL;
    xmlNodeDump (buffer, node->doc, node, 0, 0);
    const xmlChar *content = xmlBufferContent (buffer);
    size_t length = (size_t) xmlBufferLength (buffer);
    char *result = xstrndup (content ? (const char *) content : "", length);
    if (size)
        *size = length;
    xmlBufferFree (buffer);
    return result;
}

//  Word break marker between elements (0x01 cannot occur in XML 1.0 text)
#define XML_BREAK '\x01'

//  Text-formatting elements: no word break at their boundaries
static bool
s_formatting (xmlNodePtr node)
{
    static const char *names [] = {
        "a", "abbr", "b", "big", "em", "font", "i", "mark", "q", "s", "small", "span",
        "strike", "strong", "sub", "sup", "tt", "u"
    };
    if (!node->name)
        return false;
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++)
        if (strcasecmp ((const char *) node->name, names [i]) == 0)
            return true;
    return false;
}

char *
xml_text_spaced (xmlNodePtr node)
{
    if (!node)
        return NULL;
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE)
        return s_trimmed ((const char *) node->content);
    buf_t out;
    buf_init (&out);
    //  Iterative walk: hostile depth must not recurse
    xmlNodePtr current = node->children;
    while (current) {
        if (current->type == XML_TEXT_NODE || current->type == XML_CDATA_SECTION_NODE) {
            if (current->content)
                buf_puts (&out, (const char *) current->content);
        }
        else
        if (current->type == XML_ELEMENT_NODE && !s_formatting (current))
            buf_putc (&out, XML_BREAK);
        if (current->type == XML_ELEMENT_NODE && current->children)
            current = current->children;
        else {
            while (current && current != node && !current->next) {
                current = current->parent;
                if (current && current != node && current->type == XML_ELEMENT_NODE
                &&  !s_formatting (current))
                    buf_putc (&out, XML_BREAK);
            }
            if (!current || current == node)
                break;
            current = current->next;
        }
    }
    //  A break is a space between two words, nothing before punctuation
    //  ("<city>Newport News</city>, <state>VA</state>")
    for (size_t i = 0; i < out.size; i++) {
        if (out.data [i] != XML_BREAK)
            continue;
        size_t next = i + 1;
        while (next < out.size && out.data [next] == XML_BREAK)
            next++;
        char after = next < out.size ? out.data [next] : 0;
        char before = i > 0 ? out.data [i - 1] : 0;
        bool space = before && after && !strchr (",.;:!?)]}", after) && !strchr ("([{", before);
        out.data [i] = space ? ' ' : XML_BREAK;
    }
    //  Drop the breaks left
    size_t kept = 0;
    for (size_t i = 0; i < out.size; i++)
        if (out.data [i] != XML_BREAK)
            out.data [kept++] = out.data [i];
    if (out.data)
        out.data [kept] = 0;
    char *result = s_trimmed (out.data);
    buf_free (&out);
    return result;
}

xmlNodePtr
xml_next_element (xmlNodePtr node)
{
    if (!node)
        return NULL;
    for (xmlNodePtr sibling = node->next; sibling; sibling = sibling->next)
        if (sibling->type == XML_ELEMENT_NODE)
            return sibling;
    return NULL;
}

char *
xml_lang (xmlNodePtr node)
{
    if (!node)
        return NULL;
    xmlChar *lang = xmlNodeGetLang (node);
    char *result = s_trimmed ((const char *) lang);
    xmlFree (lang);
    return result;
}
