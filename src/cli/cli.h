/* cli.h: shared CLI plumbing: command table entries, option parsing, output format,
 * problem reporting and exit codes (0 clean, 1 findings, 2 usage or unreadable input). */
#ifndef EA_CLI_H
#define EA_CLI_H

#include "etcd-autopsy/etcd-autopsy.h"
#include <stdio.h>

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

typedef enum { OUT_TABLE, OUT_JSON, OUT_YAML } out_format;   /* OUT_YAML: commands with CLI_YAML */

/* Minimal getopt_long-like parser that allows options after positionals. */
typedef struct {
	const char *name;   /* long name without "--" */
	char short_name;    /* 0 if none */
	int has_arg;
} cli_opt;

typedef struct {
	int argc;
	char **argv;
	int i;
	const char *arg;    /* value of the last option */
	const char *positional[16];
	int npositional;
} cli_parser;

void cli_parser_init(cli_parser *p, int argc, char **argv);
/* Returns the matched option's index, -1 at end, -2 on error (message printed). */
int cli_next(cli_parser *p, const cli_opt *opts);
int cli_parse_u64(const char *s, uint64_t *out);
int cli_parse_format(const char *s, out_format *f);

/* Counts problems; prints a one-line stderr summary at the end. */
typedef struct {
	size_t count, warnings, errors;
	char first[600];
	int quiet;
} cli_problems;

void cli_problem_seen(cli_problems *cp, const ea_problem *p);
void cli_problems_summary(const cli_problems *cp, const char *what);
int  cli_exit_code(const cli_problems *cp);
void cli_print_error(const char *cmd, const char *path, int rc, const ea_error *err);
void cli_problem_table(FILE *f, const ea_problem *p);
/* A string from the evidence (name, URL, path, detail) in a table or on stderr: control
 * characters and bytes that are not UTF-8 escaped (ea_text_fput); NULL prints "-". */
void cli_text(FILE *f, const char *s);

/* Progress on stderr (TTY only, after ~1 s, never with -q), labelled with the command `what`
 * ("diff") and the current phase; also starts the wall clock of cli_progress_elapsed(). */
void cli_progress_start(int quiet, const char *what);
/* Erases the progress line for good; call it before printing a summary. Idempotent. */
void cli_progress_stop(void);
/* Wall-clock seconds since cli_progress_start (the whole command, not one step of it). */
double cli_progress_elapsed(void);
/* Sets what the progress line says is being done ("analysing"); NULL clears it. */
void cli_progress_phase(const char *phase);
/* Phase "reading n1, n2, n3": each node by its name, else by the last component of its path. */
void cli_progress_nodes(const char *const *names, const char *const *paths, int n);

/* Prints "etcd-autopsy CMD: ARCHIVE: staged N members (SIZE, N bytes) under TMPDIR; ..." on
 * stderr for every archive input from now on, unless quiet (stage_note.c). */
void cli_stage_note_init(int quiet, const char *cmd);
/* "25.1 MiB" (binary units; "512 B" below 1 KiB) into buf; returns buf. */
const char *cli_human_bytes(char *buf, size_t cap, uint64_t bytes);
/* The name of the node whose WAL carries member ID id, else the ID in hex (written to buf). */
const char *cli_member_label(ea_node *const *nodes, size_t n, uint64_t id, char *buf, size_t cap);

