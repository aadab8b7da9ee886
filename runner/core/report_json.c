/* SPDX-License-Identifier: MIT */
/* JSON for programs: --list --json, and --results' result.json and summary.json. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "macro.h"
#include "report.h"
#include "safe_text.h"

static int json_string(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0;
	int r = buf_puts(b, "\"");
	while (r >= 0 && i < len) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, len - i, &cp);
		if (k == 0) {
			r = buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD for a byte that is not UTF-8 */
			i++;
			continue;
		}
		switch (cp) {
		case '"': r = buf_puts(b, "\\\""); break;
		case '\\': r = buf_puts(b, "\\\\"); break;
		case '\b': r = buf_puts(b, "\\b"); break;
		case '\f': r = buf_puts(b, "\\f"); break;
		case '\n': r = buf_puts(b, "\\n"); break;
		case '\r': r = buf_puts(b, "\\r"); break;
		case '\t': r = buf_puts(b, "\\t"); break;
		default:
			r = cp < 0x20 || cp == 0x7f ? buf_printf(b, "\\u%04x", (unsigned)cp)
						    : buf_append(b, p + i, k);
		}
		i += k;
	}
	return r < 0 ? r : buf_puts(b, "\"");
}

/* "key": "value", or "key": null for NULL. */
static int json_member(struct buf *b, const char *key, const char *value, bool first)
{
	int r = buf_printf(b, "%s\"%s\": ", first ? "" : ", ", key);
	if (r >= 0)
		r = value ? json_string(b, value) : buf_puts(b, "null");
	return r;
}

static int json_string_array(struct buf *b, const char *key, char *const *items, size_t n)
{
	int r = buf_printf(b, ", \"%s\": [", key);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		if (i)
			r = buf_puts(b, ", ");
		if (r >= 0)
			r = json_string(b, items[i]);
	}
	return r < 0 ? r : buf_puts(b, "]");
}

/* Finite, not negative, three decimals: what JSON can carry of a duration. */
static double json_seconds(double s)
{
	return isfinite(s) && s > 0 ? s : 0;
}

static int target_json(const struct report_target *t, struct buf *b)
{
	size_t n_program = 0;
	while (t->program && t->program[n_program])
		n_program++;
	int r = buf_puts(b, "{");
	if (r >= 0)
		r = json_member(b, "name", t->name, true);
	if (r >= 0)
		r = json_member(b, "kernel", t->kernel, false);
	if (r >= 0)
		r = json_member(b, "arch", t->arch, false);
	if (r >= 0)
		r = json_string_array(b, "profiles", t->profiles, t->n_profiles);
	if (r >= 0)
		r = json_string_array(b, "program", t->program, n_program);
	if (r >= 0)
		r = t->timeout_s ? buf_printf(b, ", \"timeout\": %u}", t->timeout_s)
				 : buf_puts(b, ", \"timeout\": null}");
	return r;
}

int report_targets_json(const struct report_target *t, size_t n, struct buf *out)
{
	_cleanup_buf_ struct buf b = {0};
	int r = buf_puts(&b, "[\n");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		r = target_json(&t[i], &b);
		if (r >= 0)
			r = buf_puts(&b, i + 1 < n ? ",\n" : "\n");
	}
	if (r >= 0)
		r = buf_puts(&b, "]\n");
	return r < 0 ? r : buf_append(out, b.data, b.len);
}

/* The kernel's reports that failed the run (no allow pattern let them pass), from its result. */
static int splats_json(const struct run_result *res, struct buf *b)
{
	int r = buf_puts(b, ", \"splats\": [");
	bool first = true;
	for (size_t i = 0; r >= 0 && res && i < res->n_reports; i++) {
		const struct run_report *rep = &res->reports[i];
		if (rep->allowed)
			continue;
		r = buf_puts(b, first ? "{" : ", {");
		if (r >= 0)
			r = json_member(b, "kind", splat_kind_name(rep->kind), true);
		if (r >= 0)
			r = json_member(b, "title", rep->title, false);
		if (r >= 0)
			r = buf_puts(b, "}");
		first = false;
	}
	return r < 0 ? r : buf_puts(b, "]");
}

