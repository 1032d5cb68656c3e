#include "pipeline/tree/Validate.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "pipeline/core/Errors.hpp"
#include "pipeline/tree/ValidateChecks.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

// Refuses a ROOT that is not a folder, or that holds none of what makes a tree.
void require_tree_folder(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw ConfigError(
        fmt::format("{}: {}; give the folder that holds images/, masks/ "
                    "and SAMed2D_v1.json",
                    root.string(), fs::exists(root, ec) ? "not a folder" : "does not exist"));
  if (!fs::exists(root / "images", ec) && !fs::exists(root / "masks", ec) &&
      !fs::exists(root / kIndexFile, ec))
    throw ConfigError(
        fmt::format("{}: holds none of images/, masks/ and {}; it is not an "
                    "SA-Med2D tree, give the folder that holds them",
                    root.string(), kIndexFile));
}

}  // namespace

void ProblemSink::add(std::string_view kind, std::string file, std::string what) {
  std::lock_guard lock(mutex_);
  auto& k = problems_[std::string(kind)];
  ++k.count;
  auto& ex = k.examples;
  const auto at = std::upper_bound(ex.begin(), ex.end(), file,
                                   [](const std::string& f, const auto& e) { return f < e.first; });
  if (static_cast<std::size_t>(at - ex.begin()) >= max_examples_) return;
  ex.insert(at, {std::move(file), std::move(what)});
  if (ex.size() > max_examples_) ex.pop_back();
}

std::vector<std::string> list_folder(const fs::path& root, std::string_view folder,
                                     ProblemSink& sink) {
  std::vector<std::string> names;
  const fs::path dir = root / folder;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    sink.add("missing-folder", std::string(folder) + "/", "missing: a tree has images/ and masks/");
    return names;
  }
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) {
      sink.add("not-a-file", fmt::format("{}/{}", folder, name),
               "is not a regular file; only PNG files belong here");
      continue;
    }
    names.push_back(name);
  }
  if (ec)
    sink.add("unreadable-folder", std::string(folder) + "/",
             fmt::format("cannot be listed ({})", ec.message()));
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::size_t> find_name(const std::vector<std::string>& sorted,
                                     std::string_view name) {
  const auto it = std::lower_bound(sorted.begin(), sorted.end(), name,
                                   [](const std::string& a, std::string_view b) { return a < b; });
  if (it == sorted.end() || *it != name) return std::nullopt;
  return static_cast<std::size_t>(it - sorted.begin());
}

// With open and read, not a stream: the PNG checks read millions of small files.
std::string read_whole_file(const fs::path& file, std::vector<std::uint8_t>& buf) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fmt::format("cannot be opened ({})", std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return fmt::format("cannot be read ({})", std::strerror(errno));
  }
  const auto want = static_cast<std::size_t>(st.st_size);
  buf.resize(want);
  std::size_t got = 0;
  while (got < want) {
    const auto n = ::read(fd, buf.data() + got, want - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return fmt::format("cannot be read ({})", std::strerror(err));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  buf.resize(got);
  return {};
}

ValidationReport validate_tree(const fs::path& root, std::size_t max_examples, std::size_t threads,
                               ValidationDepth depth) {
  require_tree_folder(root);
  ProblemSink sink(max_examples);
  ValidationReport report;
  // The names on disk first: the index is checked against them, and the masks' class ids against
  // the mapping; a class is unused only once every mask name has been read.
  const FilesOnDisk files{list_folder(root, "images", sink), list_folder(root, "masks", sink)};
  report.images_on_disk = files.images.size();
  report.masks_on_disk = files.masks.size();
  const MappingClasses classes = check_class_mapping(root, sink);
  report.classes = classes.size();
  const IndexListing listed = check_index(root, files, sink, report);
  check_unlisted(files, listed, sink);
  const std::vector<std::size_t> masks_of_class =
      check_png_files(root, files, classes, depth, threads, sink);
  check_unused_classes(classes, masks_of_class, sink);
  report.problems = sink.take();
  return report;
}

std::string format_validation_report(const ValidationReport& r, const fs::path& root) {
  std::string out = fmt::format(
      "samed2d validate {}: on disk {} images, {} masks; {} names {} images, {} masks; {} "
      "names {} classes\n",
      root.string(), r.images_on_disk, r.masks_on_disk, kIndexFile, r.json_images, r.json_masks,
      kMappingFile, r.classes);
  if (r.clean()) return out + "samed2d validate: no problems\n";
  std::size_t total = 0;
  for (const auto& [kind, k] : r.problems) total += k.count;
  out += fmt::format("samed2d validate: {} problem(s) of {} kind(s):\n", total, r.problems.size());
  for (const auto& [kind, k] : r.problems) {
    out += fmt::format("  {}: {}\n", kind, k.count);
    for (const auto& [file, what] : k.examples) out += fmt::format("    {}: {}\n", file, what);
    if (k.count > k.examples.size())
      out += fmt::format("    ... and {} more\n", k.count - k.examples.size());
  }
  return out;
}

}  // namespace samed2d
