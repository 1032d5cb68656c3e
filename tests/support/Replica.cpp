#include "support/Replica.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <utility>

#include "support/DatasetRun.hpp"
#include "support/RunTool.hpp"

namespace samed2d::test::replica {

namespace fs = std::filesystem;

namespace {

std::string pad(std::size_t n, int width) {
  std::string s = std::to_string(n);
  while (static_cast<int>(s.size()) < width) s = "0" + s;
  return s;
}

std::string slurp(const fs::path& f) {
  std::ifstream in(f, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

void Vol::box(std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1, std::size_t k0,
              std::size_t k1, int value) {
  for (std::size_t k = k0; k < k1; ++k)
    for (std::size_t j = j0; j < j1; ++j)
      for (std::size_t i = i0; i < i1; ++i) v[i + ni * (j + nj * k)] = value;
}

std::vector<ClassDef> classes_of(const ClassValues& classes) {
  std::vector<ClassDef> out;
  for (const auto& [name, values] : classes) out.push_back({name, {values.begin(), values.end()}});
  return out;
}

std::string registry_id(const std::string& name) {
  static const nlohmann::json registry = [] {
    std::ifstream in(source_dir() / "configs" / "classes.json");
    return nlohmann::json::parse(in, nullptr, true, true);
  }();
  if (!registry.contains(name)) {
    ADD_FAILURE() << "class name '" << name << "' is not in configs/classes.json";
    return "????";
  }
  return registry[name].get<std::string>();
}

std::vector<std::string> slice_masks(const Slice& s, const std::vector<ClassDef>& classes) {
  std::vector<std::string> out;
  const double lo = static_cast<double>(std::min(s.h, s.w));
  const double hi = static_cast<double>(std::max(s.h, s.w));
  if (s.from_3d && lo < 0.5 * hi) return out;  // min_aspect 0.5, 3D volumes only
  std::vector<std::pair<std::string, const ClassDef*>> sorted;
  for (const auto& c : classes) sorted.emplace_back(registry_id(c.name), &c);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [id, c] : sorted) {
    std::vector<char> in(s.lab.size(), 0), seen(s.lab.size(), 0);
    for (std::size_t p = 0; p < s.lab.size(); ++p)
      in[p] = std::find(c->values.begin(), c->values.end(), s.lab[p]) != c->values.end();
    std::size_t instance = 0;
    for (std::size_t p = 0; p < s.lab.size(); ++p) {
      if (!in[p] || seen[p]) continue;
      std::vector<std::size_t> stack{p};
      seen[p] = 1;
      std::size_t count = 0;
      while (!stack.empty()) {
        const std::size_t q = stack.back();
        stack.pop_back();
        ++count;
        const long r = static_cast<long>(q / s.w), col = static_cast<long>(q % s.w);
        for (long dr = -1; dr <= 1; ++dr)
          for (long dc = -1; dc <= 1; ++dc) {
            const long rr = r + dr, cc = col + dc;
            if (rr < 0 || cc < 0 || rr >= static_cast<long>(s.h) || cc >= static_cast<long>(s.w))
              continue;
            const std::size_t n = static_cast<std::size_t>(rr) * s.w + static_cast<std::size_t>(cc);
            if (in[n] && !seen[n]) {
              seen[n] = 1;
              stack.push_back(n);
            }
          }
      }
      if (static_cast<double>(count) >= 0.00153 * static_cast<double>(s.h * s.w))
        out.push_back(id + "_" + pad(instance++, 3));
    }
  }
  return out;
}

Slice cut(const Vol& v, char axis, std::size_t s) {
  Slice out{};
  if (axis == 'x') {
    out = {v.nj, v.ni, {}};
    for (std::size_t j = 0; j < v.nj; ++j)
      for (std::size_t i = 0; i < v.ni; ++i) out.lab.push_back(v.at(i, j, s));
  } else if (axis == 'y') {
    out = {v.nk, v.ni, {}};
    for (std::size_t k = 0; k < v.nk; ++k)
      for (std::size_t i = 0; i < v.ni; ++i) out.lab.push_back(v.at(i, s, k));
  } else {
    out = {v.nk, v.nj, {}};
    for (std::size_t k = 0; k < v.nk; ++k)
      for (std::size_t j = 0; j < v.nj; ++j) out.lab.push_back(v.at(s, j, k));
  }
  return out;
}

void Expect::add_slice(const std::vector<std::string>& modalities, const std::string& dataset,
                       const std::string& case_name, const std::string& slice_name, const Slice& s,
                       const std::vector<ClassDef>& classes) {
  const auto masks_here = slice_masks(s, classes);
  if (masks_here.empty()) return;
  for (const auto& m : modalities) {
    const std::string base = m + "--" + dataset + "--" + case_name + "--" + slice_name;
    images.insert(base + ".png");
    for (const auto& suffix : masks_here) masks.insert(base + "--" + suffix + ".png");
  }
  for (const auto& c : classes)
    for (const auto& suffix : masks_here)
      if (suffix.substr(0, 4) == registry_id(c.name)) class_names.insert(c.name);
}

void Expect::add_3d(const std::vector<std::string>& modalities, const std::string& dataset,
                    const std::string& case_name, const Vol& label,
                    const std::vector<ClassDef>& classes, const std::string& axes) {
  for (char a : axes) {
    const std::size_t n = a == 'x' ? label.nk : a == 'y' ? label.nj : label.ni;
    for (std::size_t s = 0; s < n; ++s)
      add_slice(modalities, dataset, case_name, std::string(1, a) + "_" + pad(s, 4),
                cut(label, a, s), classes);
  }
}

void Expect::add_2d(const std::string& modality, const std::string& dataset,
                    const std::string& case_name, Slice s, const std::vector<ClassDef>& classes) {
  s.from_3d = false;
  add_slice({modality}, dataset, case_name, "2d_none", s, classes);
}

void Expect::add_2d(const std::vector<std::string>& modalities, const std::string& dataset,
                    const std::string& case_name, const Vol& label,
                    const std::vector<ClassDef>& classes) {
  Slice s = cut(label, 'x', 0);
  s.from_3d = false;
  add_slice(modalities, dataset, case_name, "2d_none", s, classes);
}

Vol standard_label(std::size_t ni, std::size_t nj, std::size_t nk, const std::vector<int>& values,
                   std::size_t shift) {
  Vol v(ni, nj, nk);
  std::size_t i = 1;
  for (std::size_t n = 0; n < values.size(); ++n) {
    const std::size_t k0 = (n + shift) % nk;
    v.box(i, i + 3, 2 + (n % 3) * 4, 5 + (n % 3) * 4, k0, k0 + 1, values[n]);
    i += 4;
    if (i + 3 > ni) i = 1;
  }
  return v;
}

std::vector<std::int16_t> ramp(std::size_t count, int seed, const Ramp& rule) {
  std::vector<std::int16_t> v(count);
  for (std::size_t p = 0; p < count; ++p)
    v[p] = static_cast<std::int16_t>(
        static_cast<int>((p * rule.step + static_cast<std::size_t>(seed) * rule.seed_step) %
                         rule.modulo) +
        rule.offset);
  return v;
}

void Planter::image3d(const fs::path& f, const std::array<std::size_t, 3>& n, int seed,
                      const std::array<double, 3>& spacing) const {
  write_itk_image(f, {n[0], n[1], n[2]}, ramp(n[0] * n[1] * n[2], seed, image_ramp),
                  {{spacing.begin(), spacing.end()}, {}, {}});
}

void Planter::image4d(const fs::path& f, const std::array<std::size_t, 3>& n,
                      std::size_t count) const {
  std::vector<float> v(n[0] * n[1] * n[2] * count);
  for (std::size_t p = 0; p < v.size(); ++p)
    v[p] = static_cast<float>((p * 13) % 251) * image4d_scale;
  write_itk_image(f, {n[0], n[1], n[2], count}, v);
}

void apple_double(const fs::path& real) {
  write_text_file(real.parent_path() / ("._" + real.filename().string()),
                  std::string("\0\5\26\7\0\2\0\0Mac OS X        ", 24) + std::string(200, '\0'));
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

void ConvertAndCheck::operator()(const std::string& dataset, const std::vector<fs::path>& inputs,
                                 const TempDir& outs, const Expect& e, const std::string& axes,
                                 int expected_exit) {
  for (const auto& input : inputs) check(dataset, input, outs, e, axes, expected_exit);
}

void ConvertAndCheck::check(const std::string& dataset, const fs::path& input, const TempDir& outs,
                            const Expect& e, const std::string& axes, int expected_exit) {
  const fs::path out = outs / (prefix_ + std::to_string(runs_++));
  const auto r =
      run_samed2d({"convert", "--dataset", dataset, "--input", input.string(), "--output",
                   out.string(), "--axes", axes, "--threads", "2", "--quiet"});
  SCOPED_TRACE(dataset + " with --input " + input.string());
  EXPECT_EQ(r.exit_code, expected_exit)
      << r.err << (fs::exists(out / "report.json") ? slurp(out / "report.json") : std::string());
  EXPECT_EQ(names_in(out / "images"), e.images);
  EXPECT_EQ(names_in(out / "masks"), e.masks);
  ASSERT_FALSE(e.images.empty());
  // The class mapping names exactly the classes that have masks, with their registry ids.
  if (fs::exists(out / "SAMed2D_v1_class_mapping_id.json")) {
    const auto mapping = nlohmann::json::parse(slurp(out / "SAMed2D_v1_class_mapping_id.json"));
    std::set<std::string> got;
    for (const auto& [name, id] : mapping.items()) {
      got.insert(name);
      EXPECT_EQ(id.get<std::string>(), registry_id(name)) << name;
    }
    EXPECT_EQ(got, e.class_names);
  } else {
    ADD_FAILURE() << "no class mapping file";
  }
}

}  // namespace samed2d::test::replica
