//  SPDX-License-Identifier: MIT
//  config - home folder and ZPL settings (see config.h)

#include "common.h"
#include "config.h"
#include <pwd.h>

struct _config_t {
    char *home;                 //  Absolute home folder
    zconfig_t *root;            //  Settings from copydesk.cfg (or empty)
    zconfig_t *overrides;       //  Settings from the command line
    char *endpoint;             //  Resolved broker endpoint
    char *tap;                  //  Resolved tap endpoint
};

static char *
s_default_home (void)
{
    const char *env = getenv ("COPYDESK_HOME");
    if (!str_empty (env))
        return xstrdup (env);
    const char *home = getenv ("HOME");
    if (str_empty (home)) {
        struct passwd *pw = getpwuid (getuid ());
        home = pw ? pw->pw_dir : "/tmp";
    }
    return xasprintf ("%s/.copydesk", home);
}

config_t *
config_load (const char *home)
{
    char *dir = home ? xstrdup (home) : s_default_home ();
    if (dir_make (dir)) {
        fprintf (stderr, "copydesk: cannot create home folder %s: %s\n", dir, strerror (errno));
        free (dir);
        return NULL;
    }
    char *absolute = realpath (dir, NULL);
    free (dir);
    if (!absolute)
        return NULL;

    config_t *self = (config_t *) xcalloc (1, sizeof (config_t));
    self->home = absolute;
    char *file = config_path (self, "copydesk.cfg");
    if (access (file, F_OK) == 0) {
        self->root = zconfig_load (file);
        if (!self->root) {
            fprintf (stderr, "copydesk: %s is not a valid ZPL file\n", file);
            free (file);
            config_destroy (&self);
            return NULL;
        }
    }
    else
        self->root = zconfig_new ("root", NULL);
    free (file);
    self->overrides = zconfig_new ("root", NULL);
    return self;
}

void
config_destroy (config_t **self_p)
{
    assert (self_p);
    config_t *self = *self_p;
    if (!self)
        return;
    zconfig_destroy (&self->root);
    zconfig_destroy (&self->overrides);
    free (self->home);
    free (self->endpoint);
    free (self->tap);
    free (self);
    *self_p = NULL;
}

const char *
config_home (config_t *self)
{
    return self->home;
}

const char *
config_get (config_t *self, const char *path, const char *default_value)
{
    char *value = zconfig_get (self->overrides, path, NULL);
    if (!value)
        value = zconfig_get (self->root, path, NULL);
    return value && *value ? value : default_value;
}

size_t
config_names (config_t *self, const char *path, strv_t *names)
{
    size_t added = 0;
    zconfig_t *roots [2] = { self->root, self->overrides };
    for (int i = 0; i < 2; i++) {
        zconfig_t *section = zconfig_locate (roots [i], path);
        for (zconfig_t *child = section ? zconfig_child (section) : NULL; child;
             child = zconfig_next (child)) {
            const char *name = zconfig_name (child);
            if (!str_empty (name) && strv_add_unique (names, name))
                added++;
        }
    }
    return added;
}

void
config_set (config_t *self, const char *path, const char *value)
{
    zconfig_put (self->overrides, path, value);
}

int64_t
config_int (config_t *self, const char *path, int64_t default_value)
{
    const char *text = config_get (self, path, NULL);
    if (!text)
        return default_value;
    char *end;
    errno = 0;
    double value = strtod (text, &end);
    if (errno || end == text) {
        fprintf (stderr, "copydesk: setting %s=%s is not a number, using %" PRId64 "\n",
                 path, text, default_value);
        return default_value;
    }
    while (*end == ' ')
        end++;
    if (*end == 'k' || *end == 'K')
        value *= 1024;
    else
    if (*end == 'M')
        value *= 1024 * 1024;
    else
    if (*end == 'G')
        value *= 1024.0 * 1024 * 1024;
    else
    if (strcmp (end, "s") == 0)
        value *= 1000;          //  Seconds to the milliseconds we use
    else
    if (strcmp (end, "ms") == 0 || *end == 0)
        ;
    else {
        fprintf (stderr, "copydesk: setting %s=%s has an unknown unit, using %" PRId64 "\n",
                 path, text, default_value);
        return default_value;
    }
    if (value > (double) INT64_MAX || value < (double) INT64_MIN)
        return default_value;
    return (int64_t) value;
}

char *
config_path (config_t *self, const char *relative)
{
    if (relative [0] == '/')
        return xstrdup (relative);
    return xasprintf ("%s/%s", self->home, relative);
}

const char *
config_endpoint (config_t *self)
{
    if (!self->endpoint) {
        const char *value = config_get (self, "broker/endpoint", NULL);
        self->endpoint = value ? xstrdup (value) : xasprintf ("ipc://%s/broker.ipc", self->home);
    }
    return self->endpoint;
}

const char *
config_tap (config_t *self)
{
    if (!self->tap) {
        const char *value = config_get (self, "broker/tap", NULL);
        self->tap = value ? xstrdup (value) : xasprintf ("ipc://%s/tap.ipc", self->home);
    }
    return self->tap;
}

char *
config_exe_dir (void)
{
    char path [PATH_MAX];
    ssize_t len = readlink ("/proc/self/exe", path, sizeof path - 1);
    if (len <= 0)
        return NULL;
    path [len] = 0;
    char *slash = strrchr (path, '/');
    if (slash)
        *slash = 0;
    return xstrdup (path);
}

char *
config_datafile (config_t *self, const char *key, const char *name)
{
    const char *explicit_path = self && key ? config_get (self, key, NULL) : NULL;
    if (explicit_path)
        return access (explicit_path, R_OK) == 0 ? xstrdup (explicit_path) : NULL;
    char *candidates [4] = { NULL, NULL, NULL, NULL };
    const char *env = getenv ("COPYDESK_DATA");
    if (!str_empty (env))
        candidates [0] = xasprintf ("%s/%s", env, name);
    char *exe = config_exe_dir ();
    if (exe) {
        candidates [1] = xasprintf ("%s/../share/copydesk/%s", exe, name);
        candidates [2] = xasprintf ("%s/../../config/%s", exe, name);
        free (exe);
    }
#ifdef COPYDESK_SOURCE_DIR
    candidates [3] = xasprintf ("%s/config/%s", COPYDESK_SOURCE_DIR, name);
#endif
    char *found = NULL;
    for (int i = 0; i < 4; i++) {
        if (!found && candidates [i] && access (candidates [i], R_OK) == 0)
            found = realpath (candidates [i], NULL);
        free (candidates [i]);
    }
    return found;
}
