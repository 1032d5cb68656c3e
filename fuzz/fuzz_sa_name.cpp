// libFuzzer target: the SA-Med2D name parser (parse_name, what `samed2d validate` checks every
// file name with) against the writer (image_stem, mask_stem, slice_label: what the converter
// names files with). Two properties, checked on every input:
// 1. The input as a file name: whenever it parses as an image or a mask name, rebuilding it from
//    the parsed parts gives the same bytes back (the parser accepts exactly the names the writer
//    can produce, and cuts them into the right parts).
// 2. The input cut into parts (modality, dataset, raw case, axis, index, class, instance): when
//    the modality and dataset are valid and the sanitized case is not empty, the names built from
//    them parse back into exactly those parts.
// A broken property aborts (__builtin_trap) after printing what broke.

#include <fmt/format.h>
#include <fuzzer/FuzzedDataProvider.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/core/Naming.hpp"

namespace {

using samed2d::ParsedName;

[[noreturn]] void fail(std::string_view property, std::string_view name, std::string_view detail) {
  std::fprintf(stderr, "fuzz_sa_name: property broken: %.*s\n  name:   '%.*s'\n  detail: %.*s\n",
               static_cast<int>(property.size()), property.data(), static_cast<int>(name.size()),
               name.data(), static_cast<int>(detail.size()), detail.data());
  __builtin_trap();
}

std::optional<std::uint64_t> number(std::string_view digits) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return v;
}

// The slice field as slice_label writes it; nullopt when its index does not fit in 64 bits
// (then no writer could have made it, and only the text is compared).
std::optional<std::string> rebuilt_slice(std::string_view slice) {
  if (slice == samed2d::kSlice2d) return std::string(samed2d::kSlice2d);
  const auto axis = samed2d::parse_axis(slice.substr(0, 1));
  if (!axis) return std::nullopt;
  const auto index = number(slice.substr(2));
  if (!index) return std::nullopt;
  return samed2d::slice_label(*axis, *index);
}

void check_round_trip(std::string_view name, bool mask) {
  ParsedName p;
  if (!samed2d::parse_name(name, mask, p).empty()) return;
  const std::string slice = rebuilt_slice(p.slice).value_or(std::string(p.slice));
  std::string rebuilt = samed2d::image_stem(p.modality, p.dataset, p.case_name, slice);
  if (rebuilt != p.image_stem)
    fail("a parsed name's image stem is rebuilt from its parts", name,
         fmt::format("rebuilt '{}', parsed stem '{}'", rebuilt, p.image_stem));
  if (mask) {
    const auto instance = number(p.instance);
    rebuilt = instance ? samed2d::mask_stem(rebuilt, p.class_id, *instance)
                       : fmt::format("{}--{}_{}", rebuilt, p.class_id, p.instance);
    // A mask's image stem must name an image that parses with the same parts.
    ParsedName image;
    const std::string image_name = std::string(p.image_stem) + ".png";
    if (const auto err = samed2d::parse_name(image_name, false, image); !err.empty())
      fail("a mask's image name parses", name, err);
    if (image.modality != p.modality || image.dataset != p.dataset ||
        image.case_name != p.case_name || image.slice != p.slice)
      fail("a mask's image name parses into the mask's parts", name, image_name);
  }
  rebuilt += ".png";
  if (rebuilt != name)
    fail(mask ? "a parsed mask name is rebuilt from its parts"
              : "a parsed image name is rebuilt from its parts",
         name, fmt::format("rebuilt '{}'", rebuilt));
}

void check_built_names(FuzzedDataProvider& in) {
  const std::string modality = in.ConsumeRandomLengthString(24);
  const std::string dataset = in.ConsumeRandomLengthString(24);
  const std::string case_name = samed2d::sanitize_case_name(in.ConsumeRandomLengthString(64));
  const bool is_2d = in.ConsumeBool();
  const auto axis = in.PickValueInArray({samed2d::Axis::X, samed2d::Axis::Y, samed2d::Axis::Z});
  const auto index = in.ConsumeIntegral<std::size_t>();
  const std::string class_id = fmt::format("{:04d}", in.ConsumeIntegral<std::uint32_t>());
  const auto instance = in.ConsumeIntegral<std::size_t>();
  if (!samed2d::is_valid_modality(modality) || !samed2d::is_valid_dataset_name(dataset) ||
      case_name.empty())
    return;
  // The sanitizer's output is a fixed point: sanitizing a sanitized case changes nothing.
  if (samed2d::sanitize_case_name(case_name) != case_name)
    fail("sanitize_case_name is idempotent", case_name, samed2d::sanitize_case_name(case_name));
  const std::string slice =
      is_2d ? std::string(samed2d::kSlice2d) : samed2d::slice_label(axis, index);
  const std::string stem = samed2d::image_stem(modality, dataset, case_name, slice);
  const std::string mask = samed2d::mask_stem(stem, class_id, instance);
  for (const bool is_mask : {false, true}) {
    const std::string name = (is_mask ? mask : stem) + ".png";
    ParsedName p;
    if (const auto err = samed2d::parse_name(name, is_mask, p); !err.empty())
      fail("a name built from valid parts parses", name, err);
    if (p.modality != modality || p.dataset != dataset || p.case_name != case_name ||
        p.slice != slice || p.image_stem != stem)
      fail("a name built from valid parts parses into those parts", name,
           fmt::format("modality '{}', dataset '{}', case '{}', slice '{}'", p.modality, p.dataset,
                       p.case_name, p.slice));
    if (is_mask && (p.class_id != class_id || number(p.instance) != instance))
      fail("a mask name built from valid parts gives back its class and instance", name,
           fmt::format("class '{}', instance '{}'", p.class_id, p.instance));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view name(reinterpret_cast<const char*>(data), size);
  check_round_trip(name, false);
  check_round_trip(name, true);
  FuzzedDataProvider in(data, size);
  check_built_names(in);
  return 0;
}
