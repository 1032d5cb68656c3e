#pragma once
// The SA-Med2D names of SPEC section 2.

#include <cstddef>
#include <string>
#include <string_view>

#include "pipeline/core/Axis.hpp"

namespace samed2d {

// Runs of two or more '-' become one '-'; '/', '\', white space and control characters become
// '_'. Everything else (dots, single hyphens, underscores, letters, digits, other bytes) stays.
std::string sanitize_case_name(std::string_view raw);

// The file name without its format extension (.nii.gz, .nii, .mha, .mhd, .nrrd, .nhdr, .dcm,
// .png, .jpg, .jpeg, .bmp, .tif, .tiff; matched case-insensitively). Other names are kept whole.
std::string strip_format_extension(std::string_view file_name);

// modality: lower-case letters, digits and '_' only, non-empty.
bool is_valid_modality(std::string_view s);
// dataset: letters, digits, '_', '.', and single '-' (never "--", never at either end), non-empty.
bool is_valid_dataset_name(std::string_view s);

// "x_0006"; more digits only when the index needs them. "2d_none" for 2D sources.
std::string slice_label(Axis axis, std::size_t index);
inline constexpr std::string_view kSlice2d = "2d_none";

// {modality}--{dataset}--{case}--
std::string case_prefix(std::string_view modality, std::string_view dataset,
                        std::string_view case_name);
// {modality}--{dataset}--{case}--{slice}
std::string image_stem(std::string_view modality, std::string_view dataset,
                       std::string_view case_name, std::string_view slice);
// {image stem}--{class:04d}_{instance:03d}; class_id_text is the registry's text ("0003").
std::string mask_stem(std::string_view image_stem, std::string_view class_id_text,
                      std::size_t instance);

// The fields of an image or mask file name: views into the name given to parse_name.
struct ParsedName {
  std::string_view image_stem;  // {modality}--{dataset}--{case}--{slice}
  std::string_view modality;
  std::string_view dataset;
  std::string_view case_name;
  std::string_view slice;     // "x_0006" or "2d_none"
  std::string_view class_id;  // masks only: the CCCC of --CCCC_III
  std::string_view instance;  // masks only: the III of --CCCC_III
};

// Parses an image (`mask` false) or mask file name per SPEC section 2; returns what is wrong, or
// "" when it parses. It accepts exactly the names image_stem and mask_stem can write (slice and
// instance numbers padded to 4 and 3 digits, never more). Fields found before the problem are
// filled in `out` even when it fails.
std::string parse_name(std::string_view name, bool mask, ParsedName& out);

}  // namespace samed2d
