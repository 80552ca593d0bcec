//  SPDX-License-Identifier: MIT
//  signals - editorial signals from headline, slug, version and ednote
//  conventions

#include "common.h"
#include "normalize/signals.h"

//  Marker words and the signal each stands for (NULL: raw marker only)
typedef struct {
    const char *word;           //  Upper case, as printed by the agency
    const char *signal;
} marker_t;

//  Headline prefixes: WORD[ N]- or WORD[ N]: at the start, chained
static const marker_t s_prefixes [] = {
    { "CORRECTED", "correction" }, { "CORRECTION", "correction" },
    { "CORRECTS", "correction" }, { "UPDATE", "update" }, { "UPDATED", "update" },
    { "REFILE", "refile" }, { "RPT", "refile" }, { "REPEAT", "refile" },
    { "WRAPUP", NULL }, { "URGENT", "alert" }, { "FLASH", "alert" },
    { "BULLETIN", "alert" }, { "BREAKING", "alert" }, { "ALERT", "alert" },
    { "EILMELDUNG", "alert" }, { "URGENTE", "alert" }, { "ADVISORY", "advisory" },
    { "KILL", "kill" }, { "KILLED", "kill" },
    { "MANDATORY KILL", "kill" }, { "ELIMINATION", "kill" }, { "WITHDRAWN", "withdrawal" },
    { "WITHDRAWAL", "withdrawal" }, { "WITHDRAW", "withdrawal" },
    { "1ST LEAD", "writethru" }, { "2ND LEAD", "writethru" }, { "3RD LEAD", "writethru" },
    { "NEW LEAD", "writethru" },
    { NULL, NULL }
};

//  Editors' note verbs: "Eds: UPDATES with ..."
static const marker_t s_ednote_verbs [] = {
    { "UPDATES", "update" }, { "ADDS", "update" }, { "RECASTS", "update" },
    { "SUBS", "update" }, { "CORRECTS", "correction" }, { "CORRECTED", "correction" },
    { "REFILING", "refile" }, { "REFILES", "refile" }, { "REPEATS", "refile" },
    { "KILL", "kill" }, { "WITHDRAWN", "withdrawal" }, { "ADVISORY", "advisory" },
    { NULL, NULL }
};

static void
s_add (story_t *story, const char *signal, const char *raw, size_t raw_len, int *added)
{
    size_t before = story->signals.len;
    if (signal)
        story_add_signal (story, signal);
    char *marker = xasprintf ("raw:%.*s", (int) raw_len, raw);
    story_add_signal (story, marker);
    free (marker);
    *added += (int) (story->signals.len - before);
}

//  Read chained prefixes at the start of a headline
static void
s_headline (story_t *story, const char *headline, int *added)
{
    const char *p = headline;
    for (int rounds = 0; rounds < 4 && *p; rounds++) {
        const marker_t *found = NULL;
        size_t len = 0;
        for (const marker_t *m = s_prefixes; m->word; m++) {
            size_t n = strlen (m->word);
            if (strncmp (p, m->word, n) == 0 && n > len) {
                found = m;
                len = n;
            }
        }
        if (!found)
            return;
        size_t end = len;
        //  Optional number: "UPDATE 2"
        if (p [end] == ' ' && isdigit ((unsigned char) p [end + 1])) {
            size_t e = end + 1;
            while (isdigit ((unsigned char) p [e]))
                e++;
            end = e;
        }
        //  Then '-' or ':' (with optional spaces), and more text
        size_t sep = end;
        while (p [sep] == ' ')
            sep++;
        if (p [sep] != '-' && p [sep] != ':')
            return;
        if (found->signal || strcmp (found->word, "WRAPUP") == 0)
            s_add (story, found->signal, p, end, added);
        p += sep + 1;
        while (*p == ' ')
            p++;
    }
}

//  Find "writethru" markers in a slug or version ("1stLd-Writethru",
//  "Writethru", "Write-thru", "1st Ld") and raw teletype lead markers
static void
s_writethru (story_t *story, const char *text, int *added)
{
    if (str_empty (text))
        return;
    char *lower = text_lower_ascii (text);
    const char *hit = strstr (lower, "writethru");
    if (!hit)
        hit = strstr (lower, "write-thru");
    if (!hit)
        hit = strstr (lower, "ld-");
    if (hit) {
        //  The raw marker is the whitespace-delimited token around the hit
        size_t start = (size_t) (hit - lower);
        while (start > 0 && lower [start - 1] != ' ' && lower [start - 1] != ',')
            start--;
        size_t end = (size_t) (hit - lower);
        while (text [end] && text [end] != ' ' && text [end] != ',')
            end++;
        s_add (story, "writethru", text + start, end - start, added);
    }
    free (lower);
}

static void
s_ednote (story_t *story, const char *ednote, int *added)
{
    if (str_empty (ednote))
        return;
    const char *p = ednote;
    if (strncasecmp (p, "Eds:", 4) == 0 || strncasecmp (p, "Eds.", 4) == 0)
        p += 4;
    else
    if (strncasecmp (p, "Editors:", 8) == 0)
        p += 8;
    else
        return;
    while (*p == ' ')
        p++;
    for (const marker_t *m = s_ednote_verbs; m->word; m++) {
        size_t n = strlen (m->word);
        if (strncmp (p, m->word, n) == 0 && !isalpha ((unsigned char) p [n])) {
            s_add (story, m->signal, p, n, added);
            return;
        }
    }
}

//  --------------------------------------------------------------------------
//  Add the signals the story's conventions show.

int
signals_detect (story_t *story)
{
    assert (story);
    int added = 0;
    for (size_t i = 0; i < story->headlines.len; i++)
        if (story->headlines.items [i].value)
            s_headline (story, story->headlines.items [i].value, &added);
    if (story->slugline) {
        s_headline (story, story->slugline, &added);
        s_writethru (story, story->slugline, &added);
    }
    //  A version that is not a number may hold the write-through mark
    if (story->version && strspn (story->version, "0123456789") != strlen (story->version))
        s_writethru (story, story->version, &added);
    s_ednote (story, story->ednote, &added);
    //  Normalised signals are lower case; raw markers stay as printed
    for (size_t i = 0; i < story->signals.len; i++) {
        char *signal = story->signals.items [i];
        if (!str_starts (signal, "raw:"))
            for (char *p = signal; *p; p++)
                *p = (char) tolower ((unsigned char) *p);
    }
    return added;
}

//  --------------------------------------------------------------------------
//  True if the story's signals say it is killed or withdrawn

bool
signals_canceled (const story_t *story)
{
    return strv_contains (&story->signals, "kill")
        || strv_contains (&story->signals, "withdrawal");
}
