#include "converters/DicomRleCsvConverter.hpp"

#include <fmt/format.h>
#include <itkGDCMImageIO.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "converters/layout/ConfigFields.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/ItkImageInfo.hpp"
#include "pipeline/core/JsonFile.hpp"
#include "pipeline/core/Naming.hpp"
#include "pipeline/core/Volume.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string_view> kKeys{"dataset",       "converter", "description",
                                          "cases",         "csv",       "id_column",
                                          "pixels_column", "modality",  "class"};

std::shared_ptr<const LabelMapping> mapping_of(const nlohmann::json& config,
                                               const ClassRegistry& classes,
                                               const std::string& origin) {
  const auto name = non_empty_string(config, origin, "class", "\"pneumothorax\"");
  const auto id = classes.id_of(name);
  if (!id)
    fail_field(origin, "class",
               fmt::format("is \"{}\", which is not in the class registry{}; add it to the "
                           "registry (the --classes file) or fix its spelling",
                           name, did_you_mean(name, class_names(classes))));
  auto mapping = std::make_shared<LabelMapping>();
  mapping->classes.push_back({name, *id, *classes.id_text_of(name), {1}});
  return mapping;
}

// Spaces, tabs and CR around a CSV field; the Kaggle header is "ImageId, EncodedPixels".
std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// One CSV field: trimmed, surrounding double quotes removed (neither SIIM CSV quotes, but a
// spreadsheet round trip may add them; RLE text never holds a comma).
std::string field_text(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = trim(s.substr(1, s.size() - 2));
  return std::string(s);
}

