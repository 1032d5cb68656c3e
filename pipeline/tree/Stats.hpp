#pragma once
// `samed2d stats TREE`: the counts the SA-Med2D paper reports, from a finished tree's JSON files
// (through TreeIndex) and the 24-byte PNG header (IHDR) of every image, for the image sizes.
//
// Definitions (the numbers of compute_stats and of every output format):
// - A case is one (dataset, case name) pair. A multi-sequence case (BraTS: MR_T1, MR_FLAIR, ...)
//   is one case of its dataset, and one case of each modality it has images in: the modality
//   rows' cases may therefore add up to more than the total.
// - A class's images: images with at least one mask of the class; its cases: cases with at least
//   one such image; its masks: mask files of the class (instances count one each).
// - Masks per image: over every image of the index (an image listed with no mask counts as 0).
//   The median of n values sorted ascending v[1..n] is v[(n+1)/2] for odd n and
//   (v[n/2] + v[n/2+1]) / 2 for even n (so it may end in .5; it is printed as "3" or "3.5").
// - Image sizes: width x height of each image file's IHDR, never decoded.
//
// Orders (fixed, whatever the thread count): modalities and datasets by name (byte order);
// classes by masks descending, then by id ascending; each dataset's sizes by images descending,
// then width, then height ascending.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace samed2d {

struct TreeIndex;

// Images, masks and cases of one modality, dataset or class, or of the whole tree.
struct StatsCounts {
  std::uint64_t images = 0;
  std::uint64_t masks = 0;
  std::uint64_t cases = 0;
};

// Masks per image over a set of images (images == 0: min, median and max are 0).
struct MasksPerImage {
  std::uint64_t images = 0;
  std::uint32_t min = 0;
  double median = 0;  // exact: an integer or an integer + 0.5
  std::uint32_t max = 0;
};

struct ImageSize {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint64_t images = 0;  // images of this size
};

// The image sizes of one dataset (or of the tree).
struct SizeStats {
  std::vector<ImageSize> sizes;  // distinct sizes: images descending, width, height ascending
  std::uint32_t min_width = 0, max_width = 0;
  std::uint32_t min_height = 0, max_height = 0;
};

struct ModalityStats {
  std::string name;  // e.g. "CT", "MR_T1"
  StatsCounts counts;
};

struct DatasetStats {
  std::string name;
  std::vector<std::string> modalities;  // the modalities it has images in, by name
  StatsCounts counts;
  MasksPerImage masks_per_image;
  SizeStats sizes;  // empty when sizes were not read
};

struct ClassStats {
  std::uint32_t id = 0;  // the mapping's 4-digit id as a number
  std::string name;      // the mapping's name, or the 4-digit id when the mapping lacks it
  StatsCounts counts;
};

struct TreeStats {
  StatsCounts totals;
  std::vector<ModalityStats> modalities;  // by name
  std::vector<DatasetStats> datasets;     // by name
  std::vector<ClassStats> classes;        // only classes with at least one mask; by masks desc, id
  MasksPerImage masks_per_image;          // over all images
  bool sizes_read = false;                // false: every SizeStats is empty
  SizeStats sizes;                        // over all images
};

struct StatsOptions {
  bool sizes = true;        // read each image's PNG header for the sizes
  std::size_t threads = 0;  // for the header reads; 0: all cores
};

// Counts `index` (read from `root` by read_tree_index). With options.sizes, reads the first 24
// bytes of root/images/<stem>.png for each image, in parallel; throws ConfigError (one line,
// naming the file) for the first image in index order that is missing, shorter than 24 bytes or
// not a PNG with an IHDR chunk.
TreeStats compute_stats(const TreeIndex& index, const std::filesystem::path& root,
                        const StatsOptions& options = {});

// read_tree_index(root) then compute_stats: ConfigError when root is not a tree.
TreeStats compute_stats(const std::filesystem::path& root, const StatsOptions& options = {});

// "3" or "3.5" (a median of MasksPerImage).
std::string format_median(double median);

// The three output formats; each ends with a new line, and is the same bytes for the same stats.
//
// table: for an 80-100 column terminal; sections "Totals", "Per modality", "Per dataset",
// "Per class", "Masks per image", "Image sizes". Names longer than 40 characters are cut to 37
// and end in "...".
std::string format_stats_table(const TreeStats& stats);
// csv: one header line, then one row per number set (RFC 4180 quoting where a name needs it):
//   section,key,class_id,images,masks,cases,min,median,max,width,height
// section   key           filled columns
// totals    all           images masks cases
// modality  <modality>    images masks cases
// dataset   <dataset>     images masks cases
// class     <class name>  class_id (4 digits) images masks cases
// masks_per_image  all, then each <dataset>   images min median max
// image_size  all, then each <dataset>  width height images (one row per distinct size)
// Empty cells elsewhere. Rows in the section order above, each section in the orders above;
// image_size rows only when sizes were read.
std::string format_stats_csv(const TreeStats& stats);
// json: one object, keys in this order (2-space indent):
// {"totals": {"images","masks","cases","modalities","datasets","classes"},
//  "modalities": [{"name","images","masks","cases"}],
//  "datasets": [{"name","modalities":[names],"images","masks","cases"}],
//  "classes": [{"id":"0001","name","images","masks","cases"}],
//  "masks_per_image": {"all": {"images","min","median","max"},
//                      "datasets": [{"name","images","min","median","max"}]},
//  "image_sizes": null when not read, else
//      {"all": S, "datasets": [{"name", ...S}]} with
//      S = "min_width","max_width","min_height","max_height","sizes":[{"width","height","images"}]}
// "median" is a number (3 or 3.5).
std::string format_stats_json(const TreeStats& stats);

// Runs the command; `format` is "table", "csv" or "json". Returns the exit status (0 printed,
// 2 not a tree or an image header unreadable, with one line on stderr).
int print_stats(const std::filesystem::path& tree, const std::string& format);
int print_stats(const std::filesystem::path& tree, const std::string& format,
                const StatsOptions& options);

}  // namespace samed2d
