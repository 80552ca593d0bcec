//  SPDX-License-Identifier: MIT
//  signals - editorial signals from the conventions of headlines, sluglines,
//  versions and editors' notes
//
//  Reuters prefixes its headlines ("CORRECTED-", "UPDATE 1-", "REFILE-",
//  "WRAPUP 2-"), AP marks write-throughs in the slug or version
//  ("1stLd-Writethru"), teletype services put "URGENT", "FLASH", "1ST LEAD"
//  or "KILL" in the header, and editors' notes say "Eds: UPDATES with ...".
//  Each becomes a normalised signal (update, correction, writethru, refile,
//  advisory, alert, kill, withdrawal) plus the raw marker ("raw:UPDATE 1").
//  The text itself is left as printed.

#ifndef COPYDESK_NORMALIZE_SIGNALS_H
#define COPYDESK_NORMALIZE_SIGNALS_H

//  Add the signals the story's conventions show. Returns the number of
//  signals added.
int
    signals_detect (story_t *story);

//  True if the story's signals say it is killed or withdrawn
bool
    signals_canceled (const story_t *story);

#endif
