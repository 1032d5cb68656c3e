#include "support/RunTool.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <stdexcept>
#include <tuple>

namespace samed2d::test {

std::string samed2d_binary() {
  // SAMED2D_TEST_TOOL runs the suite against another build of samed2d (scripts/compare-output.sh).
  const char* other = std::getenv("SAMED2D_TEST_TOOL");
  return other != nullptr && *other != '\0' ? other : SAMED2D_BINARY;
}

ToolRun run_samed2d(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s{samed2d_binary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  return run_command(argv_s);
}

ToolRun run_command(std::vector<std::string> argv_s) {
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ToolRun run;
  std::string out;
  std::string err;
  // Both pipes are drained in turn (non-blocking) so a chatty child never blocks on either.
  ::fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  ::fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
  bool out_open = true;
  bool err_open = true;
  std::array<char, 65536> buf{};
  while (out_open || err_open) {
    bool progress = false;
    for (auto [fd, open, dst] :
         {std::tuple{out_pipe[0], &out_open, &out}, std::tuple{err_pipe[0], &err_open, &err}}) {
      if (!*open) continue;
      const ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n > 0) {
        dst->append(buf.data(), static_cast<std::size_t>(n));
        progress = true;
      } else if (n == 0) {
        *open = false;
      }
    }
    if (!progress) ::usleep(2000);
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = std::move(out);
  run.err = std::move(err);
  return run;
}

int start_samed2d(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s{samed2d_binary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_samed2d(int pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string python_with_cv2() {
  for (const std::string python : {"python3", "/usr/bin/python3"}) {
    const auto run = run_command({python, "-c", "import cv2, numpy"});
    if (run.exit_code == 0) return python;
  }
  return {};
}

}  // namespace samed2d::test
