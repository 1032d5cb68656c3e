#include "pipeline/tree/Report.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pipeline/core/Console.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/output/OutputTree.hpp"
#include "pipeline/output/PngWriter.hpp"
#include "pipeline/tree/ReportPreview.hpp"
#include "pipeline/tree/ReportSvg.hpp"
#include "pipeline/tree/Stats.hpp"
#include "pipeline/tree/TreeIndex.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kTopClasses = 30;
// The page holds at most this many previews: with more datasets x samples, fewer per dataset.
constexpr std::size_t kMaxPreviews = 2000;
// Images larger than this (pixels) get no preview.
constexpr std::size_t kMaxPreviewPixels = std::size_t{64} << 20;

// A progress line while previews are drawn: "report: previews 12/364 | 0:03 elapsed | ~0:10 left".
class PreviewProgress {
 public:
  PreviewProgress(Console& console, std::size_t total)
      : console_(console), total_(total), start_(std::chrono::steady_clock::now()) {
    if (!console_.quiet() && total_ > 0) thread_ = std::thread([this] { loop(); });
  }
  ~PreviewProgress() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    console_.finish_progress();
  }
  PreviewProgress(const PreviewProgress&) = delete;
  PreviewProgress& operator=(const PreviewProgress&) = delete;
  void one_done() { done_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void loop() {
    const auto interval =
        console_.is_terminal() ? std::chrono::milliseconds(500) : std::chrono::milliseconds(5000);
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval, [this] { return stop_; })) {
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      const std::size_t done = done_.load();
      std::string line = fmt::format("report: previews {}/{} | {} elapsed", done, total_,
                                     format_duration(elapsed));
      if (done > 0 && done < total_)
        line += " | ~" +
                format_duration(elapsed * static_cast<double>(total_ - done) /
                                static_cast<double>(done)) +
                " left";
      console_.progress(line);
    }
  }
  Console& console_;
  std::size_t total_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<std::size_t> done_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

struct LegendEntry {
  std::uint32_t class_id = 0;
  std::size_t instances = 0;
};

struct Preview {
  std::size_t image = 0;  // index into TreeIndex::images
  std::string file;       // file name in the previews folder
  std::size_t width = 0, height = 0;
  std::string error;               // not empty: no preview (why)
  std::vector<std::string> notes;  // masks that could not be drawn (why)
  std::vector<LegendEntry> legend;
};

// `count` image indices evenly spaced over `of` (all of them when there are not more).
std::vector<std::size_t> evenly_spaced(const std::vector<std::size_t>& of, std::size_t count) {
  if (of.size() <= count) return of;
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < count; ++k) out.push_back(of[(2 * k + 1) * of.size() / (2 * count)]);
  return out;
}

void render_preview(const TreeIndex& index, const fs::path& tree, const fs::path& folder,
                    Preview& p) {
  const auto& image = index.images[p.image];
  RasterImage rgb;
  const std::string image_rel = index.image_path(p.image);
  p.error = decode_png(tree / image_rel, 3, rgb, kMaxPreviewPixels);
  if (!p.error.empty()) {
    p.error = image_rel + " " + p.error;
    return;
  }
  p.width = rgb.width;
  p.height = rgb.height;
  std::vector<std::pair<Rgb, std::vector<std::size_t>>> outlines;
  RasterImage mask;
  for (std::uint32_t m = 0; m < image.mask_count; ++m) {
    const std::uint32_t id = index.masks[image.first_mask + m].class_id;
    auto it = std::find_if(p.legend.begin(), p.legend.end(),
                           [&](const LegendEntry& e) { return e.class_id == id; });
    if (it == p.legend.end()) it = p.legend.insert(p.legend.end(), LegendEntry{id, 0});
    ++it->instances;
    const std::string mask_rel = index.mask_path(p.image, m);
    const std::string error = decode_png(tree / mask_rel, 1, mask, kMaxPreviewPixels);
    if (!error.empty()) {
      p.notes.push_back(mask_rel + " " + error);
      continue;
    }
    if (mask.width != rgb.width || mask.height != rgb.height) {
      p.notes.push_back(fmt::format("{} is {}x{}, its image {}x{}: not drawn", mask_rel, mask.width,
                                    mask.height, rgb.width, rgb.height));
      continue;
    }
    const Rgb color = class_color(id);
    blend_mask_fill(rgb, mask, color);
    outlines.emplace_back(color, mask_boundary(mask));
  }
  for (const auto& [color, pixels] : outlines) draw_pixels(rgb, pixels, color);
  std::sort(p.legend.begin(), p.legend.end(),
            [](const LegendEntry& a, const LegendEntry& b) { return a.class_id < b.class_id; });
  std::vector<std::uint8_t> png;
  encode_png(rgb.pixels.data(), rgb.width, rgb.height, PngColor::Rgb,
             image_png_options(PngColor::Rgb), png);
  write_text_atomic(folder / p.file, std::string(png.begin(), png.end()));
}

