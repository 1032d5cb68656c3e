#include "converters/DicomPngSlicesConverter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "converters/layout/ConfigFields.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Volume.hpp"
#include "pipeline/io/VolumeReader.hpp"
#include "pipeline/io/dicom/DicomSeries.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string_view> kKeys{"dataset", "converter", "description", "exclude",
                                          "stacks"};
const std::vector<std::string_view> kStackKeys{"dicom",    "masks",  "case_folder",
                                               "modality", "labels", "unions"};

// Natural-order key pieces of a name: digit runs as numbers, other runs as text.
int natural_compare(std::string_view a, std::string_view b) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t ei = i, ej = j;
      while (ei < a.size() && digit(a[ei])) ++ei;
      while (ej < b.size() && digit(b[ej])) ++ej;
      // Compare the runs as numbers without overflow: leading zeros off, then length, then text.
      std::string_view ra = a.substr(i, ei - i), rb = b.substr(j, ej - j);
      while (ra.size() > 1 && ra[0] == '0') ra.remove_prefix(1);
      while (rb.size() > 1 && rb[0] == '0') rb.remove_prefix(1);
      if (ra.size() != rb.size()) return ra.size() < rb.size() ? -1 : 1;
      if (const int c = ra.compare(rb); c != 0) return c < 0 ? -1 : 1;
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j])
        return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]) ? -1 : 1;
      ++i;
      ++j;
    }
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

std::string str(const fs::path& p) {
  return p.string();
}

// The files of `folder` whose names match `names` (macOS debris "._*" left out), in natural
// order.
std::vector<fs::path> matching_files(const fs::path& folder, const Glob& names) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("._", 0) == 0 || !entry.is_regular_file(ec) || !names.matches(name)) continue;
    found.push_back(name);
  }
  std::sort(found.begin(), found.end(), natural_less);
  std::vector<fs::path> out;
  for (const std::string& n : found) out.push_back(folder / n);
  return out;
}

// The masks stacked in order into one label volume with the geometry of the DICOM stack.
Volume stack_masks(const std::vector<fs::path>& masks, const std::vector<fs::path>& dicom_files,
                   const fs::path& mask_folder) {
  if (masks.empty()) throw InputError(str(mask_folder) + ": no masks to stack; check the folder");
  std::optional<Volume> out;
  fs::path first;
  for (std::size_t k = 0; k < masks.size(); ++k) {
    std::vector<std::string> ignored;  // a mask's warnings have no record to go to
    const Volume m = read_label_volume(masks[k], ignored);
    if (m.size()[2] != 1 || m.components() != 1)
      throw InputError(str(masks[k]) +
                       ": is not a single-channel 2D mask; each slice needs one grey PNG");
    if (!out) {
      out.emplace(m.type(), std::array<std::size_t, 3>{m.size()[0], m.size()[1], masks.size()}, 1,
                  false);
      first = masks[k];
    }
    if (m.size()[0] != out->size()[0] || m.size()[1] != out->size()[1])
      throw InputError(fmt::format(
          "{}: the mask is {}x{} pixels but {} is {}x{}; the masks of {} must share one size, "
          "replace the odd one",
          str(masks[k]), m.size()[0], m.size()[1], first.filename().string(), out->size()[0],
          out->size()[1], str(mask_folder)));
    if (m.type() != out->type())
      throw InputError(
          fmt::format("{}: the mask is {} but {} is {}; the masks of {} must share one pixel type, "
                      "re-save the odd one",
                      str(masks[k]), voxel_type_name(m.type()), first.filename().string(),
                      voxel_type_name(out->type()), str(mask_folder)));
    std::memcpy(static_cast<char*>(out->raw()) + k * m.byte_size(), m.raw(), m.byte_size());
  }
  out->stored_dimensions = 3;
  out->geometry = dicom_stack_geometry(dicom_files);
  return std::move(*out);
}

}  // namespace

bool natural_less(const std::string& a, const std::string& b) {
  const int c = natural_compare(a, b);
  return c != 0 ? c < 0 : a < b;
}

DicomPngSlicesConverter::DicomPngSlicesConverter(const nlohmann::json& config,
                                                 const ClassRegistry& classes,
                                                 const std::string& origin)
    : Converter(origin, dataset_of(checked_config(config, origin, kKeys, "dicom_png_slices", true),
                                   origin, "\"CHAOS_Task_4\"")),
      exclude_(exclude_of(config, origin, "\"**/Test*/**\"")) {
  for_each_object(
      config, origin, "stacks", kStackKeys, "a stack",
      "must be a non-empty list of {\"dicom\": GLOB, \"masks\": \"../Ground/*.png\", "
      "\"case_folder\": \"..\", \"modality\": \"ct_00\", \"labels\": {...}}",
      "must be an object {\"dicom\": GLOB, \"masks\": ..., ...}",
      [&](const nlohmann::json& entry, const std::string& where) {
        const std::string dicom = non_empty_string(
            entry, origin, "dicom", "\"**/CT/*/DICOM_anon/*.dcm\"", where + ".dicom");
        std::string masks =
            non_empty_string(entry, origin, "masks", "\"../Ground/*.png\"", where + ".masks");
        const auto slash = masks.rfind('/');
        const std::string mask_folder = slash == std::string::npos ? "." : masks.substr(0, slash);
        const std::string mask_names = masks.substr(slash == std::string::npos ? 0 : slash + 1);
        if (mask_names.empty() || Glob::has_wildcards(mask_folder))
          fail_field(
              origin, where + ".masks",
              fmt::format("is \"{}\"; give a folder relative to the DICOM folder, then a file "
                          "pattern, e.g. \"../Ground/*.png\" (wildcards only in the file name)",
                          masks));
        std::string case_folder = ".";
        if (entry.contains("case_folder"))
          case_folder =
              non_empty_string(entry, origin, "case_folder", "\"..\"", where + ".case_folder");
        if (!entry.contains("modality")) fail_field(origin, where, "lacks \"modality\"");
        const std::string modality = modality_value_of(
            entry["modality"], origin, where + ".modality", "\"ct_00\" or \"mr_t1\"");
        for (const Stack& earlier : stacks_)
          if (earlier.modality == modality)
            fail_field(
                origin, where + ".modality",
                fmt::format("repeats \"{}\"; each stack needs its own modality, or the images of a "
                            "patient's stacks would get one name",
                            earlier.modality));
        stacks_.push_back({glob_field(dicom, origin, where + ".dicom"), mask_folder,
                           glob_field(mask_names, origin, where + ".masks"), case_folder, modality,
                           label_mapping_of(entry, classes, fmt::format("{}: {}", origin, where))});
      });
}

