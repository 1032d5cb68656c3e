#include "pipeline/io/dicom/DicomSlices.hpp"

#include <gdcmScanner.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "pipeline/core/Errors.hpp"

namespace samed2d {

namespace {

const gdcm::Tag kSeriesUid{0x0020, 0x000E}, kDescription{0x0008, 0x103E}, kPosition{0x0020, 0x0032},
    kOrientation{0x0020, 0x0037}, kInstance{0x0020, 0x0013}, kRows{0x0028, 0x0010},
    kColumns{0x0028, 0x0011}, kFrames{0x0028, 0x0008}, kPixelSpacing{0x0028, 0x0030};

// "a\b\c" -> numbers; nullopt unless exactly `n` numbers.
template <std::size_t N>
std::optional<std::array<double, N>> numbers(const char* text) {
  if (text == nullptr) return std::nullopt;
  std::array<double, N> out{};
  std::size_t n = 0;
  std::string part;
  const std::string t = dicom_text(text);
  for (std::size_t at = 0; at <= t.size(); ++at) {
    if (at < t.size() && t[at] != '\\') {
      part += t[at];
      continue;
    }
    if (n == N) return std::nullopt;
    char* end = nullptr;
    const std::string p = dicom_text(part);
    out[n] = std::strtod(p.c_str(), &end);
    if (p.empty() || end != p.c_str() + p.size() || !std::isfinite(out[n])) return std::nullopt;
    ++n;
    part.clear();
  }
  if (n != N) return std::nullopt;
  return out;
}

std::optional<long long> integer(const char* text) {
  const auto v = numbers<1>(text);
  if (!v || std::floor((*v)[0]) != (*v)[0]) return std::nullopt;
  return static_cast<long long>((*v)[0]);
}

Vec3 normal_of(const std::array<double, 6>& o) {
  Vec3 n{o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
  const double len = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  if (len > 0)
    for (double& c : n) c /= len;
  return n;
}

double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

std::string mm(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Along the slice normal, two slices closer than this are at the same position.
constexpr double kSamePositionMm = 1e-3;
// A gap this many times the median gap means slices are missing.
constexpr double kMissingGapFactor = 1.5;

// Shell-like match of a whole text: '*' any run, '?' one character.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, back = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      back = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++back;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string series_list(const std::vector<const SeriesGroup*>& groups) {
  std::string list;
  for (std::size_t g = 0; g < groups.size() && g < 8; ++g)
    list += (g ? "; " : "") + (groups[g]->uid.empty() ? "<no UID>" : groups[g]->uid) + " \"" +
            groups[g]->description + "\" (" + std::to_string(groups[g]->slices.size()) +
            (groups[g]->slices.size() == 1 ? " file)" : " files)");
  if (groups.size() > 8) list += "; ...";
  return list;
}

}  // namespace

std::string dicom_text(std::string value) {
  while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
  std::size_t b = 0;
  while (b < value.size() && value[b] == ' ') ++b;
  return value.substr(b);
}

std::string name_of(const std::string& file) {
  return std::filesystem::path(file).filename().string();
}

std::vector<SliceHeader> scan_slices(const std::vector<std::string>& files) {
  gdcm::Scanner scanner;
  for (const gdcm::Tag& t : {kSeriesUid, kDescription, kPosition, kOrientation, kInstance, kRows,
                             kColumns, kFrames, kPixelSpacing})
    scanner.AddTag(t);
  std::vector<SliceHeader> out;
  if (files.empty() || !scanner.Scan(files)) return out;
  for (const std::string& f : files) {
    if (!scanner.IsKey(f.c_str())) continue;
    auto value = [&](const gdcm::Tag& t) { return scanner.GetValue(f.c_str(), t); };
    SliceHeader h;
    h.file = f;
    const auto rows = integer(value(kRows)), columns = integer(value(kColumns));
    if (!rows || !columns || *rows <= 0 || *columns <= 0) continue;
    h.rows = static_cast<std::size_t>(*rows);
    h.columns = static_cast<std::size_t>(*columns);
    if (const char* v = value(kSeriesUid)) h.uid = dicom_text(v);
    if (const char* v = value(kDescription)) h.description = dicom_text(v);
    h.position = numbers<3>(value(kPosition));
    h.orientation = numbers<6>(value(kOrientation));
    h.instance = integer(value(kInstance));
    if (const auto frames = integer(value(kFrames)); frames && *frames > 1)
      h.frames = static_cast<std::size_t>(*frames);
    if (const auto sp = numbers<2>(value(kPixelSpacing)); sp && (*sp)[0] > 0 && (*sp)[1] > 0)
      h.pixel_spacing = *sp, h.pixel_spacing_given = true;
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<SliceHeader> ordered_slices(std::vector<SliceHeader> slices,
                                        const std::filesystem::path& folder,
                                        std::vector<std::string>& warnings) {
  const bool placed = std::all_of(slices.begin(), slices.end(),
                                  [](const SliceHeader& h) { return h.position && h.orientation; });
  if (slices.size() > 1 && placed) {
    const auto& o0 = *slices[0].orientation;
    for (const SliceHeader& h : slices)
      for (std::size_t c = 0; c < 6; ++c)
        if (std::fabs((*h.orientation)[c] - o0[c]) > 1e-3)
          throw InputError(folder.string() + ": slice " + name_of(h.file) +
                           " has another orientation than slice " + name_of(slices[0].file) +
                           " (a localizer or a second series with the same UID?); remove it "
                           "from the folder or pick the series with the config's \"series\"");
    const Vec3 normal = normal_of(o0);
    std::vector<std::pair<double, const SliceHeader*>> at;
    for (const SliceHeader& h : slices) at.emplace_back(dot(*h.position, normal), &h);
    std::stable_sort(at.begin(), at.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<double> gaps;
    for (std::size_t k = 1; k < at.size(); ++k) {
      const double gap = at[k].first - at[k - 1].first;
      if (gap < kSamePositionMm)
        throw InputError(folder.string() + ": slices " + name_of(at[k - 1].second->file) + " and " +
                         name_of(at[k].second->file) + " are at the same position (" +
                         mm(at[k].first) +
                         " mm along the slice normal); the folder mixes several acquisitions "
                         "(time points, echoes) or holds a copy: keep one slice per position");
      gaps.push_back(gap);
    }
    if (gaps.size() >= 2) {
      std::vector<double> sorted = gaps;
      std::nth_element(sorted.begin(),
                       sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2),
                       sorted.end());
      double median = sorted[sorted.size() / 2];
      if (sorted.size() % 2 == 0) {
        const double lower = *std::max_element(
            sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2));
        median = (median + lower) / 2;
      }
      for (std::size_t k = 0; k < gaps.size(); ++k)
        if (gaps[k] > kMissingGapFactor * median)
          throw InputError(folder.string() + ": slices are missing between " +
                           name_of(at[k].second->file) + " (" + mm(at[k].first) + " mm) and " +
                           name_of(at[k + 1].second->file) + " (" + mm(at[k + 1].first) +
                           " mm along the slice normal): a gap of " + mm(gaps[k]) +
                           " mm where the regular spacing is " + mm(median) +
                           " mm; the series is incomplete, re-download or re-export it");
    }
    std::vector<SliceHeader> ordered;
    for (const auto& [d, h] : at) ordered.push_back(*h);
    return ordered;
  }
  if (slices.size() > 1) {
    std::vector<long long> numbers_seen;
    for (const SliceHeader& h : slices)
      if (h.instance) numbers_seen.push_back(*h.instance);
    std::sort(numbers_seen.begin(), numbers_seen.end());
    const bool by_instance =
        numbers_seen.size() == slices.size() &&
        std::adjacent_find(numbers_seen.begin(), numbers_seen.end()) == numbers_seen.end();
    if (by_instance)
      std::stable_sort(
          slices.begin(), slices.end(),
          [](const SliceHeader& a, const SliceHeader& b) { return *a.instance < *b.instance; });
    warnings.push_back(folder.string() +
                       ": some slices lack Image Position/Orientation (Patient); slices are "
                       "stacked by " +
                       (by_instance ? "Instance Number" : "file name") +
                       ", check the volume's slice order");
  }
  return slices;
}

std::vector<SeriesGroup> group_series(std::vector<SliceHeader> slices) {
  std::vector<SeriesGroup> groups;
  for (SliceHeader& h : slices) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const SeriesGroup& g) { return g.uid == h.uid; });
    if (it == groups.end()) {
      groups.push_back({h.uid, h.description, {}});
      it = groups.end() - 1;
    }
    if (it->description.empty()) it->description = h.description;
    it->slices.push_back(std::move(h));
  }
  std::sort(groups.begin(), groups.end(),
            [](const SeriesGroup& a, const SeriesGroup& b) { return a.uid < b.uid; });
  return groups;
}

