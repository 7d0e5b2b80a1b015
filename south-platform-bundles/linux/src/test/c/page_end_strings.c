/* page_end_strings: passes three strings to openat for the supervisor to read:
 * one that ends right before an unmapped page, one that starts on the unmapped page, and one
 * without terminator running into the unmapped page. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *area = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED || munmap(area + page, page) != 0)
        return 2;
    const char *name = "/meridian/page-end";
    char *at_end = area + page - strlen(name) - 1;
    strcpy(at_end, name);
    openat(AT_FDCWD, at_end, O_RDONLY);
    openat(AT_FDCWD, area + page, O_RDONLY);
    memset(area, 'x', page);
    openat(AT_FDCWD, area + page - 16, O_RDONLY);
    return 0;
}
