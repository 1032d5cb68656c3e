#include "converters/CascadeContourConverter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <utility>

#include "converters/layout/CascadeContours.hpp"
#include "converters/layout/ConfigFields.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string_view> kKeys{"dataset", "converter", "description", "exclude",
                                          "cases",   "modality",  "point_frame", "contours",
                                          "labels",  "unions"};
const std::vector<std::string_view> kContourKeys{"type", "value"};

constexpr std::string_view kContoursExample =
    "[{\"type\": \"Outer Wall\", \"value\": 2}, {\"type\": \"Lumen\", \"value\": 1}]";

// The file's text; an unreadable file is an InputError (the case fails, not the run).
std::string read_input_text(const fs::path& file) {
  try {
    return read_text_file(file);
  } catch (const ConfigError&) {
    throw InputError(
        fmt::format("{}: cannot read the file; check its permissions or download it "
                    "again",
                    file.string()));
  }
}

std::string number(double v) {
  return fmt::format("{:g}", v);
}

}  // namespace

CascadeContourConverter::CascadeContourConverter(const nlohmann::json& config,
                                                 const ClassRegistry& classes,
                                                 const std::string& origin)
    : Converter(origin, dataset_of(checked_config(config, origin, kKeys, "cascade_contours", false),
                                   origin, "\"COSMOS2022\"")),
      exclude_(exclude_of(config, origin, "\"**/Testing_dataset/**\"")),
      cases_(
          glob_field(non_empty_string(config, origin, "cases", "\"**/Training_dataset/*/*.QVJ\""),
                     origin, "cases")),
      modality_(modality_of(config, origin, "\"mr_00\"")) {
  if (!config.contains("point_frame") || !config["point_frame"].is_number() ||
      !std::isfinite(config["point_frame"].get<double>()) ||
      config["point_frame"].get<double>() <= 0)
    fail_field(origin, "point_frame",
               "must be a positive number: the size of the square frame of the QVS point "
               "coordinates, e.g. 512 (column = x * columns / point_frame)");
  point_frame_ = config["point_frame"].get<double>();

  for_each_object(
      config, origin, "contours", kContourKeys, "a contour rule",
      fmt::format("must be a non-empty list of contour types painted in order, a "
                  "later one overwriting, e.g. {}",
                  kContoursExample),
      "must be an object {\"type\": \"Lumen\", \"value\": 1} (the <ContourType> text "
      "and the label value it paints)",
      [&](const nlohmann::json& entry, const std::string& where) {
        ContourRule rule;
        rule.type = non_empty_string(entry, origin, "type", "\"Lumen\"", where + ".type");
        if (!entry.contains("value") || !entry["value"].is_number_integer() ||
            entry["value"].get<std::int64_t>() < 1 || entry["value"].get<std::int64_t>() > 255)
          fail_field(origin, where + ".value",
                     "must be an integer 1..255: the label value painted inside the contour");
        rule.value = static_cast<std::uint8_t>(entry["value"].get<std::int64_t>());
        for (const ContourRule& earlier : rules_)
          if (earlier.type == rule.type || earlier.value == rule.value)
            fail_field(origin, where,
                       fmt::format("repeats the {} of an earlier rule (\"{}\" = {}); each contour "
                                   "type needs its own value",
                                   earlier.type == rule.type ? "type" : "value", earlier.type,
                                   static_cast<int>(earlier.value)));
        rules_.push_back(rule);
      });
  mapping_ = label_mapping_of(config, classes, origin);
}

std::vector<CaseSpec> CascadeContourConverter::cases_under(const fs::path& input_root,
                                                           Glob::Walk& seen) const {
  // Case folder (relative) -> its QVJ files (relative), in byte order.
  const auto folders = matches_by_folder(cases_, exclude_, input_root, seen);
  std::string recipe =
      fmt::format("cascade contours, points * size / {}, painted in order:", number(point_frame_));
  for (const ContourRule& r : rules_)
    recipe += fmt::format(" \"{}\" = {}", r.type, static_cast<int>(r.value));

  std::vector<CaseSpec> cases;
  std::map<std::string, std::string> taken;  // case name -> source
  for (const auto& [folder_rel, qvjs] : folders) {
    const fs::path folder = (input_root / folder_rel).lexically_normal();
    fs::path named = folder;
    if (named.filename().empty()) named = named.parent_path();
    CaseSpec spec = one_image_case(folder_rel, named.filename().string(), folder, modality_);
    spec.mapping = mapping_;
    spec.label = input_root / qvjs.front();
    spec.label_recipe = recipe;

    std::set<fs::path> qvs_files;
    for (const std::string& rel : qvjs) {
      const fs::path qvj = input_root / rel;
      if (rel != qvjs.front()) spec.extra_sources.push_back(qvj);  // the first is spec.label
      if (!spec.discovery_error.empty()) continue;
      try {
        const std::string name = cascade::qvs_name_of_qvj(read_input_text(qvj), qvj.string());
        const fs::path qvs = (qvj.parent_path() / name).lexically_normal();
        std::error_code ec;
        if (!fs::is_regular_file(qvs, ec))
          spec.discovery_error = fmt::format(
              "{}: names the contour file \"{}\" (<QVASSeriesFileName>), which is not in {}; "
              "restore it from the download, or move the QVJ file away to skip this side",
              qvj.string(), name, qvj.parent_path().string());
        else
          qvs_files.insert(qvs);
      } catch (const InputError& e) {
        spec.discovery_error = e.what();
      }
    }
    std::vector<fs::path> qvs_list(qvs_files.begin(), qvs_files.end());
    spec.extra_sources.insert(spec.extra_sources.end(), qvs_list.begin(), qvs_list.end());
    if (spec.name.empty() && spec.discovery_error.empty())
      spec.discovery_error =
          fmt::format("{}: the folder's name gives an empty case name", folder.string());
    if (spec.discovery_error.empty()) {
      const auto [it, fresh] = taken.emplace(spec.name, folder_rel);
      if (!fresh)
        spec.discovery_error = fmt::format(
            "{}: case name '{}' collides with {}; point --input at one copy of the dataset, or "
            "exclude the other with the config's \"exclude\"",
            folder_rel, spec.name, it->second);
    }
    const double frame = point_frame_;
    const std::vector<ContourRule> rules = rules_;
    spec.assemble_label = [qvs_list, frame, rules](const ImageGrid& grid,
                                                   std::vector<std::string>& warnings) {
      Volume v = draw_contours(qvs_list, grid.size, frame, rules, warnings);
      v.geometry = grid.geometry;
      return v;
    };
    cases.push_back(std::move(spec));
  }
  return cases;
}

