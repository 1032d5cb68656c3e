// Profile JSON: parsing, loading by name or file, and the canonical options fingerprint.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"
#include "pipeline/core/Profile.hpp"

namespace samed2d {

namespace {

const std::vector<std::string_view> kProfileKeys{"name",
                                                 "description",
                                                 "orientation",
                                                 "axes",
                                                 "slice_step",
                                                 "intensity",
                                                 "window",
                                                 "percentile",
                                                 "pixel_spacing",
                                                 "size",
                                                 "fit",
                                                 "intensity_by_modality",
                                                 "channels_3d",
                                                 "connectivity",
                                                 "min_area_fraction",
                                                 "min_area_pixels",
                                                 "min_aspect"};
// The keys of one entry of "intensity_by_modality".
const std::vector<std::string_view> kIntensityKeys{"intensity", "window", "percentile"};
// The largest "size": 8192 x 8192 is already 64 MiB per mask before compression.
constexpr std::int64_t kMaxSize = 8192;

constexpr std::string_view orientation_text(Orientation o) {
  switch (o) {
    case Orientation::RAS:
      return "RAS";
    case Orientation::LPS:
      return "LPS";
    case Orientation::AsStored:
      break;
  }
  return "as-stored";
}

constexpr std::string_view intensity_text(IntensityMode m) {
  switch (m) {
    case IntensityMode::MinMaxVolume:
      return "minmax-volume";
    case IntensityMode::Window:
      return "window";
    case IntensityMode::Percentile:
      return "percentile";
    case IntensityMode::MinMaxSlice:
      break;
  }
  return "minmax-slice";
}

class ProfileReader {
 public:
  explicit ProfileReader(const std::string& origin) : origin_(origin) {}

  [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
    throw ConfigError(fmt::format("{}: \"{}\" {}", origin_, key, problem));
  }

  std::string string_of(const nlohmann::json& v, std::string_view key) const {
    if (!v.is_string()) fail(key, "must be a string; write it in double quotes");
    return v.get<std::string>();
  }

  template <class Enum>
  Enum choice_of(const nlohmann::json& v, std::string_view key,
                 const std::vector<std::pair<std::string_view, Enum>>& choices) const {
    const std::string text = string_of(v, key);
    std::vector<std::string_view> names;
    for (const auto& [name, value] : choices) {
      if (text == name) return value;
      names.push_back(name);
    }
    fail(key, fmt::format("is \"{}\", which is not one of: {}; use one of those", text,
                          join_names(names)));
  }

  double number_of(const nlohmann::json& v, std::string_view key, double lo, double hi) const {
    if (!v.is_number()) fail(key, "must be a number");
    const double x = v.get<double>();
    if (!std::isfinite(x) || x < lo || x > hi)
      fail(key, fmt::format("is {}, out of range; give a number from {} to {}", v.dump(), lo, hi));
    return x;
  }

  std::int64_t integer_of(const nlohmann::json& v, std::string_view key, std::int64_t lo) const {
    if (!v.is_number_integer())
      fail(key, fmt::format("is {}; it must be a whole number of at least {}", v.dump(), lo));
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      fail(key, fmt::format("is {}, too large", v.dump()));
    const auto x = v.get<std::int64_t>();
    if (x < lo) fail(key, fmt::format("is {}; it must be at least {}", x, lo));
    return x;
  }

  const nlohmann::json& object_of(const nlohmann::json& v, std::string_view key,
                                  const std::vector<std::string_view>& keys) const {
    if (!v.is_object())
      fail(key, fmt::format("must be an object with the keys {}", join_names(keys)));
    for (const auto& [k, unused] : v.items()) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end())
        fail(fmt::format("{}.{}", key, k), fmt::format("is not a known key{}; the keys are {}",
                                                       did_you_mean(k, keys), join_names(keys)));
    }
    for (auto k : keys)
      if (!v.contains(std::string(k)))
        fail(key, fmt::format("lacks \"{}\"; give all of {}", k, join_names(keys)));
    return v;
  }

 private:
  const std::string& origin_;
};

