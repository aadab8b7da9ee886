/* SPDX-License-Identifier: MIT */
/* The host's TSC rate for TCG's timing words: from which text, and that it does not move. */
#include "tap.h"
#include "tsc_rate.h"

/* cpuinfo's text: "cpu MHz" (given) between HEAD and TAIL. */
static const char *const XEON[] = {
	"processor\t: 0\nvendor_id\t: GenuineIntel\n"
	"model name\t: Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz\ncpu MHz\t\t: ",
	"\ncache size\t: 35840 KB\n\nprocessor\t: 1\ncpu MHz\t\t: 3300.000\n"};
static const char *const EPYC[] = {
	"processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13 64-Core "
	"Processor\ncpu MHz\t\t: ",
	"\n"};
static const char *const PLAIN[] = {"", ""};

static enum tsc_rate_source pick(const char *base, const char *const *cpu, const char *mhz,
				 bool cpufreq, unsigned long *khz)
{
	char cpuinfo[512];
	snprintf(cpuinfo, sizeof(cpuinfo), "%s%s%s", cpu[0], mhz, cpu[1]);
	struct tsc_rate_inputs in = {
		.base_frequency = base, .cpuinfo = cpuinfo, .cpufreq = cpufreq};
	*khz = 0;
	return tsc_rate_pick(&in, khz);
}

static void test_pick(void)
{
	unsigned long a, b;
	CHECK(pick("2600000\n", XEON, "1200.000", true, &a) == TSC_RATE_BASE && a == 2600000,
	      "cpufreq's base_frequency first (%lu)", a);
	CHECK(pick("2600000\n", XEON, "3400.123", true, &b) == TSC_RATE_BASE && a == b,
	      "whatever the clock is now: the same rate (%lu, %lu)", a, b);
	CHECK(pick(NULL, EPYC, "2449.998", false, &a) == TSC_RATE_FIXED_MHZ && a == 2449998,
	      "no cpufreq driver: cpu MHz, the kernel's measure of the TSC (%lu)", a);
	CHECK(pick(NULL, XEON, "2599.998", false, &a) == TSC_RATE_FIXED_MHZ && a == 2599998,
	      "before the model name's rounded figure (%lu)", a);
	CHECK(pick(NULL, XEON, "1200.000", true, &a) == TSC_RATE_MODEL && a == 2600000,
	      "a cpufreq driver without base_frequency: the model name's @ 2.60GHz (%lu)", a);
	CHECK(pick(NULL, XEON, "3400.000", true, &b) == TSC_RATE_MODEL && a == b,
	      "the same at another clock");
	CHECK(pick(NULL, EPYC, "1500.000", true, &a) == TSC_RATE_CURRENT_MHZ && a == 1500000,
	      "nothing nominal: the current clock, for the host to pin (%lu)", a);
	CHECK(pick("junk\n", EPYC, "1500.000", true, &a) == TSC_RATE_CURRENT_MHZ,
	      "a base_frequency that is no number is not used");
	CHECK(pick("50\n", EPYC, "1500.000", true, &a) == TSC_RATE_CURRENT_MHZ,
	      "nor one below 100 MHz");
	CHECK(pick(NULL, PLAIN, "model name\t: Fake @ 900MHz\ncpu MHz\t: 1.0\n", true, &a) ==
			      TSC_RATE_MODEL &&
		      a == 900000,
	      "a model name in MHz (%lu)", a);
	CHECK(pick(NULL, PLAIN, "model name\t: Fake @ 2.6\ncpu MHz\t: 2.0\n", true, &a) ==
		      TSC_RATE_NONE,
	      "no unit, no usable MHz: none (the guest calibrates)");
	CHECK(pick(NULL, PLAIN, "flags\t: fpu\n", false, &a) == TSC_RATE_NONE && a == 0,
	      "nothing known: none");
	struct tsc_rate_inputs none = {0};
	CHECK(tsc_rate_pick(&none, &a) == TSC_RATE_NONE, "no texts at all: none");
	CHECK(pick(NULL, PLAIN, "cpu MHzz\t: 2000.0\nmodel name\t: x\n", false, &a) ==
		      TSC_RATE_NONE,
	      "only the key itself counts");
}

static void test_pin(void)
{
	struct buf b = {0};
	unsigned long khz = 0;
	const char *boot = "0b0c1f7e-9d3a-4a8e-8b1e-1f2a3b4c5d6e";
	CHECK(tsc_rate_pin_format(boot, 1500000, &b) == 0 &&
		      STREQ(b.data, "0b0c1f7e-9d3a-4a8e-8b1e-1f2a3b4c5d6e 1500000\n"),
	      "a pin: BOOT_ID KHZ");
	CHECK(tsc_rate_pin_parse(b.data, boot, &khz) == 0 && khz == 1500000,
	      "read back for the same boot");
	khz = 7;
	CHECK(tsc_rate_pin_parse(b.data, "11111111-9d3a-4a8e-8b1e-1f2a3b4c5d6e", &khz) == -ENOENT &&
		      khz == 7,
	      "another boot's pin is not used");
	CHECK(tsc_rate_pin_parse("0b0c1f7e-9d3a-4a8e-8b1e-1f2a3b4c5d6e 15x\n", boot, &khz) ==
		      -ENOENT,
	      "a malformed pin is not used");
	CHECK(tsc_rate_pin_parse("0b0c1f7e-9d3a-4a8e-8b1e-1f2a3b4c5d6e 5\n", boot, &khz) == -ENOENT,
	      "nor one outside 100 MHz..100 GHz");
	CHECK(tsc_rate_pin_parse("", "", &khz) == -ENOENT, "no boot id: none");
	buf_free(&b);
}

int main(void)
{
	test_pick();
	test_pin();
	return tap_done();
}
