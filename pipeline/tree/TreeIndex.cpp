#include "pipeline/tree/TreeIndex.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"
#include "pipeline/core/Naming.hpp"
#include "pipeline/tree/IndexShape.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kIndex = "SAMed2D_v1.json";
constexpr std::string_view kMapping = "SAMed2D_v1_class_mapping_id.json";

std::uint32_t number_of(std::string_view digits) {
  std::uint32_t n = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return n;
}

// Interns strings into a vector, in first-seen order.
class Interner {
 public:
  explicit Interner(std::vector<std::string>& into) : into_(into) {}
  std::uint32_t id(std::string_view s) {
    const auto it = ids_.find(std::string(s));
    if (it != ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(into_.size());
    into_.emplace_back(s);
    ids_.emplace(into_.back(), id);
    return id;
  }

 private:
  std::vector<std::string>& into_;
  std::unordered_map<std::string, std::uint32_t> ids_;
};

// SAMed2D_v1.json streamed into a TreeIndex: each key and mask path parsed as it arrives.
class IndexSax : public IndexShapeSax {
 public:
  IndexSax(TreeIndex& index, std::string file)
      : index_(index),
        file_(std::move(file)),
        modalities_(index.modalities),
        datasets_(index.datasets) {}
  std::string error;

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    error = fmt::format(
        "{}: is not valid JSON at byte {} ({}); the tree is damaged, rerun the "
        "conversion (or `samed2d validate` to see more)",
        file_, position, e.what());
    return false;
  }

 private:
  bool image(string_t& k) override {
    constexpr std::string_view kDir = "images/", kExt = ".png";
    if (k.size() <= kDir.size() + kExt.size() || k.compare(0, kDir.size(), kDir) != 0 ||
        k.compare(k.size() - kExt.size(), kExt.size(), kExt) != 0)
      return fail(fmt::format("key \"{}\" is not images/<name>.png", k));
    const std::string_view name = std::string_view(k).substr(kDir.size());
    ParsedName p;
    if (const auto why = parse_name(name, false, p); !why.empty())
      return fail(fmt::format("key \"{}\" is not an SA-Med2D image name: {}", k, why));
    TreeIndex::Image image;
    image.stem = std::string(p.image_stem);
    image.modality = modalities_.id(p.modality);
    image.dataset = datasets_.id(p.dataset);
    const std::string case_key = fmt::format("{}--{}", p.dataset, p.case_name);
    const auto it = case_ids_.find(case_key);
    if (it != case_ids_.end()) {
      image.case_id = it->second;
    } else {
      image.case_id = static_cast<std::uint32_t>(index_.cases.size());
      index_.cases.push_back({image.dataset, std::string(p.case_name)});
      case_ids_.emplace(case_key, image.case_id);
    }
    image.first_mask = static_cast<std::uint32_t>(index_.masks.size());
    index_.images.push_back(std::move(image));
    return true;
  }
  bool mask(string_t& s) override {
    const TreeIndex::Image& image = index_.images.back();
    constexpr std::string_view kDir = "masks/";
    // masks/<image stem>--CCCC_III.png: the image's own stem, then the class and instance.
    const std::string_view path(s);
    ParsedName p;
    if (path.substr(0, kDir.size()) != kDir ||
        !parse_name(path.substr(kDir.size()), true, p).empty())
      return fail(
          fmt::format("\"{}\" in the list of images/{}.png is not masks/<SA-Med2D mask "
                      "name>.png",
                      s, image.stem));
    if (p.image_stem != image.stem)
      return fail(fmt::format("\"{}\" is listed under images/{}.png, whose name is not its prefix",
                              s, image.stem));
    index_.masks.push_back({number_of(p.class_id), number_of(p.instance)});
    ++index_.images.back().mask_count;
    return true;
  }

  TreeIndex& index_;
  std::string file_;
  Interner modalities_;
  Interner datasets_;
  std::unordered_map<std::string, std::uint32_t> case_ids_;

  bool fail(const std::string& what) {
    error = fmt::format("{}: {}; run `samed2d validate` on the tree", file_, what);
    return false;
  }
  bool wrong(std::string_view what) override {
    return fail(fmt::format("holds {} where SPEC section 6 has {}", what,
                            depth() == 0   ? "an object of image path -> list of mask paths"
                            : depth() == 1 ? "a list of mask paths"
                                           : "a mask path (a string)"));
  }
};

}  // namespace

std::string TreeIndex::image_path(std::size_t image) const {
  return fmt::format("images/{}.png", images[image].stem);
}

std::string TreeIndex::mask_path(std::size_t image, std::size_t mask_of_image) const {
  const Mask& m = masks[images[image].first_mask + mask_of_image];
  return fmt::format("masks/{}--{:04d}_{:03d}.png", images[image].stem, m.class_id, m.instance);
}

std::string TreeIndex::class_name(std::uint32_t id) const {
  const auto it = class_names.find(id);
  return it != class_names.end() ? it->second : fmt::format("{:04d}", id);
}

TreeIndex read_tree_index(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw ConfigError(
        fmt::format("{}: {}; give the folder that holds images/, masks/ and {}", root.string(),
                    fs::exists(root, ec) ? "not a folder" : "does not exist", kIndex));
  const fs::path index_file = root / kIndex;
  if (!fs::is_regular_file(index_file, ec))
    throw ConfigError(fmt::format(
        "{}: holds no {}; it is not an SA-Med2D tree (or its conversion never finished: rerun "
        "it), give the folder that holds images/, masks/ and the JSON files",
        root.string(), kIndex));
  TreeIndex index;
  {
    // Parsed from istreambuf iterators over a 1 MiB buffer: no copy of the file in memory (a
    // release-sized index is 1.6 GB), and no virtual call per byte as with a stream adapter.
    std::vector<char> buffer(std::size_t{1} << 20);
    std::ifstream in;
    in.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    in.open(index_file, std::ios::binary);
    if (!in)
      throw ConfigError(
          fmt::format("{}: cannot be read; check its permissions", index_file.string()));
    IndexSax sax(index, index_file.string());
    nlohmann::json::sax_parse(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(),
                              &sax);
    if (!sax.error.empty()) throw ConfigError(sax.error);
  }
  const fs::path mapping_file = root / kMapping;
  if (fs::exists(mapping_file, ec)) {
    const auto mapping = read_json_file(mapping_file);
    if (!mapping.is_object())
      throw ConfigError(
          fmt::format("{}: is not an object of class name -> 4-digit id (SPEC "
                      "section 6); run `samed2d validate` on the tree",
                      mapping_file.string()));
    for (const auto& [name, id] : mapping.items()) {
      const std::string text = id.is_string() ? id.get<std::string>() : std::string();
      if (text.size() < 4 || text.find_first_not_of("0123456789") != std::string::npos)
        throw ConfigError(
            fmt::format("{}: class \"{}\" has the id {}, not a 4-digit string; run "
                        "`samed2d validate` on the tree",
                        mapping_file.string(), name, id.dump()));
      index.class_names[number_of(text)] = name;
    }
  }
  return index;
}

}  // namespace samed2d
