#include <malloc.h>

#include "app/Cli.hpp"

int main(int argc, char** argv) {
  // Every slice allocates and frees buffers of a few hundred KB (class masks, instances). With
  // glibc's defaults the heap above them is given back to the kernel and faulted in again, page
  // by page, slice after slice: about a tenth of the CPU of a CT conversion went to page faults.
  // Keep up to 64 MB of freed heap, and leave only blocks of 32 MB and more (volumes) to mmap, so
  // that a freed volume still goes back to the kernel at once.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  return samed2d::run_cli(argc, argv);
}
