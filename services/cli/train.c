//  SPDX-License-Identifier: MIT
//  train - `copydesk train` (learn the subject model from a labelled
//  corpus) and `copydesk eval` (measure it on the corpus's test split)
//
//  Both read the corpus through the same code as production (corpus.h: the
//  real Reuters SGML parser, or ninjs JSON lines), in-process; neither
//  needs the broker.

#include "common.h"
#include "cli/commands.h"
#include "cli/cli.h"
#include "classify/train.h"
#include "classify/eval.h"

//  Parse the training options shared by train and eval --train. Returns 1
//  if argv[*i] was one, 0 if not, -1 on error.
static int
s_train_option (const char *cmd, int argc, char **argv, int *i, train_options_t *options,
                const char **split)
{
    const char *value;
    double number;
    int rc;
    if ((rc = cli_opt (cmd, argc, argv, i, "--split", &value)) != 0) {
        if (rc > 0)
            *split = value;
        return rc;
    }
    if ((rc = cli_opt (cmd, argc, argv, i, "--c", &value)) != 0) {
        if (rc < 0 || cli_number (cmd, "--c", value, 1e-4, 1e4, &options->c))
            return -1;
        return 1;
    }
    if ((rc = cli_opt (cmd, argc, argv, i, "--solver", &value)) != 0) {
        if (rc < 0)
            return -1;
        if (strcmp (value, "svm") == 0)
            options->solver = TRAIN_SVM;
        else
        if (strcmp (value, "lr") == 0 || strcmp (value, "logistic") == 0)
            options->solver = TRAIN_LR;
        else {
            fprintf (stderr, "copydesk %s: --solver is svm or lr, not '%s'\n", cmd, value);
            return -1;
        }
        return 1;
    }
    if ((rc = cli_opt (cmd, argc, argv, i, "--folds", &value)) != 0) {
        if (rc < 0 || cli_number (cmd, "--folds", value, 2, 20, &number))
            return -1;
        options->folds = (int) number;
        return 1;
    }
    if ((rc = cli_opt (cmd, argc, argv, i, "--min-df", &value)) != 0) {
        if (rc < 0 || cli_number (cmd, "--min-df", value, 1, 1000, &number))
            return -1;
        options->min_df = (int) number;
        options->min_df_bigram = (int) number + 1;
        return 1;
    }
    if ((rc = cli_opt (cmd, argc, argv, i, "--headline-weight", &value)) != 0) {
        if (rc < 0 || cli_number (cmd, "--headline-weight", value, 1, 10, &number))
            return -1;
        options->headline_weight = (int) number;
        return 1;
    }
    if ((rc = cli_opt (cmd, argc, argv, i, "--positive-weight", &value)) != 0) {
        if (rc < 0 || cli_number (cmd, "--positive-weight", value, 0.1, 100, &options->positive_weight))
            return -1;
        return 1;
    }
    if ((rc = cli_opt (cmd, argc, argv, i, "--prune", &value)) != 0) {
        if (rc < 0 || cli_number (cmd, "--prune", value, 0, 0.5, &options->prune))
            return -1;
        return 1;
    }
    if (strcmp (argv [*i], "--verbose") == 0 || strcmp (argv [*i], "-v") == 0) {
        options->verbose = true;
        return 1;
    }
    return 0;
}

static void
s_train_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk train --corpus PATH --out MODEL [options]\n"
        "Learn the subject model from a labelled corpus: a folder of Reuters-21578\n"
        "SGML files (*.sgm) and/or ninjs JSON lines (*.jsonl) whose subjects are\n"
        "the labels. Only the training split is read; thresholds come from\n"
        "cross-validation on it. Same input and options: byte-identical model.\n"
        "  --corpus PATH          corpus file or folder (required)\n"
        "  --out MODEL            model file to write (required)\n"
        "  --split S              modapte, all or auto [auto: modapte when the\n"
        "                         stories carry the Reuters split attributes]\n"
        "  --c C                  liblinear cost [1]\n"
        "  --solver svm|lr        L2-loss linear SVM or logistic regression [svm]\n"
        "  --folds N              cross-validation folds for thresholds [5]\n"
        "  --min-df N             min training stories per term [2; bigrams N+1]\n"
        "  --headline-weight N    times a headline word counts [2]\n"
        "  --positive-weight W    cost multiplier of positive examples [1]\n"
        "  --prune F              drop weights below F x the category's largest [0.005]\n"
        "  -v, --verbose          progress per category\n"
        "Example: copydesk train --corpus ../shared/data/reuters21578 --out config/model/reuters.cdm\n");
}