const SeriesGroup& pick_series(const std::vector<SeriesGroup>& groups,
                               const std::filesystem::path& folder, const std::string& series) {
  std::vector<const SeriesGroup*> all;
  for (const SeriesGroup& g : groups) all.push_back(&g);
  const std::string what =
      "; put one Series Instance UID, or a Series Description (* and ? match any text and one "
      "character), into the sequence's \"series\" in the dataset config";
  if (series.empty()) {
    if (groups.size() == 1) return groups[0];
    throw InputError(folder.string() + ": holds " + std::to_string(groups.size()) +
                     " DICOM series and the config names none, so it cannot read one series: " +
                     series_list(all) + what);
  }
  for (const SeriesGroup& g : groups)
    if (g.uid == series) return g;
  std::vector<const SeriesGroup*> matching;
  for (const SeriesGroup& g : groups)
    if (glob_match(series, g.description)) matching.push_back(&g);
  if (matching.size() == 1) return *matching[0];
  if (matching.empty())
    throw InputError(folder.string() +
                     ": no DICOM series has the UID or a description matching \"" + series +
                     "\"; the folder holds " + series_list(all) + what);
  throw InputError(folder.string() + ": " + std::to_string(matching.size()) +
                   " DICOM series have a description matching \"" + series +
                   "\": " + series_list(matching) +
                   "; give a UID or a narrower pattern in the "
                   "sequence's \"series\" in the dataset config");
}

Geometry stacked_geometry(const std::vector<SliceHeader>& slices) {
  Geometry g;
  if (slices.empty()) return g;
  const SliceHeader& first = slices[0];
  g.spacing = {first.pixel_spacing[1], first.pixel_spacing[0], 1};
  // A stack of several slices needs their positions for its third spacing.
  g.spacing_known = first.pixel_spacing_given && slices.size() == 1;
  if (first.position) g.origin = *first.position;
  if (!first.orientation) return g;
  const auto& o = *first.orientation;
  Vec3 normal = normal_of(o);
  if (slices.size() > 1 && first.position && slices[1].position) {
    const double d = dot(*slices[1].position, normal) - dot(*first.position, normal);
    if (std::fabs(d) >= kSamePositionMm) {
      g.spacing[2] = std::fabs(d);
      g.spacing_known = first.pixel_spacing_given;
      if (d < 0)
        for (double& c : normal) c = -c;
    }
  }
  for (unsigned r = 0; r < 3; ++r) {
    g.direction[r * 3 + 0] = o[r];
    g.direction[r * 3 + 1] = o[3 + r];
    g.direction[r * 3 + 2] = normal[r];
  }
  return g;
}

}  // namespace samed2d