// The intensity keys ("intensity", "window", "percentile") of `j`; `where` prefixes the key names
// in messages ("intensity_by_modality.ct.").
IntensityOptions parse_intensity(const ProfileReader& r, const nlohmann::json& j,
                                 const std::string& where) {
  IntensityOptions o;
  const auto key = [&](std::string_view k) { return where + std::string(k); };
  if (j.contains("intensity"))
    o.mode = r.choice_of<IntensityMode>(j["intensity"], key("intensity"),
                                        {{"minmax-slice", IntensityMode::MinMaxSlice},
                                         {"minmax-volume", IntensityMode::MinMaxVolume},
                                         {"window", IntensityMode::Window},
                                         {"percentile", IntensityMode::Percentile}});
  const bool window = o.mode == IntensityMode::Window;
  const bool percentile = o.mode == IntensityMode::Percentile;
  if (window != j.contains("window"))
    r.fail(key("window"), window ? "is required when \"intensity\" is \"window\"; give "
                                   "{\"level\": L, \"width\": W}"
                                 : "is given but \"intensity\" is not \"window\"; remove one "
                                   "of them");
  if (percentile != j.contains("percentile"))
    r.fail(key("percentile"), percentile ? "is required when \"intensity\" is \"percentile\"; "
                                           "give {\"lower\": L, \"upper\": U}"
                                         : "is given but \"intensity\" is not \"percentile\"; "
                                           "remove one of them");
  if (window) {
    const auto& w = r.object_of(j["window"], key("window"), {"level", "width"});
    o.window_level = r.number_of(w["level"], key("window.level"), -HUGE_VAL, HUGE_VAL);
    o.window_width = r.number_of(w["width"], key("window.width"), 0, HUGE_VAL);
    if (!(o.window_width > 0)) r.fail(key("window.width"), "must be greater than 0");
  }
  if (percentile) {
    const auto& pc = r.object_of(j["percentile"], key("percentile"), {"lower", "upper"});
    o.percentile_lower = r.number_of(pc["lower"], key("percentile.lower"), 0, 100);
    o.percentile_upper = r.number_of(pc["upper"], key("percentile.upper"), 0, 100);
    if (!(o.percentile_lower < o.percentile_upper))
      r.fail(key("percentile"), "needs \"lower\" below \"upper\"");
  }
  return o;
}

bool valid_modality_prefix(const std::string& s) {
  if (s.empty() || s.front() == '_' || s.back() == '_') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

nlohmann::json intensity_json(const IntensityOptions& o) {
  nlohmann::json j;
  j["intensity"] = intensity_text(o.mode);
  if (o.mode == IntensityMode::Window)
    j["window"] = {{"level", o.window_level}, {"width", o.window_width}};
  if (o.mode == IntensityMode::Percentile)
    j["percentile"] = {{"lower", o.percentile_lower}, {"upper", o.percentile_upper}};
  return j;
}

}  // namespace