int
cmd_train (int argc, char **argv, config_t *config)
{
    train_options_t options;
    train_options_init (&options);
    const char *corpus_path = NULL, *out = NULL, *split = NULL, *value;
    for (int i = 1; i < argc; i++) {
        int rc;
        if (strcmp (argv [i], "-h") == 0 || strcmp (argv [i], "--help") == 0) {
            s_train_usage (stdout);
            return 0;
        }
        if ((rc = cli_opt ("train", argc, argv, &i, "--corpus", &value)) != 0) {
            if (rc < 0)
                return 2;
            corpus_path = value;
            continue;
        }
        if ((rc = cli_opt ("train", argc, argv, &i, "--out", &value)) != 0) {
            if (rc < 0)
                return 2;
            out = value;
            continue;
        }
        rc = s_train_option ("train", argc, argv, &i, &options, &split);
        if (rc < 0)
            return 2;
        if (rc == 0) {
            fprintf (stderr, "copydesk train: unknown argument '%s' (see --help)\n", argv [i]);
            return 2;
        }
    }
    if (!corpus_path || !out) {
        fprintf (stderr, "copydesk train: --corpus and --out are required (see --help)\n");
        return 2;
    }
    char err [1024];
    int64_t start = time_mono_usec ();
    corpus_t *corpus = corpus_load (corpus_path, split, err, sizeof err);
    if (!corpus) {
        fprintf (stderr, "copydesk train: %s\n", err);
        return 1;
    }
    double read_s = (time_mono_usec () - start) / 1e6;
    start = time_mono_usec ();
    model_t *model = train_model (corpus, &options, err, sizeof err);
    double train_s = (time_mono_usec () - start) / 1e6;
    int rc = 1;
    if (!model)
        fprintf (stderr, "copydesk train: %s\n", err);
    else
    if (model_save (model, out, err, sizeof err))
        fprintf (stderr, "copydesk train: %s\n", err);
    else {
        struct stat st;
        stat (out, &st);
        printf ("trained %s: %zu categories, %zu terms, %zu weights, %lld bytes\n",
                out, model->cats.len, vocab_size (model->vocab), model->nweights,
                (long long) st.st_size);
        printf ("corpus: %zu stories in %zu files (%zu unreadable), split %s: "
                "%zu train / %zu test; read in %.1fs, trained in %.1fs\n",
                corpus->items.len, corpus->files, corpus->bad, corpus->split,
                corpus->train, corpus->test, read_s, train_s);
        rc = 0;
    }
    model_destroy (&model);
    corpus_destroy (&corpus);
    return rc;
}

static void
s_eval_usage (FILE *out)
{
    fprintf (out,
        "Usage: copydesk eval --corpus PATH [--model MODEL | --train] [options]\n"
        "Measure the classifier on the corpus's test split (ModApte for Reuters):\n"
        "micro and macro P/R/F1 for the 90-category and top-10 protocols, the\n"
        "per-category table, and the places scores.\n"
        "  --corpus PATH          corpus file or folder (required)\n"
        "  --model MODEL          model to evaluate [classify/model, else the shipped one]\n"
        "  --train                train a model on the training split first (the\n"
        "                         training options of `copydesk train` apply)\n"
        "  --split S              modapte or auto [auto]\n"
        "  --json                 the report as one JSON object\n"
        "  --require LIST         exit 1 unless the scores reach these floors, e.g.\n"
        "                         micro=0.88,macro=0.55,top10=0.93,places=0.85\n"
        "Example: copydesk eval --corpus ../shared/data/reuters21578\n");
}

//  Check "name=value,..." floors against the report. Returns the number of
//  misses (printed), or -1 if the list does not parse.
static int
s_require (const char *list, const eval_report_t *report)
{
    int misses = 0;
    char *copy = xstrdup (list);
    char *save = NULL;
    for (char *item = strtok_r (copy, ",", &save); item; item = strtok_r (NULL, ",", &save)) {
        char *eq = strchr (item, '=');
        double floor;
        if (!eq || cli_number ("eval", "--require", eq + 1, 0, 1, &floor)) {
            misses = -1;
            break;
        }
        *eq = 0;
        double got;
        if (strcmp (item, "micro") == 0)
            got = report->all.micro_f1;
        else
        if (strcmp (item, "macro") == 0)
            got = report->all.macro_f1;
        else
        if (strcmp (item, "top10") == 0)
            got = report->top10.micro_f1;
        else
        if (strcmp (item, "places") == 0)
            got = report->places.micro_f1;
        else {
            fprintf (stderr, "copydesk eval: --require knows micro, macro, top10, places; not '%s'\n", item);
            misses = -1;
            break;
        }
        if (got < floor) {
            fprintf (stderr, "copydesk eval: %s F1 %.4f is below the required %.4f\n", item, got, floor);
            misses++;
        }
    }
    free (copy);
    return misses;
}

