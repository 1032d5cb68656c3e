#include "support/PlantedCase.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "e2e/Oracle.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {

namespace {

std::size_t count_of(const std::array<std::size_t, 3>& size) {
  return size[0] * size[1] * size[2];
}

std::vector<double> label_values(const PlantedCase& c) {
  std::vector<double> out(count_of(c.size), 0.0);
  for (const auto& b : c.boxes)
    for (std::size_t k = b.lo[2]; k < b.hi[2]; ++k)
      for (std::size_t j = b.lo[1]; j < b.hi[1]; ++j)
        for (std::size_t i = b.lo[0]; i < b.hi[0]; ++i)
          out[i + c.size[0] * (j + c.size[1] * k)] = b.value;
  return out;
}

}  // namespace

template <class T>
std::vector<T> PlantedCase::image() const {
  std::vector<T> out(count_of(size));
  for (std::size_t k = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i)
        out[i + size[0] * (j + size[1] * k)] =
            static_cast<T>(static_cast<double>(i * 37 + j * 11 + k * 5) - 900.0);
  return out;
}

template <class T>
std::vector<T> PlantedCase::label() const {
  const auto values = label_values(*this);
  std::vector<T> out(values.size());
  std::transform(values.begin(), values.end(), out.begin(),
                 [](double v) { return static_cast<T>(v); });
  return out;
}

template <class T>
void PlantedCase::write_image(const std::filesystem::path& file) const {
  write_volume<T>(file, size, image<T>());
}

template <class T>
void PlantedCase::write_label(const std::filesystem::path& file) const {
  write_volume<T>(file, size, label<T>());
}

void PlantedCase::write_compressed_label(const std::filesystem::path& file) const {
  write_itk_image(file, {size[0], size[1], size[2]}, label<std::uint8_t>(), {}, true);
}

template std::vector<std::int16_t> PlantedCase::image<std::int16_t>() const;
template std::vector<float> PlantedCase::image<float>() const;
template std::vector<double> PlantedCase::image<double>() const;
template std::vector<std::uint8_t> PlantedCase::label<std::uint8_t>() const;
template std::vector<std::int16_t> PlantedCase::label<std::int16_t>() const;
template std::vector<std::uint16_t> PlantedCase::label<std::uint16_t>() const;
template std::vector<float> PlantedCase::label<float>() const;
template void PlantedCase::write_image<std::int16_t>(const std::filesystem::path&) const;
template void PlantedCase::write_image<float>(const std::filesystem::path&) const;
template void PlantedCase::write_label<std::uint8_t>(const std::filesystem::path&) const;
template void PlantedCase::write_label<std::int16_t>(const std::filesystem::path&) const;
template void PlantedCase::write_label<std::uint16_t>(const std::filesystem::path&) const;
template void PlantedCase::write_label<float>(const std::filesystem::path&) const;

OracleOutput oracle_of(const std::string& dataset, const ClassValues& classes,
                       const std::vector<PlantedCase>& cases, const std::vector<char>& axes) {
  std::vector<OracleClass> oracle_classes;
  for (const auto& [name, values] : classes)
    oracle_classes.push_back({name, class_id(name), values});
  OracleOutput out;
  for (const auto& c : cases) {
    OracleCase oc;
    oc.modality = c.modality;
    oc.dataset = dataset;
    oc.case_name = c.name;
    oc.ni = c.size[0];
    oc.nj = c.size[1];
    oc.nk = c.size[2];
    oc.image = c.image<double>();
    for (double v : label_values(c)) oc.label.push_back(static_cast<long long>(v));
    oc.classes = oracle_classes;
    oc.axes = axes;
    oracle_add(oc, out);
  }
  return out;
}

ExpectedFiles expected_files(const std::string& dataset, const ClassValues& classes,
                             const std::vector<PlantedCase>& cases, const std::vector<char>& axes) {
  const OracleOutput out = oracle_of(dataset, classes, cases, axes);
  ExpectedFiles files;
  for (const auto& [rel, unused] : out.images) files.images.push_back(rel.substr(7));
  for (const auto& [rel, unused] : out.masks) files.masks.push_back(rel.substr(6));
  return files;
}

std::string as_2d_name(std::string oracle_name) {
  const auto at = oracle_name.find("--x_0000");
  EXPECT_NE(at, std::string::npos) << oracle_name;
  if (at != std::string::npos) oracle_name.replace(at, 8, "--2d_none");
  return oracle_name;
}

ExpectedFiles expected_files_2d(const std::string& dataset, const ClassValues& classes,
                                const std::vector<PlantedCase>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(c.size[2], 1u) << c.name;
    EXPECT_GE(2 * std::min(c.size[0], c.size[1]), std::max(c.size[0], c.size[1])) << c.name;
  }
  auto files = expected_files(dataset, classes, cases, {'x'});
  for (auto& n : files.images) n = as_2d_name(n);
  for (auto& n : files.masks) n = as_2d_name(n);
  std::sort(files.images.begin(), files.images.end());
  std::sort(files.masks.begin(), files.masks.end());
  return files;
}

void merge_expected(ExpectedFiles& files, const ExpectedFiles& more) {
  files.images.insert(files.images.end(), more.images.begin(), more.images.end());
  files.masks.insert(files.masks.end(), more.masks.begin(), more.masks.end());
  std::sort(files.images.begin(), files.images.end());
  std::sort(files.masks.begin(), files.masks.end());
}

std::vector<std::string> files_of_case(const std::vector<std::string>& names,
                                       const std::string& case_name) {
  std::vector<std::string> out;
  for (const auto& n : names)
    if (n.find("--" + case_name + "--") != std::string::npos) out.push_back(n);
  return out;
}

std::set<std::string> class_ids_of(const std::vector<std::string>& masks) {
  std::set<std::string> ids;
  for (const auto& m : masks) ids.insert(m.substr(m.size() - 12, 4));
  return ids;
}

void expect_converted(const ConvertedDataset& got, const ExpectedFiles& want, int exit_code) {
  EXPECT_EQ(got.run.exit_code, exit_code) << got.run.err;
  EXPECT_EQ(got.images, want.images);
  EXPECT_EQ(got.masks, want.masks);
  ASSERT_TRUE(got.index.is_object());
  std::vector<std::string> listed_images;
  std::vector<std::string> listed_masks;
  for (const auto& [image, masks] : got.index.items()) {
    listed_images.push_back(image.substr(7));
    for (const auto& m : masks) listed_masks.push_back(m.get<std::string>().substr(6));
  }
  std::sort(listed_masks.begin(), listed_masks.end());
  EXPECT_EQ(listed_images, want.images);
  EXPECT_EQ(listed_masks, want.masks);
}

std::size_t lines_naming(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(what) != std::string::npos) ++n;
  return n;
}

}  // namespace samed2d::test