int cmd_wal(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_snap(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_replay(int argc, char **argv);
/* `replay NODE --against REF [--at INDEX]` (cmd_replay_against.c): what NODE lost against REF. */
int cli_replay_against(const char *member, const char *reference, uint64_t at, out_format fmt, int quiet);

/* Opens each NAME=PATH (or PATH) argument as a node; prints errors; 0 or -1. */
/* 1 input under two paths (same device and inode): prints a usage error naming both
 * arguments and returns -1, else 0. */
int cli_same_path(const char *cmd, const char *const *args, const char *const *paths, int nargs);
int cli_open_nodes(const char *cmd, const char *const *args, int nargs, ea_node **nodes, size_t *n);
/* cli_open_nodes with ea_node_open_many_with's options (NULL = none). */
int cli_open_nodes_with(const char *cmd, const char *const *args, int nargs, const ea_node_open_opts *opts,
                        ea_node **nodes, size_t *n);
#define CLI_MAX_NODES 16
/* --logs NAME=FILE: attach etcd's log to the node called NAME. 0 or -1 (message printed).
 * A log with no recognised line, or written by another member, is refused unless
 * cli_force_logs is set (a command's --force), which keeps it with a warning on stderr. */
extern int cli_force_logs;
int cli_attach_logs(const char *cmd, ea_node **nodes, size_t n, const char *const *specs, int nspecs);
/* The positional NODE arguments (1..CLI_MAX_NODES, else `help` on stderr) opened, with their
 * --logs attached, with `opts` (NULL = none). 0 or -1 (message printed, nothing left open). */
int cli_nodes_from_args(const char *cmd, const char *help, const cli_parser *p, const char *const *logs,
                        int nlogs, const ea_node_open_opts *opts, ea_node **nodes, size_t *n);

/* ---- the option table (args.c): options several commands share are declared once, in
 * cli_common_rows; a command's cli_command names the ones it takes (flags) and adds its own
 * rows; one parser (cli_parse) fills a cli_args. --help and --stage-limit are always there. ---- */
enum {
	CLI_W      = 1 << 0,   /* -w, --write-out table|json (also simple) */
	CLI_Q      = 1 << 1,   /* -q, --quiet: no summary on stderr */
	CLI_LOGS   = 1 << 2,   /* --logs NAME=FILE, repeatable (up to CLI_MAX_NODES) */
	CLI_FORCE  = 1 << 3,   /* --force: replace the output file; keep a --logs file of another member */
	CLI_OUTPUT = 1 << 4,   /* -o, --output FILE */
	CLI_YAML   = 1 << 5    /* -w also takes yaml (elsewhere: unknown output format) */
};

typedef struct cli_args cli_args;

/* One option: its names, whether it takes a value, and what it does. */
typedef struct {
	const char *name;     /* long name without "--" */
	char short_name;      /* 0 if none */
	int has_arg;
	/* stores the option (val: its value, else NULL) in a (own: the command's values); 0, or -1
	 * after a message on stderr (exit 2) */
	int (*set)(cli_args *a, const char *val);
} cli_row;

/* What a command takes: the shared options (CLI_* flags) and its own rows. */
typedef struct {
	const char *name;        /* "diff", "db": names the command in messages */
	const char *help;        /* printed by --help */
	unsigned flags;          /* CLI_W | CLI_Q | ... */
	const cli_row *rows;     /* its own options, ended by a row with name NULL; or NULL */
	int named_errors;        /* 1: "etcd-autopsy NAME: too many --logs" (export), else "etcd-autopsy: ..." */
} cli_command;

/* Everything the parser fills. */
struct cli_args {
	const cli_command *cmd;
	out_format fmt;          /* -w (default OUT_TABLE) */
	int quiet;               /* -q */
	int force;               /* --force (also sets cli_force_logs) */
	const char *output;      /* -o, or NULL */
	const char *logs[CLI_MAX_NODES];   /* --logs, in order */
	int nlogs;
	ea_node_open_opts open;  /* the node opens' options for cli_args_nodes (set by the command; zero by cli_parse) */
	cli_parser p;            /* the positional arguments */
	void *own;               /* the command's own option values, for its rows */
};

#define CLI_GO (-1)
/* Parses argv[1..argc) (argv[0]: the command or verb) into a against c's options; own is
 * handed to c's rows. CLI_GO to go on, else the exit code to return at once (EXIT_CLEAN after
 * --help, EXIT_USAGE after a message). */
int cli_parse(cli_args *a, const cli_command *c, int argc, char **argv, void *own);
/* Adds val to list (*n entries, at most CLI_MAX_NODES): 0, or -1 after "<who>: too many <opt>". */
int cli_list_add(const char **list, int *n, const char *val, const char *who, const char *opt);
/* `NOUN VERB`: the index of argv[1] in verbs (NULL-ended); else -1 with *code set after the help
 * (none given: on stderr, exit 2; --help: on stdout, exit 0) or "unknown subcommand" (exit 2). */
int cli_verb(int argc, char **argv, const cli_command *c, const char *const *verbs, int *code);
/* The positional NODE arguments of a opened with their --logs (cli_nodes_from_args). */
int cli_args_nodes(const cli_args *a, ea_node **nodes, size_t *n);

/* ---- the exit-code rule (exitcode.c; README "Exit codes") ---- */
/* 1 if nothing read was a WAL: no record decoded and the first problem is the first frame. */
int  cli_wal_not_wal(uint64_t records, const ea_problem *first_problem);
void cli_print_not_wal(const char *cmd, const char *path, const ea_problem *first_problem);
/* -1 (message per node printed) if a node yielded neither a WAL nor a readable db. */
int  cli_nodes_readable(const char *cmd, ea_node *const *nodes, size_t n);
/* 1 if a listed .snap file is no snappb.Snapshot at all (its first byte is no field tag of one). */
int  cli_snap_not_snap(ea_input *in, const ea_snap_info *si);
/* 1 if a node's WAL or db has a problem of warning or worse. */
int  cli_nodes_problems(ea_node *const *nodes, size_t n);
/* 1 for a verdict other than consistent, any finding of warning or worse, or a node's own
 * problem (cli_nodes_problems), else 0. */
int  cli_diff_exit_code(ea_node *const *nodes, size_t n, const ea_diff *d);
/* The first node whose kept replay (node_replay.h) the report shows at warning or worse:
 * db-diverges-from-wal or db-behind-wal (incomplete is info: not everything could be checked);
 * -1 if none or never replayed. */
int  cli_nodes_replay_finding(ea_node *const *nodes, size_t n);

/* ---- Kubernetes options of db ls/history/get and wal ls (k8s_opts.c) ---- */
typedef struct {
	const char *prefix;     /* --k8s-prefix (NULL: /registry) */
	const char *resource;   /* --resource */
	const char *ns;         /* --namespace */
	int given;              /* any of them given */
	ea_k8s *k;              /* the decoder (cli_k8s_open) */
} cli_k8s;
/* Stores --k8s-prefix, --resource or --namespace (opt without "--") in k: 0, or -1 after a message. */
int  cli_k8s_set(cli_k8s *k, const char *cmd, const char *opt, const char *val);
/* Opens the decoder: 0, or -1 after a message (a prefix list that is empty or too long). */
int  cli_k8s_open(cli_k8s *k, const char *cmd);
/* 1 when the filters (--resource, --namespace) keep the object o (NULL: the key is not under the prefix). */
int  cli_k8s_match(const cli_k8s *k, const ea_k8s_object *o);

/* ---- --since/--until of wal ls and history, and the time fields of wal ls (time_window.c) ---- */
typedef struct {
	int given;              /* --since or --until given */
	int64_t since_us, until_us;   /* Unix us; INT64_MIN / INT64_MAX when not given */
} cli_window;
/* Stores --since or --until (opt without "--", UTC ISO 8601 text): 0, or -1 after a message. */
int  cli_window_set(cli_window *w, const char *cmd, const char *opt, const char *val);
/* -1 after a message when --since is above --until (nothing can match), else 0. */
int  cli_window_check(const cli_window *w, const char *cmd);
/* 1 when the window keeps a time known to lie in [lo_us, hi_us] (INT64_MIN/MAX: unbounded). */
int  cli_window_keep(const cli_window *w, int64_t lo_us, int64_t hi_us);
/* ,"approx_time":...,"time_source":...,"time_error_s":... (nulls when unknown), raw JSON. */
void cli_walltime_json(ea_json *j, const ea_walltime_est *e);
/* `history --since/--until`: drops the events the window excludes (history_window.c); EA_OK or an error. */
int  cli_history_window(ea_node *const *nodes, size_t n, const cli_window *w, ea_event *ev, size_t *nev);

/* ---- db stat (db_members_note.c) ---- */
/* Prints a note when the members bucket lists members the newest .snap's conf state lacks, or the db's
 * meta/confState (etcd 3.5+) lists members the bucket lacks (an etcdutl snapshot restore leftover). */
void cli_db_members_note(ea_input *in, ea_mvcc *m, const char *conf_state);

/* ---- HashKV variants (db_hash_variants.c) ---- */
/* Parses --etcd-version (an error line on stderr and -1 when it is not X.Y.Z of etcd 3.x). */
int  cli_etcd_version_opt(const char *cmd, const char *arg, ea_hashkv_version *v);
/* The rule basis of h says "--etcd-version X.Y.Z" when one was given (given->version set). */
void cli_hash_rule_override(ea_hashkv_result *h, const ea_hashkv_version *given);
/* diff/verify --etcd-version (already checked; NULL: none): that release's rule on every db. */
void cli_nodes_hash_rule(const char *etcd_version, ea_node *const *nodes, size_t n);
/* ---- malloc settings (malloc_tune.c) ---- */
/* Large blocks (>= 128 KiB) always mapped, so a freed or moved one leaves no hole in the heap
 * (glibc; nothing elsewhere). Output is unchanged: only where memory comes from. */
void cli_malloc_fixed_mmap_threshold(void);
/* ---- version facts (version_facts.c) ---- */
/* `wal stat`: the minimum etcd version the WAL's entries need (after the .snap etcd would load
 * from `in`) and its v2 requests, as table lines or as keys of the open JSON object `j`. */
void cli_wal_version_facts(ea_input *in, const ea_wal_summary *s, const ea_wal_versions *v, ea_json *j);
/* `db stat`: reads the input's WAL and .snap files and prints the WAL's minimum etcd version,
 * ready for 3.6 and downgradable to the previous minor, as table lines or JSON keys (`j`). */
void cli_db_version_facts(ea_input *in, const ea_mvcc_info *info, ea_json *j);

/* One `db history` row with where it comes from (db_history_wal.c); nonzero stops. */
typedef int (*cli_history_row_cb)(const ea_mvcc_kv *kv, const ea_render_kv_source *src, void *arg);
/* `db history KEY`: the db's revisions of KEY merged in revision order with those the db
 * compacted away and the input's WAL still holds (replayed against the db); < 0 on a db error. */
int cli_db_history_rows(ea_input *in, ea_mvcc *db, const char *key, cli_history_row_cb cb, void *arg);

#endif
