#pragma once
// Runs a bundled dataset config on a layout replica and collects what it wrote, for the
// per-dataset tests in tests/converters/.

#include <array>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/RunTool.hpp"

namespace samed2d::test {

struct ConvertedDataset {
  ToolRun run;
  std::vector<std::string> images;  // file names in OUT/images, ascending
  std::vector<std::string> masks;   // file names in OUT/masks, ascending
  nlohmann::json index;             // SAMed2D_v1.json (null when absent)
  nlohmann::json mapping;           // SAMed2D_v1_class_mapping_id.json (null when absent)
  nlohmann::json report;            // report.json (null when absent)
};

// `samed2d convert --dataset NAME --input INPUT --output OUTPUT --quiet extra...`, then reads
// OUTPUT.
ConvertedDataset convert_dataset(const std::string& dataset, const std::filesystem::path& input,
                                 const std::filesystem::path& output,
                                 const std::vector<std::string>& extra = {});

// Writes `config_text` to DIR/config.json and runs `samed2d convert --config DIR/config.json
// --input INPUT --output OUTPUT --quiet extra...` (the bundled class registry), then reads OUTPUT.
ConvertedDataset convert_config(const std::filesystem::path& dir, const std::string& config_text,
                                const std::filesystem::path& input,
                                const std::filesystem::path& output,
                                const std::vector<std::string>& extra = {});

// Reads an output folder as convert_dataset does.
ConvertedDataset read_output(const std::filesystem::path& output);

// The 4-digit id of a class in the bundled configs/classes.json (throws when it is not there).
std::string class_id(const std::string& name);

// The bundled config of a dataset: configs/datasets/NAME.json.
std::filesystem::path bundled_config(const std::string& dataset);

// A label volume of `size` (i fastest) holding `value` in the box [lo, hi) on each axis and 0
// elsewhere; boxes may be added to the same vector.
void fill_box(std::vector<std::uint8_t>& label, std::array<std::size_t, 3> size,
              std::array<std::size_t, 3> lo, std::array<std::size_t, 3> hi, std::uint8_t value);

// Writes a small text file (parent folders created).
void write_text_file(const std::filesystem::path& file, const std::string& text);

}  // namespace samed2d::test