Volume CascadeContourConverter::draw_contours(const std::vector<fs::path>& qvs_files,
                                              const std::array<std::size_t, 3>& size,
                                              double point_frame,
                                              const std::vector<ContourRule>& rules,
                                              std::vector<std::string>& warnings) {
  const auto [ni, nj, nk] = size;
  Volume out(VoxelType::UInt8, size, 1, false);
  out.stored_dimensions = 3;
  auto* voxels = static_cast<std::uint8_t*>(out.raw());
  std::fill_n(voxels, out.byte_size(), std::uint8_t{0});

  std::vector<std::pair<std::string, std::vector<cascade::Image>>> parsed;
  for (const fs::path& f : qvs_files) {
    auto images = cascade::parse_qvs(read_input_text(f), f.string());
    std::size_t last = 0;  // 1 + the last QVAS_Image holding a contour
    std::map<std::string, std::size_t> unlisted;
    for (std::size_t k = 0; k < images.size(); ++k)
      for (const cascade::Contour& c : images[k].contours) {
        const bool listed = std::any_of(rules.begin(), rules.end(),
                                        [&](const ContourRule& r) { return r.type == c.type; });
        if (!listed) {
          ++unlisted[c.type];
          continue;
        }
        last = k + 1;
        if (k >= nk)
          throw InputError(fmt::format(
              "{}: QVAS_Image {} (\"{}\") holds a \"{}\" contour for slice {}, but the image "
              "series has only {} slices (0..{}); the QVS file does not belong to this case's "
              "DICOM series: restore the series' missing files or the right QVS file",
              f.string(), k + 1, images[k].name, c.type, k, nk, nk == 0 ? 0 : nk - 1));
        for (std::size_t p = 0; p < c.points.size(); ++p) {
          const double col = c.points[p].x * static_cast<double>(ni) / point_frame;
          const double row = c.points[p].y * static_cast<double>(nj) / point_frame;
          if (!(col >= -0.5 && col <= static_cast<double>(ni) - 0.5 && row >= -0.5 &&
                row <= static_cast<double>(nj) - 0.5))
            throw InputError(fmt::format(
                "{}: slice {} (QVAS_Image {}), \"{}\" contour, point {} (x={}, y={}) is pixel "
                "({}, {}), outside the {}x{} image; the contours do not fit this series (check "
                "that the QVS file and the DICOM files are the same case's, and the config's "
                "\"point_frame\" {})",
                f.string(), k, k + 1, c.type, p + 1, number(c.points[p].x), number(c.points[p].y),
                number(col), number(row), ni, nj, number(point_frame)));
        }
      }
    if (!unlisted.empty()) {
      std::string list;
      for (const auto& [type, count] : unlisted)
        list += fmt::format("{}\"{}\" ({})", list.empty() ? "" : ", ", type, count);
      warnings.push_back(fmt::format(
          "{}: contours of types the config does not list were skipped: {}", f.string(), list));
    }
    if (images.size() != nk)
      warnings.push_back(fmt::format(
          "{}: {} QVAS_Image entries for a series of {} slices (entry k is drawn on slice k; "
          "the last contour is on entry {})",
          f.string(), images.size(), nk, last));
    parsed.emplace_back(f.string(), std::move(images));
  }

  for (const ContourRule& rule : rules)
    for (const auto& [file, images] : parsed)
      for (std::size_t k = 0; k < images.size(); ++k)
        for (const cascade::Contour& c : images[k].contours) {
          if (c.type != rule.type) continue;
          std::vector<cascade::Point> polygon;
          for (const cascade::Point& p : c.points) {
            const cascade::Point px{p.x * static_cast<double>(ni) / point_frame,
                                    p.y * static_cast<double>(nj) / point_frame};
            if (polygon.empty() || polygon.back().x != px.x || polygon.back().y != px.y)
              polygon.push_back(px);
          }
          while (polygon.size() > 1 && polygon.back().x == polygon.front().x &&
                 polygon.back().y == polygon.front().y)
            polygon.pop_back();
          if (polygon.size() < 3) {
            warnings.push_back(fmt::format(
                "{}: slice {} (QVAS_Image {}), \"{}\" contour has {} distinct point(s), too few "
                "for an area; skipped",
                file, k, k + 1, c.type, polygon.size()));
            continue;
          }
          cascade::fill_polygon(polygon, ni, nj, rule.value, voxels + k * ni * nj);
        }
  return out;
}

}  // namespace samed2d
