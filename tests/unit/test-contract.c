/* SPDX-License-Identifier: MIT */
/* The contract file's records round-trip exactly (test-settings.c: what they mean). */
#include <stdbool.h>
#include <stdlib.h>

#include "contract.h"
#include "tap.h"

static void test_round_trip(void)
{
	static const char *const values[] = {
		"./test.sh", "arg two", "it's \"quoted\"",  "",	  "new\nline",
		"a=b=c",     "ünïcode", "$HOME `x` \\ ;|&", "--", "-x",
	};
	struct buf b = {0};
	for (size_t i = 0; i < ELEMENTSOF(values); i++)
		CHECK(contract_add(&b, "arg", values[i]) == 0, "encode arg %zu", i);
	CHECK(contract_add(&b, "cwd", "/home/u/my project") == 0, "encode cwd");
	CHECK(contract_add(&b, "env", "A=1 2") == 0, "encode env");

	struct contract_entry *e = NULL;
	size_t n = 0;
	CHECK(contract_parse(b.data, b.len, &e, &n) == 0, "parse");
	CHECK(n == ELEMENTSOF(values) + 2, "entry count %zu", n);
	for (size_t i = 0; i < ELEMENTSOF(values) && i < n; i++) {
		CHECK_STR(e[i].key, "arg", "key %zu", i);
		CHECK_STR(e[i].value, values[i], "value %zu round-trips", i);
	}
	size_t k = ELEMENTSOF(values);
	if (n == k + 2) {
		CHECK_STR(e[k].key, "cwd", "cwd's key");
		CHECK_STR(e[k].value, "/home/u/my project", "cwd's value");
		CHECK_STR(e[k + 1].key, "env", "env's key");
		CHECK_STR(e[k + 1].value, "A=1 2", "env keeps its '='");
	}
	free(e);
	buf_free(&b);
}

static void test_rejects(void)
{
	struct buf b = {0};
	CHECK(contract_add(&b, "", "x") == -EINVAL, "empty key refused");
	CHECK(contract_add(&b, "a=b", "x") == -EINVAL, "key with '=' refused");
	CHECK(b.len == 0, "nothing written on refusal");
	buf_free(&b);

	char truncated[] = {'a', 'r', 'g', '=', 'x'};
	struct contract_entry *e = NULL;
	size_t n = 0;
	CHECK(contract_parse(truncated, sizeof(truncated), &e, &n) == -EINVAL,
	      "record without terminator refused");
	char nokey[] = "=x";
	CHECK(contract_parse(nokey, sizeof(nokey), &e, &n) == -EINVAL,
	      "record without key refused");
	char noeq[] = "argx";
	CHECK(contract_parse(noeq, sizeof(noeq), &e, &n) == -EINVAL, "record without '=' refused");
	char empty[1];
	CHECK(contract_parse(empty, 0, &e, &n) == 0 && n == 0, "empty contract is valid");
	free(e);
}

int main(void)
{
	test_round_trip();
	test_rejects();
	return tap_done();
}
