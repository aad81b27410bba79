/* libmemcached as the ketama oracle: reads servers ("host port weight" lines), a blank
 * line, then keys (one a line), and prints the index of each key's server, one a line.
 * Built and run by generate.mjs; links Debian's libmemcached (libmemcached-dev). */
#include <libmemcached/memcached.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  memcached_st *memc = memcached_create(NULL);
  if (!memc) return 2;
  /* Weighted ketama: consistent distribution, MD5 keys, weight-proportional points. */
  if (memcached_behavior_set(memc, MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1) != MEMCACHED_SUCCESS) return 3;
  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    if (line[0] == '\n') break;
    char host[2048];
    unsigned port, weight;
    if (sscanf(line, "%2047s %u %u", host, &port, &weight) != 3) return 4;
    if (memcached_server_add_with_weight(memc, host, (in_port_t)port, weight) != MEMCACHED_SUCCESS) return 5;
  }
  while (fgets(line, sizeof line, stdin)) {
    size_t len = strcspn(line, "\n");
    printf("%u\n", memcached_generate_hash(memc, line, len));
  }
  memcached_free(memc);
  return 0;
}
