#include "pipeline/output/CaseRecord.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <optional>
#include <system_error>

namespace samed2d {

namespace {

namespace fs = std::filesystem;

// Adds a file's size, and its time when it is the latest so far (`first`: no time yet; file_clock
// times may be negative, so 0 is no floor).
void add_file(SourceStamp& s, const fs::path& file, bool& first) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (!ec) s.size += size;
  const auto t = fs::last_write_time(file, ec);
  if (ec) return;
  const std::int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  s.mtime_ns = first ? ns : std::max(s.mtime_ns, ns);
  first = false;
}

// The detached data file a MetaImage (.mhd: "ElementDataFile = X") or NRRD (.nhdr:
// "data file: X") header names, when it is one plain file beside it.
std::optional<fs::path> detached_data_file(const fs::path& header) {
  std::string ext = header.extension().string();
  for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext != ".mhd" && ext != ".nhdr") return std::nullopt;
  std::ifstream in(header, std::ios::binary);
  std::string line;
  for (int n = 0; n < 200 && std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string value;
    if (ext == ".mhd" && line.rfind("ElementDataFile", 0) == 0 && line.find('=') != line.npos)
      value = line.substr(line.find('=') + 1);
    else if (ext == ".nhdr" &&
             (line.rfind("data file:", 0) == 0 || line.rfind("datafile:", 0) == 0))
      value = line.substr(line.find(':') + 1);
    else
      continue;
    const auto b = value.find_first_not_of(" \t");
    if (b == std::string::npos) return std::nullopt;
    value = value.substr(b, value.find_last_not_of(" \t") + 1 - b);
    if (value == "LOCAL" || value.rfind("LIST", 0) == 0 || value.find('%') != std::string::npos ||
        value.find(' ') != std::string::npos)
      return std::nullopt;
    return header.parent_path() / value;
  }
  return std::nullopt;
}

}  // namespace

SourceStamp stamp_source(const fs::path& file) {
  SourceStamp s;
  std::error_code ec;
  auto abs = fs::absolute(file, ec);
  s.path = (ec ? file : abs).lexically_normal().generic_string();
  bool first = true;
  if (fs::is_directory(file, ec)) {
    // A DICOM series folder: a slice rewritten in place changes neither the folder's size nor
    // its time, so every file in it counts.
    add_file(s, file, first);
    for (fs::directory_iterator it(file, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec)) add_file(s, it->path(), first);
    return s;
  }
  add_file(s, file, first);
  // A header with its voxels in another file: rewriting the voxels changes the case too.
  if (const auto data = detached_data_file(file)) add_file(s, *data, first);
  return s;
}

std::string CaseRecord::key() const {
  std::string mods;
  for (const auto& m : modalities) {
    if (!mods.empty()) mods += '+';
    mods += m;
  }
  return fmt::format("{}--{}--{}.json", dataset, case_name, mods);
}

bool CaseRecord::same_work(const CaseRecord& other) const {
  return dataset == other.dataset && case_name == other.case_name &&
         modalities == other.modalities && options == other.options && sources == other.sources;
}

nlohmann::json CaseRecord::to_json() const {
  nlohmann::json j;
  j["format"] = 1;
  j["dataset"] = dataset;
  j["case"] = case_name;
  j["modalities"] = modalities;
  j["options"] = options;
  auto& src = j["sources"] = nlohmann::json::array();
  for (const auto& s : sources)
    src.push_back({{"path", s.path}, {"size", s.size}, {"mtime_ns", s.mtime_ns}});
  j["images"] = images;
  j["classes"] = classes;
  j["unmapped_values"] = unmapped_values;
  j["warnings"] = warnings;
  return j;
}

CaseRecord CaseRecord::from_json(const nlohmann::json& j) {
  if (j.at("format").get<int>() != 1) throw std::runtime_error("unknown record format");
  CaseRecord r;
  r.dataset = j.at("dataset").get<std::string>();
  r.case_name = j.at("case").get<std::string>();
  r.modalities = j.at("modalities").get<std::vector<std::string>>();
  r.options = j.at("options");
  for (const auto& s : j.at("sources"))
    r.sources.push_back({s.at("path").get<std::string>(), s.at("size").get<std::uintmax_t>(),
                         s.at("mtime_ns").get<std::int64_t>()});
  r.images = j.at("images").get<std::map<std::string, std::vector<std::string>>>();
  r.classes = j.at("classes").get<std::map<std::string, std::string>>();
  r.unmapped_values = j.at("unmapped_values").get<std::map<std::string, std::uint64_t>>();
  r.warnings = j.at("warnings").get<std::vector<std::string>>();
  return r;
}

}  // namespace samed2d
