/*
 * winrun.exe: runs Windows command lines for the tests under Wine, where wine64's own exit status keeps
 * only 8 bits and Windows node.exe cannot use Unix pipes (EBADF). Built with mingw-w64 by
 * scripts/wine-setup.mjs.
 *
 *   winrun.exe <dir>            runs the command line in <dir>\cmdline.txt (UTF-8, as CreateProcess
 *                               takes it), stdin NUL, stdout and stderr to <dir>\stdout.txt and
 *                               <dir>\stderr.txt; writes its exit code, all 32 bits, to <dir>\code.txt
 *   winrun.exe <dir> <rounds>   benchmark: runs each line of cmdline.txt <rounds> times, interleaved
 *                               (the order rotates every round), output to NUL; writes
 *                               "<line index> <microseconds> <exit code>" per run to <dir>\times.txt
 */
#include <windows.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#define MAX_LINES 8

static wchar_t *join(const wchar_t *dir, const wchar_t *name) {
  size_t n = wcslen(dir) + wcslen(name) + 2;
  wchar_t *out = malloc(n * sizeof(wchar_t));
  swprintf(out, n, L"%ls\\%ls", dir, name);
  return out;
}

static HANDLE open_file(const wchar_t *path, DWORD access, DWORD creation) {
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  return CreateFileW(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, creation, FILE_ATTRIBUTE_NORMAL, NULL);
}

/* The lines of a UTF-8 file, as UTF-16 (CR LF or LF). */
static int read_lines(const wchar_t *path, wchar_t **lines) {
  FILE *f = _wfopen(path, L"rb");
  if (!f) return 0;
  static char buf[1 << 20];
  size_t len = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[len] = 0;
  int count = 0;
  char *p = buf;
  while (*p && count < MAX_LINES) {
    char *end = p;
    while (*end && *end != '\n') end++;
    char *stop = end > p && end[-1] == '\r' ? end - 1 : end;
    int n = MultiByteToWideChar(CP_UTF8, 0, p, (int)(stop - p), NULL, 0);
    wchar_t *w = calloc(n + 1, sizeof(wchar_t));
    MultiByteToWideChar(CP_UTF8, 0, p, (int)(stop - p), w, n);
    if (n > 0) lines[count++] = w;
    p = *end ? end + 1 : end;
  }
  return count;
}

static DWORD run(wchar_t *line, HANDLE in, HANDLE out, HANDLE err) {
  STARTUPINFOW si = {0};
  PROCESS_INFORMATION pi;
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = in;
  si.hStdOutput = out;
  si.hStdError = err;
  if (!CreateProcessW(NULL, line, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) return 0xFFFFFFFF;
  WaitForSingleObject(pi.hProcess, INFINITE);
  DWORD code = 0;
  GetExitCodeProcess(pi.hProcess, &code);
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  return code;
}

int main(void) {
  int argc = 0;
  wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  if (!argv || argc < 2) return 2;
  const wchar_t *dir = argv[1];
  wchar_t *lines[MAX_LINES];
  int count = read_lines(join(dir, L"cmdline.txt"), lines);
  if (count == 0) return 2;
  HANDLE in = open_file(L"NUL", GENERIC_READ, OPEN_EXISTING);
  if (argc < 3) {
    HANDLE out = open_file(join(dir, L"stdout.txt"), GENERIC_WRITE, CREATE_ALWAYS);
    HANDLE err = open_file(join(dir, L"stderr.txt"), GENERIC_WRITE, CREATE_ALWAYS);
    DWORD code = run(lines[0], in, out, err);
    CloseHandle(out);
    CloseHandle(err);
    FILE *f = _wfopen(join(dir, L"code.txt"), L"wb");
    if (!f) return 2;
    fprintf(f, "%lu\n", (unsigned long)code);
    fclose(f);
    return 0;
  }
  int rounds = _wtoi(argv[2]);
  HANDLE null_out = open_file(L"NUL", GENERIC_WRITE, OPEN_EXISTING);
  FILE *times = _wfopen(join(dir, L"times.txt"), L"wb");
  if (!times) return 2;
  LARGE_INTEGER freq, t0, t1;
  QueryPerformanceFrequency(&freq);
  for (int r = 0; r < rounds; r++) {
    for (int k = 0; k < count; k++) {
      int i = (k + r) % count;
      QueryPerformanceCounter(&t0);
      DWORD code = run(lines[i], in, null_out, null_out);
      QueryPerformanceCounter(&t1);
      long long us = (t1.QuadPart - t0.QuadPart) * 1000000LL / freq.QuadPart;
      fprintf(times, "%d %lld %lu\n", i, us, (unsigned long)code);
    }
  }
  fclose(times);
  return 0;
}