std::vector<std::string> split_fields(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    fields.push_back(field_text(line.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

// A CSV row of one image; `pixels` is empty when the line has no such field.
struct RleRow {
  std::size_t line = 0;
  std::optional<std::string> pixels;
};

// The rows of one case, shared with its label assembler.
struct RleSource {
  fs::path csv;
  std::string pixels_column;
  std::string id;
  std::vector<RleRow> rows;
};

bool is_none(const RleRow& row) {
  return row.pixels && *row.pixels == "-1";
}

[[noreturn]] void bad_row(const RleSource& src, const RleRow& row, std::string_view problem) {
  throw InputError(fmt::format("{}: line {}: {} of {} {}; fix or remove the row", src.csv.string(),
                               row.line, src.pixels_column, src.id, problem));
}

// ORs the runs of every row into `mask` (column-major: p = column * height + row).
void paint_runs(const RleSource& src, std::size_t width, std::size_t height, std::uint8_t* mask) {
  const std::uint64_t total = static_cast<std::uint64_t>(width) * height;
  for (const auto& row : src.rows) {
    if (!row.pixels) bad_row(src, row, "is missing (the line has too few fields)");
    const std::string& text = *row.pixels;
    if (text == "-1") continue;
    if (text.empty()) bad_row(src, row, "is empty (\"-1\" means no mask)");
    std::vector<std::uint64_t> numbers;
    std::size_t pos = 0;
    while (pos < text.size()) {
      while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
      if (pos == text.size()) break;
      std::size_t end = pos;
      while (end < text.size() && text[end] != ' ' && text[end] != '\t') ++end;
      const std::string_view token(text.data() + pos, end - pos);
      std::uint64_t v = 0;
      const auto [stop, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
      if (ec != std::errc() || stop != token.data() + token.size())
        bad_row(src, row,
                fmt::format("holds \"{}\", which is not a whole number >= 0 (number {})", token,
                            numbers.size() + 1));
      numbers.push_back(v);
      pos = end;
    }
    if (numbers.size() % 2 != 0)
      bad_row(src, row,
              fmt::format("has {} numbers; runs are (start, length) pairs, so the count must be "
                          "even",
                          numbers.size()));
    std::uint64_t at = 0;
    for (std::size_t n = 0; n < numbers.size(); n += 2) {
      const std::uint64_t start = numbers[n];
      const std::uint64_t length = numbers[n + 1];
      if (start > total - at || length > total - at - start)
        bad_row(src, row,
                fmt::format("has run {} (start {}, length {}) ending at pixel {}, past the {} "
                            "pixels of the {}x{} image",
                            n / 2 + 1, start, length, at + start + length, total, width, height));
      at += start;
      for (std::uint64_t p = at; p < at + length; ++p) {
        const std::uint64_t column = p / height;
        const std::uint64_t r = p % height;
        mask[column + width * r] = 1;
      }
      at += length;
    }
  }
}

// The label map of one case: the DICOM's own size and placement (so the pipeline sees the same
// grid as the image), value 1 on every pixel that a run of any row covers.
Volume assemble(const fs::path& dicom, const RleSource& src) {
  std::array<std::size_t, 3> size{1, 1, 1};
  Geometry geometry;
  try {
    auto io = itk::GDCMImageIO::New();
    io->SetFileName(dicom.string());
    io->ReadImageInformation();
    for (unsigned d = 0; d < io->GetNumberOfDimensions() && d < 3; ++d)
      size[d] = io->GetDimensions(d);
    geometry = geometry_of(*io);
  } catch (const itk::ExceptionObject& e) {
    throw InputError(
        fmt::format("{}: ITK cannot read this DICOM file's header ({}); check that "
                    "the file is complete and holds an image",
                    dicom.string(), trim(e.GetDescription())));
  }
  if (size[2] != 1)
    throw InputError(
        fmt::format("{}: a DICOM with {} frames; this dataset's masks are for 2D "
                    "images, so point \"cases\" at the single-frame X-rays",
                    dicom.string(), size[2]));
  if (size[0] == 0 || size[1] == 0)
    throw InputError(fmt::format("{}: DICOM image of size {}x{}; re-download the file",
                                 dicom.string(), size[0], size[1]));
  Volume label(VoxelType::UInt8, size, 1, false);
  label.stored_dimensions = 2;
  label.geometry = geometry;
  auto* mask = label.data<std::uint8_t>();
  std::fill(mask, mask + label.voxel_count(), std::uint8_t{0});
  paint_runs(src, size[0], size[1], mask);
  return label;
}

std::size_t column_index(const std::vector<std::string>& header, const std::string& name,
                         const fs::path& csv, std::string_view key, const std::string& origin) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) {
    std::vector<std::string_view> found(header.begin(), header.end());
    throw ConfigError(fmt::format(
        "{}: the header has no column \"{}\"{} (its columns are {}); set \"{}\" in {} to the "
        "column's name",
        csv.string(), name, did_you_mean(name, found), join_names(found), key, origin));
  }
  return static_cast<std::size_t>(it - header.begin());
}

}  // namespace

DicomRleCsvConverter::DicomRleCsvConverter(const nlohmann::json& config,
                                           const ClassRegistry& classes, const std::string& origin)
    : Converter(origin, dataset_of(checked_config(config, origin, kKeys, "dicom_rle_csv", false),
                                   origin, "\"Chest_Image_Pneum\"")),
      cases_(
          glob_field(non_empty_string(config, origin, "cases", "\"**/*.dcm\""), origin, "cases")),
      csv_(glob_field(non_empty_string(config, origin, "csv", "\"**/*train-rle*.csv\""), origin,
                      "csv")),
      id_column_(config.contains("id_column")
                     ? non_empty_string(config, origin, "id_column", "\"ImageId\"")
                     : "ImageId"),
      pixels_column_(config.contains("pixels_column")
                         ? non_empty_string(config, origin, "pixels_column", "\"EncodedPixels\"")
                         : "EncodedPixels"),
      modality_(modality_of(config, origin, "\"x_ray\"")),
      mapping_(mapping_of(config, classes, origin)) {
  id_column_ = std::string(trim(id_column_));
  pixels_column_ = std::string(trim(pixels_column_));
}

std::vector<CaseSpec> DicomRleCsvConverter::cases_under(const fs::path& input_root,
                                                        Glob::Walk& seen) const {
  const auto csv_files = csv_.find(input_root, &seen);
  if (csv_files.size() != 1)
    throw ConfigError(fmt::format(
        "{}: {} file(s) match the \"csv\" pattern \"{}\" of {}{}; the dataset needs exactly one "
        "run-length CSV: pass the folder that holds it, or make \"csv\" name one file",
        input_root.string(), csv_files.size(), csv_.pattern(), origin_,
        csv_files.empty() ? std::string() : fmt::format(" ({})", fmt::join(csv_files, ", "))));
  const fs::path csv = (input_root / csv_files[0]).lexically_normal();

  // ImageId -> its rows, in file order.
  std::map<std::string, std::vector<RleRow>> rows_of;
  {
    const std::string text = read_text_file(csv);
    std::size_t line_no = 0;
    std::size_t pos = 0;
    std::optional<std::pair<std::size_t, std::size_t>> columns;  // id, pixels
    while (pos < text.size()) {
      auto end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string_view line(text.data() + pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // BOM
      if (trim(line).empty()) continue;
      const auto fields = split_fields(line);
      if (!columns) {
        columns = {column_index(fields, id_column_, csv, "id_column", origin_),
                   column_index(fields, pixels_column_, csv, "pixels_column", origin_)};
        continue;
      }
      if (columns->first >= fields.size() || fields[columns->first].empty())
        throw ConfigError(
            fmt::format("{}: line {} has no {}, so no image can own it; fix or "
                        "remove the line",
                        csv.string(), line_no, id_column_));
      RleRow row{line_no, std::nullopt};
      if (columns->second < fields.size()) row.pixels = fields[columns->second];
      rows_of[fields[columns->first]].push_back(std::move(row));
    }
    if (!columns)
      throw ConfigError(
          fmt::format("{}: the CSV is empty (no header line); re-download it", csv.string()));
  }
  const auto has_runs = [](const std::vector<RleRow>& rows) {
    return !std::all_of(rows.begin(), rows.end(), is_none);
  };

  const auto make_case = [&](const std::string& id, const std::string& source,
                             const fs::path& dicom, std::vector<RleRow> rows) {
    CaseSpec spec = one_image_case(source, id, dicom, modality_);
    spec.label = csv;
    spec.mapping = mapping_;
    auto src =
        std::make_shared<const RleSource>(RleSource{csv, pixels_column_, id, std::move(rows)});
    spec.assemble_label = [dicom, src](const ImageGrid&, std::vector<std::string>&) {
      return assemble(dicom, *src);
    };
    return spec;
  };

  std::vector<CaseSpec> cases;
  std::map<std::string, std::string> taken;  // ImageId -> the DICOM that took it
  for (const auto& rel : cases_.find_cases(input_root, &seen)) {
    const auto slash = rel.rfind('/');
    const std::string id =
        strip_format_extension(slash == std::string::npos ? rel : rel.substr(slash + 1));
    const auto it = rows_of.find(id);
    if (it == rows_of.end() || !has_runs(it->second)) continue;  // test image, or no mask
    CaseSpec spec = make_case(id, rel, (input_root / rel).lexically_normal(), it->second);
    const auto [earlier, fresh] = taken.emplace(id, rel);
    if (!fresh)
      spec.discovery_error = fmt::format(
          "{}: a second DICOM file of image {} (the first is {}); the CSV cannot tell which one "
          "its runs belong to, so remove the duplicate",
          rel, id, earlier->second);
    cases.push_back(std::move(spec));
  }
  // Rows with runs whose DICOM is absent: a partial download or a wrong "cases" pattern.
  for (auto& [id, rows] : rows_of) {
    if (taken.count(id) || !has_runs(rows)) continue;
    const std::size_t line = rows.front().line;
    CaseSpec spec = make_case(id, fmt::format("{}:{}", csv_files[0], line),
                              (input_root / (id + ".dcm")).lexically_normal(), std::move(rows));
    spec.assemble_label = nullptr;
    spec.discovery_error = fmt::format(
        "{}: line {}: image {} has a mask but no DICOM file {}.dcm matches \"cases\" (\"{}\"); "
        "download the missing image or fix \"cases\" in {}",
        csv.string(), line, id, id, cases_.pattern(), origin_);
    cases.push_back(std::move(spec));
  }
  return cases;
}

}  // namespace samed2d