// True when `inner` is `outer` or a path below it (both made absolute, `..` resolved).
bool is_within(const fs::path& inner, const fs::path& outer) {
  const fs::path a = fs::weakly_canonical(fs::absolute(inner));
  const fs::path b = fs::weakly_canonical(fs::absolute(outer));
  auto ai = a.begin();
  for (auto bi = b.begin(); bi != b.end(); ++bi, ++ai) {
    if (bi->empty()) continue;  // a trailing separator
    if (ai == a.end() || *ai != *bi) return false;
  }
  return true;
}

// "<b>1</b> case", "<b>1,234</b> cases"
std::string counted(std::uint64_t n, const char* one, const char* many = nullptr) {
  return "<b>" + thousands(n) + "</b> " +
         (n == 1            ? std::string(one)
          : many != nullptr ? std::string(many)
                            : std::string(one) + "s");
}

const char* kStyle = R"(
body { font-family: sans-serif; margin: 0 auto; max-width: 1180px; padding: 0 16px 40px;
       color: #222; background: #fff; }
h1 { font-size: 22px; margin: 20px 0 4px; }
h1 code { font-size: 18px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
p.summary { font-size: 15px; margin: 4px 0 8px; }
p.note { color: #555; font-size: 13px; margin: 4px 0 10px; }
nav a { margin-right: 14px; font-size: 14px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 6px 0 10px; }
.pair { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 12px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e4e4e4; text-align: left; }
th { background: #f0f2f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.sw { display: inline-block; width: 12px; height: 12px; border: 1px solid #555;
      vertical-align: -2px; margin-right: 5px; }
.grid { display: flex; flex-wrap: wrap; gap: 14px; }
figure { margin: 0; width: 270px; }
figure img { width: 270px; height: auto; image-rendering: pixelated; background: #000;
             display: block; }
figcaption { font-size: 11px; word-break: break-all; margin-top: 3px; }
figcaption .name { color: #444; }
ul.legend { list-style: none; padding: 0; margin: 3px 0 0; font-size: 12px; word-break: normal; }
ul.legend li { margin: 1px 0; }
.bad { color: #b00020; }
)";

// The title, the one-line summary and the links to the sections.
std::string page_head(const ReportOptions& o, const TreeIndex& index, const TreeStats& stats) {
  std::string h;
  const std::string tree_name = o.tree.string();
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>SA-Med2D tree " + html_escape(tree_name) + "</title>\n";
  h += "<style>" + std::string(kStyle) + "</style>\n</head>\n";
  h += "<body data-loaded=\"pending\">\n";
  h += "<h1>SA-Med2D tree <code>" + html_escape(tree_name) + "</code></h1>\n";
  h += "<p class=\"summary\">" + counted(stats.totals.images, "image") + ", " +
       counted(stats.totals.masks, "mask") + ", " + counted(stats.totals.cases, "case") + " in " +
       counted(stats.datasets.size(), "dataset") + ", " +
       counted(stats.modalities.size(), "modality", "modalities") + ", " +
       counted(stats.classes.size(), "class", "classes") +
       fmt::format(
           " with masks ({} in the class mapping); masks per image: min {}, median {}, "
           "max {}.</p>\n",
           index.class_names.size(), stats.masks_per_image.min,
           format_median(stats.masks_per_image.median), stats.masks_per_image.max);
  h += "<nav><a href=\"#modalities\">Modalities</a><a href=\"#datasets\">Datasets</a>"
       "<a href=\"#classes\">Classes</a><a href=\"#previews\">Previews</a></nav>\n";
  return h;
}

// The images and masks of each modality or dataset (`rows`: ModalityStats or DatasetStats).
template <class Rows>
BarChart images_and_masks_chart(std::string_view per, const Rows& rows) {
  BarChart chart{
      fmt::format("Images and masks per {}", per), {"images", "masks"}, {"#4e79a7", "#f28e2b"}, {}};
  for (const auto& r : rows) chart.rows.push_back({r.name, {r.counts.images, r.counts.masks}, {}});
  return chart;
}

std::string modality_section(const TreeStats& stats) {
  std::string h;
  h += "<h2 id=\"modalities\">Images and masks per modality</h2>\n";
  BarChart chart = images_and_masks_chart("modality", stats.modalities);
  chart.width = 680;  // beside its table
  h += "<div class=\"pair\">\n" + render_bar_chart(chart);
  h += "<table id=\"modality-table\">\n<tr><th>modality</th><th class=\"num\">cases</th>"
       "<th class=\"num\">images</th><th class=\"num\">masks</th></tr>\n";
  for (const auto& m : stats.modalities)
    h += fmt::format(
        "<tr data-modality=\"{0}\"><td>{0}</td><td class=\"num\">{1}</td>"
        "<td class=\"num\" data-images=\"{2}\">{3}</td><td class=\"num\" data-masks=\"{4}\">{5}"
        "</td></tr>\n",
        html_escape(m.name), thousands(m.counts.cases), m.counts.images, thousands(m.counts.images),
        m.counts.masks, thousands(m.counts.masks));
  h += "</table>\n</div>\n";
  return h;
}

std::string dataset_section(const TreeStats& stats) {
  std::string h;
  h += "<h2 id=\"datasets\">Images and masks per dataset</h2>\n";
  h += render_bar_chart(images_and_masks_chart("dataset", stats.datasets));
  h += "<table id=\"dataset-table\">\n<tr><th>dataset</th><th>modalities</th>"
       "<th class=\"num\">cases</th><th class=\"num\">images</th><th class=\"num\">masks</th>"
       "<th class=\"num\">masks per image (min / median / max)</th></tr>\n";
  for (const auto& d : stats.datasets) {
    std::string mods;
    for (const auto& m : d.modalities) mods += (mods.empty() ? "" : ", ") + html_escape(m);
    h += fmt::format(
        "<tr data-dataset=\"{0}\"><td>{0}</td><td>{1}</td><td class=\"num\">{2}</td>"
        "<td class=\"num\" data-images=\"{3}\">{4}</td><td class=\"num\" data-masks=\"{5}\">{6}"
        "</td><td class=\"num\">{7} / {8} / {9}</td></tr>\n",
        html_escape(d.name), mods, thousands(d.counts.cases), d.counts.images,
        thousands(d.counts.images), d.counts.masks, thousands(d.counts.masks),
        d.masks_per_image.min, format_median(d.masks_per_image.median), d.masks_per_image.max);
  }
  h += "</table>\n";
  return h;
}

// The kTopClasses classes with the most masks.
std::string class_section(const TreeStats& stats) {
  std::string h;
  const std::size_t top = std::min(kTopClasses, stats.classes.size());
  h += fmt::format("<h2 id=\"classes\">The {} most frequent classes (by masks)</h2>\n", top);
  if (stats.classes.size() > top)
    h += fmt::format(
        "<p class=\"note\">{} more classes have masks; <code>samed2d stats</code> "
        "lists them all.</p>\n",
        stats.classes.size() - top);
  BarChart cc{fmt::format("Masks and images of the {} most frequent classes", top),
              {"masks", "images"},
              {"#59a14f", "#4e79a7"},
              {}};
  for (std::size_t i = 0; i < top; ++i) {
    const auto& c = stats.classes[i];
    cc.rows.push_back({fmt::format("{} ({:04d})", c.name, c.id),
                       {c.counts.masks, c.counts.images},
                       css_color(class_color(c.id))});
  }
  cc.width = 680;
  h += "<div class=\"pair\">\n" + render_bar_chart(cc);
  h += "<table id=\"class-table\">\n<tr><th class=\"num\">#</th><th>class</th><th>id</th>"
       "<th class=\"num\">masks</th><th class=\"num\">images</th><th class=\"num\">cases</th>"
       "</tr>\n";
  for (std::size_t i = 0; i < top; ++i) {
    const auto& c = stats.classes[i];
    h += fmt::format(
        "<tr data-class=\"{0:04d}\"><td class=\"num\">{1}</td><td><span class=\"sw\" "
        "style=\"background:{2}\"></span>{3}</td><td>{0:04d}</td><td class=\"num\" "
        "data-masks=\"{4}\">{5}</td><td class=\"num\">{6}</td><td class=\"num\">{7}</td></tr>\n",
        c.id, i + 1, css_color(class_color(c.id)), html_escape(c.name), c.counts.masks,
        thousands(c.counts.masks), thousands(c.counts.images), thousands(c.counts.cases));
  }
  h += "</table>\n</div>\n";
  return h;
}

// One preview: the image with its masks drawn (or why there is none), its name and size, and
// the legend of its classes.
std::string preview_figure(const TreeIndex& index, const Preview& p,
                           const std::string& folder_name) {
  std::string h;
  const std::string stem = index.images[p.image].stem;
  h += "<figure data-image=\"" + html_escape(stem) + "\">\n";
  if (p.error.empty()) {
    const std::string src = url_path_escape(folder_name + "/" + p.file);
    h += fmt::format(
        "<a href=\"{0}\"><img src=\"{0}\" width=\"{1}\" height=\"{2}\" alt=\"{3}\"></a>\n", src,
        p.width, p.height, html_escape(stem));
  } else {
    h += "<p class=\"bad\">No preview: " + html_escape(p.error) + "</p>\n";
  }
  h += fmt::format("<figcaption><span class=\"name\">{}</span> ({}x{})\n", html_escape(stem),
                   p.width, p.height);
  h += "<ul class=\"legend\">\n";
  for (const auto& e : p.legend)
    h += fmt::format(
        "<li data-class=\"{0:04d}\" data-color=\"{1}\"><span class=\"sw\" "
        "style=\"background:{1}\"></span>{2} <code>{0:04d}</code>{3}</li>\n",
        e.class_id, css_color(class_color(e.class_id)), html_escape(index.class_name(e.class_id)),
        e.instances > 1 ? fmt::format(" &times; {}", e.instances) : std::string());
  h += "</ul>\n";
  for (const auto& n : p.notes) h += "<p class=\"bad\">" + html_escape(n) + "</p>\n";
  h += "</figcaption>\n</figure>\n";
  return h;
}

std::string preview_section(const ReportOptions& o, const TreeIndex& index,
                            const std::vector<std::vector<Preview>>& previews,
                            const std::vector<std::size_t>& preview_dataset,
                            std::size_t per_dataset, bool capped, const std::string& folder_name) {
  std::string h;
  h += "<h2 id=\"previews\">Previews</h2>\n";
  if (per_dataset == 0) {
    h += "<p class=\"note\">No previews (<code>--samples 0</code>).</p>\n";
  } else {
    h += fmt::format(
        "<p class=\"note\">Up to {} images per dataset, evenly spaced over its image names in "
        "name order{}. Each mask is drawn in its class's colour: filled at {}% opacity, its "
        "boundary pixels opaque. Click a preview for its full size.</p>\n",
        per_dataset,
        capped ? fmt::format(" (fewer than --samples {}: the page holds at most {} previews)",
                             o.samples, kMaxPreviews)
               : std::string(),
        kFillAlpha * 100 / 256);
  }
  for (std::size_t d = 0; d < previews.size(); ++d) {
    if (previews[d].empty()) continue;
    const std::string& dataset = index.datasets[preview_dataset[d]];
    h += "<h3 data-dataset=\"" + html_escape(dataset) + "\">" + html_escape(dataset) + "</h3>\n";
    h += "<div class=\"grid\">\n";
    for (const auto& p : previews[d]) h += preview_figure(index, p, folder_name);
    h += "</div>\n";
  }
  return h;
}

// Inline, no network: the browser test (and a curious reader) sees how many previews loaded.
const char* kScript = R"(<script>
window.addEventListener("load", function () {
  var images = document.images, loaded = 0;
  for (var i = 0; i < images.length; ++i)
    if (images[i].complete && images[i].naturalWidth > 0) ++loaded;
  document.body.setAttribute("data-loaded", loaded + "/" + images.length);
  document.body.setAttribute("data-charts", String(document.querySelectorAll("svg.chart").length));
});
</script>
</body>
</html>
)";

// Dates, times and absolute paths stay out of the page: the same tree and options give the same
// bytes.
std::string page(const ReportOptions& o, const TreeIndex& index, const TreeStats& stats,
                 const std::vector<std::vector<Preview>>& previews,
                 const std::vector<std::size_t>& preview_dataset, std::size_t per_dataset,
                 bool capped, const std::string& folder_name) {
  return page_head(o, index, stats) + modality_section(stats) + dataset_section(stats) +
         class_section(stats) +
         preview_section(o, index, previews, preview_dataset, per_dataset, capped, folder_name) +
         kScript;
}

int run(const ReportOptions& o, Console& console) {
  const fs::path to = o.to.empty() ? o.tree / "report.html" : o.to;
  if (to.filename().empty() || fs::is_directory(to))
    throw ConfigError(fmt::format("--to {}: is a folder; give the HTML file to write, e.g. --to {}",
                                  to.string(), (to / "report.html").string()));
  // A big index takes a while to read: say so on a terminal (a line that the next one replaces).
  if (console.is_terminal())
    console.progress("report: reading " + (o.tree / "SAMed2D_v1.json").string());
  const TreeIndex index = read_tree_index(o.tree);
  for (const char* sub : {"images", "masks"})
    if (is_within(to.parent_path().empty() ? fs::path(".") : to.parent_path(), o.tree / sub))
      throw ConfigError(fmt::format(
          "--to {}: is inside the tree's {}/ folder, which holds only the tree's PNGs; write the "
          "page elsewhere (default: {})",
          to.string(), sub, (o.tree / "report.html").string()));
  StatsOptions so;
  so.sizes = false;  // a header read per image: slow on a big tree, and not shown
  const TreeStats stats = compute_stats(index, o.tree, so);

  // The sample: per dataset (by name), evenly spaced over its images in name order.
  std::vector<std::vector<std::size_t>> by_dataset(index.datasets.size());
  for (std::size_t i = 0; i < index.images.size(); ++i)
    by_dataset[index.images[i].dataset].push_back(i);
  for (auto& v : by_dataset)
    std::sort(v.begin(), v.end(), [&](std::size_t a, std::size_t b) {
      return index.images[a].stem < index.images[b].stem;
    });
  std::vector<std::size_t> dataset_order(index.datasets.size());
  for (std::size_t d = 0; d < dataset_order.size(); ++d) dataset_order[d] = d;
  std::sort(dataset_order.begin(), dataset_order.end(),
            [&](std::size_t a, std::size_t b) { return index.datasets[a] < index.datasets[b]; });
  std::size_t per_dataset = o.samples;
  bool capped = false;
  if (!index.datasets.empty() && per_dataset * index.datasets.size() > kMaxPreviews) {
    per_dataset = std::max<std::size_t>(1, kMaxPreviews / index.datasets.size());
    capped = per_dataset < o.samples;
  }
  std::vector<std::vector<Preview>> previews(dataset_order.size());
  std::vector<Preview*> jobs;
  for (std::size_t k = 0; k < dataset_order.size(); ++k) {
    for (const std::size_t i : evenly_spaced(by_dataset[dataset_order[k]], per_dataset)) {
      Preview p;
      p.image = i;
      p.file = index.images[i].stem + ".png";
      previews[k].push_back(std::move(p));
    }
  }
  for (auto& d : previews)
    for (auto& p : d) jobs.push_back(&p);

  const std::string folder_name = to.stem().string() + "_previews";
  const fs::path folder = to.parent_path() / folder_name;
  if (!to.parent_path().empty()) fs::create_directories(to.parent_path());
  if (!jobs.empty()) {
    fs::create_directories(folder);
    PreviewProgress progress(console, jobs.size());
    tbb::parallel_for(std::size_t{0}, jobs.size(), [&](std::size_t j) {
      render_preview(index, o.tree, folder, *jobs[j]);
      progress.one_done();
    });
  }
  // Previews of an earlier run that this page does not show are removed (only PNGs: the folder
  // is the report's own).
  std::set<std::string> wanted;
  for (const auto* p : jobs)
    if (p->error.empty()) wanted.insert(p->file);
  std::error_code ec;
  if (fs::is_directory(folder, ec)) {
    std::vector<fs::path> stale;
    for (const auto& entry : fs::directory_iterator(folder, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".png" &&
          wanted.count(entry.path().filename().string()) == 0)
        stale.push_back(entry.path());
    for (const auto& f : stale) fs::remove(f, ec);
  }

  std::vector<std::size_t> failed;
  for (const auto* p : jobs)
    if (!p->error.empty()) failed.push_back(p->image);
  std::size_t shown = 0;
  for (const auto* p : jobs)
    if (!p->error.empty() && shown++ < 3) console.warning("no preview: " + p->error);
  if (failed.size() > 3)
    console.warning(
        fmt::format("{} more images without a preview (see the page)", failed.size() - 3));

  write_text_atomic(
      to, page(o, index, stats, previews, dataset_order, per_dataset, capped, folder_name));
  std::cout << fmt::format("samed2d: wrote {} ({} previews in {}/)\n", to.string(), wanted.size(),
                           folder.string());
  return 0;
}

}  // namespace

int write_report(const ReportOptions& options) {
  Console console(options.quiet);
  return run_reporting_errors(console, [&] { return run(options, console); });
}

}  // namespace samed2d