int
cmd_eval (int argc, char **argv, config_t *config)
{
    train_options_t options;
    train_options_init (&options);
    const char *corpus_path = NULL, *model_path = NULL, *split = NULL, *require = NULL, *value;
    bool json = false, train_first = false;
    for (int i = 1; i < argc; i++) {
        int rc;
        if (strcmp (argv [i], "-h") == 0 || strcmp (argv [i], "--help") == 0) {
            s_eval_usage (stdout);
            return 0;
        }
        if (strcmp (argv [i], "--json") == 0) {
            json = true;
            continue;
        }
        if (strcmp (argv [i], "--train") == 0) {
            train_first = true;
            continue;
        }
        if ((rc = cli_opt ("eval", argc, argv, &i, "--corpus", &value)) != 0) {
            if (rc < 0)
                return 2;
            corpus_path = value;
            continue;
        }
        if ((rc = cli_opt ("eval", argc, argv, &i, "--model", &value)) != 0) {
            if (rc < 0)
                return 2;
            model_path = value;
            continue;
        }
        if ((rc = cli_opt ("eval", argc, argv, &i, "--require", &value)) != 0) {
            if (rc < 0)
                return 2;
            require = value;
            continue;
        }
        rc = s_train_option ("eval", argc, argv, &i, &options, &split);
        if (rc < 0)
            return 2;
        if (rc == 0) {
            fprintf (stderr, "copydesk eval: unknown argument '%s' (see --help)\n", argv [i]);
            return 2;
        }
    }
    if (!corpus_path) {
        fprintf (stderr, "copydesk eval: --corpus is required (see --help)\n");
        return 2;
    }
    if (model_path && train_first) {
        fprintf (stderr, "copydesk eval: --model and --train exclude each other\n");
        return 2;
    }
    char err [1024];
    corpus_t *corpus = corpus_load (corpus_path, split, err, sizeof err);
    if (!corpus) {
        fprintf (stderr, "copydesk eval: %s\n", err);
        return 1;
    }
    model_t *model = NULL;
    double train_s = 0;
    if (train_first) {
        int64_t start = time_mono_usec ();
        model = train_model (corpus, &options, err, sizeof err);
        train_s = (time_mono_usec () - start) / 1e6;
    }
    else
    if (model_path)
        model = model_load (model_path, err, sizeof err);
    else {
        char *path = config_datafile (config, "classify/model", "model/reuters.cdm");
        if (path)
            model = model_load (path, err, sizeof err);
        else
            snprintf (err, sizeof err, "no model given and none shipped (model/reuters.cdm)");
        free (path);
    }
    if (!model) {
        fprintf (stderr, "copydesk eval: %s\n", err);
        corpus_destroy (&corpus);
        return 1;
    }
    classify_t *classifier = classify_new_model (config, &model, err, sizeof err);
    if (!classifier) {
        fprintf (stderr, "copydesk eval: %s\n", err);
        corpus_destroy (&corpus);
        return 1;
    }
    eval_report_t report;
    int rc = 0;
    if (eval_run (classifier, corpus, &report, err, sizeof err)) {
        fprintf (stderr, "copydesk eval: %s\n", err);
        rc = 1;
    }
    else {
        if (json) {
            json_t *object = eval_json (&report);
            json_object_set_new (object, "model", json_string (
                classify_model (classifier)->description));
            if (train_first)
                json_object_set_new (object, "train_seconds", json_real (train_s));
            char *text = json_dumps (object, JSON_COMPACT);
            printf ("%s\n", text);
            free (text);
            json_decref (object);
        }
        else {
            printf ("model: %s\n", classify_model (classifier)->description);
            if (train_first)
                printf ("trained in %.1fs\n", train_s);
            eval_print (&report, stdout);
        }
        if (require) {
            int misses = s_require (require, &report);
            if (misses < 0)
                rc = 2;
            else
            if (misses > 0)
                rc = 1;
        }
        eval_report_free (&report);
    }
    classify_destroy (&classifier);
    corpus_destroy (&corpus);
    return rc;
}
