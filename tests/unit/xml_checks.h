//  SPDX-License-Identifier: MIT
//  xml_checks - test helper for the XML parser tests (test_nitf,
//  test_newsmlg2, test_newsml1): lookups in a story, and the list of files
//  of a shared sample folder. Header-only, on top of ingest_collect.h.

#ifndef COPYDESK_XML_CHECKS_H
#define COPYDESK_XML_CHECKS_H

#include "ingest_collect.h"
#include <dirent.h>

//  The concept with that literal in a list, or NULL
static inline const story_concept_t *
check_concept (const story_conceptv_t *list, const char *literal)
{
    for (size_t i = 0; i < list->len; i++)
        if (list->items [i].literal && strcmp (list->items [i].literal, literal) == 0)
            return &list->items [i];
    return NULL;
}

//  The concept with that name in a list, or NULL
static inline const story_concept_t *
check_named (const story_conceptv_t *list, const char *name)
{
    for (size_t i = 0; i < list->len; i++)
        if (list->items [i].name && strcmp (list->items [i].name, name) == 0)
            return &list->items [i];
    return NULL;
}

//  The headline with that role, or NULL
static inline const char *
check_headline (const story_t *s, const char *role)
{
    for (size_t i = 0; i < s->headlines.len; i++)
        if (strcmp (s->headlines.items [i].role, role) == 0)
            return s->headlines.items [i].value;
    return NULL;
}

//  The description with that role, or NULL
static inline const char *
check_description (const story_t *s, const char *role)
{
    for (size_t i = 0; i < s->descriptions.len; i++)
        if (strcmp (s->descriptions.items [i].role, role) == 0)
            return s->descriptions.items [i].value;
    return NULL;
}

//  The body with that role and content type, or NULL
static inline const char *
check_body (const story_t *s, const char *role, const char *contenttype)
{
    for (size_t i = 0; i < s->bodies.len; i++)
        if (strcmp (s->bodies.items [i].role, role) == 0
        &&  strcmp (s->bodies.items [i].contenttype, contenttype) == 0)
            return s->bodies.items [i].value;
    return NULL;
}

//  The link with that rel, or NULL
static inline const story_link_t *
check_link (const story_t *s, const char *rel)
{
    for (size_t i = 0; i < s->links.len; i++)
        if (strcmp (s->links.items [i].rel, rel) == 0)
            return &s->links.items [i];
    return NULL;
}

//  True if the story carries that warning (prefix match)
static inline bool
check_warning (const story_t *s, const char *prefix)
{
    for (size_t i = 0; i < s->ingest.warnings.len; i++)
        if (str_starts (s->ingest.warnings.items [i], prefix))
            return true;
    return false;
}

//  True if any string of the story contains needle (for leak checks)
static inline bool
check_anywhere (const story_t *s, const char *needle)
{
    const char *fields [] = {
        s->uri, s->version, s->by, s->located, s->slugline, s->ednote,
        s->copyrightholder, s->copyrightnotice, s->usageterms, s->dateline.text
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++)
        if (fields [i] && strstr (fields [i], needle))
            return true;
    const story_textv_t *lists [] = { &s->headlines, &s->descriptions, &s->bodies };
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; i < lists [l]->len; i++)
            if (strstr (lists [l]->items [i].value, needle))
                return true;
    for (size_t i = 0; i < s->extra.len; i++)
        if (strstr (s->extra.items [i].value, needle))
            return true;
    return false;
}

//  The sorted names of the files of $COPYDESK_SHARED/samples/<folder>
static inline strv_t
check_sample_files (const char *folder)
{
    char *relative = xasprintf ("samples/%s", folder);
    char *path = collect_shared_path (relative);
    strv_t names = { 0 };
    DIR *dir = opendir (path);
    if (!dir) {
        fprintf (stderr, "cannot open %s: %s\n", path, strerror (errno));
        abort ();
    }
    struct dirent *entry;
    while ((entry = readdir (dir)) != NULL)
        if (entry->d_name [0] != '.')
            strv_push (&names, entry->d_name);
    closedir (dir);
    for (size_t i = 1; i < names.len; i++)
        for (size_t j = i; j > 0 && strcmp (names.items [j - 1], names.items [j]) > 0; j--) {
            char *swap = names.items [j];
            names.items [j] = names.items [j - 1];
            names.items [j - 1] = swap;
        }
    free (relative);
    free (path);
    return names;
}

//  Parse samples/<folder>/<name> with the format forced
static inline int
check_sample (collect_t *self, const char *folder, const char *name, const char *format)
{
    char *relative = xasprintf ("samples/%s/%s", folder, name);
    int rc = collect_shared (self, relative, format);
    free (relative);
    return rc;
}

#endif