static int subtests_json(const struct run_result_row *row, struct buf *b)
{
	if (!row->stdout_tap && !row->console_tap)
		return buf_puts(b, ", \"subtests\": null");
	struct tap_counts c = {0};
	tap_tree_count(row->stdout_tap, &c);
	tap_tree_count(row->console_tap, &c);
	return buf_printf(b,
			  ", \"subtests\": {\"passed\": %zu, \"failed\": %zu, \"skipped\": %zu, "
			  "\"problems\": %zu}",
			  c.passed + c.todo, c.failed, c.skipped, c.problems);
}

/* --each: the target, how many runs, the first run's result (flaky), the known failure's why. */
static int each_json(const struct run_result_row *row, struct buf *b)
{
	int r = json_member(b, "target", row->target, false);
	if (r >= 0)
		r = buf_printf(b, ", \"attempts\": %u", row->attempts ? row->attempts : 1);
	if (r >= 0)
		r = json_member(b, "first_result",
				row->kind == RESULT_FLAKY ? result_kind_name(row->first_kind)
							  : NULL,
				false);
	bool known = row->kind == RESULT_XFAIL || row->kind == RESULT_XPASS;
	if (r >= 0)
		r = json_member(b, "known_failure",
				known ? (row->known_why ? row->known_why : "") : NULL, false);
	return r;
}

static int result_json(const struct run_result_row *row, struct buf *b)
{
	const char *kind = result_kind_name(row->kind);
	if (!kind)
		return -EINVAL;
	int r = buf_puts(b, "{");
	if (r >= 0)
		r = json_member(b, "name", row->name, true);
	if (r >= 0)
		r = json_member(b, "kernel", row->kernel, false);
	if (r >= 0)
		r = json_member(b, "arch", row->arch, false);
	if (r >= 0)
		r = json_string_array(b, "profiles", row->profiles, row->n_profiles);
	if (r >= 0)
		r = buf_printf(b, ", \"exit_status\": %d", row->exit_code);
	if (r >= 0)
		r = json_member(b, "result", kind, false);
	if (r >= 0)
		r = buf_printf(b, ", \"seconds\": %.3f", json_seconds(row->seconds));
	if (r >= 0)
		r = splats_json(row->kind == RESULT_SPLAT ? row->result : NULL, b);
	if (r >= 0)
		r = subtests_json(row, b);
	if (r >= 0 && row->target)
		r = each_json(row, b);
	return r < 0 ? r : buf_puts(b, "}");
}

int report_result_json(const struct run_result_row *row, struct buf *out)
{
	_cleanup_buf_ struct buf b = {0};
	int r = result_json(row, &b);
	if (r >= 0)
		r = buf_puts(&b, "\n");
	return r < 0 ? r : buf_append(out, b.data, b.len);
}

int report_summary_json(const struct run_result_row *rows, size_t n, const char *version,
			const char *shard, int exit_status, struct buf *out)
{
	_cleanup_buf_ struct buf b = {0};
	size_t passed = 0, failed = 0, count[RESULT_XPASS + 1] = {0};
	bool each = false;
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		passed += rows[i].kind == RESULT_PASS;
		failed += result_kind_fails(rows[i].kind, false);
		if ((size_t)rows[i].kind < ELEMENTSOF(count))
			count[rows[i].kind]++;
		each |= rows[i].target != NULL;
		total += json_seconds(rows[i].seconds);
	}
	int r = buf_puts(&b, "{");
	if (r >= 0)
		r = json_member(&b, "quiz", version, true);
	if (r >= 0)
		r = json_member(&b, "shard", shard, false);
	if (r >= 0)
		r = buf_printf(&b, ", \"exit_status\": %d, \"passed\": %zu, \"failed\": %zu",
			       exit_status, passed, failed);
	if (r >= 0 && each)
		r = buf_printf(&b,
			       ", \"skipped\": %zu, \"flaky\": %zu, \"xfail\": %zu, \"xpass\": %zu",
			       count[RESULT_SKIP], count[RESULT_FLAKY], count[RESULT_XFAIL],
			       count[RESULT_XPASS]);
	if (r >= 0)
		r = buf_printf(&b, ", \"seconds\": %.3f, \"runs\": [", total);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		r = buf_puts(&b, i ? ",\n" : "\n");
		if (r >= 0)
			r = result_json(&rows[i], &b);
	}
	if (r >= 0)
		r = buf_puts(&b, n ? "\n]}\n" : "]}\n");
	return r < 0 ? r : buf_append(out, b.data, b.len);
}
