// `samed2d validate`'s checks of SAMed2D_v1.json: its structure, the order and form of its paths,
// each mask under the image whose name is its prefix, and that it names every file on disk
// exactly once.

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "pipeline/tree/IndexShape.hpp"
#include "pipeline/tree/ValidateChecks.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

// SAMed2D_v1.json in file order (a SAX parse: keys keep their order, and a release-sized index
// of a million paths is read without building a DOM).
struct IndexEntry {
  std::string key;
  std::vector<std::string> masks;
};

class IndexReader : public IndexShapeSax {
 public:
  std::vector<IndexEntry> entries;
  std::string error;  // what is wrong with its structure, "" when it is an object of lists

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    error = fmt::format("is not valid JSON at byte {} ({})", position, e.what());
    return false;
  }

 private:
  bool image(string_t& key) override {
    entries.push_back({std::move(key), {}});
    return true;
  }
  bool mask(string_t& path) override {
    entries.back().masks.push_back(std::move(path));
    return true;
  }
  bool wrong(std::string_view what) override {
    if (depth() == 0)
      error =
          fmt::format("holds {} where an object of image path -> list of mask paths belongs", what);
    else
      error = fmt::format("holds {} at {} where {} belongs", what,
                          entries.empty() ? std::string("the top") : "key " + entries.back().key,
                          depth() == 1 ? "a list of mask paths" : "a mask path (a string)");
    return false;
  }
};

void add_index_problem(ProblemSink& sink, std::string_view what) {
  sink.add("json", std::string(kIndexFile), std::string(what));
}

// The entries of SAMed2D_v1.json, up to where its structure goes wrong (a problem).
std::vector<IndexEntry> read_index(const fs::path& root, ProblemSink& sink) {
  const fs::path file = root / kIndexFile;
  IndexReader reader;
  std::vector<std::uint8_t> text;
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    add_index_problem(sink, "missing");
  } else if (const auto err = read_whole_file(file, text); !err.empty()) {
    add_index_problem(sink, err);
  } else {
    nlohmann::json::sax_parse(text.begin(), text.end(), &reader);
    if (!reader.error.empty())
      add_index_problem(sink, reader.error + "; the checks of its paths use what came before");
  }
  return std::move(reader.entries);
}

// "images/<name>.png" (one level, nothing more): its stem, or "" when the key is not of that form.
std::string_view image_stem_of_key(const std::string& key) {
  if (key.rfind("images/", 0) != 0 || key.find('/', 7) != std::string::npos || key.size() <= 11 ||
      key.substr(key.size() - 4) != ".png")
    return {};
  return std::string_view(key).substr(7, key.size() - 11);
}

// One key: after the previous one, a path of images/, and the name of an image on disk. Returns
// its image's stem ("" when the key is not a path of images/).
std::string_view check_key(const std::string& key, const IndexEntry* previous,
                           const FilesOnDisk& files, IndexListing& listed, ProblemSink& sink) {
  if (previous && key <= previous->key)
    sink.add(key == previous->key ? "duplicate" : "unsorted", key,
             key == previous->key
                 ? fmt::format("is a key of {} twice", kIndexFile)
                 : fmt::format("key comes after \"{}\" in {}; keys must be in ascending byte "
                               "order",
                               previous->key, kIndexFile));
  const std::string_view image_stem = image_stem_of_key(key);
  if (image_stem.empty()) {
    sink.add("bad-path", key, fmt::format("key of {} is not images/<name>.png", kIndexFile));
  } else if (const auto at = find_name(files.images, std::string_view(key).substr(7))) {
    ++listed.images[*at];
  } else {
    sink.add("missing-file", key, fmt::format("is a key of {} but not on disk", kIndexFile));
  }
  return image_stem;
}

// True when `name` (a mask's file name) is {image stem}--CCCC_III.png: the mask belongs under the
// image whose name is its prefix.
bool mask_of_image(std::string_view name, std::string_view image_stem) {
  const std::string_view mask_stem = name.substr(0, name.size() - 4);
  return mask_stem.size() > image_stem.size() + 2 &&
         mask_stem.substr(0, image_stem.size()) == image_stem &&
         mask_stem.substr(image_stem.size(), 2) == "--" &&
         mask_stem.find("--", image_stem.size() + 2) == std::string_view::npos;
}

// One mask list: not empty, ascending, paths of masks/ under their own image, each a file on
// disk in no other list.
void check_mask_list(const IndexEntry& entry, std::string_view image_stem, const FilesOnDisk& files,
                     IndexListing& listed, ProblemSink& sink) {
  const std::string& key = entry.key;
  if (entry.masks.empty())
    sink.add("empty-mask-list", key, fmt::format("has an empty mask list in {}", kIndexFile));
  for (std::size_t m = 0; m < entry.masks.size(); ++m) {
    const std::string& path = entry.masks[m];
    if (m > 0 && path <= entry.masks[m - 1])
      sink.add(path == entry.masks[m - 1] ? "duplicate" : "unsorted", path,
               path == entry.masks[m - 1]
                   ? fmt::format("is twice in the list of {}", key)
                   : fmt::format("comes after \"{}\" in the list of {}; lists must be in "
                                 "ascending byte order",
                                 entry.masks[m - 1], key));
    if (path.rfind("masks/", 0) != 0 || path.find('/', 6) != std::string::npos ||
        path.size() <= 10 || path.substr(path.size() - 4) != ".png") {
      sink.add("bad-path", path, fmt::format("in the list of {} is not masks/<name>.png", key));
      continue;
    }
    const std::string_view name = std::string_view(path).substr(6);
    if (!image_stem.empty() && !mask_of_image(name, image_stem))
      sink.add("mask-misplaced", path,
               fmt::format("is in the list of {}, whose name is not its prefix", key));
    if (const auto at = find_name(files.masks, name)) {
      if (++listed.masks[*at] == 2)
        sink.add("mask-listed-twice", path,
                 fmt::format("is in more than one mask list of {}", kIndexFile));
    } else {
      sink.add("missing-file", path, fmt::format("is in the list of {} but not on disk", key));
    }
  }
}

}  // namespace

IndexListing check_index(const fs::path& root, const FilesOnDisk& files, ProblemSink& sink,
                         ValidationReport& report) {
  const std::vector<IndexEntry> entries = read_index(root, sink);
  IndexListing listed{std::vector<std::uint32_t>(files.images.size(), 0),
                      std::vector<std::uint32_t>(files.masks.size(), 0)};
  report.json_images = entries.size();
  const IndexEntry* previous = nullptr;
  for (const auto& entry : entries) {
    report.json_masks += entry.masks.size();
    const std::string_view image_stem = check_key(entry.key, previous, files, listed, sink);
    previous = &entry;
    check_mask_list(entry, image_stem, files, listed, sink);
  }
  return listed;
}

void check_unlisted(const FilesOnDisk& files, const IndexListing& listed, ProblemSink& sink) {
  for (std::size_t i = 0; i < files.images.size(); ++i)
    if (listed.images[i] == 0)
      sink.add("unlisted-file", "images/" + files.images[i],
               fmt::format("is on disk but not a key of {}", kIndexFile));
  for (std::size_t i = 0; i < files.masks.size(); ++i)
    if (listed.masks[i] == 0)
      sink.add("unlisted-file", "masks/" + files.masks[i],
               fmt::format("is on disk but in no mask list of {}", kIndexFile));
}

}  // namespace samed2d
