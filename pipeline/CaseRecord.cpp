#include "CaseRecord.hpp"

#include <fmt/format.h>

#include <chrono>
#include <system_error>

namespace samed2d {

SourceStamp stamp_source(const std::filesystem::path& file) {
  SourceStamp s;
  std::error_code ec;
  auto abs = std::filesystem::absolute(file, ec);
  s.path = (ec ? file : abs).lexically_normal().generic_string();
  s.size = std::filesystem::file_size(file, ec);
  if (ec) s.size = 0;
  auto t = std::filesystem::last_write_time(file, ec);
  if (!ec)
    s.mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
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
