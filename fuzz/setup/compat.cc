// Three symbols that Jazzer.js 4.0.0's prebuilt addon takes from glibc 2.38 and GCC 13's libstdc++,
// for systems with older ones (Debian 12: glibc 2.36, GCC 12). Preloaded, under the same symbol
// versions (compat.map), once the addon's needs for those versions are made weak (elf-versions.ts).
#include <cstdlib>
#include <ios>

// C23's strtol/strtoul also take a 0b prefix; libFuzzer parses its decimal flags with them.
extern "C" long __isoc23_strtol(const char *s, char **end, int base) { return std::strtol(s, end, base); }
extern "C" unsigned long __isoc23_strtoul(const char *s, char **end, int base) { return std::strtoul(s, end, base); }

// GCC 13 initialises the standard streams through this call from every object that includes
// <iostream>; older libstdc++ does it with a static ios_base::Init per object, as here.
namespace std {
void ios_base_library_init() { static ios_base::Init init; }
}
