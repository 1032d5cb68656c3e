#include "support/DatasetRun.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "support/TestData.hpp"

namespace samed2d::test {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

nlohmann::json json_or_null(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return nullptr;
  return nlohmann::json::parse(in);
}

}  // namespace

ConvertedDataset read_output(const fs::path& output) {
  ConvertedDataset d;
  d.images = names_in(output / "images");
  d.masks = names_in(output / "masks");
  d.index = json_or_null(output / "SAMed2D_v1.json");
  d.mapping = json_or_null(output / "SAMed2D_v1_class_mapping_id.json");
  d.report = json_or_null(output / "report.json");
  return d;
}

namespace {

// `samed2d convert SELECT... --input INPUT --output OUTPUT --quiet extra...`, then reads OUTPUT.
ConvertedDataset run_convert(const std::vector<std::string>& select, const fs::path& input,
                             const fs::path& output, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"convert"};
  args.insert(args.end(), select.begin(), select.end());
  args.insert(args.end(), {"--input", input.string(), "--output", output.string(), "--quiet"});
  args.insert(args.end(), extra.begin(), extra.end());
  const ToolRun run = run_samed2d(args);
  ConvertedDataset d = read_output(output);
  d.run = run;
  return d;
}

}  // namespace

ConvertedDataset convert_dataset(const std::string& dataset, const fs::path& input,
                                 const fs::path& output, const std::vector<std::string>& extra) {
  return run_convert({"--dataset", dataset}, input, output, extra);
}

ConvertedDataset convert_config(const fs::path& dir, const std::string& config_text,
                                const fs::path& input, const fs::path& output,
                                const std::vector<std::string>& extra) {
  const fs::path config = dir / "config.json";
  write_text_file(config, config_text);
  return run_convert({"--config", config.string()}, input, output, extra);
}

std::filesystem::path bundled_config(const std::string& dataset) {
  return source_dir() / "configs" / "datasets" / (dataset + ".json");
}

std::string class_id(const std::string& name) {
  static const nlohmann::json registry = json_or_null(source_dir() / "configs" / "classes.json");
  if (!registry.contains(name))
    throw std::runtime_error("class not in configs/classes.json: " + name);
  return registry[name].get<std::string>();
}

void fill_box(std::vector<std::uint8_t>& label, std::array<std::size_t, 3> size,
              std::array<std::size_t, 3> lo, std::array<std::size_t, 3> hi, std::uint8_t value) {
  label.resize(size[0] * size[1] * size[2], 0);
  for (std::size_t k = lo[2]; k < hi[2]; ++k)
    for (std::size_t j = lo[1]; j < hi[1]; ++j)
      for (std::size_t i = lo[0]; i < hi[0]; ++i) label[i + size[0] * (j + size[1] * k)] = value;
}

void write_text_file(const fs::path& file, const std::string& text) {
  if (file.has_parent_path()) fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace samed2d::test
