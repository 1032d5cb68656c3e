#include "converters/ConverterRegistry.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "converters/CascadeContourConverter.hpp"
#include "converters/DicomPngSlicesConverter.hpp"
#include "converters/DicomRleCsvConverter.hpp"
#include "converters/GenericConverter.hpp"
#include "converters/MaskPerClassConverter.hpp"
#include "converters/layout/ConfigFields.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"

namespace samed2d {

namespace {

// A row's constructor call: T's constructor validates the whole config and throws ConfigError
// naming `origin`.
template <class T>
std::unique_ptr<Converter> create(const nlohmann::json& config, const ClassRegistry& classes,
                                  const std::string& origin) {
  return std::make_unique<T>(config, classes, origin);
}

}  // namespace

const std::vector<ConverterInfo>& converter_registry() {
  // The one list of converters; add a row here for a new layout kind.
  static const std::vector<ConverterInfo> table{
      {"generic",
       "one case per file matched by a glob; sequences and label found by path templates",
       &create<GenericConverter>},
      {"mask_per_class",
       "one case per image; its label map assembled from one binary mask file per class, the "
       "file set checked against each release's exact key list",
       &create<MaskPerClassConverter>},
      {"dicom_rle_csv",
       "2D DICOM images with run-length masks in one CSV (SIIM-ACR pneumothorax); images "
       "without runs are not cases",
       &create<DicomRleCsvConverter>},
      {"dicom_png_slices",
       "one case per folder of single-slice DICOM files, paired with a folder of one PNG mask "
       "per slice by the numbers in the file names (CHAOS)",
       &create<DicomPngSlicesConverter>},
      {"cascade_contours",
       "one case per folder of a DICOM series with CASCADE QVJ/QVS contour files (COSMOS 2022); "
       "the label map is drawn from the lumen and outer wall polygons",
       &create<CascadeContourConverter>},
  };
  return table;
}

const ConverterInfo* find_converter(std::string_view name) {
  for (const auto& info : converter_registry())
    if (info.name == name) return &info;
  return nullptr;
}

std::unique_ptr<Converter> load_dataset_config(const std::filesystem::path& file,
                                               const ClassRegistry& classes) {
  return load_dataset_config_text(read_text_file(file), file.string(), classes);
}

std::unique_ptr<Converter> load_dataset_config_text(const std::string& text,
                                                    const std::string& origin,
                                                    const ClassRegistry& classes) {
  const auto config = parse_json_text(text, origin);
  if (!config.is_object())
    throw ConfigError(fmt::format("{}: a dataset config must be a JSON object {{...}}", origin));
  std::string name = "generic";
  if (config.contains("converter")) {
    if (!config["converter"].is_string())
      throw ConfigError(
          fmt::format("{}: \"converter\" must be a string such as \"generic\"", origin));
    name = config["converter"].get<std::string>();
  }
  if (name == kNotConvertible) {
    const auto& c = checked_config(
        config, origin, {"dataset", "converter", "description", "reason"}, kNotConvertible, false);
    // One after the other: as two arguments of one call, which is checked first (and so which
    // error a config with both wrong gets) was up to the compiler. "reason" first, as GCC did.
    std::string reason = non_empty_string(c, origin, "reason", "\"no public source found\"");
    std::string dataset = dataset_of(c, origin, "\"cranium\"");
    throw NotConvertible(std::move(dataset), std::move(reason));
  }
  const ConverterInfo* info = find_converter(name);
  if (info == nullptr) {
    std::vector<std::string_view> known;
    for (const auto& i : converter_registry()) known.push_back(i.name);
    throw ConfigError(
        fmt::format("{}: \"converter\" is \"{}\", which is not a known converter{}; "
                    "the converters are {} (see `samed2d list`)",
                    origin, name, did_you_mean(name, known), join_names(known)));
  }
  return info->create(config, classes, origin);
}

}  // namespace samed2d
