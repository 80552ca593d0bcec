//  SPDX-License-Identifier: MIT
//  ingest_collect - test helper: run ingest_document on a file or on bytes
//  and keep every story and dead letter it produces, for the parser tests
//  (test_reuters, test_plaintext, test_teletype, test_ninjs_parse,
//  test_jsonfeed).
//
//  Header-only: each test executable includes it once.

#ifndef COPYDESK_INGEST_COLLECT_H
#define COPYDESK_INGEST_COLLECT_H

#include "common.h"
#include "ingest/ingest.h"
#include <dirent.h>

typedef struct {
    VEC (story_t *) stories;    //  Stories emitted, in order
    VEC (deadletter_t *) dead;  //  Dead letters of bad items
    ingest_result_t result;     //  Result of the last document
    int rc;                     //  Return code of the last document
} collect_t;

static inline void
s_collect_emit (void *arg, story_t **story_p)
{
    collect_t *self = (collect_t *) arg;
    story_t **slot = vec_push (&self->stories);
    *slot = *story_p;
    *story_p = NULL;
}

static inline void
s_collect_dead (void *arg, deadletter_t **dead_p)
{
    collect_t *self = (collect_t *) arg;
    deadletter_t **slot = vec_push (&self->dead);
    *slot = *dead_p;
    *dead_p = NULL;
}

//  Free what was collected
static inline void
collect_reset (collect_t *self)
{
    for (size_t i = 0; i < self->stories.len; i++)
        story_destroy (&self->stories.items [i]);
    free (self->stories.items);
    for (size_t i = 0; i < self->dead.len; i++)
        deadletter_destroy (&self->dead.items [i]);
    free (self->dead.items);
    memset (self, 0, sizeof *self);
}

//  Parse a document made by the caller (a charset hint, a received
//  time...), then destroy it. Appends to what was collected before.
//  Returns the ingest_document return code.
static inline int
collect_document (collect_t *self, document_t **doc_p)
{
    self->rc = ingest_document (*doc_p, s_collect_emit, s_collect_dead, self, &self->result);
    document_destroy (doc_p);
    return self->rc;
}

//  Parse bytes as one document (format may be NULL: detect). Appends to
//  what was collected before. Returns the ingest_document return code.
static inline int
collect_bytes (collect_t *self, const char *origin, const char *format,
               const void *data, size_t size)
{
    document_t *doc = document_new ("test", origin, data, size);
    if (format)
        doc->format = xstrdup (format);
    return collect_document (self, &doc);
}

//  The path of a shared file ($COPYDESK_SHARED/relative). Caller frees.
static inline char *
collect_shared_path (const char *relative)
{
    const char *shared = getenv ("COPYDESK_SHARED");
    if (!shared) {
        fprintf (stderr, "COPYDESK_SHARED is not set (run the tests with ctest)\n");
        abort ();
    }
    return xasprintf ("%s/%s", shared, relative);
}

//  Read a shared file; aborts the test if it is missing (shared data
//  that cannot be found is a failure, never a skip). Caller frees *data.
static inline void
collect_read_shared (const char *relative, uint8_t **data, size_t *size)
{
    char *path = collect_shared_path (relative);
    if (file_read (path, DOCUMENT_MAX_SIZE, data, size) != 0) {
        fprintf (stderr, "cannot read %s: %s\n", path, strerror (errno));
        abort ();
    }
    free (path);
}

//  Called with each sample file: its path, its name and its bytes
typedef void (collect_sample_fn) (const char *path, const char *name,
                                  const uint8_t *data, size_t size, void *arg);