Profile parse_profile(const nlohmann::json& j, const std::string& origin) {
  const ProfileReader r(origin);
  if (!j.is_object())
    throw ConfigError(fmt::format("{}: a profile must be a JSON object {{...}}", origin));
  for (const auto& [key, unused] : j.items()) {
    if (std::find(kProfileKeys.begin(), kProfileKeys.end(), key) == kProfileKeys.end())
      r.fail(key, fmt::format("is not a profile option{}; the options are {}",
                              did_you_mean(key, kProfileKeys), join_names(kProfileKeys)));
  }

  Profile p;
  p.name = std::filesystem::path(origin).stem().string();
  if (j.contains("name")) p.name = r.string_of(j["name"], "name");
  if (j.contains("description")) p.description = r.string_of(j["description"], "description");

  if (j.contains("orientation"))
    p.orientation = r.choice_of<Orientation>(j["orientation"], "orientation",
                                             {{"as-stored", Orientation::AsStored},
                                              {"RAS", Orientation::RAS},
                                              {"LPS", Orientation::LPS}});

  if (j.contains("axes")) {
    const auto& axes = j["axes"];
    if (!axes.is_array() || axes.empty())
      r.fail("axes", "must be a non-empty list of \"x\", \"y\", \"z\"");
    std::vector<Axis> chosen;
    for (const auto& a : axes) {
      const auto axis = a.is_string() ? parse_axis(a.get<std::string>()) : std::nullopt;
      if (!axis) r.fail("axes", fmt::format("holds {}; use only \"x\", \"y\" and \"z\"", a.dump()));
      if (std::find(chosen.begin(), chosen.end(), *axis) != chosen.end())
        r.fail("axes", fmt::format("names {} twice; name each axis once", a.dump()));
      chosen.push_back(*axis);
    }
    std::sort(chosen.begin(), chosen.end());
    p.axes = chosen;
  }

  if (j.contains("slice_step"))
    p.slice_step = static_cast<std::size_t>(r.integer_of(j["slice_step"], "slice_step", 1));

  p.intensity = parse_intensity(r, j, "");
  if (j.contains("intensity_by_modality")) {
    const auto& by = j["intensity_by_modality"];
    if (!by.is_object())
      r.fail("intensity_by_modality",
             "must be an object of modality prefix -> {\"intensity\": ...}, e.g. {\"ct\": "
             "{\"intensity\": \"window\", \"window\": {\"level\": 40, \"width\": 400}}}");
    for (const auto& [prefix, entry] : by.items()) {
      const std::string key = "intensity_by_modality." + prefix;
      if (!valid_modality_prefix(prefix))
        r.fail(key,
               "is not a modality prefix; use lower-case letters, digits and \"_\" as in "
               "\"ct\" or \"mr_t1\"");
      if (!entry.is_object() || !entry.contains("intensity"))
        r.fail(key,
               "must be an object with \"intensity\" (and its \"window\" or "
               "\"percentile\")");
      for (const auto& [k, unused] : entry.items())
        if (std::find(kIntensityKeys.begin(), kIntensityKeys.end(), k) == kIntensityKeys.end())
          r.fail(key + "." + k,
                 fmt::format("is not a known key{}; the keys are {}",
                             did_you_mean(k, kIntensityKeys), join_names(kIntensityKeys)));
      p.intensity_by_modality.emplace_back(prefix, parse_intensity(r, entry, key + "."));
    }
  }

  if (j.contains("pixel_spacing"))
    p.pixel_spacing = r.choice_of<PixelSpacing>(
        j["pixel_spacing"], "pixel_spacing",
        {{"as-stored", PixelSpacing::AsStored}, {"isotropic", PixelSpacing::Isotropic}});
  if (j.contains("size")) p.size = static_cast<std::size_t>(r.integer_of(j["size"], "size", 1));
  if (p.size && *p.size > kMaxSize)
    r.fail("size", fmt::format("is {}; the largest size is {}", *p.size, kMaxSize));
  if (j.contains("fit")) {
    if (!p.size) r.fail("fit", "is given without \"size\"; give the edge length in \"size\"");
    p.fit = r.choice_of<Fit>(j["fit"], "fit", {{"pad", Fit::Pad}, {"stretch", Fit::Stretch}});
  }

  if (j.contains("channels_3d"))
    p.channels_3d_rgb =
        r.choice_of<bool>(j["channels_3d"], "channels_3d", {{"rgb", true}, {"gray", false}});

  if (j.contains("connectivity")) {
    const auto c = r.integer_of(j["connectivity"], "connectivity", 0);
    if (c != 4 && c != 8) r.fail("connectivity", fmt::format("is {}; use 4 or 8", c));
    p.connectivity = static_cast<int>(c);
  }

  if (j.contains("min_area_fraction") && j.contains("min_area_pixels"))
    r.fail("min_area_pixels", "and \"min_area_fraction\" are both given; keep only one");
  if (j.contains("min_area_fraction"))
    p.min_area_fraction = r.number_of(j["min_area_fraction"], "min_area_fraction", 0, 1);
  if (j.contains("min_area_pixels"))
    p.min_area_pixels = r.integer_of(j["min_area_pixels"], "min_area_pixels", 0);

  if (j.contains("min_aspect")) p.min_aspect = r.number_of(j["min_aspect"], "min_aspect", 0, 1);
  return p;
}

