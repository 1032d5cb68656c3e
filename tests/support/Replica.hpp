#pragma once
// The harness of the black-box dataset replicas (e2e/IndependentReplica*Test.cpp): label volumes
// planted as boxes, the file names SPEC sections 2, 3 and 5 derive from them (a deliberately
// naive reading that shares no code with the tool or with the oracle of PlantedCase), and a run of
// a bundled config checked against those names. Everything here works on int labels and names,
// never on pixels.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"

namespace samed2d::test::replica {

// A label volume, i fastest.
struct Vol {
  std::size_t ni, nj, nk;
  std::vector<int> v;
  Vol(std::size_t i, std::size_t j, std::size_t k) : ni(i), nj(j), nk(k), v(i * j * k, 0) {}
  int at(std::size_t i, std::size_t j, std::size_t k) const { return v[i + ni * (j + nj * k)]; }
  // Fills [i0,i1) x [j0,j1) x [k0,k1) with `value`.
  void box(std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1, std::size_t k0,
           std::size_t k1, int value);
  std::array<std::size_t, 3> size() const { return {ni, nj, nk}; }
  template <class T>
  std::vector<T> as() const {
    return std::vector<T>(v.begin(), v.end());
  }
};

// A 2D label slice, row-major.
struct Slice {
  std::size_t h, w;
  std::vector<int> lab;
  bool from_3d = true;  // SPEC 5: only slices of 3D volumes are skipped for their aspect
};

struct ClassDef {
  std::string name;
  std::vector<int> values;
};

// A class list of support/DatasetClasses.hpp (or any ClassValues) as ClassDefs.
std::vector<ClassDef> classes_of(const ClassValues& classes);

// The id of a class in configs/classes.json; a test failure and "????" when it is not there.
std::string registry_id(const std::string& name);

// Mask suffixes "CCCC_III" of one slice (SPEC 5: per class in ascending id, 8-connected
// components, kept when >= 0.00153 * H * W pixels, numbered by first pixel in row-major order).
std::vector<std::string> slice_masks(const Slice& s, const std::vector<ClassDef>& classes);

// SPEC 3: x_s fixes k (Nj x Ni), y_s fixes j (Nk x Ni), z_s fixes i (Nk x Nj).
Slice cut(const Vol& v, char axis, std::size_t s);

// The names a conversion must write, and the classes its mapping must name.
struct Expect {
  std::set<std::string> images, masks, class_names;

  void add_slice(const std::vector<std::string>& modalities, const std::string& dataset,
                 const std::string& case_name, const std::string& slice_name, const Slice& s,
                 const std::vector<ClassDef>& classes);
  // The slices of a 3D volume along each of `axes`.
  void add_3d(const std::vector<std::string>& modalities, const std::string& dataset,
              const std::string& case_name, const Vol& label, const std::vector<ClassDef>& classes,
              const std::string& axes = "x");
  // A 2D source (SPEC 9): its one slice, 2d_none.
  void add_2d(const std::string& modality, const std::string& dataset, const std::string& case_name,
              Slice s, const std::vector<ClassDef>& classes);
  // A 2D source given as a volume of one slice (SPEC 9: a 3D file whose third size is 1 is one):
  // row = j, column = i.
  void add_2d(const std::vector<std::string>& modalities, const std::string& dataset,
              const std::string& case_name, const Vol& label, const std::vector<ClassDef>& classes);
};

// One box per value, value n on slice (n + shift) % nk: a mis-paired label changes the slices.
Vol standard_label(std::size_t ni, std::size_t nj, std::size_t nk, const std::vector<int>& values,
                   std::size_t shift);

// An int16 image ramp of `count` voxels, (p * step + seed * seed_step) % modulo + offset.
struct Ramp {
  std::size_t step, seed_step, modulo;
  int offset;
};
std::vector<std::int16_t> ramp(std::size_t count, int seed, const Ramp& rule);

// The image and label writers of one replica test file, with its own pixels: its int16 image ramp
// and the scale of its 4D images' ramp ((p * 13) % 251 * scale). Files are written with ITK.
struct Planter {
  Ramp image_ramp;
  float image4d_scale = 1;

  void image3d(const std::filesystem::path& f, const std::array<std::size_t, 3>& n, int seed = 0,
               const std::array<double, 3>& spacing = {1, 1, 1}) const;
  template <class T = std::uint8_t>
  void label3d(const std::filesystem::path& f, const Vol& v,
               const std::array<double, 3>& spacing = {1, 1, 1}) const {
    write_itk_image(f, {v.ni, v.nj, v.nk}, v.as<T>(), {{spacing.begin(), spacing.end()}, {}, {}});
  }
  // A float 4D image whose 4th (slowest) dimension holds `count` channels or frames.
  void image4d(const std::filesystem::path& f, const std::array<std::size_t, 3>& n,
               std::size_t count) const;
};

// The AppleDouble twin "._NAME" of `real` (a 24-byte header and 200 zero bytes), as macOS leaves
// beside every file it archives: no image at all.
void apple_double(const std::filesystem::path& real);

// The file names in a folder (none when it does not exist).
std::set<std::string> names_in(const std::filesystem::path& dir);

// Runs a bundled config on a replica, once with each of `inputs` as --input (the dataset's
// folder, the folder above it, ...), and checks what each run wrote against one Expect: exit
// status, image and mask names, and a class mapping that names exactly the expected classes with
// their registry ids. Each run writes a fresh folder OUTS/<folder prefix><n>.
class ConvertAndCheck {
 public:
  explicit ConvertAndCheck(std::string folder_prefix) : prefix_(std::move(folder_prefix)) {}
  void operator()(const std::string& dataset, const std::vector<std::filesystem::path>& inputs,
                  const TempDir& outs, const Expect& e, const std::string& axes = "x",
                  int expected_exit = 0);

 private:
  void check(const std::string& dataset, const std::filesystem::path& input, const TempDir& outs,
             const Expect& e, const std::string& axes, int expected_exit);

  std::string prefix_;
  int runs_ = 0;
};

}  // namespace samed2d::test::replica
