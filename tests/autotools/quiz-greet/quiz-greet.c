// SPDX-License-Identifier: MIT
/* The example project's program: prints the greeting its module holds, or says it is not loaded. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char line[256];
	FILE *f = fopen("/sys/module/quiz_greet/parameters/greeting", "r");
	if (!f) {
		fprintf(stderr, "quiz-greet: the quiz_greet module is not loaded\n");
		return 1;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	printf("quiz-greet: %s\n", line);
	return 0;
}