//  Every file of $COPYDESK_SHARED/samples/<format>/ (hidden files, the
//  _schemas folder and the top-level notes skipped) to fn; aborts if one
//  cannot be read. Returns the number of files.
static inline int
collect_each_sample (collect_sample_fn *fn, void *arg)
{
    char *root = collect_shared_path ("samples");
    DIR *top = opendir (root);
    if (!top) {
        fprintf (stderr, "cannot open %s: %s\n", root, strerror (errno));
        abort ();
    }
    int files = 0;
    struct dirent *format;
    while ((format = readdir (top))) {
        if (format->d_name [0] == '.' || format->d_name [0] == '_')
            continue;
        char *folder = xasprintf ("%s/%s", root, format->d_name);
        DIR *dir = opendir (folder);
        struct dirent *entry;
        while (dir && (entry = readdir (dir))) {
            if (entry->d_name [0] == '.' || strcmp (entry->d_name, "SOURCES.md") == 0)
                continue;
            char *path = xasprintf ("%s/%s", folder, entry->d_name);
            uint8_t *data;
            size_t size;
            if (file_read (path, DOCUMENT_MAX_SIZE, &data, &size) != 0) {
                fprintf (stderr, "cannot read %s: %s\n", path, strerror (errno));
                abort ();
            }
            fn (path, entry->d_name, data, size, arg);
            free (data);
            free (path);
            files++;
        }
        if (dir)
            closedir (dir);
        free (folder);
    }
    closedir (top);
    free (root);
    return files;
}

//  Parse a shared file (relative to $COPYDESK_SHARED).
static inline int
collect_shared (collect_t *self, const char *relative, const char *format)
{
    uint8_t *data;
    size_t size;
    collect_read_shared (relative, &data, &size);
    int rc = collect_bytes (self, relative, format, data, size);
    free (data);
    return rc;
}

//  True if s holds a C0 control other than \n and \t, DEL, or a C1 control
static inline bool
collect_has_controls (const char *s)
{
    if (!s)
        return false;
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F)
            return true;
        if (p [0] == 0xC2 && p [1] >= 0x80 && p [1] < 0xA0)
            return true;
    }
    return false;
}

//  True if no string field of the story holds a control character and
//  every one is valid UTF-8
static inline bool
collect_story_clean (const story_t *s)
{
    const char *fields [] = {
        s->uri, s->version, s->versioncreated, s->firstcreated, s->embargoed,
        s->by, s->located, s->slugline, s->language, s->ednote, s->pubstatus,
        s->copyrightholder, s->copyrightnotice, s->usageterms,
        s->dateline.text, s->dateline.place, s->dateline.date, s->dateline.source
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++)
        if (fields [i] && (collect_has_controls (fields [i])
            || !charset_utf8_valid ((const uint8_t *) fields [i], strlen (fields [i]))))
            return false;
    const story_textv_t *lists [] = { &s->headlines, &s->descriptions, &s->bodies };
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; i < lists [l]->len; i++) {
            const char *v = lists [l]->items [i].value;
            if (collect_has_controls (v)
            ||  !charset_utf8_valid ((const uint8_t *) v, strlen (v)))
                return false;
        }
    for (size_t i = 0; i < s->extra.len; i++)
        if (collect_has_controls (s->extra.items [i].value))
            return false;
    for (size_t i = 0; i < s->ingest.rawdates.len; i++)
        if (collect_has_controls (s->ingest.rawdates.items [i].value))
            return false;
    return true;
}

//  Calls fn with every headline, description and body of a story that has
//  a value, in that order
typedef void (collect_text_fn) (const char *value, void *arg);

static inline void
collect_each_text (const story_t *s, collect_text_fn *fn, void *arg)
{
    const story_textv_t *lists [] = { &s->headlines, &s->descriptions, &s->bodies };
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; i < lists [l]->len; i++)
            if (lists [l]->items [i].value)
                fn (lists [l]->items [i].value, arg);
}

//  The value of the altid with that role, or NULL
static inline const char *
collect_altid (const story_t *s, const char *role)
{
    for (size_t i = 0; i < s->altids.len; i++)
        if (strcmp (s->altids.items [i].role, role) == 0)
            return s->altids.items [i].value;
    return NULL;
}

//  The first body with that role (NULL role: the first body), or NULL
static inline const char *
collect_body (const story_t *s, const char *role)
{
    for (size_t i = 0; i < s->bodies.len; i++)
        if (!role || strcmp (s->bodies.items [i].role, role) == 0)
            return s->bodies.items [i].value;
    return NULL;
}

#endif