std::vector<std::string> DicomPngSlicesConverter::modalities() const {
  std::vector<std::string> m;
  for (const Stack& s : stacks_) m.push_back(s.modality);
  return m;
}

std::vector<CaseSpec> DicomPngSlicesConverter::cases_under(const fs::path& input_root,
                                                           Glob::Walk& seen) const {
  std::error_code ec;
  std::vector<CaseSpec> cases;
  for (const Stack& stack : stacks_) {
    // DICOM folder (relative) -> its matching files.
    for (const auto& [folder_rel, rels] :
         matches_by_folder(stack.dicom, exclude_, input_root, seen)) {
      const fs::path dicom_folder = (input_root / folder_rel).lexically_normal();
      std::vector<std::string> names;
      for (const std::string& rel : rels) names.push_back(rel.substr(rel.rfind('/') + 1));
      std::sort(names.begin(), names.end(), natural_less);
      std::vector<fs::path> dicom_files;
      for (const std::string& n : names) dicom_files.push_back(dicom_folder / n);
      const fs::path mask_folder = (dicom_folder / stack.mask_folder).lexically_normal();
      fs::path case_folder = (dicom_folder / stack.case_folder).lexically_normal();
      if (case_folder.filename().empty()) case_folder = case_folder.parent_path();

      CaseSpec spec =
          one_image_case(folder_rel, case_folder.filename().string(), dicom_folder, stack.modality);
      spec.mapping = stack.mapping;
      spec.label = mask_folder;
      const std::string where = str(dicom_folder);
      spec.sequences[0].assemble = [dicom_files, where](std::vector<std::string>& warnings) {
        return stack_dicom_slices(dicom_files, where, warnings);
      };

      std::vector<fs::path> masks;
      if (!fs::is_directory(mask_folder, ec)) {
        spec.discovery_error = fmt::format(
            "{}: no mask folder {} for the DICOM slices of {}; every case needs its folder of "
            "PNG masks (the config's \"masks\" is \"{}/{}\")",
            str(mask_folder), str(mask_folder), where, stack.mask_folder,
            stack.mask_names.pattern());
      } else {
        masks = matching_files(mask_folder, stack.mask_names);
        if (masks.size() != dicom_files.size())
          spec.discovery_error = fmt::format(
              "{}: {} mask(s) \"{}\" for the {} DICOM slice(s) of {}; the i-th mask pairs with "
              "the i-th slice by the numbers in their names, so the counts must be equal: "
              "restore the missing file(s) or remove the extra ones",
              str(mask_folder), masks.size(), stack.mask_names.pattern(), dicom_files.size(),
              where);
      }
      if (spec.name.empty() && spec.discovery_error.empty())
        spec.discovery_error = fmt::format(
            "{}: the case folder \"{}\" gives an empty case name; fix the config's "
            "\"case_folder\"",
            where, stack.case_folder);
      spec.extra_sources = dicom_files;
      spec.extra_sources.insert(spec.extra_sources.end(), masks.begin(), masks.end());
      spec.assemble_label = [masks, dicom_files, mask_folder](const ImageGrid&,
                                                              std::vector<std::string>&) {
        return stack_masks(masks, dicom_files, mask_folder);
      };
      cases.push_back(std::move(spec));
    }
  }
  std::stable_sort(cases.begin(), cases.end(),
                   [](const CaseSpec& a, const CaseSpec& b) { return a.source < b.source; });
  // Two stacks of one modality with one case name would write the same file names.
  std::map<std::pair<std::string, std::string>, std::string> taken;
  for (CaseSpec& c : cases) {
    if (!c.discovery_error.empty()) continue;
    const auto [it, fresh] = taken.emplace(std::pair{c.name, c.sequences[0].modality}, c.source);
    if (!fresh)
      c.discovery_error = fmt::format(
          "{}: case name '{}' ({}) collides with {}; point --input at one copy of the dataset, "
          "or exclude the other with the config's \"exclude\"",
          c.source, c.name, c.sequences[0].modality, it->second);
  }
  return cases;
}

}  // namespace samed2d
