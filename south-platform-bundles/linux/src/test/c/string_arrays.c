/* string_arrays: makes three execve calls (of a program that does not exist) whose argv arrays
 * put strings where a supervisor reading them must take care: one crossing a page boundary, one
 * ending right before an unmapped page, one starting on it, one running into it without a
 * terminator, and one longer than a page. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PROGRAM "/meridian/strings"

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *area = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED || munmap(area + 3 * page, page) != 0)
        return 2;
    char *unmapped = area + 3 * page;
    char *first = area;
    strcpy(first, "first");
    char *crossing = area + page - 5;
    strcpy(crossing, "crosses-a-page-boundary");
    const char *end_text = "ends-at-the-unmapped-page";
    char *at_end = unmapped - strlen(end_text) - 1;
    strcpy(at_end, end_text);
    char *longer = area + page + 64;
    memset(longer, 'L', 6000);
    longer[6000] = '\0';
    char *environment[] = { NULL };

    char *with_fault[] = { first, crossing, at_end, unmapped, first, NULL };
    execve(PROGRAM, with_fault, environment);
    char *with_long[] = { first, longer, crossing, at_end, NULL };
    execve(PROGRAM, with_long, environment);
    char *unterminated = unmapped - 16;
    memset(unterminated, 'x', 16);
    char *running_off[] = { crossing, unterminated, first, NULL };
    execve(PROGRAM, running_off, environment);
    return 0;
}