Profile load_profile(const std::string& name_or_file, const std::filesystem::path& config_dir) {
  const bool is_file =
      name_or_file.find('/') != std::string::npos ||
      (name_or_file.size() >= 5 && name_or_file.compare(name_or_file.size() - 5, 5, ".json") == 0);
  if (is_file) return parse_profile(read_json_file(name_or_file), name_or_file);

  const auto folder = config_dir / "profiles";
  const auto file = folder / (name_or_file + ".json");
  std::error_code ec;
  if (!name_or_file.empty() && std::filesystem::is_regular_file(file, ec))
    return parse_profile(read_json_file(file), file.string());

  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  throw ConfigError(fmt::format(
      "profile \"{}\": no such profile in {}; the available profiles are: {}; or give a profile "
      "file path",
      name_or_file, folder.string(),
      names.empty() ? "(none)" : fmt::format("{}", fmt::join(names, ", "))));
}

namespace {

std::string intensity_summary(const IntensityOptions& o) {
  switch (o.mode) {
    case IntensityMode::Window:
      return fmt::format("window {}/{}", o.window_level, o.window_width);
    case IntensityMode::Percentile:
      return fmt::format("percentile {}-{}", o.percentile_lower, o.percentile_upper);
    case IntensityMode::MinMaxSlice:
    case IntensityMode::MinMaxVolume:
      break;
  }
  return std::string(intensity_text(o.mode));
}

}  // namespace

std::string profile_summary(const Profile& p) {
  std::vector<std::string> parts;
  if (p.orientation != Orientation::AsStored)
    parts.push_back(fmt::format("{} orientation", orientation_text(p.orientation)));
  std::string axes;
  for (auto a : p.axes) axes += axis_letter(a);
  if (axes != "xyz") parts.push_back("axes " + axes);
  if (p.slice_step > 1) parts.push_back(fmt::format("every {}th slice", p.slice_step));
  parts.push_back(p.pixel_spacing == PixelSpacing::Isotropic ? "square pixels" : "stored pixels");
  parts.push_back(
      p.size ? fmt::format("{0} x {0} {1}", *p.size, p.fit == Fit::Pad ? "padded" : "stretched")
             : std::string("slice size"));
  std::vector<std::string> by_modality;
  for (const auto& [prefix, o] : p.intensity_by_modality)
    by_modality.push_back(fmt::format("{}: {}", prefix, intensity_summary(o)));
  parts.push_back(intensity_summary(p.intensity) +
                  (by_modality.empty() ? "" : fmt::format(" ({})", fmt::join(by_modality, "; "))));
  parts.push_back(p.channels_3d_rgb ? "rgb" : "gray");
  return fmt::format("{}", fmt::join(parts, ", "));
}

nlohmann::json Profile::to_json() const {
  // nlohmann's default object keeps keys sorted, so the dump is canonical.
  nlohmann::json j;
  j["orientation"] = orientation_text(orientation);
  auto axes_json = nlohmann::json::array();
  for (auto a : axes) axes_json.push_back(std::string(1, axis_letter(a)));
  j["axes"] = axes_json;
  j["slice_step"] = slice_step;
  j.update(intensity_json(intensity));
  // The options of issue 12 appear only where they are not the default, so that the records of
  // a samed2d_v1 run stay what they were and earlier runs are not redone.
  if (!intensity_by_modality.empty()) {
    nlohmann::json by;
    for (const auto& [prefix, o] : intensity_by_modality) by[prefix] = intensity_json(o);
    j["intensity_by_modality"] = by;
  }
  if (pixel_spacing == PixelSpacing::Isotropic) j["pixel_spacing"] = "isotropic";
  if (size) {
    j["size"] = *size;
    j["fit"] = fit == Fit::Pad ? "pad" : "stretch";
  }
  j["channels_3d"] = channels_3d_rgb ? "rgb" : "gray";
  j["connectivity"] = connectivity;
  if (min_area_pixels)
    j["min_area_pixels"] = *min_area_pixels;
  else
    j["min_area_fraction"] = min_area_fraction;
  j["min_aspect"] = min_aspect;
  return j;
}

}  // namespace samed2d
